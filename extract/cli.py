"""Subcommands of the extraction pipeline (``extract``, ``eval``)."""

from __future__ import annotations

import argparse
import logging

logger = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:  # noqa: SLF001 - argparse's own type
    """Extraction subcommands are added by the extraction work."""
