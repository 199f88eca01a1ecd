"""Where geodata keeps its files.

- Committed, derived data (boundaries, curated overlay): ``geodata/data/`` in the package.
- The built gazetteer index: ``$CONFLICT_ATLAS_GAZETTEER`` if set, else
  ``$XDG_CACHE_HOME/conflict-atlas/gazetteer-<INDEX_VERSION>.sqlite`` (``~/.cache`` by
  default). It is derived from installed packages, so it lives in a cache, is built once by
  ``conflict-atlas geodata build`` and is rebuilt when ``INDEX_VERSION`` changes.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

logger = logging.getLogger(__name__)

INDEX_VERSION = "1"

PACKAGE_DATA = Path(__file__).resolve().parent / "data"


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "conflict-atlas"


def default_index_path() -> Path:
    override = os.environ.get("CONFLICT_ATLAS_GAZETTEER")
    if override:
        return Path(override)
    return cache_dir() / f"gazetteer-{INDEX_VERSION}.sqlite"
