"""Subcommand of the extraction pipeline: ``extract``.

The job lives in its own module exposing ``add_arguments(parser)`` and ``run(args) -> int``;
it keeps heavy imports inside ``run`` so that building the parser stays cheap. The ``eval``
subcommands are the evaluation package's (:mod:`evaluation.cli`).
"""

from __future__ import annotations

import argparse

from extract import run_extract


def register(sub: argparse._SubParsersAction) -> None:
    ex = sub.add_parser("extract", help="extract events from articles",
                        description=run_extract.__doc__)
    run_extract.add_arguments(ex)
    ex.set_defaults(handler=run_extract.run)
