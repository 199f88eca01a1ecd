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
import functools
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import streamlit as st

from conflict_atlas_core.settings import Settings
from dashboard import aggregate
from dashboard.edits import ApplyReport, EditLog
from extract.schema import SchemaError, empty_events
from extract.store import EventStore
from extract.store_postgis import PostgisStore, is_url, redact
from extract.stores import open_store

if TYPE_CHECKING:
    from dashboard.explore_data import Explore
    from dashboard.filters import FilterState

logger = logging.getLogger(__name__)


def store_path(settings: Settings | None = None) -> Path | str:
    """``$CONFLICT_ATLAS_STORE`` (``serve STORE`` sets it: a file, or a ``postgresql://``
    URL), else the data directory's file."""
    return (settings or Settings.from_env()).store_location


def store_label(location: Path | str | None = None) -> str:
    """The store as the pages show it (a URL without its password)."""
    return redact(str(location if location is not None else store_path()))


def default_basemap(settings: Settings | None = None) -> str:
    """``offline`` unless ``$CONFLICT_ATLAS_BASEMAP`` (or ``serve --basemap``) says ``carto``."""
    return (settings or Settings.from_env()).basemap


@dataclasses.dataclass(frozen=True)
class Loaded:
    events: pd.DataFrame
    report: ApplyReport
    error: str
    path: str
    version: tuple[int, int] = (0, 0)  # (store, edit log) versions: the cache key of views
    view: pd.DataFrame | None = None  # :func:`view_frame` of ``events``
    # a database store read by queries (:func:`load_explore`): ``events`` is empty and
    # ``total`` says how many events it holds, edits applied
    database: bool = False
    total: int = 0


# the columns the Explore page's map, figures and charts read
VIEW_COLUMNS = ["event_id", "event_date", "event_type", "sub_event_type", "actor1", "actor2",
                "location", "admin1", "country", "iso", "latitude", "longitude", "fatalities"]
CATEGORY_COLUMNS = ("event_type", "sub_event_type", "actor1", "actor2", "location", "admin1",
                    "country", "iso", "language", "source")


# the other columns :func:`dashboard.filters.filter_mask` reads (the view frame is filtered)
FILTER_COLUMNS = ["is_background", "geo_precision", "confidence", "language", "source",
                  "notes", "sentence"]


def view_frame(events: pd.DataFrame) -> pd.DataFrame:
    """The :data:`VIEW_COLUMNS` and :data:`FILTER_COLUMNS` of ``events``, repeated text as
    categoricals.

    Same rows and values; taking the filtered rows of a million events then copies small
    integer codes instead of strings (a tenth of the time), the aggregates group on codes,
    and the actor, type and place filters test codes instead of strings.
    """
    cols = [c for c in VIEW_COLUMNS + FILTER_COLUMNS if c in events.columns]
    out = events[cols].copy()
    for col in CATEGORY_COLUMNS:
        if col in out.columns:
            out[col] = out[col].astype("category")
    return out


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
    if is_url(path):
        return PostgisStore(str(path)).read()  # the database validates nothing: we do
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
        logger.exception("cannot read %s", store_label(path))
        return Loaded(empty_events(), ApplyReport(0, 0, []),
                      f"Cannot read {store_label(path)}: {exc}", path)
    edited, report = EditLog.for_store(path).apply(raw)
    return Loaded(edited, report, "", path, (version, edits_version), view_frame(edited))


def load_events(path: Path | str | None = None) -> Loaded:
    """The events of the store with review edits applied (cached until either changes)."""
    path = path or store_path()
    return _load(str(path), open_store(path).version(), EditLog.for_store(path).version())


@st.cache_resource(max_entries=3, show_spinner="Reading the database…")
def _load_database(path: str, version: int, edits_version: int) -> Loaded:
    from dashboard import sql
    from dashboard.edits import apply_edits

    store = PostgisStore(path)
    try:
        active = EditLog.for_store(path).active()
        _rows, report = apply_edits(store.read("event_id = ANY(%s)",
                                               (sql.touched_ids(active),)), active)
        total = sql.total(store, active)
    except (SchemaError, ValueError, OSError) as exc:
        logger.exception("cannot read %s", store_label(path))
        return Loaded(empty_events(), ApplyReport(0, 0, []),
                      f"Cannot read {store_label(path)}: {exc}", path, database=True)
    return Loaded(empty_events(), report, "", path, (version, edits_version), None,
                  database=True, total=total)


def load_explore(path: Path | str | None = None) -> Loaded:
    """What the Explore page starts from: :func:`load_events` for a file store; for a
    database, its versions and size only (the page then asks
    :func:`explore_data` questions the database answers)."""
    path = path or store_path()
    if not is_url(str(path)):
        return load_events(path)
    return _load_database(str(path), open_store(path).version(),
                          EditLog.for_store(path).version())


@st.cache_resource(max_entries=256, show_spinner=False)
def _memo(path: str, version: int, edits_version: int, filters: str, name: str, arg: Any,
          _fn: Any) -> Any:
    return _fn()


def explore_data(loaded: Loaded, state: FilterState) -> Explore:
    """The Explore page's :class:`~dashboard.explore_data.FrameExplore` or
    :class:`~dashboard.explore_data.DatabaseExplore` for the filter ``state``, its answers
    cached per store version and filter (shared between sessions: read-only)."""
    from dashboard.explore_data import DatabaseExplore, FrameExplore

    if not loaded.database:
        view = loaded.view if loaded.view is not None else loaded.events
        agg = functools.partial(cached_aggregate, loaded, state)
        return FrameExplore(loaded.events, view, state, agg, VIEW_COLUMNS)
    key = (loaded.path, loaded.version[0], loaded.version[1], repr(state))
    active = _active(loaded.path, loaded.version[0], loaded.version[1])
    return DatabaseExplore(PostgisStore(loaded.path), state, active, loaded.total,
                           memo=lambda name, arg, fn: _memo(*key, name, arg, fn),
                           units=lambda: (boundaries()[1], *admin1_lookup()))


@st.cache_resource(max_entries=3, show_spinner=False)
def _active(path: str, version: int, edits_version: int) -> list[dict[str, Any]]:
    return EditLog.for_store(path).active()


def compute_aggregate(name: str, rows: pd.DataFrame, arg: Any = None) -> Any:
    """One of the page's aggregates of the filtered ``rows`` (see :func:`cached_aggregate`)."""
    if name == "summary":
        return aggregate.summary(rows)
    if name == "h3":  # arg: (resolution, the view's bounds when rows are those in view)
        return aggregate.h3_bins(rows, int(arg[0]))
    if name == "time_series":
        return aggregate.time_series(rows)
    if name == "top_actors":
        return aggregate.top_actors(rows, int(arg or 10))
    if name == "admin1_counts":
        return aggregate.admin1_counts(rows)
    if name == "event_types":
        return set(pd.unique(rows["event_type"])) if len(rows) else set()
    if name == "grid":
        return aggregate.grid_places(rows, float(arg[0]))
    if name == "newest":
        return aggregate.newest(rows, int(arg or 100))
    if name == "choropleth":
        _countries, admin1, _err = boundaries()
        iso, keys = admin1_lookup()
        return aggregate.choropleth_counts(rows, admin1, iso, keys)
    raise ValueError(f"unknown aggregate {name!r}")


@st.cache_resource(max_entries=96, show_spinner=False)
def _aggregate(path: str, version: int, edits_version: int, filters: str, name: str, arg: Any,
               _rows: pd.DataFrame) -> Any:
    return compute_aggregate(name, _rows, arg)


def cached_aggregate(loaded: Loaded, filters: object, name: str, rows: pd.DataFrame,
                     arg: Any = None) -> Any:
    """``compute_aggregate(name, rows, arg)``, cached per store version and filter state.

    ``rows`` must be the events of ``loaded`` that ``filters`` selects: the cache key is the
    store, its versions and ``repr(filters)`` (a frozen dataclass), not the rows themselves,
    so a filter state seen before (another session's first view, a step back) costs nothing.
    Results are shared between sessions: read-only.
    """
    if loaded.error or not loaded.path:
        return compute_aggregate(name, rows, arg)
    return _aggregate(loaded.path, loaded.version[0], loaded.version[1], repr(filters), name,
                      arg, rows)


@st.cache_resource(max_entries=3)
def _places(path: str, version: int, edits_version: int, limit: int) -> pd.DataFrame:
    from dashboard.layers import place_labels

    if is_url(path):
        from dashboard.sql import place_counts

        return place_labels(place_counts(PostgisStore(path)), limit=limit)
    df = _load(path, version, edits_version).events
    if not len(df):
        return place_labels(pd.DataFrame())
    # one label per place name, where most of its events are; background events (recalled
    # from other years) count for little
    frame = pd.DataFrame({"name": df["location"].astype(str).to_numpy(),
                          "lat": df["latitude"].to_numpy(), "lon": df["longitude"].to_numpy(),
                          "precision": df["geo_precision"].to_numpy(),
                          "weight": np.where(df["is_background"].to_numpy(dtype=bool), 0.01,
                                             1.0)})
    spots = (frame.groupby(["name", "lat", "lon"], sort=False)
             .agg(count=("weight", "sum"), precision=("precision", "min")).reset_index())
    best = spots.sort_values("count", ascending=False, kind="stable").drop_duplicates("name")
    places = best.drop(columns="count").merge(
        spots.groupby("name", sort=False)["count"].sum().reset_index(), on="name")
    return place_labels(places, limit=limit)


def city_labels(path: Path | str | None = None, limit: int = 40) -> pd.DataFrame:
    """The most frequent event places, once each, as basemap labels (name, lat, lon,
    priority): see :func:`dashboard.layers.place_labels`."""
    path = path or store_path()
    return _places(str(path), open_store(path).version(), EditLog.for_store(path).version(),
                   limit)


@st.cache_resource(show_spinner=False)
def actor_aliases() -> dict[str, list[str]]:
    """The alias table's aliases per canonical actor (see :mod:`dashboard.actors`)."""
    from dashboard.actors import read_aliases

    return read_aliases()


@st.cache_resource(show_spinner=False)
def country_labels() -> pd.DataFrame:
    """Country names at their label points (Natural Earth's), for the offline basemap."""
    countries, _admin1, _err = boundaries()
    if countries is None:
        return pd.DataFrame(columns=["name", "lat", "lon"])
    frame = countries[["name", "label_lat", "label_lon"]].dropna()
    frame = frame[frame["name"].astype(str).str.strip() != ""]
    return (frame.rename(columns={"label_lat": "lat", "label_lon": "lon"})
            .reset_index(drop=True))


@st.cache_resource(show_spinner=False)
def admin1_lookup() -> tuple[dict[str, str], dict[tuple[str, str], int]]:
    """(alpha-3 -> alpha-2 country codes, admin-1 name keys) for the choropleth."""
    countries, admin1, _err = boundaries()
    if countries is None or admin1 is None:
        return {}, {}
    iso = {str(a3): str(a2) for a3, a2 in zip(countries["iso_a3"], countries["iso_a2"],
                                               strict=True) if a2 and a3}
    return iso, aggregate.admin1_keys(admin1)


@st.cache_resource(max_entries=8, show_spinner=False)
def _bounds(path: str, version: int, edits_version: int, include_background: bool
            ) -> tuple[Any, Any] | None:
    if is_url(path):
        from dashboard.sql import date_bounds as sql_bounds

        return sql_bounds(PostgisStore(path), include_background,
                          _active(path, version, edits_version))
    df = _load(path, version, edits_version).events
    dates = df["event_date"] if include_background else df["event_date"][~df["is_background"]]
    dates = dates.dropna()
    if not len(dates):
        return None
    return dates.min().date(), dates.max().date()


def date_bounds(loaded: Loaded, include_background: bool) -> tuple[Any, Any] | None:
    """First and last date of the events the background switch lets through (the date
    slider's span: background events an article recalls from years before do not stretch it)."""
    if loaded.error or not loaded.path:
        return None
    return _bounds(loaded.path, loaded.version[0], loaded.version[1], include_background)


@st.cache_resource(max_entries=8, show_spinner=False)
def _options(path: str, version: int, edits_version: int, column: str) -> list[str]:
    from dashboard.filters import actor_options, options

    if is_url(path):
        from dashboard.sql import distinct

        return distinct(PostgisStore(path), column, _active(path, version, edits_version))
    df = _load(path, version, edits_version).events
    return actor_options(df) if column == "actor" else options(df, column)


def store_options(loaded: Loaded, column: str) -> list[str]:
    """The sidebar's choices for ``column`` (or ``"actor"``), computed once per store version
    (a million rows take a second or more each time)."""
    if loaded.error or not loaded.path:
        return []
    return _options(loaded.path, loaded.version[0], loaded.version[1], column)


@st.cache_resource(max_entries=16, show_spinner=False)
def _admin1_options(path: str, version: int, edits_version: int, countries: tuple[str, ...]
                    ) -> list[str]:
    from dashboard.filters import options

    if is_url(path):
        from dashboard.sql import distinct

        return distinct(PostgisStore(path), "admin1", _active(path, version, edits_version),
                        "country = ANY(%s)", (list(countries),))
    df = _load(path, version, edits_version).events
    return options(df[df["country"].isin(countries)], "admin1")


def admin1_options(loaded: Loaded, countries: tuple[str, ...]) -> list[str]:
    """The admin-1 units of ``countries`` (the sidebar's choices once countries are chosen)."""
    if loaded.error or not loaded.path:
        return []
    return _admin1_options(loaded.path, loaded.version[0], loaded.version[1], countries)


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


def _outlines(gdf: Any, tolerance: float, decimals: int = 3) -> Any:
    """Simplified geometries with coordinates rounded to ``decimals`` (3: about 100 m)."""
    import numpy as np
    import shapely

    simple = gdf.geometry.simplify(tolerance, preserve_topology=True).to_numpy()
    return shapely.transform(simple, lambda xy: np.round(xy, decimals))


def _drop_small_parts(geometries: Any, min_area: float) -> Any:
    """Polygons without their parts smaller than ``min_area`` square degrees (islands).

    Each geometry keeps its largest part, so no country disappears.
    """
    import numpy as np
    import shapely

    parts, index = shapely.get_parts(geometries, return_index=True)
    if not len(parts):
        return geometries
    area = shapely.area(parts)
    keep = area >= min_area
    largest = pd.Series(area).groupby(index).idxmax().to_numpy()
    keep[largest] = True
    out = np.array(geometries, dtype=object, copy=True)
    rebuilt = shapely.multipolygons(parts[keep], indices=index[keep])
    has = np.unique(index[keep])
    out[has] = rebuilt[has]
    return out


def _feature_collection(geometries: Any) -> dict[str, Any]:
    import geopandas as gpd

    return gpd.GeoDataFrame(geometry=list(geometries), crs="EPSG:4326").to_geo_dict(drop_id=True)


@st.cache_resource(show_spinner=False, max_entries=8)
def countries_geojson(tolerance: float = 0.05,
                      focus: tuple[int, int, int, int] | None = None,
                      far_tolerance: float = 0.25,
                      far_min_area: float = 0.5) -> dict[str, Any] | None:
    """Country outlines for the offline basemap, as small as the map allows.

    Countries touching ``focus`` (a whole-degree bbox, e.g. around the events) keep
    ``tolerance`` degrees of detail, the rest of the world ``far_tolerance`` without islands
    under ``far_min_area`` square degrees (it is seen only zoomed out); coordinates are
    rounded to 0.001 degrees. The browser parses and
    triangulates every vertex of this layer, so its size is page time.
    """
    countries, _admin1, _err = boundaries()
    if countries is None:
        return None
    if focus is None:
        return _feature_collection(_outlines(countries, tolerance))
    min_lon, min_lat, max_lon, max_lat = focus
    near = countries.geometry.intersects(box_polygon(min_lon, min_lat, max_lon, max_lat)).to_numpy()
    geoms = _drop_small_parts(_outlines(countries, far_tolerance), far_min_area)
    if near.any():
        geoms[near] = _outlines(countries[near], tolerance)
    return _feature_collection(geoms)


@st.cache_resource(show_spinner=False, max_entries=4)
def _basemap_json(path: str, version: int, edits_version: int, theme: str) -> str:
    from dashboard.layers import layers_json, offline_basemap_layers

    if is_url(path):
        from dashboard.sql import extent

        box = extent(PostgisStore(path))
        frame = (pd.DataFrame({"longitude": [box[0], box[2]], "latitude": [box[1], box[3]]})
                 if box else pd.DataFrame({"longitude": [], "latitude": []}))
    else:
        frame = _load(path, version, edits_version).events
    countries = countries_geojson(focus=data_bbox(frame, margin=10))
    admin1 = admin1_geojson(data_bbox(frame)) if len(frame) else None
    return layers_json(offline_basemap_layers(countries, admin1, None, None, theme=theme))


def basemap_json(loaded: Loaded, theme: str) -> str:
    """The offline basemap's outlines (ocean, countries, admin-1 around the events) as the
    map component's JSON, built once per store version and theme: the browser converts and
    triangulates them again only when this text changes."""
    return _basemap_json(loaded.path, loaded.version[0], loaded.version[1], theme)


def box_polygon(min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> Any:
    import shapely

    return shapely.box(min_lon, min_lat, max_lon, max_lat)


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
    return _feature_collection(_outlines(part, tolerance))


def data_bbox(df: pd.DataFrame, margin: int = 3) -> tuple[int, int, int, int]:
    if not len(df):
        return (-180, -90, 180, 90)
    return (max(int(df["longitude"].min()) - margin, -180), max(int(df["latitude"].min()) - margin, -90),
            min(int(df["longitude"].max()) + margin, 180), min(int(df["latitude"].max()) + margin, 90))


def warm_up(path: Path | str | None = None) -> dict[str, float]:
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
    loaded = step("events", lambda: load_explore(path))
    has_events = bool(loaded.total if loaded.database else len(loaded.events))
    step("boundaries", boundaries)
    if has_events:
        # the arguments the Explore page passes for its first view (default filters)
        step("basemap", lambda: [basemap_json(loaded, theme) for theme in ("light", "dark")])
    step("places", lambda: city_labels(path))
    step("country names", country_labels)
    step("admin-1 names", admin1_lookup)
    step("actor aliases", actor_aliases)
    if has_events:
        step("options", lambda: [store_options(loaded, c) for c in OPTION_COLUMNS])
        step("dates", lambda: date_bounds(loaded, False))
        step("first view", lambda: _warm_first_view(loaded))
    return timings


def _warm_first_view(loaded: Loaded) -> None:
    """The figures and the map the Explore page shows with the default filters (same cache
    keys)."""
    from dashboard.filters import FilterState
    from dashboard.layers import POINT_LIMIT, source_layers

    ex = explore_data(loaded, FilterState())
    for name, arg in (("summary", None), ("event_types", None), ("time_series", None),
                      ("top_actors", 10), ("admin1_counts", None)):
        ex.aggregate(name, arg)
    if ex.count > POINT_LIMIT:
        _lat, _lon, zoom = ex.fit()
        source_layers(ex.map_source(None), "points", zoom)


OPTION_COLUMNS = ("actor", "country", "admin1", "language", "source")
WARM_MODULES = ("altair", "streamlit.emojis", "pyarrow.compute", "pydeck", "h3", "dashboard.aggregate",
                "dashboard.export", "dashboard.filters", "dashboard.layers", "dashboard.text",
                "dashboard.timeline", "dashboard.ui", "dashboard.urlstate", "dashboard.mapview",
                "dashboard.mapstate", "dashboard.deckmap", "dashboard.actors")


def clear_caches() -> None:
    _load.clear()
    _load_database.clear()
    _memo.clear()
    _active.clear()
    _admin1_options.clear()
    _places.clear()
    _aggregate.clear()
    _bounds.clear()
    _basemap_json.clear()
    _options.clear()
