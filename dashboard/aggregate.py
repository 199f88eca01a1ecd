"""Server-side aggregation: H3 bins, admin-1 counts, time series, top actors, summary figures.

Geocoded events stack on a limited set of places, so every spatial aggregation first groups
by unique coordinates (fast, numeric) and only then does per-place work (H3 cell, point in
polygon); a million events at a few thousand places aggregate in well under a second.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import h3
import numpy as np
import pandas as pd


@dataclasses.dataclass(frozen=True, slots=True)
class Summary:
    events: int
    fatalities: int
    places: int
    first: dt.date | None
    last: dt.date | None

    @property
    def span_days(self) -> int:
        if self.first is None or self.last is None:
            return 0
        return (self.last - self.first).days + 1


def summary(df: pd.DataFrame) -> Summary:
    """Events, fatalities, distinct places (named: location, admin-1, country) and date
    span of ``df``."""
    if not len(df):
        return Summary(0, 0, 0, None, None)
    dates = df["event_date"].dropna()
    places = df[["country", "admin1", "location"]].drop_duplicates()
    return Summary(
        events=len(df),
        fatalities=int(df["fatalities"].fillna(0).sum()),
        places=len(places),
        first=dates.min().date() if len(dates) else None,
        last=dates.max().date() if len(dates) else None,
    )


def _groups(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first position of each distinct coordinate in order of appearance, group of each row)."""
    _uniq, first, inverse = np.unique(lat.astype(float) + 1j * lon.astype(float),
                                      return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # groups in order of first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return first[order], rank[inverse.ravel()]


def by_place(df: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct coordinate: lat, lon, count, fatalities, location, event_type.

    ``location`` and ``event_type`` are those of the first event at the place; places come
    in order of their first event. Vectorised (one sort of the coordinates, no per-group
    Python): a million events take a fraction of a second.
    """
    cols = ["latitude", "longitude", "count", "fatalities", "location", "event_type"]
    if not len(df):
        return pd.DataFrame(columns=cols)
    lat = df["latitude"].to_numpy(dtype=float)
    lon = df["longitude"].to_numpy(dtype=float)
    first, group = _groups(lat, lon)
    fat = df["fatalities"].fillna(0).to_numpy(dtype="int64")
    return pd.DataFrame({
        "latitude": lat[first], "longitude": lon[first],
        "count": np.bincount(group, minlength=len(first)).astype("int64"),
        "fatalities": np.bincount(group, weights=fat, minlength=len(first)).astype("int64"),
        "location": df["location"].to_numpy()[first],
        "event_type": df["event_type"].to_numpy()[first],
    })[cols]


def grid_places(df: pd.DataFrame, cell: float) -> pd.DataFrame:
    """Events counted on a grid of ``cell`` degrees: latitude, longitude (mean of the events
    in the cell), count, fatalities. What the density layers need at a zoom where a cell is
    a couple of pixels: far fewer objects than events, the same picture."""
    cols = ["latitude", "longitude", "count", "fatalities"]
    if not len(df):
        return pd.DataFrame(columns=cols)
    lat = df["latitude"].to_numpy(dtype=float)
    lon = df["longitude"].to_numpy(dtype=float)
    code = (np.floor((lat + 90.0) / cell).astype("int64") * 1_000_003
            + np.floor((lon + 180.0) / cell).astype("int64"))
    _u, inverse = np.unique(code, return_inverse=True)
    inverse = inverse.ravel()
    n = np.bincount(inverse)
    fat = df["fatalities"].fillna(0).to_numpy(dtype=float)
    return pd.DataFrame({
        "latitude": np.bincount(inverse, weights=lat) / n,
        "longitude": np.bincount(inverse, weights=lon) / n,
        "count": n.astype("int64"),
        "fatalities": np.bincount(inverse, weights=fat).astype("int64"),
    })[cols]


def zoom_to_h3_resolution(zoom: float) -> int:
    """An H3 resolution whose cells are a few dozen pixels wide at ``zoom``."""
    return int(np.clip(round(zoom * 0.85 - 0.5), 1, 9))


def h3_bins(df: pd.DataFrame, resolution: int) -> pd.DataFrame:
    """Counts per H3 cell: columns hex, count, fatalities, lat, lon (cell centre)."""
    return h3_of_places(by_place(df) if len(df) else df, resolution)


def h3_of_places(places: pd.DataFrame, resolution: int) -> pd.DataFrame:
    """:func:`h3_bins` of events already counted per point (latitude, longitude, count,
    fatalities), most events first."""
    cols = ["hex", "count", "fatalities", "lat", "lon"]
    if not len(places):
        return pd.DataFrame(columns=cols)
    places = places.assign(hex=[h3.latlng_to_cell(lat, lon, resolution) for lat, lon in
                                zip(places["latitude"], places["longitude"], strict=True)])
    out = places.groupby("hex", sort=False).agg(count=("count", "sum"),
                                                fatalities=("fatalities", "sum")).reset_index()
    centres = [h3.cell_to_latlng(c) for c in out["hex"]]
    out["lat"] = [c[0] for c in centres]
    out["lon"] = [c[1] for c in centres]
    return out.sort_values("count", ascending=False, ignore_index=True)[cols]


def time_series(df: pd.DataFrame, freq: str = "auto") -> pd.DataFrame:
    """Events per period, one column per event type (index: period start).

    ``freq``: ``"D"`` (days), ``"W"`` (weeks starting Monday), ``"M"`` (months) or ``"auto"``.
    """
    dated = df.loc[df["event_date"].notna(), ["event_date", "event_type"]]
    if not len(dated):
        return pd.DataFrame()
    if freq == "auto":
        span = (dated["event_date"].max() - dated["event_date"].min()).days
        freq = "D" if span <= 90 else ("W" if span <= 730 else "M")
    period = dated["event_date"].dt.to_period({"W": "W-SUN"}.get(freq, freq))
    table = (dated.assign(period=period.dt.start_time)
             .groupby(["period", "event_type"], observed=True).size()
             .unstack("event_type", fill_value=0).sort_index())
    table.columns = [str(c) for c in table.columns]
    return table


def top_actors(df: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` actors in most events (as actor1 or actor2): columns actor, events."""
    if not len(df):
        return pd.DataFrame(columns=["actor", "events"])
    both = pd.concat([df["actor1"], df["actor2"]], ignore_index=True)
    counts = both[both != ""].value_counts().head(n)
    return pd.DataFrame({"actor": counts.index.astype(str), "events": counts.to_numpy()})


def newest(df: pd.DataFrame, n: int) -> np.ndarray:
    """Positions in ``df`` of its ``n`` newest events, newest first (undated last; ties in
    store order)."""
    if not len(df):
        return np.zeros(0, dtype=np.intp)
    raw = df["event_date"].to_numpy(dtype="datetime64[ns]")
    # newer first; undated last (float keys: no overflow when negated)
    key = np.where(np.isnat(raw), np.inf, -raw.astype("int64").astype(float))
    if n < len(df):
        part = np.argpartition(key, n - 1)[:n]
        order = part[np.lexsort((part, key[part]))]
    else:
        order = np.lexsort((np.arange(len(df)), key))
    return order.astype(np.intp)


def admin1_counts(df: pd.DataFrame) -> pd.DataFrame:
    """Events per (country, admin1) as coded on the events: columns country, admin1, events."""
    if not len(df):
        return pd.DataFrame(columns=["country", "admin1", "events"])
    out = (df.groupby(["country", "admin1"], observed=True).size()
           .rename("events").reset_index().sort_values("events", ascending=False,
                                                         ignore_index=True))
    return out


def _codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes and the names they stand for (categorical codes when categorical)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy().astype("int64")
        names = [str(c) for c in values.cat.categories] + [""]
        return np.where(codes < 0, len(names) - 1, codes), names
    codes, uniques = pd.factorize(values.astype(str), use_na_sentinel=False)
    return codes.astype("int64"), [str(u) for u in uniques]


def admin1_keys(admin1_gdf: Any) -> dict[tuple[str, str], int]:
    """(country alpha-2, folded name) -> row position of the admin-1 polygon, for every name
    of a unit (its name, GeoNames' admin-1 name, alternate names)."""
    import json

    from geodata.names import fold

    gdf = admin1_gdf
    keys: dict[tuple[str, str], int] = {}
    cols = [c for c in ("name", "geonames_admin1_name", "alt_names") if c in gdf.columns]
    isos = gdf["iso_a2"].astype(str).to_numpy() if "iso_a2" in gdf.columns else [""] * len(gdf)
    for pos, (iso, *names) in enumerate(zip(isos, *(gdf[c].to_numpy() for c in cols),
                                            strict=True)):
        for col, value in zip(cols, names, strict=True):
            values: list[str] = []
            if col == "alt_names" and isinstance(value, str) and value.startswith("["):
                try:
                    values = [str(v) for v in json.loads(value)]
                except ValueError:
                    values = []
            elif isinstance(value, str):
                values = [value]
            for v in values:
                if v.strip():
                    keys.setdefault((iso, fold(v)), pos)
    return keys


def choropleth_counts(df: pd.DataFrame, admin1_gdf: object,
                      iso3_to_iso2: dict[str, str] | None = None,
                      keys: dict[tuple[str, str], int] | None = None,
                      weights: str | None = None) -> object:
    """The admin-1 polygons that hold events, with ``events`` and ``fatalities`` columns.

    An event counts in the polygon of the admin-1 unit it is coded with (same country, same
    name after folding, any of the unit's names), so an area's count is the one of the
    "By admin-1" table and of the admin-1 filter; only events whose coded unit has no polygon
    (no name, a spelling the boundaries lack) are placed by a spatial join of their point.
    ``iso3_to_iso2`` maps the events' ``iso`` codes to the polygons' ``iso_a2``; ``keys`` is
    :func:`admin1_keys` (computed when not given). ``weights``: a column holding how many
    events each row stands for (rows already grouped, as :func:`dashboard.sql.by_unit`).
    """
    import geopandas as gpd

    from geodata.names import fold

    gdf = admin1_gdf
    assert isinstance(gdf, gpd.GeoDataFrame)
    empty = gdf.iloc[0:0].assign(events=pd.Series(dtype="int64"),
                                 fatalities=pd.Series(dtype="int64"))
    if not len(df):
        return empty
    keys = keys if keys is not None else admin1_keys(gdf)
    iso_map = iso3_to_iso2 or {}
    fat = df["fatalities"].fillna(0).to_numpy(dtype="int64")
    iso_codes, iso_names = _codes(df["iso"] if "iso" in df.columns
                                  else pd.Series([""] * len(df)))
    adm_codes, adm_names = _codes(df["admin1"])
    pair = iso_codes.astype("int64") * (len(adm_names) + 1) + adm_codes
    uniq, inverse = np.unique(pair, return_inverse=True)
    hit = np.full(len(uniq), -1, dtype=np.int64)
    for k, code in enumerate(uniq):
        i3, name = iso_names[code // (len(adm_names) + 1)], adm_names[code % (len(adm_names) + 1)]
        if str(name).strip():
            hit[k] = keys.get((iso_map.get(str(i3), ""), fold(str(name))), -1)
    pos = hit[inverse.ravel()]
    rest = np.flatnonzero(pos < 0)
    if len(rest):
        # the rest by their point, one test per distinct coordinate (to ~100 m)
        lat = np.round(df["latitude"].to_numpy(dtype=float)[rest], 3)
        lon = np.round(df["longitude"].to_numpy(dtype=float)[rest], 3)
        first, group = _groups(lat, lon)
        points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon[first], lat[first]),
                                  crs="EPSG:4326")
        if gdf.crs is not None and gdf.crs != points.crs:
            points = points.to_crs(gdf.crs)
        joined = gpd.sjoin(points, gdf[["geometry"]].reset_index(drop=True), how="inner",
                           predicate="within")
        joined = joined[~joined.index.duplicated()]
        where = np.full(len(first), -1, dtype=np.int64)
        where[joined.index.to_numpy()] = joined["index_right"].to_numpy()
        pos[rest] = where[group]
    ok = pos >= 0
    if not ok.any():
        return empty
    n = df[weights].to_numpy(dtype="int64") if weights else np.ones(len(df), dtype="int64")
    sums = (pd.DataFrame({"pos": pos[ok], "n": n[ok], "fat": fat[ok]}).groupby("pos")
            .agg(events=("n", "sum"), fatalities=("fat", "sum")))
    out = gdf.iloc[sums.index.to_numpy()].copy()
    out["events"] = sums["events"].astype("int64").to_numpy()
    out["fatalities"] = sums["fatalities"].astype("int64").to_numpy()
    return out
