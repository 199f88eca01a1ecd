"""pydeck layers and the deck: colours per event type, tooltips, basemaps, view fitting.

Everything placed in a tooltip goes through :func:`html.escape` first: deck.gl tooltips are
HTML templates and event text comes from news articles.

Above :data:`POINT_LIMIT` filtered events the points layer is replaced by server-side H3
bins, and the heatmap / hexagon layers receive one weighted point per distinct place instead
of one point per event (see :func:`build_layers`), so the browser never receives a million
objects.
"""

from __future__ import annotations

import dataclasses
import html
import json
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from dashboard import aggregate
from extract.schema import EventType

POINT_LIMIT = 20_000
PLACE_LIMIT = 50_000

EVENT_COLORS: dict[str, tuple[int, int, int]] = {
    EventType.BATTLES.value: (200, 30, 45),
    EventType.EXPLOSIONS.value: (240, 130, 20),
    EventType.VIOLENCE_AGAINST_CIVILIANS.value: (130, 40, 160),
    EventType.PROTESTS.value: (30, 110, 210),
    EventType.RIOTS.value: (200, 170, 0),
    EventType.STRATEGIC_DEVELOPMENTS.value: (40, 150, 80),
}
OTHER_COLOR = (110, 110, 110)
OCEAN = (214, 228, 240)
LAND = (246, 244, 238)

TOOLTIP = {
    "html": "<b>{tt_title}</b><br/>{tt_body}",
    "style": {"backgroundColor": "white", "color": "#222", "fontSize": "12px",
              "maxWidth": "360px", "whiteSpace": "normal"},
}


class CompactDeck(pdk.Deck):
    """A :class:`pydeck.Deck` whose JSON has no indentation.

    pydeck serialises with ``indent=2``, which makes :mod:`json` fall back to its pure-Python
    encoder (about a second for the offline basemap's outlines); without indentation the C
    encoder writes the same document several times faster and smaller.
    """

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))


@dataclasses.dataclass(frozen=True, slots=True)
class MapResult:
    """A built deck, plus what the page should tell the user about it."""

    deck: pdk.Deck
    note: str
    aggregated: bool
    objects_sent: int


def esc(value: Any) -> str:
    """Text safe inside an HTML tooltip (``None``/NaN become empty)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return html.escape(str(value), quote=True)


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
                                     "tt_title", "tt_body"])
    colors = _colors(df["event_type"])
    fat = df["fatalities"].fillna(0).astype("float64").to_numpy()
    dates = df["event_date"].dt.strftime("%Y-%m-%d").fillna("undated")
    actor1, actor2 = df["actor1"].astype(str), df["actor2"].astype(str)  # str or category
    actors = actor1.where(actor2 == "", actor1 + " vs " + actor2)
    title = dates.astype(str) + " · " + df["event_type"].astype(str)
    body = (df["sub_event_type"].astype(str) + "<br/>" + actors.map(esc).astype(str)
            + "<br/>" + df["location"].map(esc).astype(str)
            + np.where(fat > 0, "<br/>fatalities: " + fat.astype(int).astype(str), ""))
    return pd.DataFrame({
        "event_id": df["event_id"].astype(str).to_numpy(),
        "lon": df["longitude"].to_numpy(), "lat": df["latitude"].to_numpy(),
        "r": colors[:, 0], "g": colors[:, 1], "b": colors[:, 2],
        "radius": 4.0 + 3.0 * np.sqrt(fat),
        "tt_title": title.map(esc).to_numpy(),
        "tt_body": body.to_numpy(),
    })


def fit_view(df: pd.DataFrame, width: int = 1000, height: int = 560) -> tuple[float, float, float]:
    """Centre latitude, longitude and a zoom showing the events of ``df`` in a map of that size.

    The extent ignores the outer 1% on each side when there are many events, so one stray
    point does not zoom the map out to the world.
    """
    if not len(df):
        return 30.0, 40.0, 2.0
    lat = df["latitude"].to_numpy()
    lon = df["longitude"].to_numpy()
    lat_lo, lat_hi = np.nanpercentile(lat, [1, 99]) if len(df) > 200 else (lat.min(), lat.max())
    lon_lo, lon_hi = np.nanpercentile(lon, [1, 99]) if len(df) > 200 else (lon.min(), lon.max())
    # Web Mercator: 512 px span 360 degrees at zoom 1; latitude degrees stretch by 1/cos(lat)
    mid = (lat_lo + lat_hi) / 2
    stretch = 1.0 / max(math.cos(math.radians(mid)), 0.2)
    lon_span = max(lon_hi - lon_lo, 0.02)
    lat_span = max((lat_hi - lat_lo) * stretch, 0.02)
    zoom = min(math.log2(360.0 * width / (512.0 * lon_span)),
               math.log2(360.0 * height / (512.0 * lat_span))) - 0.4
    return float(mid), float((lon_lo + lon_hi) / 2), round(float(np.clip(zoom, 1.0, 12.0)), 2)


def offline_basemap_layers(countries: dict[str, Any] | None, admin1: dict[str, Any] | None,
                           cities: pd.DataFrame | None) -> list[pdk.Layer]:
    """Ocean, land, admin-1 and country outlines and city labels: a map with no network.

    ``countries`` and ``admin1`` are GeoJSON FeatureCollections (simplified polygons);
    ``cities`` has columns name, lat, lon (plain text: the TextLayer draws on the canvas).
    """
    ocean = pd.DataFrame({"polygon": [[[-180, -85], [180, -85], [180, 85], [-180, 85]]]})
    layers = [pdk.Layer("PolygonLayer", ocean, id="basemap-ocean", get_polygon="polygon",
                        get_fill_color=list(OCEAN), stroked=False, pickable=False)]
    if countries:
        layers.append(pdk.Layer("GeoJsonLayer", countries, id="basemap-countries",
                                stroked=True, filled=True, get_fill_color=list(LAND),
                                get_line_color=[120, 120, 120], line_width_min_pixels=1,
                                pickable=False))
    if admin1:
        layers.append(pdk.Layer("GeoJsonLayer", admin1, id="basemap-admin1", stroked=True,
                                filled=False, get_line_color=[170, 170, 170],
                                line_width_min_pixels=0.5, pickable=False))
    if cities is not None and len(cities):
        layers.append(pdk.Layer("TextLayer", cities[["name", "lat", "lon"]], id="basemap-cities",
                                get_position=["lon", "lat"], get_text="name", get_size=12,
                                get_color=[60, 60, 60], get_alignment_baseline="'bottom'",
                                font_family="'Helvetica, Arial, sans-serif'",
                                get_pixel_offset=[0, -6],
                                character_set="'auto'", pickable=False))
    return layers


def thin_places(df: pd.DataFrame, limit: int = PLACE_LIMIT) -> pd.DataFrame:
    """Events grouped by place (lat, lon, count); coordinates rounded further if needed."""
    frame = df
    for decimals in (None, 3, 2, 1, 0):
        if decimals is not None:
            frame = df.assign(latitude=df["latitude"].round(decimals),
                              longitude=df["longitude"].round(decimals))
        places = aggregate.by_place(frame)
        if len(places) <= limit:
            return places
    return places


def h3_input(df: pd.DataFrame, zoom: float) -> tuple[pd.DataFrame, int]:
    """(events with coordinates rounded for binning, H3 resolution) at ``zoom``."""
    res = aggregate.zoom_to_h3_resolution(zoom)
    decimals = 2 if res <= 7 else 3  # ~1 km / ~100 m: far below the cell size
    return df.assign(latitude=df["latitude"].round(decimals),
                     longitude=df["longitude"].round(decimals)), res


def _h3_layer(df: pd.DataFrame, zoom: float,
              h3_bins: Callable[[pd.DataFrame, int], pd.DataFrame] = aggregate.h3_bins,
              ) -> tuple[pdk.Layer, int, int]:
    rounded, res = h3_input(df, zoom)
    bins = h3_bins(rounded, res)
    top = max(int(bins["count"].max()) if len(bins) else 1, 1)
    share = np.log1p(bins["count"].to_numpy()) / math.log1p(top)
    bins = bins.assign(
        r=(255 - 80 * share).astype(int), g=(220 - 190 * share).astype(int),
        b=(120 - 90 * share).astype(int),
        tt_title=bins["count"].map(lambda c: f"{c:,} events"),
        tt_body=bins["fatalities"].map(lambda f: f"fatalities: {int(f):,}"),
    )
    layer = pdk.Layer("H3HexagonLayer", bins, id="events-h3", get_hexagon="hex",
                      get_fill_color="[r, g, b, 190]", stroked=False, extruded=False,
                      pickable=True)
    return layer, len(bins), res


def build_layers(df: pd.DataFrame, layer: str, zoom: float, choropleth: Any = None,
                 h3_bins: Callable[[pd.DataFrame, int], pd.DataFrame] = aggregate.h3_bins,
                 ) -> tuple[list[pdk.Layer], str, bool, int]:
    """The data layers for ``layer``: (layers, note, aggregated?, objects sent).

    ``h3_bins(df, resolution)`` computes the H3 cells (the app passes a cached one).
    """
    n = len(df)
    if layer == "points":
        if n <= POINT_LIMIT:
            return ([pdk.Layer("ScatterplotLayer", point_records(df), id="events",
                               get_position=["lon", "lat"], get_fill_color="[r, g, b, 200]",
                               get_radius="radius", radius_units="'pixels'",
                               stroked=True, get_line_color=[255, 255, 255],
                               line_width_min_pixels=0.5, pickable=True, auto_highlight=True)],
                    "", False, n)
        h3_layer, cells, res = _h3_layer(df, zoom, h3_bins)
        note = (f"{n:,} events are more than the {POINT_LIMIT:,} drawn one by one: the map "
                f"shows them aggregated on the server into {cells:,} H3 cells (resolution "
                f"{res}). Narrow the filters or zoom to see single events.")
        return [h3_layer], note, True, cells
    if layer in ("heatmap", "hexagon"):
        places = thin_places(df)
        note = (f"{n:,} events sent as {len(places):,} weighted places."
                if len(places) < n else "")
        if layer == "heatmap":
            lyr = pdk.Layer("HeatmapLayer", places, id="events-heat",
                            get_position=["longitude", "latitude"], get_weight="count",
                            radius_pixels=40, pickable=False)
        else:
            lyr = pdk.Layer("HexagonLayer", places, id="events-hex",
                            get_position=["longitude", "latitude"],
                            get_elevation_weight="count", get_color_weight="count",
                            elevation_aggregation="'SUM'", color_aggregation="'SUM'",
                            radius=_hex_radius_m(zoom), extruded=False, coverage=0.9,
                            pickable=False)
        return [lyr], note, len(places) < n, len(places)
    if layer == "choropleth":
        if choropleth is None or not len(choropleth):
            return [], "No admin-1 boundaries contain the filtered events.", True, 0
        return [_choropleth_layer(choropleth)], "", True, len(choropleth)
    raise ValueError(f"unknown layer {layer!r}")


def _hex_radius_m(zoom: float) -> float:
    return float(np.clip(40_000 / (2 ** max(zoom - 4, 0)), 500, 100_000))


def _choropleth_layer(gdf: Any) -> pdk.Layer:
    counts = gdf["events"].to_numpy()
    top = max(int(counts.max()), 1)
    share = np.log1p(counts) / math.log1p(top)
    name_col = "name" if "name" in gdf.columns else None
    names = gdf[name_col].astype(str) if name_col else pd.Series([""] * len(gdf))
    out = gdf[["geometry"]].copy()
    out["r"] = (255 - 75 * share).astype(int)
    out["g"] = (235 - 205 * share).astype(int)
    out["b"] = (200 - 170 * share).astype(int)
    out["tt_title"] = names.map(esc).to_numpy()
    out["tt_body"] = [f"{int(c):,} events, {int(f):,} fatalities"
                      for c, f in zip(gdf["events"], gdf["fatalities"], strict=True)]
    return pdk.Layer("GeoJsonLayer", out.__geo_interface__, id="events-admin1",
                     get_fill_color="[properties.r, properties.g, properties.b, 180]",
                     get_line_color=[90, 90, 90], line_width_min_pixels=1, stroked=True,
                     filled=True, pickable=True)


def build_deck(df: pd.DataFrame, *, layer: str = "points", basemap: str = "offline",
               lat: float | None = None, lon: float | None = None, zoom: float | None = None,
               pitch: float = 0.0, bearing: float = 0.0,
               basemap_layers: list[pdk.Layer] | None = None,
               choropleth: Any = None, height: int = 560,
               h3_bins: Callable[[pd.DataFrame, int], pd.DataFrame] = aggregate.h3_bins,
               ) -> MapResult:
    """The deck for the filtered events ``df``.

    ``basemap="offline"`` sets ``map_provider=None`` and no style (no request leaves the machine) and
    draws ``basemap_layers`` underneath; ``"carto"`` uses Carto's light tiles.
    """
    fit_lat, fit_lon, fit_zoom = fit_view(df)
    view = pdk.ViewState(latitude=fit_lat if lat is None else lat,
                         longitude=fit_lon if lon is None else lon,
                         zoom=fit_zoom if zoom is None else zoom, pitch=pitch, bearing=bearing)
    data_layers, note, aggregated, sent = build_layers(df, layer, view.zoom, choropleth, h3_bins)
    layers = (list(basemap_layers or []) if basemap == "offline" else []) + data_layers
    if basemap == "offline":
        # map_provider=None and pydeck's own "__MAP_STYLE__" placeholder: Streamlit then adds
        # no tiles (map_style=None would make it fill in Carto's style, a network request).
        deck = CompactDeck(layers=layers, initial_view_state=view, map_provider=None,
                        tooltip=TOOLTIP, height=height)
    else:
        deck = CompactDeck(layers=layers, initial_view_state=view, map_provider="carto",
                        map_style=pdk.map_styles.LIGHT, tooltip=TOOLTIP, height=height)
    return MapResult(deck=deck, note=note, aggregated=aggregated, objects_sent=sent)
