"""pydeck layers for the map component: colours per event type, tooltips, basemaps, fitting.

Tooltips are plain text: each object carries ``tt_title`` and ``tt_lines`` and the map
component (:mod:`dashboard.deckmap`) writes them as text nodes, so article text is never
HTML there and nothing is escaped (escaping it as well showed ``&#x27;`` and ``<br/>``).

Above :data:`POINT_LIMIT` filtered events the points layer is replaced by server-side H3
bins, and the heatmap / hexagon layers receive one weighted point per distinct place instead
of one point per event (see :func:`build_layers`), so the browser never receives a million
objects.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable
from typing import Any

import h3
import numpy as np
import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from dashboard import aggregate
from dashboard.mapview import AREA_RAMP, CELL_RAMP, HEAT_RAMP, SELECTED_COLOR
from extract.schema import EventType

POINT_LIMIT = 20_000
PLACE_LIMIT = 50_000
COUNTRY_LABEL_PX = 13
PLACE_LABEL_PX = 12

EVENT_COLORS: dict[str, tuple[int, int, int]] = {
    EventType.BATTLES.value: (200, 30, 45),
    EventType.EXPLOSIONS.value: (240, 130, 20),
    EventType.VIOLENCE_AGAINST_CIVILIANS.value: (130, 40, 160),
    EventType.PROTESTS.value: (30, 110, 210),
    EventType.RIOTS.value: (200, 170, 0),
    EventType.STRATEGIC_DEVELOPMENTS.value: (40, 150, 80),
}
OTHER_COLOR = (110, 110, 110)


@dataclasses.dataclass(frozen=True, slots=True)
class Palette:
    """Basemap colours for a light or dark page."""

    ocean: tuple[int, int, int]
    land: tuple[int, int, int]
    border: tuple[int, int, int]
    admin1: tuple[int, int, int]
    label: tuple[int, int, int]
    country_label: tuple[int, int, int]


PALETTES = {
    "light": Palette((214, 228, 240), (246, 244, 238), (120, 120, 120), (170, 170, 170),
                     (50, 50, 50), (110, 100, 90)),
    "dark": Palette((27, 38, 51), (52, 56, 62), (130, 135, 140), (88, 92, 98),
                    (230, 230, 230), (170, 170, 160)),
}


def layers_json(layers: list[pdk.Layer]) -> str:
    """The layers as the JSON array the map component converts (pydeck's serialisation).

    Compact separators: pydeck's ``indent=2`` makes :mod:`json` fall back to its pure-Python
    encoder (about a second for the offline basemap's outlines); without indentation the C
    encoder writes the same document several times faster and smaller.
    """
    return json.dumps(layers, sort_keys=True, default=default_serialize, separators=(",", ":"))


@dataclasses.dataclass(frozen=True, slots=True)
class MapResult:
    """The data layers built for a view, plus what the page and the legend say about them."""

    layers: list[pdk.Layer]
    note: str
    aggregated: bool
    objects_sent: int
    resolution: int | None = None  # H3 resolution of aggregated points
    top: int = 0  # the largest count of a cell or area


def plain(value: Any) -> str:
    """Text for a tooltip (``None``/NaN become empty); shown as text, never as HTML."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def legend(event_types: list[str] | None = None) -> list[tuple[str, str]]:
    """(event type, ``#rrggbb``) pairs for the legend, in a fixed order."""
    names = event_types if event_types is not None else list(EVENT_COLORS)
    return [(name, hex_color(EVENT_COLORS.get(name, OTHER_COLOR))) for name in names]


def hex_color(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _colors(types: pd.Series) -> np.ndarray:
    mapped = types.astype(str).map(lambda t: EVENT_COLORS.get(t, OTHER_COLOR))
    return np.array(mapped.tolist(), dtype=np.int64).reshape(-1, 3) if len(types) else (
        np.zeros((0, 3), dtype=np.int64))


def point_records(df: pd.DataFrame) -> pd.DataFrame:
    """One record per event with position, colour, radius and escaped tooltip fields."""
    if not len(df):
        return pd.DataFrame(columns=["event_id", "lon", "lat", "r", "g", "b", "radius",
                                     "tt_title", "tt_lines"])
    colors = _colors(df["event_type"])
    fat = df["fatalities"].fillna(0).astype("float64").to_numpy()
    dates = df["event_date"].dt.strftime("%Y-%m-%d").fillna("undated")
    actor1, actor2 = df["actor1"].astype(str), df["actor2"].astype(str)  # str or category
    actors = actor1.where(actor2 == "", actor1 + " vs " + actor2).to_numpy()
    title = (dates.astype(str) + " · " + df["event_type"].astype(str)).to_numpy()
    subs = df["sub_event_type"].astype(str).to_numpy()
    places = df["location"].astype(str).to_numpy()
    lines = [[sub, who, where] + ([f"fatalities: {int(f)}"] if f > 0 else [])
             for sub, who, where, f in zip(subs, actors, places, fat, strict=True)]
    return pd.DataFrame({
        "event_id": df["event_id"].astype(str).to_numpy(),
        "lon": df["longitude"].to_numpy(), "lat": df["latitude"].to_numpy(),
        "r": colors[:, 0], "g": colors[:, 1], "b": colors[:, 2],
        "radius": 4.0 + 3.0 * np.sqrt(fat),
        "tt_title": title,
        "tt_lines": lines,
    })


def fit_view(df: pd.DataFrame, width: int = 1000, height: int = 560,
             weights: str | None = None) -> tuple[float, float, float]:
    """Centre latitude, longitude and a zoom showing the events of ``df`` in a map of that size.

    The extent ignores the outer 1% on each side when there are many events, so one stray
    point does not zoom the map out to the world. ``weights``: a column saying how many
    events each row stands for (grid cells).
    """
    if not len(df):
        return 30.0, 40.0, 2.0
    lat = df["latitude"].to_numpy(dtype=float)
    lon = df["longitude"].to_numpy(dtype=float)
    w = df[weights].to_numpy(dtype=float) if weights else np.ones(len(df))
    if w.sum() > 200:
        lat_lo, lat_hi = _weighted_percentiles(lat, w)
        lon_lo, lon_hi = _weighted_percentiles(lon, w)
    else:
        lat_lo, lat_hi, lon_lo, lon_hi = lat.min(), lat.max(), lon.min(), lon.max()
    # Web Mercator: 512 px span 360 degrees at zoom 1; latitude degrees stretch by 1/cos(lat)
    mid = (lat_lo + lat_hi) / 2
    stretch = 1.0 / max(math.cos(math.radians(mid)), 0.2)
    lon_span = max(lon_hi - lon_lo, 0.02)
    lat_span = max((lat_hi - lat_lo) * stretch, 0.02)
    zoom = min(math.log2(360.0 * width / (512.0 * lon_span)),
               math.log2(360.0 * height / (512.0 * lat_span))) - 0.4
    return float(mid), float((lon_lo + lon_hi) / 2), round(float(np.clip(zoom, 1.0, 12.0)), 2)


def _weighted_percentiles(values: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """The 1st and 99th percentiles of ``values`` counted ``weights`` times (numpy's
    "inverted_cdf" method: an observed value)."""
    if np.all(weights == 1):
        lo, hi = np.percentile(values, [1, 99])
        return float(lo), float(hi)
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    total = cum[-1]
    lo = values[order][np.searchsorted(cum, 0.01 * total)]
    hi = values[order][min(np.searchsorted(cum, 0.99 * total), len(cum) - 1)]
    return float(lo), float(hi)


def offline_basemap_layers(countries: dict[str, Any] | None, admin1: dict[str, Any] | None,
                           cities: pd.DataFrame | None,
                           country_labels: pd.DataFrame | None = None,
                           theme: str = "light") -> list[pdk.Layer]:
    """Land, admin-1 and country outlines, country names and place labels: a map that makes
    no network request (the ocean is the background: :data:`PALETTES`).

    ``countries`` and ``admin1`` are GeoJSON FeatureCollections (simplified polygons);
    ``cities`` and ``country_labels`` have columns name, lat, lon (plain text: the TextLayer
    draws on the canvas); :func:`declutter` keeps those that do not overlap at the zoom.
    """
    pal = PALETTES.get(theme, PALETTES["light"])
    layers: list[pdk.Layer] = []  # the ocean is the map's background colour (one layer less)
    if countries:
        layers.append(pdk.Layer("GeoJsonLayer", countries, id="basemap-countries",
                                stroked=True, filled=True, get_fill_color=list(pal.land),
                                get_line_color=list(pal.border), line_width_min_pixels=1,
                                pickable=False))
    if admin1:
        layers.append(pdk.Layer("GeoJsonLayer", admin1, id="basemap-admin1", stroked=True,
                                filled=False, get_line_color=list(pal.admin1),
                                line_width_min_pixels=0.5, pickable=False))
    if country_labels is not None and len(country_labels):
        layers.append(pdk.Layer(
            "TextLayer", country_labels[["name", "lat", "lon"]], id="basemap-country-names",
            get_position=["lon", "lat"], get_text="name", get_size=COUNTRY_LABEL_PX,
            get_color=list(pal.country_label), font_weight=600,
            font_family="'Helvetica, Arial, sans-serif'", character_set="'auto'",
            pickable=False))
    if cities is not None and len(cities):
        layers.append(pdk.Layer(
            "TextLayer", cities[["name", "lat", "lon"]], id="basemap-cities",
            get_position=["lon", "lat"], get_text="name", get_size=PLACE_LABEL_PX,
            get_color=list(pal.label), get_alignment_baseline="'bottom'",
            font_family="'Helvetica, Arial, sans-serif'", get_pixel_offset=[0, -6],
            character_set="'auto'", pickable=False))
    return layers


def place_labels(places: pd.DataFrame, limit: int = 40, min_km: float = 30.0) -> pd.DataFrame:
    """Labels for the most frequent places, without duplicates: columns name, lat, lon, priority.

    ``places`` has name, lat, lon, count (and optionally precision). Regions-only places
    (precision 3) are not labelled; a place within ``min_km`` of a more frequent labelled one
    is dropped, so one town spelled two ways ("Deir ez-Zor", "Dayr az Zawr") or a town and
    its district are labelled once. Overlaps at a given zoom are the collision filter's job.
    """
    cols = ["name", "lat", "lon", "priority"]
    if places is None or not len(places):
        return pd.DataFrame(columns=cols)
    frame = places
    if "precision" in frame.columns:
        frame = frame[frame["precision"] < 3]
    frame = frame[frame["name"].astype(str).str.strip() != ""]
    frame = frame.sort_values("count", ascending=False, kind="stable")
    kept: list[tuple[str, float, float, float]] = []
    seen: set[str] = set()
    for name, lat, lon, count in zip(frame["name"].astype(str), frame["lat"], frame["lon"],
                                     frame["count"], strict=True):
        key = name.casefold()
        if key in seen:
            continue
        if any(_km(lat, lon, k[1], k[2]) < min_km for k in kept):
            continue
        kept.append((name, float(lat), float(lon), float(count)))
        seen.add(key)
        if len(kept) >= limit:
            break
    out = pd.DataFrame(kept, columns=["name", "lat", "lon", "priority"])
    return out.assign(priority=np.arange(len(out), 0, -1))


def declutter(countries: pd.DataFrame, cities: pd.DataFrame, zoom: float
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The labels that fit at ``zoom`` without overlapping, country names first, then places
    in the order given (most events first).

    Text boxes are estimated in screen pixels (Web Mercator at ``zoom``; about 0.6 em per
    character); a label whose box would touch one already kept is left out. The page places
    labels again after each pan or zoom.
    """
    kept: list[tuple[float, float, float, float]] = []

    def fits(frame: pd.DataFrame, px: int, bottom: bool) -> np.ndarray:
        if frame is None or not len(frame):
            return np.zeros(0, dtype=bool)
        scale = 512.0 * 2 ** zoom
        x = (frame["lon"].to_numpy(dtype=float) + 180.0) / 360.0 * scale
        lat = np.radians(np.clip(frame["lat"].to_numpy(dtype=float), -85.0, 85.0))
        y = (1 - np.log(np.tan(lat) + 1 / np.cos(lat)) / math.pi) / 2 * scale
        widths = frame["name"].astype(str).str.len().to_numpy() * px * 0.6 + 4
        keep = np.zeros(len(frame), dtype=bool)
        for i, (cx, cy, w) in enumerate(zip(x, y, widths, strict=True)):
            top = cy - px - 8 if bottom else cy - px / 2 - 2
            box = (cx - w / 2, top, cx + w / 2, top + px + 4)
            if all(box[2] < k[0] or box[0] > k[2] or box[3] < k[1] or box[1] > k[3]
                   for k in kept):
                kept.append(box)
                keep[i] = True
        return keep

    c_keep = fits(countries, COUNTRY_LABEL_PX, bottom=False)
    p_keep = fits(cities, PLACE_LABEL_PX, bottom=True)
    return (countries[c_keep] if len(c_keep) else countries,
            cities[p_keep] if len(p_keep) else cities)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 12742.0 * math.asin(min(1.0, math.sqrt(a)))


def density_places(grid: Callable[[float], pd.DataFrame], zoom: float,
                   limit: int = PLACE_LIMIT) -> pd.DataFrame:
    """The events as weighted points on a grid of about two pixels at ``zoom`` (coarser
    until at most ``limit``): the heatmap and hexagon layers' input. ``grid(cell)`` counts
    the events on a grid of ``cell`` degrees.

    The zoom is taken to the whole level below, so small zooms reuse the same grid (the app
    passes a cached ``grid``).
    """
    cell = 2 * 360.0 / (512.0 * 2 ** math.floor(max(zoom, 0.0)))
    places = grid(cell)
    while len(places) > limit:
        cell *= 2
        places = grid(cell)
    return places


def h3_decimals(resolution: int) -> int:
    """Decimals the coordinates are rounded to before H3 binning at ``resolution`` (~1 km
    or ~100 m: far below the cell size; fewer distinct points to bin)."""
    return 2 if resolution <= 7 else 3


def h3_input(df: pd.DataFrame, zoom: float) -> tuple[pd.DataFrame, int]:
    """(events with coordinates rounded for binning, H3 resolution) at ``zoom``."""
    res = aggregate.zoom_to_h3_resolution(zoom)
    return _rounded(df, h3_decimals(res)), res


def _rounded(df: pd.DataFrame, decimals: int) -> pd.DataFrame:
    return df.assign(latitude=df["latitude"].round(decimals),
                     longitude=df["longitude"].round(decimals))


def _ramp(share: np.ndarray, ramp: tuple[tuple[int, int, int], ...]) -> np.ndarray:
    """Colours along a two-stop ramp for shares in 0..1 (n x 3 ints)."""
    lo, hi = np.array(ramp[0], dtype=float), np.array(ramp[-1], dtype=float)
    return (lo + (hi - lo) * np.clip(share, 0, 1)[:, None]).round().astype(int)


def _h3_layer(bins: pd.DataFrame) -> tuple[pdk.Layer, int, int]:
    top = max(int(bins["count"].max()) if len(bins) else 1, 1)
    share = np.log1p(bins["count"].to_numpy(dtype=float)) / math.log1p(top)
    rgb = _ramp(share, CELL_RAMP)
    bins = bins.assign(
        r=rgb[:, 0], g=rgb[:, 1], b=rgb[:, 2],
        tt_title=bins["count"].map(lambda c: f"{c:,} events"),
        tt_lines=bins["fatalities"].map(lambda f: [f"fatalities: {int(f):,}",
                                                   "click to list them"]),
    )
    layer = pdk.Layer("H3HexagonLayer", bins, id="events-h3", get_hexagon="hex",
                      get_fill_color="[r, g, b, 190]", stroked=False, extruded=False,
                      pickable=True, auto_highlight=True)
    return layer, len(bins), top


def _points_layer(df: pd.DataFrame) -> pdk.Layer:
    return pdk.Layer("ScatterplotLayer", point_records(df), id="events",
                     get_position=["lon", "lat"], get_fill_color="[r, g, b, 200]",
                     get_radius="radius", radius_units="'pixels'", stroked=True,
                     get_line_color=[255, 255, 255], line_width_min_pixels=0.5,
                     pickable=True, auto_highlight=True)


def selected_layer(row: pd.Series | None) -> list[pdk.Layer]:
    """A ring around the selected event (empty when none)."""
    if row is None:
        return []
    ring = pd.DataFrame({"lon": [float(row["longitude"])], "lat": [float(row["latitude"])]})
    return [pdk.Layer("ScatterplotLayer", ring, id="selected", get_position=["lon", "lat"],
                      get_radius=13, radius_units="'pixels'", filled=False, stroked=True,
                      get_line_color=list(SELECTED_COLOR), line_width_min_pixels=3,
                      pickable=False)]


@dataclasses.dataclass(frozen=True)
class MapSource:
    """What the data layers need of the filtered events, wherever they are counted.

    ``n``: how many; ``in_view``: how many lie in and around the view (None: no view
    known); ``points(in_view)``: the rows (those in view only, if true) with the columns of
    :func:`point_records`; ``h3(resolution, in_view)``: :func:`dashboard.aggregate.h3_bins`
    of the events rounded as :func:`h3_input` does; ``grid(cell, in_view)``:
    :func:`dashboard.aggregate.grid_places`. :func:`frame_source` makes one over a table in
    memory; the database's is made by the page from :mod:`dashboard.sql`.
    """

    n: int
    in_view: int | None
    points: Callable[[bool], pd.DataFrame]
    h3: Callable[[int, bool], pd.DataFrame]
    grid: Callable[[float, bool], pd.DataFrame]


def frame_source(df: pd.DataFrame, in_view: np.ndarray | None = None,
                 h3_bins: Callable[[pd.DataFrame, int], pd.DataFrame] = aggregate.h3_bins,
                 grid: Callable[[pd.DataFrame, float], pd.DataFrame] = aggregate.grid_places,
                 ) -> MapSource:
    """The :class:`MapSource` of the events of ``df`` (``in_view``: a mask over ``df`` of
    the view and a margin); ``h3_bins(rows, resolution)`` and ``grid(rows, cell)`` compute
    the cells (the app passes cached ones)."""

    def part(view_only: bool) -> pd.DataFrame:
        return df.iloc[np.flatnonzero(in_view)] if view_only and in_view is not None else df

    def h3(res: int, view_only: bool) -> pd.DataFrame:
        return h3_bins(_rounded(part(view_only), h3_decimals(res)), res)

    return MapSource(len(df), int(in_view.sum()) if in_view is not None else None, part, h3,
                     lambda cell, view_only: grid(part(view_only), cell))


def build_layers(df: pd.DataFrame, layer: str, zoom: float, choropleth: Any = None,
                 h3_bins: Callable[[pd.DataFrame, int], pd.DataFrame] = aggregate.h3_bins,
                 in_view: np.ndarray | None = None,
                 grid: Callable[[pd.DataFrame, float], pd.DataFrame] = aggregate.grid_places,
                 ) -> MapResult:
    """:func:`source_layers` of the events of ``df`` (see :func:`frame_source`)."""
    return source_layers(frame_source(df, in_view, h3_bins, grid), layer, zoom, choropleth)


def source_layers(src: MapSource, layer: str, zoom: float, choropleth: Any = None
                  ) -> MapResult:
    """The data layers for ``layer`` at ``zoom``.

    Points: every event up to :data:`POINT_LIMIT`; above it, the events in and around the
    view when they are few enough, else H3 cells at a resolution that follows the zoom.
    Heatmap and hexagons: the events in view as weighted points on a grid that follows the
    zoom.
    """
    n = src.n
    if layer == "points":
        if n <= POINT_LIMIT:
            return MapResult([_points_layer(src.points(False))], "", False, n)
        if src.in_view is not None and src.in_view <= POINT_LIMIT:
            part = src.points(True)
            note = (f"{len(part):,} of the {n:,} filtered events are in and around the view "
                    "and drawn one by one; zoom out to see them all as H3 cells.")
            return MapResult([_points_layer(part)], note, False, len(part))
        # zoomed in, only the cells in and around the view are computed and sent
        bins = src.h3(aggregate.zoom_to_h3_resolution(zoom),
                      src.in_view is not None and src.in_view < n / 2)
        # the source may bin coarser than asked (a database's summary tables)
        res = (h3.get_resolution(bins["hex"].iloc[0]) if len(bins)
               else aggregate.zoom_to_h3_resolution(zoom))
        h3_layer, cells, top = _h3_layer(bins)
        note = (f"{n:,} events are more than the {POINT_LIMIT:,} drawn one by one: the map "
                f"shows them aggregated on the server into {cells:,} H3 cells (resolution "
                f"{res}, following the zoom). Zoom in until fewer than {POINT_LIMIT:,} are "
                "in view to see single events.")
        return MapResult([h3_layer], note, True, cells, res, top)
    if layer in ("heatmap", "hexagon"):
        view_only = src.in_view is not None
        sent = src.in_view if src.in_view is not None else n
        places = density_places(lambda cell: src.grid(cell, view_only), zoom)
        note = (f"{sent:,} events in and around the view sent as {len(places):,} "
                "weighted points." if len(places) < sent else "")
        colors = [list(c) for c in HEAT_RAMP]
        if layer == "heatmap":
            lyr = pdk.Layer("HeatmapLayer", places, id="events-heat",
                            get_position=["longitude", "latitude"], get_weight="count",
                            radius_pixels=40, color_range=colors, weights_texture_size=512,
                            pickable=False)
        else:
            lyr = pdk.Layer("HexagonLayer", places, id="events-hex",
                            get_position=["longitude", "latitude"],
                            get_elevation_weight="count", get_color_weight="count",
                            elevation_aggregation="'SUM'", color_aggregation="'SUM'",
                            radius=_hex_radius_m(zoom), extruded=False, coverage=0.9,
                            color_range=colors, pickable=True, auto_highlight=True)
        return MapResult([lyr], note, len(places) < n, len(places))
    if layer == "choropleth":
        if choropleth is None or not len(choropleth):
            return MapResult([], "No admin-1 boundaries contain the filtered events.", True, 0)
        top = max(int(choropleth["events"].max()), 1)
        return MapResult([_choropleth_layer(choropleth)], "", True, len(choropleth), None, top)
    raise ValueError(f"unknown layer {layer!r}")


def _hex_radius_m(zoom: float) -> float:
    return float(np.clip(40_000 / (2 ** max(zoom - 4, 0)), 500, 100_000))


def _choropleth_layer(gdf: Any) -> pdk.Layer:
    counts = gdf["events"].to_numpy(dtype=float)
    top = max(int(counts.max()), 1)
    share = np.log1p(counts) / math.log1p(top)
    rgb = _ramp(share, AREA_RAMP)
    name_col = "name" if "name" in gdf.columns else None
    names = gdf[name_col].astype(str) if name_col else pd.Series([""] * len(gdf))
    out = gdf[["geometry"]].copy()
    out["r"], out["g"], out["b"] = rgb[:, 0], rgb[:, 1], rgb[:, 2]
    out["tt_title"] = names.to_numpy()
    out["tt_lines"] = [[f"{int(c):,} events, {int(f):,} fatalities"]
                       for c, f in zip(gdf["events"], gdf["fatalities"], strict=True)]
    out["name"] = names.to_numpy()
    return pdk.Layer("GeoJsonLayer", out.__geo_interface__, id="events-admin1",
                     get_fill_color="[properties.r, properties.g, properties.b, 180]",
                     get_line_color=[90, 90, 90], line_width_min_pixels=1, stroked=True,
                     filled=True, pickable=True, auto_highlight=True)
