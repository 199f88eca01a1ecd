"""Subcommands of the extraction pipeline: ``extract`` and ``eval geoparse|events``.

Each job lives in its own module exposing ``add_arguments(parser)`` and ``run(args) -> int``;
those modules keep heavy imports inside ``run`` so that building the parser stays cheap.
"""

from __future__ import annotations

import argparse

from extract import eval_events, eval_geoparse, run_extract


def register(sub: argparse._SubParsersAction) -> None:
    ex = sub.add_parser("extract", help="extract events from articles",
                        description=run_extract.__doc__)
    run_extract.add_arguments(ex)
    ex.set_defaults(handler=run_extract.run)

    ev = sub.add_parser("eval", help="measure extraction and geoparsing against gold data")
    ev_sub = ev.add_subparsers(dest="eval_command", required=True, metavar="WHAT")
    for name, module, text in (
        ("geoparse", eval_geoparse, "toponym resolution / end-to-end geoparsing on a corpus"),
        ("events", eval_events, "events against gold files (date, admin1, event_type)"),
    ):
        p = ev_sub.add_parser(name, help=text, description=module.__doc__)
        module.add_arguments(p)
        p.set_defaults(handler=module.run)
