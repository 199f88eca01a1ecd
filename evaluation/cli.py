"""Subcommands of the evaluation: ``eval geoparse|events``.

Each harness exposes ``add_arguments(parser)`` and ``run(args) -> int`` and keeps heavy
imports inside ``run`` so that building the parser stays cheap.
"""

from __future__ import annotations

import argparse

from evaluation import events, geoparse


def register(sub: argparse._SubParsersAction) -> None:
    ev = sub.add_parser("eval", help="measure extraction and geoparsing against gold data")
    ev_sub = ev.add_subparsers(dest="eval_command", required=True, metavar="WHAT")
    for name, module, text in (
        ("geoparse", geoparse, "toponym resolution / end-to-end geoparsing on a corpus"),
        ("events", events, "events against gold files (date, admin1, event_type)"),
    ):
        p = ev_sub.add_parser(name, help=text, description=module.__doc__)
        module.add_arguments(p)
        p.set_defaults(handler=module.run)
