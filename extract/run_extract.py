"""Extract events from articles (files, folders, zips, feeds) into an event table.

A ``.parquet`` output is a store: events are added to it by ``event_id`` (re-running on the
same articles adds nothing). Other formats (``.csv``, ``.geojson``, ``.gpkg``) are written
whole. Articles that cannot be read or coded are added to ``OUT.rejects.csv`` (one row per
article: run, time, path, reason; appended under a lock, so concurrent runs keep each
other's), and the rest are processed. When the output cannot be written (a store of another
schema, a full disk), the run's events are kept in a side file and the command says where
and exits 1 (``conflict-atlas store repair`` merges side files into the store).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from filelock import FileLock

from extract.spreadsheet import CSV_LINE_TERMINATOR, clean_cell

if TYPE_CHECKING:
    import pandas as pd

    from extract.readers import Rejected


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def store_location(value: str) -> Path | str:
    """An ``--out``/``--store`` value: a ``postgresql://`` URL as given, else a path."""
    from extract.store_postgis import is_url

    return value if is_url(value) else Path(value)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                        help="article files or folders (.txt .html .jsonl .csv .xml .zip)")
    parser.add_argument("--out", "--store", dest="out", type=store_location,
                        help="output table (.parquet, .csv, .geojson, .gpkg) or a PostGIS "
                             "store (postgresql://USER@HOST/DB); default: the event store "
                             "($CONFLICT_ATLAS_STORE, else $CONFLICT_ATLAS_DATA/events.parquet)")
    parser.add_argument("--published", type=_date, metavar="YYYY-MM-DD",
                        help="publication date for articles whose metadata has none")
    parser.add_argument("--lang", default="auto", choices=["auto", "fr", "en", "ar", "es",
                                                           "de", "it", "pt", "ru", "uk", "tr"],
                        help="article language (default: detected per article)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--event-model", type=Path, default=None, metavar="MODEL",
                        help="type events with a classifier trained by "
                             "'conflict-atlas train events' (default: the codebook rules)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--scheduler", default=None, metavar="tcp://HOST:8786|local:N",
                        help="run on a dask.distributed cluster (a scheduler's address, or "
                             "local:N for N local worker processes) instead of --jobs; "
                             "needs the 'cluster' extra")


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from extract.pipeline import run_pipeline
    from extract.schema import SchemaError
    from extract.store import StoreError, check_schema

    missing = [p for p in args.paths if not p.exists()]
    for path in missing:
        print(f"error: {path} does not exist", file=sys.stderr)
    paths = [p for p in args.paths if p.exists()]
    if not paths:
        return 2
    if args.event_model is not None and not args.event_model.is_file():
        print(f"error: no event model at {args.event_model}", file=sys.stderr)
        return 2
    out: Path | str = args.out or args.settings.store_location
    # rejects.csv beside a file output; a database's go beside the data directory's store
    rejects_beside = out if isinstance(out, Path) else args.settings.store_path
    if isinstance(out, Path) and out.suffix.lower() in (".parquet", ".geoparquet"):
        problems = check_schema(out)  # before the work, not after it
        if problems:
            print(StoreError(out, [p.message for p in problems]), file=sys.stderr)
            return 1
    # disable=None: no bar when stderr is not a terminal (CI logs, pipes)
    bar = tqdm(total=0, unit="article", disable=True if args.no_progress else None,
               file=sys.stderr,
               desc="extracting")

    def progress(done: int, total: int | None, label: str) -> None:
        bar.total = total or 0
        bar.n = done
        bar.set_postfix_str(Path(label).name[-30:], refresh=True)

    from extract.learned import ModelError

    try:
        if getattr(args, "scheduler", None):
            from extract.distributed import run_distributed

            bar.unit = "file"
            result = run_distributed(paths, scheduler=args.scheduler,
                                     published=args.published, language=args.lang,
                                     progress=progress, event_model=args.event_model)
        else:
            result = run_pipeline(paths, published=args.published, language=args.lang,
                                  jobs=max(1, args.jobs), progress=progress,
                                  event_model=args.event_model)
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        bar.close()
    try:
        stored = _store(result.events, out)
    except (StoreError, SchemaError, OSError) as exc:
        _keep_aside(result.events, out, exc)
        _report_rejects(result.rejected, rejects_beside)
        return 1
    rejects = _report_rejects(result.rejected, rejects_beside)
    print(f"articles: {result.n_articles}  events: {len(result.events)} ({stored})  "
          f"rejected: {len(result.rejected)}" + (f" (see {rejects})" if rejects else ""))
    return 0


def _store(events: pd.DataFrame, out: Path | str) -> str:
    """Add ``events`` to the store ``out`` (or write them to ``out``); what happened."""
    from extract.store import write_events
    from extract.stores import open_store

    if isinstance(out, str) or out.suffix.lower() in (".parquet", ".geoparquet"):
        store = open_store(out)
        summary = store.append(events)
        out = store.path
        return (f"{summary.added} new, {summary.skipped_duplicates} already stored, "
                f"{summary.total} in {out}")
    write_events(events, out)
    return f"written to {out}"


def _keep_aside(events: pd.DataFrame, out: Path | str, exc: Exception) -> None:
    """The output could not be written: keep the run's events in a side file, and say so."""
    from extract.stores import open_store

    store = open_store(out)
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    print(f"error: the events could not be written to {store.path}: {reason}",
          file=sys.stderr)
    if not len(events):
        print("  (the run found no events: nothing is lost)", file=sys.stderr)
        return
    try:
        side = store.save_pending(events)
    except OSError as side_exc:
        print(f"  and no side file could be written either ({side_exc}): the run's "
              f"{len(events)} events are lost; free some space and run it again",
              file=sys.stderr)
        return
    if isinstance(out, str):
        fix = f"`conflict-atlas store migrate {side} {store.path}`"
    else:
        fix = (f"`conflict-atlas store repair {out}" + ("`" if side.parent == out.parent
                                                        else f" --pending {side}`"))
    print(f"  the run's {len(events)} events are kept in {side}; once the cause is fixed, "
          f"{fix} adds them", file=sys.stderr)


REJECTS_HEADER = ["run", "when", "path", "reason"]


def _report_rejects(rejected: list[Rejected], out: Path) -> Path | None:
    """Append this run's rejects to ``OUT.rejects.csv`` under its lock; print the first."""
    for r in rejected[:10]:
        print(f"  rejected {r.path!r}: {r.reason}", file=sys.stderr)
    if not rejected:
        return None
    path = out.with_name(out.name + ".rejects.csv")
    run = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}-{os.getpid()}"
    when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=CSV_LINE_TERMINATOR)
    try:
        with FileLock(str(path) + ".lock"):
            if path.exists() and path.stat().st_size:
                with path.open(encoding="utf-8", errors="replace", newline="") as fh:
                    header = next(csv.reader(fh), [])
                if header != REJECTS_HEADER:  # written by an older version: keep it apart
                    path.rename(path.with_name(f"{path.name}.old-{run}"))
            if not path.exists() or not path.stat().st_size:
                writer.writerow(REJECTS_HEADER)
            writer.writerows([run, when, clean_cell(r.path), clean_cell(r.reason)]
                             for r in rejected)
            with path.open("a", encoding="utf-8", newline="") as fh:
                fh.write(buf.getvalue())
    except OSError as exc:
        print(f"warning: cannot write {path} ({exc.strerror or exc}); the {len(rejected)} "
              "rejected articles are:", file=sys.stderr)
        for r in rejected[10:]:
            print(f"  rejected {r.path!r}: {r.reason}", file=sys.stderr)
        return None
    return path
