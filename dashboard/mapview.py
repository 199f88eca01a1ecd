"""The map view as state, and what the map shows at it: pure functions, no Streamlit.

- :class:`MapView` is the view the user has (centre, zoom, pitch, bearing) or ``None`` for
  "fit the events"; :func:`read_report` turns a report of the map component (a settled pan
  or zoom, a click) into the new view, bounds or clicked spot.
- :func:`view_bounds` is the part of the world a view shows at a given size (Web Mercator),
  used for the "within view" filter and for level of detail.
- :func:`events_at` lists the events stacked at a spot (within a few pixels at the zoom).
- :func:`legend` describes the legend of every layer (the component draws it and puts it
  into the PNG).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

TILE = 512.0  # deck.gl's Web Mercator: 512 px span 360 degrees at zoom 0
MAX_LAT = 85.05113
# colour ramps shared by the layers and their legends (light -> dark = few -> many)
HEAT_RAMP = ((255, 255, 178), (254, 217, 118), (254, 178, 76), (253, 141, 60), (240, 59, 32),
             (189, 0, 38))
CELL_RAMP = ((255, 220, 120), (175, 30, 30))  # H3 cells: share 0 -> 1 of the log count
AREA_RAMP = ((255, 235, 200), (180, 30, 30))  # admin-1 areas
SELECTED_COLOR = (0, 200, 255)


@dataclasses.dataclass(frozen=True, slots=True)
class MapView:
    lat: float
    lon: float
    zoom: float
    pitch: float = 0.0
    bearing: float = 0.0


@dataclasses.dataclass(frozen=True, slots=True)
class Spot:
    """A clicked place: where, at which zoom, on which layer (and which H3 cell)."""

    lon: float
    lat: float
    zoom: float
    layer: str = ""
    hex: str = ""
    event_id: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class Report:
    """What one report of the component changes: the view (user moves only), the bounds and
    size the map has now, or a click."""

    seq: int
    view: MapView | None = None
    bounds: tuple[float, float, float, float] | None = None
    size: tuple[int, int] | None = None
    spot: Spot | None = None
    auto: bool = False  # the view the map was asked to show, not a user's move


def _num(value: Any, lo: float, hi: float) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) and lo <= x <= hi else None


def _wrap(lon: float) -> float:
    """A longitude in -180..180 (the map repeats the world), unchanged when already in it."""
    return lon if -180.0 <= lon <= 180.0 else ((lon + 180.0) % 360.0) - 180.0


def read_report(value: Any, zoom: float | None = None) -> Report | None:
    """The meaning of a component value, or None when it is malformed (never raises).

    A view report with ``auto`` set is the view the map was asked to show (a fit, a link)
    at the map's real size, not a user's move.
    """
    if not isinstance(value, Mapping):
        return None
    seq = value.get("seq")
    if not isinstance(seq, (int, float)) or isinstance(seq, bool):
        return None
    kind = value.get("kind")
    if kind == "view":
        lat, lon = _num(value.get("lat"), -90, 90), _num(value.get("lon"), -1e4, 1e4)
        z = _num(value.get("zoom"), 0, 30)
        if lat is None or lon is None or z is None:
            return None
        lon = _wrap(lon)
        view = MapView(round(lat, 5), round(lon, 5), round(min(z, 22.0), 2),
                       _num(value.get("pitch"), 0, 85) or 0.0,
                       _num(value.get("bearing"), -360, 360) or 0.0)
        bounds = _bounds(value.get("bounds"))
        width, height = value.get("width"), value.get("height")
        size = ((int(width), int(height))
                if isinstance(width, (int, float)) and isinstance(height, (int, float))
                and width > 0 and height > 0 else None)
        return Report(int(seq), view, bounds, size, auto=bool(value.get("auto")))
    if kind == "click":
        lat, lon = _num(value.get("lat"), -90, 90), _num(value.get("lon"), -1e4, 1e4)
        if lat is None or lon is None:
            return None
        lon = _wrap(lon)
        return Report(int(seq), spot=Spot(lon, lat, zoom if zoom is not None else 4.0,
                                          str(value.get("layer") or ""),
                                          str(value.get("hex") or ""),
                                          str(value.get("event_id") or "")))
    return None


def _bounds(raw: Any) -> tuple[float, float, float, float] | None:
    if not isinstance(raw, (list, tuple)) or len(raw) != 4:
        return None
    vals = [_num(v, -1e4, 1e4) for v in raw]
    if any(v is None for v in vals):
        return None
    return clip_bounds((vals[0], vals[1], vals[2], vals[3]))  # type: ignore[arg-type]


def clip_bounds(b: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """Bounds inside -180..180 / -90..90 (a view wider than the world selects all of it)."""
    w, s, e, n = b
    if e - w >= 360:
        w, e = -180.0, 180.0
    else:
        shift = math.floor((w + 180.0) / 360.0) * 360.0  # the repeated world the view is on
        w, e = w - shift, e - shift
        if e > 180:  # across the antimeridian: the filter keeps the larger side
            w, e = (w, 180.0) if 180 - w >= e - 180 else (-180.0, e - 360.0)
    return (round(max(w, -180.0), 5), round(max(min(s, n), -90.0), 5),
            round(min(e, 180.0), 5), round(min(max(s, n), 90.0), 5))


def _merc_y(lat: float) -> float:
    lat = max(min(lat, MAX_LAT), -MAX_LAT)
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _inv_merc_y(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


def view_bounds(view: MapView, width: int, height: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) shown by ``view`` in a ``width`` x ``height`` map
    (north up; pitch and bearing ignored)."""
    scale = TILE * 2 ** view.zoom / (2 * math.pi)  # pixels per radian
    half_w = width / 2 / scale
    half_h = height / 2 / scale
    yc = _merc_y(view.lat)
    west = view.lon - math.degrees(half_w)
    east = view.lon + math.degrees(half_w)
    return clip_bounds((west, _inv_merc_y(yc - half_h), east, _inv_merc_y(yc + half_h)))


def fit_extent(df: pd.DataFrame) -> tuple[float, float, float, float]:
    """(w, s, e, n) of the events, without the outer 1% on each side when there are many
    (one stray point does not zoom the map out to the world)."""
    if not len(df):
        return (20.0, 10.0, 60.0, 45.0)
    lat = df["latitude"].to_numpy(dtype=float)
    lon = df["longitude"].to_numpy(dtype=float)
    if len(df) > 200:
        s, n = np.nanpercentile(lat, [1, 99])
        w, e = np.nanpercentile(lon, [1, 99])
    else:
        s, n, w, e = np.nanmin(lat), np.nanmax(lat), np.nanmin(lon), np.nanmax(lon)
    pad_lon = max((e - w) * 0.05, 0.05)
    pad_lat = max((n - s) * 0.05, 0.05)
    return clip_bounds((float(w - pad_lon), float(s - pad_lat), float(e + pad_lon),
                        float(n + pad_lat)))


def grow(bounds: tuple[float, float, float, float], margin: float
         ) -> tuple[float, float, float, float]:
    """``bounds`` (west, south, east, north) grown by ``margin`` of its size on each side."""
    w, s, e, n = bounds
    dx, dy = (e - w) * margin, (n - s) * margin
    return (w - dx, s - dy, e + dx, n + dy)


def in_bounds(df: pd.DataFrame, bounds: tuple[float, float, float, float],
              margin: float = 0.0) -> np.ndarray:
    """Which rows of ``df`` lie within ``bounds`` grown by ``margin`` of its size."""
    w, s, e, n = grow(bounds, margin)
    lon = df["longitude"].to_numpy(dtype=float)
    lat = df["latitude"].to_numpy(dtype=float)
    return (lon >= w) & (lon <= e) & (lat >= s) & (lat <= n)


def degrees_per_pixel(zoom: float) -> float:
    return 360.0 / (TILE * 2 ** zoom)


#: how near a click an event is listed, in pixels at the click's zoom
SPOT_PIXELS = 6.0


def events_at(df: pd.DataFrame, spot: Spot, pixels: float = SPOT_PIXELS) -> np.ndarray:
    """Positions of the events of ``df`` within ``pixels`` of ``spot`` at its zoom, nearest
    first then newest: every event of a stack of points, not only the one drawn on top.

    A click on an H3 cell gives the events in that cell.
    """
    if not len(df):
        return np.zeros(0, dtype=np.intp)
    lon = df["longitude"].to_numpy(dtype=float)
    lat = df["latitude"].to_numpy(dtype=float)
    if spot.hex:
        import h3

        res = h3.get_resolution(spot.hex)
        near = np.flatnonzero(_in_cell(lat, lon, spot.hex, res, h3))
        dist = np.zeros(len(near))
    else:
        tol = degrees_per_pixel(spot.zoom) * pixels
        scale = math.cos(math.radians(spot.lat))
        dist_all = np.hypot((lon - spot.lon) * scale, lat - spot.lat)
        near = np.flatnonzero(dist_all <= tol)
        dist = dist_all[near]
    if not len(near):
        return near
    dates = df["event_date"].to_numpy()[near]
    newest = -pd.to_datetime(pd.Series(dates)).fillna(pd.Timestamp(0)).astype("int64").to_numpy()
    order = np.lexsort((newest, np.round(dist, 9)))
    return near[order]


def _in_cell(lat: np.ndarray, lon: np.ndarray, cell: str, res: int, h3: Any) -> np.ndarray:
    # cell membership per distinct coordinate (events stack on few places)
    coords = pd.DataFrame({"lat": lat, "lon": lon})
    uniq = coords.drop_duplicates()
    inside = {(a, b) for a, b in zip(uniq["lat"], uniq["lon"], strict=True)
              if h3.latlng_to_cell(a, b, res) == cell}
    return np.fromiter(((a, b) in inside for a, b in zip(lat, lon, strict=True)), bool,
                       count=len(lat))


def hex_color(rgb: tuple[int, ...]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb[:3])


def legend(layer: str, *, aggregated: bool = False, event_types: Sequence[tuple[str, str]] = (),
           top: int = 0, resolution: int | None = None, selected: bool = False,
           note: str = "") -> dict[str, Any]:
    """The legend of ``layer`` as the component draws it.

    ``event_types``: (name, ``#rrggbb``) of the types shown (points); ``top``: the largest
    count of a cell or area (H3 cells, choropleth).
    """
    out: dict[str, Any]
    if layer == "points" and not aggregated:
        out = {"title": "Event type (size: fatalities)",
               "items": [{"label": name, "color": color} for name, color in event_types]}
    elif layer == "points":
        out = {"title": "Events per H3 cell" + (f" (resolution {resolution})"
                                                if resolution is not None else ""),
               "ramp": {"colors": [hex_color(c) for c in CELL_RAMP], "low": "1",
                        "high": f"{max(top, 1):,}"},
               "note": note or "Zoom in to see single events; hover a cell for its count."}
    elif layer == "heatmap":
        out = {"title": "Density of events (relative, in view)",
               "ramp": {"colors": [hex_color(c) for c in HEAT_RAMP], "low": "fewer",
                        "high": "more"},
               "note": note}
    elif layer == "hexagon":
        out = {"title": "Events per hexagon",
               "ramp": {"colors": [hex_color(c) for c in HEAT_RAMP], "low": "fewest",
                        "high": "most"},
               "note": note or "Hover a hexagon for its count."}
    elif layer == "choropleth":
        out = {"title": "Events per admin-1 area",
               "ramp": {"colors": [hex_color(c) for c in AREA_RAMP], "low": "1",
                        "high": f"{max(top, 1):,}"},
               "note": note or "Hover an area for its count."}
    else:
        raise ValueError(f"unknown layer {layer!r}")
    out["layer"] = layer
    if selected:
        out.setdefault("items", []).append({"label": "selected event",
                                            "color": hex_color(SELECTED_COLOR),
                                            "shape": "ring"})
    if not out.get("note"):
        out.pop("note", None)
    return out
