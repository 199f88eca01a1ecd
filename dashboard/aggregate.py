"""Server-side aggregation: H3 bins, admin-1 counts, time series, top actors, summary figures.

Geocoded events stack on a limited set of places, so every spatial aggregation first groups
by unique coordinates (fast, numeric) and only then does per-place work (H3 cell, point in
polygon); a million events at a few thousand places aggregate in well under a second.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

import h3
import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)


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
    """Events, fatalities, distinct places and date span of ``df``."""
    if not len(df):
        return Summary(0, 0, 0, None, None)
    dates = df["event_date"].dropna()
    places = df[["latitude", "longitude"]].drop_duplicates()
    return Summary(
        events=len(df),
        fatalities=int(df["fatalities"].fillna(0).sum()),
        places=len(places),
        first=dates.min().date() if len(dates) else None,
        last=dates.max().date() if len(dates) else None,
    )


def by_place(df: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct coordinate: lat, lon, count, fatalities, location, event_type.

    ``location`` and ``event_type`` are those of the first event at the place. Vectorised
    (no per-group Python), so a million events at a million places take about a second.
    """
    cols = ["latitude", "longitude", "count", "fatalities", "location", "event_type"]
    if not len(df):
        return pd.DataFrame(columns=cols)
    frame = pd.DataFrame({
        "latitude": df["latitude"].to_numpy(), "longitude": df["longitude"].to_numpy(),
        "fat": df["fatalities"].fillna(0).to_numpy(dtype="int64"),
        "location": df["location"].to_numpy(), "event_type": df["event_type"].to_numpy(),
    })
    g = frame.groupby(["latitude", "longitude"], sort=False)
    out = g.agg(count=("fat", "size"), fatalities=("fat", "sum"), location=("location", "first"),
                event_type=("event_type", "first"))
    return out.reset_index()[cols]


def zoom_to_h3_resolution(zoom: float) -> int:
    """An H3 resolution whose cells are a few dozen pixels wide at ``zoom``."""
    return int(np.clip(round(zoom * 0.85 - 0.5), 1, 9))


def h3_bins(df: pd.DataFrame, resolution: int) -> pd.DataFrame:
    """Counts per H3 cell: columns hex, count, fatalities, lat, lon (cell centre)."""
    cols = ["hex", "count", "fatalities", "lat", "lon"]
    if not len(df):
        return pd.DataFrame(columns=cols)
    places = by_place(df)
    places["hex"] = [h3.latlng_to_cell(lat, lon, resolution)
                     for lat, lon in zip(places["latitude"], places["longitude"], strict=True)]
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
    dates = df["event_date"].to_numpy(dtype="datetime64[ns]").astype("int64")
    dates = np.where(pd.isna(df["event_date"]).to_numpy(), np.iinfo(np.int64).min, dates)
    if n < len(df):
        part = np.argpartition(-dates, n - 1)[:n]
        order = part[np.lexsort((part, -dates[part]))]
    else:
        order = np.lexsort((np.arange(len(df)), -dates))
    return order.astype(np.intp)


def admin1_counts(df: pd.DataFrame) -> pd.DataFrame:
    """Events per (country, admin1) as coded on the events: columns country, admin1, events."""
    if not len(df):
        return pd.DataFrame(columns=["country", "admin1", "events"])
    out = (df.groupby(["country", "admin1"], observed=True).size()
           .rename("events").reset_index().sort_values("events", ascending=False,
                                                         ignore_index=True))
    return out


def admin1_keys(admin1_gdf: object) -> dict[tuple[str, str], int]:
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
                      keys: dict[tuple[str, str], int] | None = None) -> object:
    """The admin-1 polygons that hold events, with ``events`` and ``fatalities`` columns.

    An event counts in the polygon of the admin-1 unit it is coded with (same country, same
    name after folding, any of the unit's names), so an area's count is the one of the
    "By admin-1" table and of the admin-1 filter; only events whose coded unit has no polygon
    (no name, a spelling the boundaries lack) are placed by a spatial join of their point.
    ``iso3_to_iso2`` maps the events' ``iso`` codes to the polygons' ``iso_a2``; ``keys`` is
    :func:`admin1_keys` (computed when not given).
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
    iso = (df["iso"].astype(str).to_numpy() if "iso" in df.columns
           else np.full(len(df), "", dtype=object))
    groups = pd.DataFrame({"iso": iso, "admin1": df["admin1"].astype(str).to_numpy(),
                           "fat": fat})
    pos = np.full(len(df), -1, dtype=np.int64)
    codes, uniques = pd.factorize(pd.MultiIndex.from_arrays([groups["iso"], groups["admin1"]]))
    for code, (i3, name) in enumerate(uniques):
        if name.strip():
            hit = keys.get((iso_map.get(i3, ""), fold(name)))
            if hit is not None:
                pos[codes == code] = hit
    rest = np.flatnonzero(pos < 0)
    if len(rest):
        places = by_place(df.iloc[rest])
        if len(places):
            points = gpd.GeoDataFrame(
                places[["latitude", "longitude"]],
                geometry=gpd.points_from_xy(places["longitude"], places["latitude"]),
                crs="EPSG:4326")
            if gdf.crs is not None and gdf.crs != points.crs:
                points = points.to_crs(gdf.crs)
            joined = gpd.sjoin(points, gdf[["geometry"]].reset_index(drop=True), how="inner",
                               predicate="within")
            joined = joined[~joined.index.duplicated()]
            where = dict(zip(zip(joined["latitude"], joined["longitude"], strict=True),
                             joined["index_right"], strict=True))
            sub = df.iloc[rest]
            pos[rest] = [where.get((a, b), -1) for a, b in
                         zip(sub["latitude"], sub["longitude"], strict=True)]
    ok = pos >= 0
    if not ok.any():
        return empty
    sums = (pd.DataFrame({"pos": pos[ok], "fat": fat[ok]}).groupby("pos")
            .agg(events=("fat", "size"), fatalities=("fat", "sum")))
    out = gdf.iloc[sums.index.to_numpy()].copy()
    out["events"] = sums["events"].astype("int64").to_numpy()
    out["fatalities"] = sums["fatalities"].astype("int64").to_numpy()
    return out
