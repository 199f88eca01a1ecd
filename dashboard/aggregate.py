"""Server-side aggregation: H3 bins, admin-1 counts, time series, top actors, summary figures.

Geocoded events stack on a limited set of places, so every spatial aggregation first groups
by unique coordinates (fast, numeric) and only then does per-place work (H3 cell, point in
polygon); a million events at a few thousand places aggregate in well under a second.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

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


def admin1_counts(df: pd.DataFrame) -> pd.DataFrame:
    """Events per (country, admin1) as coded on the events: columns country, admin1, events."""
    if not len(df):
        return pd.DataFrame(columns=["country", "admin1", "events"])
    out = (df.groupby(["country", "admin1"], observed=True).size()
           .rename("events").reset_index().sort_values("events", ascending=False,
                                                         ignore_index=True))
    return out


def choropleth_counts(df: pd.DataFrame, admin1_gdf: object) -> object:
    """The admin-1 polygons that contain events, with ``events`` and ``fatalities`` columns.

    Uses a spatial join of the distinct event coordinates with the boundaries, so it does not
    depend on how the pipeline spelled the admin-1 name.
    """
    import geopandas as gpd

    gdf = admin1_gdf
    assert isinstance(gdf, gpd.GeoDataFrame)
    places = by_place(df)
    if not len(places):
        return gdf.iloc[0:0].assign(events=pd.Series(dtype="int64"),
                                    fatalities=pd.Series(dtype="int64"))
    points = gpd.GeoDataFrame(
        places[["count", "fatalities"]],
        geometry=gpd.points_from_xy(places["longitude"], places["latitude"]),
        crs="EPSG:4326",
    )
    if gdf.crs is not None and gdf.crs != points.crs:
        points = points.to_crs(gdf.crs)
    joined = gpd.sjoin(points, gdf[["geometry"]], how="inner", predicate="within")
    sums = joined.groupby("index_right").agg(events=("count", "sum"),
                                             fatalities=("fatalities", "sum"))
    out = gdf.loc[sums.index].copy()
    out["events"] = sums["events"].astype("int64").to_numpy()
    out["fatalities"] = sums["fatalities"].astype("int64").to_numpy()
    return out
