"""Offline reverse geocoding to country and admin-1 with the committed boundary files.

The files ``geodata/data/countries.parquet`` and ``geodata/data/admin1.parquet`` are built
once by :mod:`geodata.scripts.build_boundaries` (see ``geodata/data/ATTRIBUTION.md``).

Points in a polygon get that polygon. A point in no country polygon (at sea, or in a gap of
the simplified coastline) is snapped to the nearest country within ``snap_km`` (25 km by
default, about the width of territorial waters plus simplification error) and its
``distance_km`` says how far it was; farther at sea the answer is ``None``. The same
distance decides the admin-1 unit when the point lies in the country but in no admin-1
polygon of that country: the admin-1 and country outlines come from two Natural Earth
editions and do not coincide exactly along coasts and borders.

Admin-1 units: Natural Earth's unit is a GeoNames admin-2 in a few countries (French
départements, Italian provinces, British counties). ``AdminArea.admin1``/``admin1_code`` are
then the GeoNames admin-1 unit that contains it (Île-de-France, ``FR.11``), and
``unit``/``geonames_code``/``iso_3166_2`` describe the polygon itself (Paris, ``FR.11.75``,
``FR-75C``).
"""

from __future__ import annotations

import math
import numbers
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geodata.distance import haversine_km
from geodata.paths import PACKAGE_DATA

DEFAULT_SNAP_KM = 25.0
EDGE_PIECE = 32
AREA_FIELDS = ("country", "iso_a2", "iso_a3", "admin1", "admin1_code", "iso_3166_2", "unit",
               "geonames_code", "distance_km")


@dataclass(frozen=True)
class AdminArea:
    """Where a point is: its country and admin-1 unit.

    ``admin1_code`` is the GeoNames admin-1 code (``IQ.06``); ``iso_3166_2`` is the ISO code
    of the polygon unit; ``unit`` and ``geonames_code`` name the polygon itself (they equal
    ``admin1``/``admin1_code`` except where the polygon is a GeoNames admin-2);
    ``distance_km`` is 0 inside a country, else how far the point was snapped.
    Strings are ``""`` when unknown.
    """

    country: str
    iso_a2: str
    iso_a3: str
    admin1: str
    admin1_code: str
    iso_3166_2: str
    unit: str = ""
    geonames_code: str = ""
    distance_km: float = 0.0


# --------------------------------------------------------------------------- validation


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, str)):
        # ValueError, not TypeError: callers catch one exception for any bad coordinate.
        raise ValueError(f"{what} must be a number in degrees, got {value!r}")  # noqa: TRY004
    try:
        x = float(value)
    except ValueError:
        raise ValueError(f"{what} must be a number in degrees, got {value!r}") from None
    if not math.isfinite(x):
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    return x


def validate_point(lat: Any, lon: Any) -> tuple[float, float]:
    """``(lat, lon)`` as floats; ``ValueError`` naming the problem when not numbers, NaN or
    infinite, or out of range (latitude -90..90, longitude -180..180)."""
    y = _number(lat, "latitude")
    x = _number(lon, "longitude")
    if not -90.0 <= y <= 90.0:
        raise ValueError(f"latitude {y} is out of range -90..90")
    if not -180.0 <= x <= 180.0:
        raise ValueError(f"longitude {x} is out of range -180..180")
    return y, x


def _arrays(lats: Iterable[Any], lons: Iterable[Any], errors: str) -> tuple[Any, Any, Any]:
    """Float arrays of lats and lons and a mask of valid pairs.

    ``errors="raise"``: the first bad pair raises ``ValueError`` with its position;
    ``errors="coerce"``: bad pairs are masked out.
    """
    import numpy as np
    import pandas as pd

    if errors not in ("raise", "coerce"):
        raise ValueError(f"errors must be 'raise' or 'coerce', got {errors!r}")
    lat_list = list(lats)
    lon_list = list(lons)
    if len(lat_list) != len(lon_list):
        raise ValueError(f"{len(lat_list)} latitudes but {len(lon_list)} longitudes")
    y = pd.to_numeric(pd.Series(lat_list, dtype=object), errors="coerce").to_numpy(float)
    x = pd.to_numeric(pd.Series(lon_list, dtype=object), errors="coerce").to_numpy(float)
    is_bool = np.array([isinstance(a, bool) or isinstance(b, bool)
                        for a, b in zip(lat_list, lon_list, strict=True)], dtype=bool)
    with np.errstate(invalid="ignore"):
        ok = (np.isfinite(y) & np.isfinite(x) & (np.abs(y) <= 90) & (np.abs(x) <= 180)
              & ~is_bool)
    if errors == "raise" and not ok.all():
        i = int(np.flatnonzero(~ok)[0])
        try:
            validate_point(lat_list[i], lon_list[i])
        except ValueError as exc:
            raise ValueError(f"point {i}: {exc}") from None
        raise ValueError(f"point {i}: ({lat_list[i]!r}, {lon_list[i]!r}) is not a valid point")
    return y, x, ok


# --------------------------------------------------------------------------- loaded data


@dataclass
class _Layer:
    """A loaded boundary file, its STRtree and plain arrays of the output columns."""

    gdf: Any
    tree: Any
    geoms: Any
    iso_a2: Any
    edges: Any = None  # (STRtree of boundary pieces, owner index per piece), built on demand

    def edge_index(self) -> tuple[Any, Any, Any]:
        """Polygon outlines cut into pieces of at most ``EDGE_PIECE`` vertices, their tree
        and owners: the nearest piece is found fast, and its distance is cheap to measure."""
        if self.edges is None:
            self.edges = _edge_pieces(self.geoms)
        return self.edges


def _load_layer(path: Path) -> _Layer:
    import geopandas as gpd
    import numpy as np
    import shapely

    if not path.is_file():
        raise FileNotFoundError(f"boundary file {path} is missing (build it with "
                                "python -m geodata.scripts.build_boundaries)")
    gdf = gpd.read_parquet(path)
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise ValueError(f"{path} is not in EPSG:4326 (crs={gdf.crs})")
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    shapely.prepare(geoms)
    return _Layer(gdf, shapely.STRtree(geoms), geoms, gdf["iso_a2"].fillna("").to_numpy(str))


class Boundaries:
    """Country and admin-1 polygons: point lookup and the frames the dashboard draws.

    Cheap to construct: the files are read and the trees built on first use (thread-safe).

    :param data_dir: folder with ``countries.parquet`` and ``admin1.parquet`` (default:
        the committed ``geodata/data``).
    :param snap_km: how far from a country a point at sea may be and still get it.
    """

    def __init__(self, data_dir: str | Path | None = None, *,
                 snap_km: float = DEFAULT_SNAP_KM) -> None:
        self.data_dir = Path(data_dir) if data_dir is not None else PACKAGE_DATA
        given: object = snap_km  # any real number, numpy's too
        if not (isinstance(given, numbers.Real) and snap_km >= 0):
            raise ValueError(f"snap_km must be a number >= 0, got {snap_km!r}")
        self.snap_km = float(snap_km)
        self._lock = threading.Lock()
        self._countries: _Layer | None = None
        self._admin1: _Layer | None = None
        self._text_columns: dict[tuple[str, str], Any] = {}  # (layer, column) -> str array

    def __repr__(self) -> str:
        return f"Boundaries({str(self.data_dir)!r}, snap_km={self.snap_km})"

    # ------------------------------------------------------------------ loading

    def _layers(self) -> tuple[_Layer, _Layer]:
        if self._countries is None or self._admin1 is None:
            with self._lock:
                if self._countries is None or self._admin1 is None:
                    countries = _load_layer(self.data_dir / "countries.parquet")
                    admin1 = _load_layer(self.data_dir / "admin1.parquet")
                    self._countries, self._admin1 = countries, admin1
        return self._countries, self._admin1

    def countries(self) -> Any:
        """The countries GeoDataFrame (EPSG:4326): ``iso_a2``, ``iso_a3``, ``adm0_a3``,
        ``name``, ``name_fr``, ``name_ar``, ``names`` (JSON), ``primary``, ``label_lat``,
        ``label_lon``, ``geometry``. A shallow copy: do not change geometries in place."""
        return self._layers()[0].gdf.copy(deep=False)

    def admin1(self) -> Any:
        """The admin-1 GeoDataFrame (EPSG:4326): ``iso_a2``, ``iso_3166_2``, ``name``,
        ``alt_names`` (JSON list or ""), ``geonames_code``, ``geonameid``,
        ``geonames_admin1``, ``geonames_admin1_name``, ``geonames_match``, ``label_lat``,
        ``label_lon``, ``geometry``. A shallow copy."""
        return self._layers()[1].gdf.copy(deep=False)

    # ------------------------------------------------------------------ lookups

    def admin1_lookup(self, code: str) -> Any:
        """Admin-1 rows for a GeoNames code (``IQ.06``, or ``FR.11`` for all its
        départements, or an exact ``FR.11.75``) or an ISO 3166-2 code (``IQ-BB``)."""
        if not isinstance(code, str) or not code.strip():
            raise ValueError(f"expected a GeoNames or ISO 3166-2 code, got {code!r}")
        gdf = self._layers()[1].gdf
        key = code.strip()
        if "-" in key:
            return gdf[gdf["iso_3166_2"].str.upper() == key.upper()]
        exact = gdf[gdf["geonames_code"] == key]
        return exact if len(exact) else gdf[gdf["geonames_admin1"] == key]

    def admin1_label_point(self, code: str) -> tuple[float, float] | None:
        """``(lat, lon)`` inside the admin-1 unit with this GeoNames or ISO 3166-2 code, or
        ``None`` when no unit has it. Several polygons (a GeoNames admin-1 made of Natural
        Earth sub-units) get a point inside the largest part of their union."""
        import shapely
        from shapely.ops import polylabel

        rows = self.admin1_lookup(code)
        if not len(rows):
            return None
        if len(rows) == 1:
            return float(rows["label_lat"].iloc[0]), float(rows["label_lon"].iloc[0])
        union = shapely.union_all(rows.geometry.values)
        big = max(shapely.get_parts(union), key=lambda p: p.area)
        pt = polylabel(big, tolerance=max(big.length / 2000, 1e-4))
        if not big.contains(pt):
            pt = big.representative_point()
        return round(pt.y, 5), round(pt.x, 5)

    # ------------------------------------------------------------------ reverse

    def reverse(self, lat: Any, lon: Any) -> AdminArea | None:
        """The country and admin-1 unit of a point, or ``None`` far at sea.

        Raises ``ValueError`` for a non-numeric, NaN or out-of-range latitude or longitude.
        """
        y, x = validate_point(lat, lon)
        frame = self._reverse_arrays([y], [x])
        row = frame.iloc[0]
        if not row["country"] and not row["iso_a2"] and not row["iso_a3"]:
            return None
        fields: dict[str, Any] = {f: (float(row[f]) if f == "distance_km" else str(row[f]))
                                  for f in AREA_FIELDS}
        return AdminArea(**fields)

    def reverse_many(self, lats: Iterable[Any], lons: Iterable[Any], *,
                     errors: str = "raise") -> Any:
        """A DataFrame with one row per point: ``lat``, ``lon`` and the :class:`AdminArea`
        fields (``""`` strings and NaN ``distance_km`` where :meth:`reverse` gives None).

        ``errors="raise"`` raises ``ValueError`` at the first bad point (with its position);
        ``errors="coerce"`` leaves bad points unmatched and keeps the others.
        """
        y, x, ok = _arrays(lats, lons, errors)
        return self._reverse_arrays(y, x, ok)

    def _reverse_arrays(self, y: Any, x: Any, ok: Any = None) -> Any:
        import numpy as np
        import shapely

        countries, admin1 = self._layers()
        y = np.asarray(y, dtype=float)
        x = np.asarray(x, dtype=float)
        n = len(y)
        ok = np.ones(n, dtype=bool) if ok is None else np.asarray(ok, dtype=bool)
        pts = np.full(n, None, dtype=object)
        pts[ok] = shapely.points(x[ok], y[ok])
        valid = np.flatnonzero(ok)

        country = np.full(n, -1, dtype=np.int64)
        dist = np.full(n, np.nan)
        inp, hit = _point_in_polygon(countries, pts[valid], x[valid], y[valid])
        first = _first_per_input(inp, hit)
        country[valid[list(first)]] = list(first.values())
        dist[valid[list(first)]] = 0.0
        sea = valid[country[valid] < 0]
        if len(sea):
            idx, km = self._nearest(countries, pts[sea], y[sea], x[sea], None)
            near = idx >= 0
            country[sea[near]] = idx[near]
            dist[sea[near]] = km[near]

        iso_of_point = np.where(country >= 0, countries.iso_a2[np.maximum(country, 0)], "")
        unit = np.full(n, -1, dtype=np.int64)
        inp, hit = _point_in_polygon(admin1, pts[valid], x[valid], y[valid])
        # Keep an admin-1 hit only when it belongs to the point's country (or the country
        # has no ISO code); then fill the rest from the nearest unit of that country.
        same = (admin1.iso_a2[hit] == iso_of_point[valid[inp]]) | (
            iso_of_point[valid[inp]] == "")
        for i, j in _first_per_input(inp[same], hit[same]).items():
            unit[valid[i]] = j
        todo = valid[(unit[valid] < 0) & (country[valid] >= 0)]
        if len(todo):
            idx, _km = self._nearest(admin1, pts[todo], y[todo], x[todo], iso_of_point[todo])
            unit[todo] = idx

        return self._frame(y, x, country, unit, dist)

    def _nearest(self, layer: _Layer, pts: Any, y: Any, x: Any,
                 iso: Any) -> tuple[Any, Any]:
        """For each point, the nearest polygon of ``layer`` within ``snap_km`` (restricted to
        polygons of country ``iso[i]`` when ``iso`` is given): index (-1: none) and km.

        Searches the outline pieces within a box of ``snap_km`` around each point and
        measures great-circle distances to the closest point of each candidate piece.
        """
        import numpy as np
        import shapely

        idx = np.full(len(pts), -1, dtype=np.int64)
        km = np.full(len(pts), np.inf)
        if self.snap_km <= 0 or not len(pts):
            return idx, km
        tree, pieces, owner = layer.edge_index()
        inp, cand = tree.query(_boxes(y, x, self.snap_km))
        if iso is not None:
            keep = layer.iso_a2[owner[cand]] == np.asarray(iso)[inp]
            inp, cand = inp[keep], cand[keep]
        if not len(inp):
            return idx, km
        start = shapely.get_point(shapely.shortest_line(pieces[cand], pts[inp]), 0)
        d = haversine_km(y[inp], x[inp], shapely.get_y(start), shapely.get_x(start))
        order = np.lexsort((d, inp))
        inp, cand, d = inp[order], cand[order], d[order]
        firsts = np.unique(inp, return_index=True)[1]
        near = d[firsts] <= self.snap_km
        idx[inp[firsts][near]] = owner[cand[firsts][near]]
        km[inp[firsts][near]] = d[firsts][near]
        return idx, km

    def _frame(self, y: Any, x: Any, country: Any, unit: Any, dist: Any) -> Any:
        import numpy as np
        import pandas as pd

        countries, admin1 = self._layers()
        c, a = countries.gdf, admin1.gdf

        def take(frame: Any, col: str, idx: Any) -> Any:
            key = ("countries" if frame is c else "admin1", col)
            values = self._text_columns.get(key)
            if values is None:  # converted once, not on every lookup
                values = self._text_columns[key] = frame[col].fillna("").to_numpy(str)
            return np.where(idx >= 0, values[np.maximum(idx, 0)], "")

        unit_name = take(a, "name", unit)
        gn_code = take(a, "geonames_code", unit)
        gn_admin1 = take(a, "geonames_admin1", unit)
        gn_admin1_name = take(a, "geonames_admin1_name", unit)
        sub_unit = np.char.count(gn_code.astype(str), ".") >= 2
        return pd.DataFrame({
            "lat": y, "lon": x,
            "country": take(c, "name", country),
            "iso_a2": take(c, "iso_a2", country),
            "iso_a3": take(c, "iso_a3", country),
            "admin1": np.where(sub_unit & (gn_admin1_name != ""), gn_admin1_name, unit_name),
            "admin1_code": gn_admin1,
            "iso_3166_2": take(a, "iso_3166_2", unit),
            "unit": unit_name,
            "geonames_code": gn_code,
            "distance_km": np.round(dist, 3),
        })


def _point_in_polygon(layer: _Layer, pts: Any, x: Any, y: Any) -> tuple[Any, Any]:
    """``(point index, polygon index)`` pairs of points in (or on the edge of) polygons:
    bounding boxes from the tree, then one vectorised ``intersects_xy`` per polygon (much
    faster than a per-pair predicate on large polygons)."""
    import numpy as np
    import shapely

    inp, cand = layer.tree.query(pts)
    if not len(inp):
        return inp, cand
    order = np.argsort(cand, kind="stable")
    inp, cand = inp[order], cand[order]
    bounds = np.flatnonzero(np.diff(cand)) + 1
    keep = np.zeros(len(inp), dtype=bool)
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(inp)], strict=True):
        sel = inp[lo:hi]
        keep[lo:hi] = shapely.intersects_xy(layer.geoms[cand[lo]], x[sel], y[sel])
    return inp[keep], cand[keep]


def _edge_pieces(geoms: Any) -> tuple[Any, Any, Any]:
    """(STRtree, pieces, owner polygon index) of the outlines of ``geoms``."""
    import numpy as np
    import shapely

    parts, part_of = shapely.get_parts(geoms, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    owner_of_ring = part_of[ring_of]
    pieces, owners = [], []
    step = EDGE_PIECE - 1
    for ring, own in zip(rings, owner_of_ring, strict=True):
        coords = shapely.get_coordinates(ring)
        for start in range(0, max(len(coords) - 1, 1), step):
            chunk = coords[start:start + EDGE_PIECE]
            if len(chunk) >= 2:
                pieces.append(chunk)
                owners.append(own)
    lines = np.asarray([shapely.linestrings(c) for c in pieces], dtype=object)
    return shapely.STRtree(lines), lines, np.asarray(owners, dtype=np.int64)


def _boxes(y: Any, x: Any, km: float) -> Any:
    """Degree boxes around points, wide enough for ``km`` at each latitude."""
    import numpy as np
    import shapely

    dlat = km / 111.0
    dlon = dlat / np.maximum(np.cos(np.radians(y)), 0.05)
    return shapely.box(x - dlon, y - dlat, x + dlon, y + dlat)


def _first_per_input(inp: Any, hit: Any) -> dict[int, int]:
    """``{input index: first tree index}`` from an STRtree.query result (ties on shared
    borders go to the lower tree index, i.e. deterministically)."""
    import numpy as np

    if not len(inp):
        return {}
    order = np.lexsort((hit, inp))
    inp, hit = inp[order], hit[order]
    firsts = np.unique(inp, return_index=True)[1]
    return dict(zip(inp[firsts].tolist(), hit[firsts].tolist(), strict=True))
