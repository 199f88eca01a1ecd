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
from dashboard import cli as dashboard_cli
from extract import cli as extract_cli
from geodata import cli as geodata_cli


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="conflict-atlas",
        description="Turn news articles into a map of conflict events.",
    )
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (geodata_cli, extract_cli, dashboard_cli, store_cli):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
