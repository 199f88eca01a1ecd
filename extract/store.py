"""Reading and writing event tables, and the embedded default event store.

Every table goes through :func:`extract.schema.validate_events` on its way in and out.

The default store is one GeoParquet file (``data/events.parquet`` unless configured). Appends
are atomic (write a temporary file beside it, then ``os.replace``) and serialised across
processes with a lock file, so two concurrent runs cannot corrupt it; events are keyed by
``event_id``, so re-running on the same articles adds nothing.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
from filelock import FileLock

from extract.schema import COLUMNS, empty_events, validate_events

logger = logging.getLogger(__name__)

CRS = "EPSG:4326"
SUPPORTED_SUFFIXES = (".parquet", ".geoparquet", ".csv", ".geojson", ".json", ".gpkg")


def default_data_dir() -> Path:
    """``$CONFLICT_ATLAS_DATA`` or ``./data``."""
    return Path(os.environ.get("CONFLICT_ATLAS_DATA", "data"))


def default_store_path() -> Path:
    return default_data_dir() / "events.parquet"


def to_geodataframe(df: pd.DataFrame) -> gpd.GeoDataFrame:
    df = validate_events(df)
    geometry = gpd.points_from_xy(df["longitude"], df["latitude"], crs=CRS)
    return gpd.GeoDataFrame(df, geometry=geometry, crs=CRS)


def write_events(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Validate and write ``df`` atomically; the format follows the file's extension."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ValueError(
            f"cannot write events to {path.name!r}: use one of {', '.join(SUPPORTED_SUFFIXES)}"
        )
    gdf = to_geodataframe(df)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if suffix in (".parquet", ".geoparquet"):
            gdf.to_parquet(tmp, index=False)
        elif suffix == ".csv":
            pd.DataFrame(gdf.drop(columns="geometry")).to_csv(tmp, index=False)
        elif suffix in (".geojson", ".json"):
            tmp.unlink()
            _to_file(gdf, tmp, driver="GeoJSON")
        else:
            tmp.unlink()
            _to_file(gdf, tmp, driver="GPKG", layer="events")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _to_file(gdf: gpd.GeoDataFrame, path: Path, **kwargs: object) -> None:
    out = gdf.copy()
    # GDAL has no nullable-integer or bare-date types everywhere: keep them unambiguous.
    out["event_date"] = out["event_date"].dt.strftime("%Y-%m-%d")
    out["fatalities"] = out["fatalities"].astype("float64")
    out.to_file(path, **kwargs)


def read_events(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read and validate an event table written by :func:`write_events` (or by hand)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise FileNotFoundError(f"no event table at {path}")
    if suffix in (".parquet", ".geoparquet"):
        import pyarrow.parquet as pq

        # The point geometry repeats latitude/longitude: not decoded on read.
        present = set(pq.read_schema(path).names)
        df = pd.read_parquet(path, columns=[c for c in COLUMNS if c in present] or None)
    elif suffix == ".csv":
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values={
            "event_date": [""], "fatalities": [""]})
        df = df.replace({"is_background": {"True": True, "False": False}})
    elif suffix in (".geojson", ".json", ".gpkg"):
        df = pd.DataFrame(gpd.read_file(path))
    else:
        raise ValueError(f"cannot read events from {path.name!r}")
    if "geometry" in df.columns:
        df = df.drop(columns="geometry")
    return validate_events(df)


@dataclass(frozen=True)
class AppendResult:
    added: int
    skipped_duplicates: int
    total: int


class EventStore:
    """The embedded store: one GeoParquet file, appended to atomically under a lock."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        self._lock = FileLock(str(self.path) + ".lock")

    @contextmanager
    def locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            yield

    def exists(self) -> bool:
        return self.path.exists()

    def read(self) -> pd.DataFrame:
        if not self.path.exists():
            return empty_events()
        return read_events(self.path)

    def version(self) -> float:
        """Changes whenever the store is rewritten: a cache key for readers."""
        try:
            return self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    def append(self, events: pd.DataFrame) -> AppendResult:
        """Add events whose ``event_id`` is not stored yet; atomic and process-safe."""
        new = validate_events(events).drop_duplicates("event_id")
        with self.locked():
            current = self.read()
            fresh = new[~new["event_id"].isin(current["event_id"])]
            if len(fresh):
                merged = pd.concat([current, fresh], ignore_index=True)
                write_events(merged[list(COLUMNS)], self.path)
            total = len(current) + len(fresh)
        result = AppendResult(added=len(fresh), skipped_duplicates=len(new) - len(fresh),
                              total=total)
        logger.info("store %s: %s", self.path, result)
        return result

    def replace(self, events: pd.DataFrame) -> None:
        """Rewrite the whole store (used by edits and maintenance)."""
        with self.locked():
            write_events(events, self.path)
