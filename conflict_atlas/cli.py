"""``conflict-atlas``: one command, a subcommand per job.

Each package registers its own subcommands (``register(subparsers)`` in its ``cli`` module);
heavy imports happen inside the handlers so that ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from conflict_atlas import store_cli
from conflict_atlas import train as train_cli
from conflict_atlas_core.errors import ConflictAtlasError
from conflict_atlas_core.settings import Settings
from dashboard import cli as dashboard_cli
from evaluation import cli as evaluation_cli
from extract import cli as extract_cli
from geodata import cli as geodata_cli


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="conflict-atlas",
        description="Turn news articles into a map of conflict events.",
    )
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="more log output (-vv for debug)")
    # read once from the environment by main() and handed down to the handlers
    parser.set_defaults(settings=None)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (geodata_cli, extract_cli, evaluation_cli, dashboard_cli, store_cli, train_cli):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.settings = Settings.from_env()
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.handler(args) or 0)
    except ConflictAtlasError as exc:  # refused on purpose: bad input, a missing index
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except ModuleNotFoundError as exc:
        extra = extra_providing(exc.name or "")
        if extra is None:
            raise
        print(f"error: this command needs {exc.name}, which is not installed: "
              f"pip install 'conflict-atlas[{extra}]'", file=sys.stderr)
        return 2


def extra_providing(module: str) -> str | None:
    """The smallest extra of this package (``dashboard``, ``build``...) that installs
    ``module``, from the installed metadata."""
    import re
    from collections import Counter
    from importlib.metadata import PackageNotFoundError, requires

    try:
        requirements = requires("conflict-atlas") or []
    except PackageNotFoundError:
        return None
    top = module.split(".")[0].lower()
    wanted = {"pil": "pillow"}.get(top, top).replace("_", "-")
    sizes: Counter[str] = Counter()
    providing = set()
    for line in requirements:
        name = re.match(r"[A-Za-z0-9._-]+", line)
        extra = re.search(r"extra\s*==\s*[\"']([\w-]+)[\"']", line)
        if not (name and extra):
            continue
        sizes[extra.group(1)] += 1
        if re.sub(r"[-_.]+", "-", name.group().lower()) == wanted:
            providing.add(extra.group(1))
    return min(providing, key=lambda e: (sizes[e], e)) if providing else None
