"""Exports of exactly the filtered rows: CSV, GeoJSON, GeoParquet, GeoPackage, Excel.

- CSV and Excel use ACLED's column names (``event_id_cnty``, ``year``, ``iso3``...) followed by
  the provenance columns; ACLED's ``iso`` is a numeric code, so the alpha-3 code is written as
  ``iso3`` rather than pretending.
- Spreadsheet safety (CSV and Excel): every text cell goes through
  :func:`extract.spreadsheet.clean_cell`: a value a spreadsheet would evaluate (``=``, ``+``,
  ``-``, ``@``, also after leading spaces or control characters) gets a leading apostrophe
  (OWASP's advice), characters a spreadsheet file cannot hold become U+FFFD. CSV rows end in
  ``\r\n`` so that every cell holding a line break or a carriage return is quoted; Excel
  cells are written as strings, never formulas, and a value longer than Excel's 32,767
  characters is cut with a marker and kept whole, in parts, on a second sheet
  (:data:`LONG_TEXT_SHEET`).
- File names carry the filter summary; :func:`sidecar` describes the filter, the row count and
  the pipeline version, written next to the export as ``<name>.meta.json`` (see
  :func:`sidecar_path`: ``all.csv`` and ``all.xlsx`` get two sidecars).
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
from extract.spreadsheet import CSV_LINE_TERMINATOR, clean_cell, guard

logger = logging.getLogger(__name__)

FORMATS: dict[str, tuple[str, str]] = {
    "csv": (".csv", "text/csv"),
    "geojson": (".geojson", "application/geo+json"),
    "geoparquet": (".parquet", "application/vnd.apache.parquet"),
    "gpkg": (".gpkg", "application/geopackage+sqlite3"),
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
XLSX_MAX_CELL = 32_767  # characters Excel holds in one cell
LONG_TEXT_SHEET = "long_text"
LONG_TEXT_MARKER = f" … [cut: the whole text is in sheet {LONG_TEXT_SHEET}]"

# our column -> ACLED's name (columns not listed keep their name)
ACLED_NAMES = {"event_id": "event_id_cnty", "iso": "iso3"}
ACLED_ORDER = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "actor2", "assoc_actor_2", "iso3", "country",
    "admin1", "admin2", "location", "latitude", "longitude", "geo_precision", "source",
    "notes", "fatalities",
)


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy where every text cell is safe in a spreadsheet (:func:`clean_cell`)."""
    out = df.copy()
    for col in out.columns:
        series = out[col]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            out[col] = series.astype("object").map(
                lambda v: clean_cell(v) if isinstance(v, str) else v)
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
        return neutralise_formulas(acled_frame(events)).to_csv(
            index=False, lineterminator=CSV_LINE_TERMINATOR).encode("utf-8")
    if fmt == "xlsx":
        return _xlsx(neutralise_formulas(acled_frame(events)))
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


def _xlsx(table: pd.DataFrame) -> bytes:
    """``table`` as a workbook: text cells as strings (never formulas), long ones in parts."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("events")
    sheet.append(list(table.columns))
    long_parts: list[list[Any]] = []
    ids = table["event_id_cnty"].tolist()
    keep = XLSX_MAX_CELL - len(LONG_TEXT_MARKER)
    for event_id, values in zip(ids, table.itertuples(index=False, name=None), strict=True):
        row = []
        for column, value in zip(table.columns, values, strict=True):
            if isinstance(value, str):
                if len(value) > XLSX_MAX_CELL:
                    # each part guarded like any cell (so one character shorter than a cell)
                    size = XLSX_MAX_CELL - 1
                    long_parts += [[event_id, column, n + 1, guard(value[i:i + size])]
                                   for n, i in enumerate(range(0, len(value), size))]
                    value = value[:keep] + LONG_TEXT_MARKER
                cell = WriteOnlyCell(sheet, value)
                cell.data_type = "s"  # openpyxl would store "=..." as a formula
            else:
                cell = WriteOnlyCell(sheet, None if pd.isna(value) else value)
            row.append(cell)
        sheet.append(row)
    if long_parts:
        logger.info("xlsx export: %d cell(s) over %d characters kept whole in sheet %s",
                    len({(p[0], p[1]) for p in long_parts}), XLSX_MAX_CELL, LONG_TEXT_SHEET)
        extra = book.create_sheet(LONG_TEXT_SHEET)
        extra.append(["event_id_cnty", "column", "part", "text"])
        for event_id, column, part, text in long_parts:
            cell = WriteOnlyCell(extra, text)
            cell.data_type = "s"
            extra.append([event_id, column, part, cell])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def sidecar_path(export: str | Path) -> Path:
    """Where the sidecar of an export file goes: ``all.csv`` -> ``all.csv.meta.json``."""
    export = Path(export)
    return export.with_name(export.name + ".meta.json")


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
