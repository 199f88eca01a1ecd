"""Work in progress: filled in by its owner."""

from __future__ import annotations

import argparse
import logging

logger = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of this subcommand."""


def run(args: argparse.Namespace) -> int:
    raise NotImplementedError
