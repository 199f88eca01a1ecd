"""Extract events from articles (files, folders, zips, feeds) into an event table.

A ``.parquet`` output is a store: events are added to it by ``event_id`` (re-running on the
same articles adds nothing). Other formats (``.csv``, ``.geojson``, ``.gpkg``) are written
whole. Articles that cannot be read or coded are listed in ``OUT.rejects.csv`` with the
reason, and the rest are processed.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import logging
import sys
from pathlib import Path

logger = logging.getLogger(__name__)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                        help="article files or folders (.txt .html .jsonl .csv .xml .zip)")
    parser.add_argument("--out", type=Path,
                        help="output table (.parquet, .csv, .geojson, .gpkg); default: the "
                             "event store ($CONFLICT_ATLAS_DATA/events.parquet)")
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


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from extract.pipeline import run_pipeline
    from extract.store import EventStore, default_store_path, write_events

    missing = [p for p in args.paths if not p.exists()]
    for path in missing:
        print(f"error: {path} does not exist", file=sys.stderr)
    paths = [p for p in args.paths if p.exists()]
    if not paths:
        return 2
    if args.event_model is not None and not args.event_model.is_file():
        print(f"error: no event model at {args.event_model}", file=sys.stderr)
        return 2
    out: Path = args.out or default_store_path()
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
        result = run_pipeline(paths, published=args.published, language=args.lang,
                              jobs=max(1, args.jobs), progress=progress,
                              event_model=args.event_model)
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        bar.close()
    if out.suffix.lower() in (".parquet", ".geoparquet"):
        summary = EventStore(out).append(result.events)
        stored = f"{summary.added} new, {summary.skipped_duplicates} already stored, " \
                 f"{summary.total} in {out}"
    else:
        write_events(result.events, out)
        stored = f"written to {out}"
    rejects = out.with_name(out.name + ".rejects.csv")
    if result.rejected:
        with rejects.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["path", "reason"])
            writer.writerows((r.path, r.reason) for r in result.rejected)
    else:
        rejects.unlink(missing_ok=True)
    print(f"articles: {result.n_articles}  events: {len(result.events)} ({stored})  "
          f"rejected: {len(result.rejected)}" +
          (f" (see {rejects})" if result.rejected else ""))
    for r in result.rejected[:10]:
        print(f"  rejected {r.path}: {r.reason}", file=sys.stderr)
    return 0
