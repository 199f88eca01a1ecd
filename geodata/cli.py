"""Subcommands of the gazetteer (``geodata build``, ``geocode``, ``reverse``)."""

from __future__ import annotations

import argparse
import logging

logger = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:  # noqa: SLF001 - argparse's own type
    """Filled in below."""
