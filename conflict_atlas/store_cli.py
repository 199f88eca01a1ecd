"""``conflict-atlas store check|repair [STORE]``: what is wrong with an event store, and the fix;
``conflict-atlas store migrate SOURCE TARGET``: copy a store (file <-> PostGIS).

``check`` lists the problems of the store file (columns or types of another schema, rows that
do not validate, a file that cannot be read), temporary files left by interrupted writes,
side files of runs whose events could not be added, and damaged lines of the review edit log;
it exits 1 when there is any. ``repair`` fixes them without losing anything: the store is
backed up before it is rewritten, side files are merged, damaged edit-log lines are moved to
the quarantine file. A value it cannot read without guessing (a date that is not
YYYY-MM-DD) is named, and nothing is changed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from conflict_atlas_core.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    store = sub.add_parser("store", help="check or repair an event store",
                           description=__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    store_sub = store.add_subparsers(dest="store_command", required=True, metavar="ACTION")
    check = store_sub.add_parser("check", help="list what is wrong with the store")
    check.add_argument("store", nargs="?", type=Path, default=None,
                       help="event store (default: the default store)")
    check.set_defaults(handler=_check)
    repair = store_sub.add_parser("repair", help="fix what `check` finds, losing nothing")
    repair.add_argument("store", nargs="?", type=Path, default=None,
                        help="event store (default: the default store)")
    repair.add_argument("--pending", type=Path, action="append", default=[], metavar="FILE",
                        help="a side file kept elsewhere (the temp or home directory) to "
                             "merge; repeatable")
    repair.set_defaults(handler=_repair)
    migrate = store_sub.add_parser(
        "migrate", help="copy a store's events and review edits to another store",
        description="Copy every event and review edit of SOURCE into TARGET, either way "
                    "between a GeoParquet file and a postgresql:// store. What TARGET holds "
                    "already is kept and not copied twice, so running it again adds nothing.")
    migrate.add_argument("source", help="GeoParquet file or postgresql:// URL")
    migrate.add_argument("target", help="GeoParquet file or postgresql:// URL")
    migrate.set_defaults(handler=_migrate)


def _path(arg: Path | None, settings: Settings | None = None) -> Path:
    from extract.store import default_store_path

    return arg or default_store_path(settings)


def _problems(store: Path) -> list[str]:
    from dashboard.edits import EditLog
    from extract.store import check_store

    found = [f"{p.kind}: {p.message}" for p in check_store(store)]
    log = EditLog.for_store(store)
    return found + [f"edit log: {b.describe(log.path)}" for b in log.read(quarantine=False).bad]


def _check(args: argparse.Namespace) -> int:
    store = _path(args.store, args.settings)
    if not store.exists():
        print(f"{store}: no store yet (it is created by the first `conflict-atlas extract`)")
    problems = _problems(store)
    for line in problems:
        print(f"  {line}")
    if problems:
        print(f"{store}: {len(problems)} problem(s); `conflict-atlas store repair {store}` "
              "fixes them")
        return 1
    print(f"{store}: no problems")
    return 0


def _repair(args: argparse.Namespace) -> int:
    from dashboard.edits import EditLog
    from extract.schema import SchemaError
    from extract.store import repair_store

    store = _path(args.store, args.settings)
    missing = [p for p in args.pending if not p.is_file()]
    if missing:
        print(f"error: no side file {missing[0]}", file=sys.stderr)
        return 2
    try:
        report = repair_store(store, args.pending)
    except (SchemaError, ValueError, OSError) as exc:
        print(f"error: {store} was not repaired: {exc}", file=sys.stderr)
        return 1
    log = EditLog.for_store(store)
    dropped = log.repair()
    actions = report.actions + [
        f"moved {len(dropped)} damaged edit-log line(s) to {log.quarantine_path.name}"
    ] * bool(dropped)
    for action in actions:
        print(f"  {action}")
    if report.backup:
        print(f"  the store as it was: {report.backup}")
    problems = _problems(store)
    for line in problems:
        print(f"  still: {line}")
    print(f"{store}: " + ("repaired" if actions else "nothing to repair")
          + (f", {len(problems)} problem(s) left" if problems else ""))
    return 1 if problems else 0


def _migrate(args: argparse.Namespace) -> int:
    from dashboard.edits import EditLog
    from extract.run_extract import store_location
    from extract.schema import SchemaError
    from extract.store import StoreError
    from extract.stores import open_store

    source_loc, target_loc = store_location(args.source), store_location(args.target)
    source, target = open_store(source_loc), open_store(target_loc)
    if str(source.path) == str(target.path):
        print("error: the source and the target are the same store", file=sys.stderr)
        return 2
    try:
        if not source.exists():
            print(f"error: no event store at {source.path}", file=sys.stderr)
            return 2
        events = source.read()
        result = target.append(events)
        edits = EditLog.for_store(target_loc).import_records(
            EditLog.for_store(source_loc).records())
    except (StoreError, SchemaError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{source.path} -> {target.path}: {result.added:,} events copied, "
          f"{result.skipped_duplicates:,} already there ({result.total:,} in the target); "
          f"{edits} review edits copied")
    return 0
