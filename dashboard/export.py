"""Exports of exactly the filtered rows: CSV, GeoJSON, GeoParquet, GeoPackage, Excel.

- CSV and Excel use ACLED's column names (``event_id_cnty``, ``year``, ``iso3``...) followed by
  the provenance columns; ACLED's ``iso`` is a numeric code, so the alpha-3 code is written as
  ``iso3`` rather than pretending.
- Spreadsheet formula injection: a text cell starting with ``=``, ``+``, ``-``, ``@``, tab or
  carriage return gets a leading apostrophe in CSV and Excel (OWASP's advice).
- File names carry the filter summary; :func:`sidecar` describes the filter, the row count and
  the pipeline version, written next to the export as ``<name>.json``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import logging
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from dashboard.filters import FilterState
from extract.schema import COLUMNS, PIPELINE_VERSION, SCHEMA_VERSION

logger = logging.getLogger(__name__)

FORMATS: dict[str, tuple[str, str]] = {
    "csv": (".csv", "text/csv"),
    "geojson": (".geojson", "application/geo+json"),
    "geoparquet": (".parquet", "application/vnd.apache.parquet"),
    "gpkg": (".gpkg", "application/geopackage+sqlite3"),
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# our column -> ACLED's name (columns not listed keep their name)
ACLED_NAMES = {"event_id": "event_id_cnty", "iso": "iso3"}
ACLED_ORDER = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "actor2", "assoc_actor_2", "iso3", "country",
    "admin1", "admin2", "location", "latitude", "longitude", "geo_precision", "source",
    "notes", "fatalities",
)


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy where every text cell a spreadsheet would evaluate starts with ``'``."""
    out = df.copy()
    for col in out.columns:
        series = out[col]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            text = series.astype("object")
            risky = text.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_PREFIXES))
            if risky.any():
                out[col] = text.where(~risky, "'" + text.astype(str))
    return out


def acled_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The events with ACLED column names and order, dates as ``YYYY-MM-DD``."""
    out = df[list(COLUMNS)].rename(columns=ACLED_NAMES)
    out.insert(2, "year", out["event_date"].dt.year.astype("Int64"))
    out["event_date"] = out["event_date"].dt.strftime("%Y-%m-%d")
    rest = [c for c in out.columns if c not in ACLED_ORDER]
    return out[list(ACLED_ORDER) + rest]


def _geodataframe(df: pd.DataFrame) -> Any:
    import geopandas as gpd

    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["longitude"], df["latitude"]),
                            crs="EPSG:4326")


def export_bytes(df: pd.DataFrame, fmt: str) -> bytes:
    """``df`` (validated events) as a file in ``fmt`` (see :data:`FORMATS`)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    events = df[list(COLUMNS)].reset_index(drop=True)
    if fmt == "csv":
        return neutralise_formulas(acled_frame(events)).to_csv(index=False).encode("utf-8")
    if fmt == "xlsx":
        buf = io.BytesIO()
        with pd.ExcelWriter(buf, engine="openpyxl") as writer:
            neutralise_formulas(acled_frame(events)).to_excel(writer, index=False,
                                                              sheet_name="events")
        return buf.getvalue()
    if fmt == "geoparquet":
        buf = io.BytesIO()
        _geodataframe(events).to_parquet(buf, index=False)
        return buf.getvalue()
    flat = events.copy()
    flat["event_date"] = flat["event_date"].dt.strftime("%Y-%m-%d")
    flat["fatalities"] = flat["fatalities"].astype("float64")
    gdf = _geodataframe(flat)
    if fmt == "geojson":
        return gdf.to_json(drop_id=True, ensure_ascii=False).encode("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.gpkg"
        gdf.to_file(path, driver="GPKG", layer="events")
        return path.read_bytes()


def export_filename(state: FilterState, fmt: str, prefix: str = "conflict-atlas") -> str:
    """E.g. ``conflict-atlas_2024-01-01_2024-03-31_Battles.csv``."""
    return f"{prefix}_{state.summary()}{FORMATS[fmt][0]}"


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    return value


def sidecar(state: FilterState, rows: int, fmt: str, *, store: str = "",
            generated: dt.datetime | None = None) -> dict[str, Any]:
    """What an export contains: the filter, row count, format, versions, time."""
    when = generated or dt.datetime.now(dt.UTC)
    return {
        "generator": "conflict-atlas",
        "format": fmt,
        "rows": rows,
        "filter": {k: _jsonable(v) for k, v in dataclasses.asdict(state).items()},
        "filter_summary": state.summary(),
        "store": store,
        "pipeline_version": PIPELINE_VERSION,
        "schema_version": SCHEMA_VERSION,
        "generated_at": when.isoformat(timespec="seconds"),
        "formula_cells_neutralised": fmt in ("csv", "xlsx"),
    }


def sidecar_bytes(meta: dict[str, Any]) -> bytes:
    return json.dumps(meta, indent=2, ensure_ascii=False).encode("utf-8")
