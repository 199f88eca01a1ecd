"""Cached loaders for the app: the events (with review edits applied) and the boundaries.

Which store: ``$CONFLICT_ATLAS_STORE`` (set by ``conflict-atlas serve STORE``), else the default
store of :mod:`extract.store`. Loaders are cached with ``st.cache_resource`` keyed by the file
path and its modification time (and the edit log's), so a write by ``extract`` or by the
Review page invalidates them; ``cache_resource`` hands out the same frame without pickling a
copy on every rerun (a million rows), so callers must treat it as read-only - filtering
returns new frames and never mutates it.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import aggregate
from dashboard.edits import ApplyReport, EditLog, apply_edits
from extract.schema import SchemaError, empty_events
from extract.store import EventStore, default_store_path

logger = logging.getLogger(__name__)

STORE_ENV = "CONFLICT_ATLAS_STORE"
BASEMAP_ENV = "CONFLICT_ATLAS_BASEMAP"


def store_path() -> Path:
    override = os.environ.get(STORE_ENV)
    return Path(override) if override else default_store_path()


def default_basemap() -> str:
    """``offline`` unless ``$CONFLICT_ATLAS_BASEMAP`` (or ``serve --basemap``) says ``carto``."""
    value = os.environ.get(BASEMAP_ENV, "offline").strip().lower()
    return value if value in ("offline", "carto") else "offline"


@dataclasses.dataclass(frozen=True)
class Loaded:
    events: pd.DataFrame
    report: ApplyReport
    error: str
    path: str


def _cache_name(path: Path) -> tuple[Path, str]:
    st_ = path.stat()
    prefix = f".{path.name}.dashcache-"
    return path.with_name(f"{prefix}{st_.st_mtime_ns}-{st_.st_size}.feather"), prefix


def read_store(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The validated events of a store, through a columnar cache file beside it.

    Validating a million rows takes seconds; the validated table is kept as
    ``.<store name>.dashcache-<mtime>-<size>.feather`` next to the store (Arrow IPC, read in
    a fraction of a second) and used while the store file is unchanged. An unwritable
    directory only means no cache. ``conflict-atlas serve`` calls this before starting the
    server, so the first page view does not pay for validation.
    """
    path = Path(path)
    if not path.exists():
        return EventStore(path).read()
    cache, prefix = _cache_name(path)
    if cache.exists():
        try:
            return pd.read_feather(cache)
        except (OSError, ValueError) as exc:
            logger.warning("ignoring unreadable cache %s: %s", cache, exc)
    df = EventStore(path).read()
    try:
        for old in path.parent.glob(prefix + "*.feather"):
            old.unlink(missing_ok=True)
        tmp = cache.with_name(cache.name + ".tmp")
        df.to_feather(tmp)
        os.replace(tmp, cache)
    except OSError as exc:
        logger.info("no dashboard cache beside %s: %s", path, exc)
    return df


@st.cache_resource(max_entries=3, show_spinner="Loading events…")
def _load(path: str, version: int, edits_version: int) -> Loaded:
    try:
        raw = read_store(path)
    except (SchemaError, ValueError, OSError) as exc:
        logger.exception("cannot read %s", path)
        return Loaded(empty_events(), ApplyReport(0, 0, []), f"Cannot read {path}: {exc}", path)
    edited, report = apply_edits(raw, EditLog.for_store(path).active())
    return Loaded(edited, report, "", path)


def load_events(path: Path | None = None) -> Loaded:
    """The events of the store with review edits applied (cached until either file changes)."""
    path = path or store_path()
    return _load(str(path), EventStore(path).version(), EditLog.for_store(path).version())


@st.cache_resource(max_entries=3)
def _places(path: str, version: int, edits_version: int, limit: int) -> pd.DataFrame:
    df = _load(path, version, edits_version).events
    places = aggregate.by_place(df).sort_values("count", ascending=False)
    places = places[places["location"] != ""].drop_duplicates("location").head(limit)
    return places.rename(columns={"location": "name", "latitude": "lat", "longitude": "lon"})


def city_labels(path: Path | None = None, limit: int = 40) -> pd.DataFrame:
    """The most frequent event places, as basemap labels (name, lat, lon)."""
    path = path or store_path()
    return _places(str(path), EventStore(path).version(), EditLog.for_store(path).version(),
                   limit)


@st.cache_resource(show_spinner=False)
def boundaries() -> tuple[Any, Any, str]:
    """(countries, admin1, error) GeoDataFrames from :mod:`geodata.boundaries`, if present."""
    try:
        from geodata.boundaries import Boundaries

        b = Boundaries()
        return b.countries(), b.admin1(), ""
    except (ImportError, OSError, ValueError, AttributeError) as exc:
        logger.warning("boundaries unavailable: %s", exc)
        return None, None, str(exc)


@st.cache_resource(show_spinner=False)
def countries_geojson(tolerance: float = 0.05) -> dict[str, Any] | None:
    countries, _admin1, _err = boundaries()
    if countries is None:
        return None
    simple = countries[["geometry"]].copy()
    simple["geometry"] = simple.geometry.simplify(tolerance, preserve_topology=True)
    return simple.__geo_interface__


@st.cache_resource(show_spinner=False, max_entries=16)
def admin1_geojson(bbox: tuple[int, int, int, int], tolerance: float = 0.02) -> dict[str, Any] | None:
    """Admin-1 outlines within a (whole-degree) bounding box, simplified."""
    _countries, admin1, _err = boundaries()
    if admin1 is None:
        return None
    min_lon, min_lat, max_lon, max_lat = bbox
    part = admin1.cx[min_lon:max_lon, min_lat:max_lat]
    if len(part) > 3000:
        return None
    simple = part[["geometry"]].copy()
    simple["geometry"] = simple.geometry.simplify(tolerance, preserve_topology=True)
    return simple.__geo_interface__


def data_bbox(df: pd.DataFrame, margin: int = 3) -> tuple[int, int, int, int]:
    if not len(df):
        return (-180, -90, 180, 90)
    return (max(int(df["longitude"].min()) - margin, -180), max(int(df["latitude"].min()) - margin, -90),
            min(int(df["longitude"].max()) + margin, 180), min(int(df["latitude"].max()) + margin, 90))


def warm_up(path: Path | None = None) -> dict[str, float]:
    """Fill this process's loader caches before the first page view; seconds per step.

    ``conflict-atlas serve`` runs the Streamlit server in its own process and calls this
    first, so the first browser session finds the modules imported, the events loaded and the
    basemap built (``st.cache_resource`` caches are per process, keyed by the arguments the
    pages pass). Outside a Streamlit run the caches work the same ("bare mode").
    """
    import importlib
    import time

    timings: dict[str, float] = {}

    def step(name: str, fn: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return fn()
        finally:
            timings[name] = round(time.perf_counter() - t0, 3)

    # the modules the pages import (altair: Streamlit's charts import it on first use)
    step("imports", lambda: [importlib.import_module(m) for m in WARM_MODULES])
    loaded = step("events", lambda: load_events(path))
    step("boundaries", boundaries)
    step("countries", countries_geojson)
    if len(loaded.events):
        step("admin1", lambda: admin1_geojson(data_bbox(loaded.events)))
    step("places", lambda: city_labels(path))
    return timings


WARM_MODULES = ("altair", "pyarrow.compute", "pydeck", "h3", "dashboard.aggregate",
                "dashboard.export", "dashboard.filters", "dashboard.layers", "dashboard.text",
                "dashboard.timeline", "dashboard.ui", "dashboard.urlstate", "dashboard.png")


def clear_caches() -> None:
    _load.clear()
    _places.clear()
