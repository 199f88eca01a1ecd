"""Exports are safe in a spreadsheet: one row per event, no formula, nothing lost.

Property-based (hypothesis): arbitrary unicode with control characters in every text column,
written as CSV and XLSX, read back through ``csv.reader`` and openpyxl.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from conflict_atlas.cli import main
from dashboard.export import (
    LONG_TEXT_MARKER,
    LONG_TEXT_SHEET,
    XLSX_MAX_CELL,
    acled_frame,
    export_bytes,
)
from dashboard.synthetic import synthetic_events
from extract.spreadsheet import clean_cell, guard, is_formula_text, needs_guard, unguard
from extract.store import write_events

# the text columns an article, a title or a file name can fill
FREE_TEXT = ("actor1", "actor2", "location", "admin1", "notes", "source", "source_url",
             "sentence", "article_id")
ACLED = {"event_id": "event_id_cnty", "iso": "iso3"}
EXPLOIT = "report\r=cmd|' /C calc'!A0.txt"

any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
risky_text = st.builds(lambda pre, ws, body: pre + ws + body,
                       st.sampled_from(["", "'", "''", "\r", "\t", "\x00", "\u200b", "\ufeff"]),
                       st.sampled_from(["", " ", "\n", "\xa0", "\x1b"]),
                       st.sampled_from(["=", "+", "-", "@", "\uff1d", "ok"]).flatmap(
                           lambda s: st.text(max_size=10).map(lambda t: s + t)))
cell_text = st.one_of(any_text, risky_text)


def _events(texts: list[dict[str, str]]) -> pd.DataFrame:
    df = synthetic_events(len(texts), seed=3)
    for i, row in enumerate(texts):
        for col, value in row.items():
            df.loc[i, col] = value
    return df


rows = st.lists(st.fixed_dictionaries({c: cell_text for c in FREE_TEXT}), min_size=1,
                max_size=4)


def _expected(df: pd.DataFrame) -> pd.DataFrame:
    """The text a spreadsheet must show once the guard apostrophe is taken off."""
    out = acled_frame(df)
    for col in FREE_TEXT:
        out[ACLED.get(col, col)] = [unguard(clean_cell(v)) for v in df[col]]
    return out


# --- the guard itself -------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["=1+1", "+cmd", "-2", "@SUM(A1)", "\tx", "\rx", " =1",
                                   "\x00=1", "\u200b=HYPERLINK()", "\uff1d1", "\n\n-1",
                                   "'=already", EXPLOIT.split("\r")[1]])
def test_formula_text_is_guarded(value: str) -> None:
    assert needs_guard(value)
    assert guard(value) == "'" + value
    assert not is_formula_text(guard(value))


@pytest.mark.parametrize("value", ["ok", "", "'quoted", "a=b", "3-2", "Émile", EXPLOIT])
def test_plain_text_is_left_alone(value: str) -> None:
    assert guard(value) == value


@given(any_text | risky_text)
def test_guard_is_reversible_and_safe(value: str) -> None:
    assert unguard(guard(value)) == value
    assert not is_formula_text(guard(value))
    assert not is_formula_text(clean_cell(value))


# --- CSV ---------------------------------------------------------------------------------------

def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def test_carriage_return_in_a_file_name_does_not_split_the_row() -> None:
    df = _events([{"source": EXPLOIT, "notes": "line one\rline two"}, {"actor1": "ok"}])
    got = _csv_rows(export_bytes(df, "csv"))
    assert len(got) == 3  # header + one row per event
    header = got[0]
    assert {len(r) for r in got} == {len(header)}
    assert got[1][header.index("source")] == EXPLOIT
    assert not any(is_formula_text(cell) for r in got for cell in r)


@settings(max_examples=60)
@given(rows)
def test_csv_round_trip_one_row_per_event_no_formula(texts: list[dict[str, str]]) -> None:
    df = _events(texts)
    got = _csv_rows(export_bytes(df, "csv"))
    header, body = got[0], got[1:]
    assert len(body) == len(df)
    assert all(len(r) == len(header) for r in body)
    assert not any(is_formula_text(cell) for r in got for cell in r)
    expected = _expected(df)
    for col in FREE_TEXT:
        name = ACLED.get(col, col)
        assert [unguard(r[header.index(name)]) for r in body] == list(expected[name])


# --- XLSX --------------------------------------------------------------------------------------

def _sheet(data: bytes, name: str = "events") -> tuple[list[str], list[list]]:
    book = load_workbook(io.BytesIO(data))
    sheet = book[name]
    cells = [list(r) for r in sheet.iter_rows()]
    assert not [c.coordinate for r in cells for c in r if c.data_type == "f"]
    values = [[c.value for c in r] for r in cells]
    return values[0], values[1:]


@settings(max_examples=30)
@given(rows)
def test_xlsx_round_trip_one_row_per_event_no_formula(texts: list[dict[str, str]]) -> None:
    df = _events(texts)
    header, body = _sheet(export_bytes(df, "xlsx"))
    assert len(body) == len(df)
    assert not any(isinstance(v, str) and is_formula_text(v) for r in body for v in r)
    expected = _expected(df)
    for col in FREE_TEXT:
        name = ACLED.get(col, col)
        got = [unguard(v or "") for v in (r[header.index(name)] for r in body)]
        assert got == list(expected[name])
    assert [r[header.index("event_id_cnty")] for r in body] == list(df["event_id"])


def test_xlsx_keeps_text_longer_than_a_cell() -> None:
    long = ("=" + "x" * (XLSX_MAX_CELL - 2) + "=SUM(A1)" + "y" * 40_000)
    df = _events([{"notes": long}, {"notes": "short"}])
    data = export_bytes(df, "xlsx")
    header, body = _sheet(data)
    cell = body[0][header.index("notes")]
    assert len(cell) <= XLSX_MAX_CELL and cell.endswith(LONG_TEXT_MARKER)
    assert body[1][header.index("notes")] == "short"
    extra_header, parts = _sheet(data, LONG_TEXT_SHEET)
    assert extra_header == ["event_id_cnty", "column", "part", "text"]
    assert {p[0] for p in parts} == {df.loc[0, "event_id"]}
    assert not any(is_formula_text(p[3]) for p in parts)
    whole = "".join(unguard(p[3]) for p in sorted(parts, key=lambda p: p[2]))
    assert unguard(whole) == long


# --- the CLI ----------------------------------------------------------------------------------

def test_two_formats_of_one_stem_get_two_sidecars(tmp_path: Path) -> None:
    store = tmp_path / "events.parquet"
    write_events(synthetic_events(30, seed=1), store)
    for fmt in ("csv", "xlsx"):
        assert main(["export", str(store), "--out", str(tmp_path / f"all.{fmt}")]) == 0
    for fmt in ("csv", "xlsx"):
        meta = json.loads((tmp_path / f"all.{fmt}.meta.json").read_text())
        assert meta["format"] == fmt
