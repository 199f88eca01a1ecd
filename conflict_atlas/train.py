"""``conflict-atlas train events LABELLED --out MODEL``: fit a learned event classifier.

LABELLED is an ACLED export (``notes``, ``event_type``, ``sub_event_type``), a CSV or JSONL
file with ``text`` (or ``notes``) and ``sub_event_type``, or an event store (``.parquet``),
read with its review corrections applied (an event a reviewer discarded is left out, a
corrected type is the label). The model is used with ``conflict-atlas extract ...
--event-model MODEL`` (see :mod:`extract.learned`). This command lives beside the other
packages' commands because reading a store's corrections needs the dashboard's edit log.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    tr = sub.add_parser("train", help="train models on labelled data")
    tr_sub = tr.add_subparsers(dest="train_command", required=True, metavar="WHAT")
    p = tr_sub.add_parser("events", help="an event classifier from labelled events",
                          description=__doc__)
    p.add_argument("labelled", type=Path, metavar="LABELLED",
                   help="ACLED export, CSV/JSONL of text + sub_event_type, or event store")
    p.add_argument("--out", type=Path, required=True, metavar="MODEL",
                   help="model file to write (e.g. events.skops)")
    p.set_defaults(handler=run)


def store_texts(path: Path):  # -> extract.learned.LabelledTexts
    """The store's sentences labelled with their (corrected) sub-event types."""
    from dashboard.edits import EditLog, apply_edits
    from extract.learned import labelled_texts
    from extract.store import read_events

    events, _ = apply_edits(read_events(path), EditLog.for_store(path).active())
    return labelled_texts(zip(events["sentence"].astype(str),
                              events["sub_event_type"].astype(str), strict=True), str(path))


def run(args: argparse.Namespace) -> int:
    from extract.learned import ModelError, read_labelled, train
    from extract.schema import SchemaError

    try:
        if args.labelled.suffix.lower() in (".parquet", ".geoparquet"):
            data = store_texts(args.labelled)
        else:
            data = read_labelled(args.labelled)
        print(f"training on {len(data.texts)} labelled texts ({len(set(data.labels))} "
              f"sub-event types)", file=sys.stderr)
        report = train(data, args.out, progress=lambda s: print(s, file=sys.stderr))
    except (ModelError, SchemaError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {report.path}: {report.rows} rows, {len(report.labels)} labels, "
          f"sha256 {report.digest[:12]}, {report.seconds:.1f} s")
    return 0
