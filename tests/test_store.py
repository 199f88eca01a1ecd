import multiprocessing
import os
import stat

import pandas as pd
import pytest

from extract.schema import SchemaError, events_frame, make_event_id, validate_events
from extract.spreadsheet import is_formula_text
from extract.store import (
    EventStore,
    StoreError,
    check_store,
    read_events,
    repair_store,
    write_events,
)
from tests.test_schema import make_event


def frame(n: int, article: str = "art") -> pd.DataFrame:
    return events_frame([make_event(event_id=make_event_id(article, i, i + 5), article_id=article,
                                    char_start=i, char_end=i + 5, sentence=f"=HYPERLINK({i})")
                         for i in range(n)])


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".geojson", ".gpkg"])
def test_write_read_round_trip(tmp_path, suffix):
    df = frame(3)
    path = write_events(df, tmp_path / f"events{suffix}")
    back = read_events(path)
    pd.testing.assert_frame_equal(back, df)


def test_geoparquet_has_point_geometry(tmp_path):
    import geopandas as gpd

    path = write_events(frame(2), tmp_path / "e.parquet")
    gdf = gpd.read_parquet(path)
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.iloc[0].x == pytest.approx(44.40)


def test_write_refuses_invalid_and_keeps_old_file(tmp_path):
    path = write_events(frame(2), tmp_path / "e.parquet")
    bad = frame(2)
    bad.loc[0, "confidence"] = 7.0
    with pytest.raises(SchemaError):
        write_events(bad, path)
    assert len(read_events(path)) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["e.parquet"]  # no temp file left behind


def test_unknown_extension(tmp_path):
    with pytest.raises(ValueError, match="use one of"):
        write_events(frame(1), tmp_path / "e.xlsx")


def test_append_is_idempotent(tmp_path):
    store = EventStore(tmp_path / "store.parquet")
    first = store.append(frame(3))
    again = store.append(frame(3))
    more = store.append(pd.concat([frame(3), frame(2, "art2")], ignore_index=True))
    assert (first.added, again.added, again.skipped_duplicates) == (3, 0, 3)
    assert (more.added, more.total) == (2, 5)
    assert store.read()["event_id"].is_unique


def test_an_article_coded_again_by_the_same_pipeline_adds_nothing(tmp_path):
    # A changed line break can make the pipeline code a sentence slightly differently (an
    # event id that differs): the article id, taken from the folded text, is the same.
    store = EventStore(tmp_path / "store.parquet")
    store.append(frame(3))
    recoded = frame(4)
    assert store.append(recoded).added == 0
    newer = recoded.assign(pipeline_version="9.9")
    assert store.append(newer).added == 1  # a new pipeline may find more


def test_default_store_follows_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CONFLICT_ATLAS_DATA", str(tmp_path))
    assert EventStore().path == tmp_path / "events.parquet"


def _append_worker(path: str, article: str) -> None:
    EventStore(path).append(frame(20, article))


def test_concurrent_appends_do_not_lose_events(tmp_path):
    path = str(tmp_path / "store.parquet")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_append_worker, args=(path, f"a{i}")) for i in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    stored = EventStore(path).read()
    assert len(stored) == 80 and stored["event_id"].is_unique
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".store")]


# --- schema drift, modes, temporary files, side files ------------------------------------------

def _drifted(path, n: int = 4) -> pd.DataFrame:
    """A store written by something else: a renamed column, an unknown one, text flags and
    text dates."""
    df = frame(n).rename(columns={"notes": "Notes"})
    df["Notes"] = [f"note {i}" for i in range(n)]
    df["extra"] = "kept?"
    df["is_background"] = ["False", "True"] * (n // 2)
    df["event_date"] = df["event_date"].dt.strftime("%Y-%m-%d")
    df.to_parquet(path, index=False)
    return df


def test_append_to_a_drifted_store_is_refused_naming_the_columns(tmp_path):
    path = tmp_path / "events.parquet"
    _drifted(path)
    before = path.read_bytes()
    with pytest.raises(StoreError) as err:
        EventStore(path).append(frame(2, "other"))
    message = str(err.value)
    for word in ("'notes' is missing", "'Notes'", "'extra'", "is_background", "event_date",
                 "store repair"):
        assert word in message
    assert path.read_bytes() == before


def test_store_check_and_repair(tmp_path, capsys):
    from conflict_atlas.cli import main

    path = tmp_path / "events.parquet"
    drifted = _drifted(path)
    assert main(["store", "check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "'notes' is missing" in out and "store repair" in out
    # a date that would need a guess is named; nothing changes
    raw = pd.read_parquet(path)
    raw.loc[1, "event_date"] = "04/03/2021"
    raw.to_parquet(path, index=False)
    assert main(["store", "repair", str(path)]) == 1
    assert "04/03/2021" in capsys.readouterr().err
    raw.loc[1, "event_date"] = "2021-03-04"
    raw.to_parquet(path, index=False)
    assert main(["store", "repair", str(path)]) == 0
    out = capsys.readouterr().out
    assert "renamed columns 'Notes' -> 'notes'" in out and "'extra'" in out
    fixed = read_events(path)
    assert list(fixed["notes"]) == list(drifted["Notes"])
    assert list(fixed["is_background"]) == [False, True, False, True]
    backups = list(tmp_path.glob("events.backup-*.parquet"))
    assert len(backups) == 1 and "extra" in pd.read_parquet(backups[0]).columns
    assert main(["store", "check", str(path)]) == 0
    assert EventStore(path).append(frame(2, "other")).added == 2


def test_flags_and_dates_are_read_without_guessing(tmp_path):
    df = frame(2)
    df["is_background"] = ["False", "True"]
    assert list(validate_events(df)["is_background"]) == [False, True]
    df["is_background"] = ["no", "maybe"]
    with pytest.raises(SchemaError, match="maybe"):
        validate_events(df)
    df = frame(2)
    df["event_date"] = ["2021-03-04", "04/03/2021"]
    with pytest.raises(SchemaError, match="04/03/2021"):
        validate_events(df)
    df["event_date"] = ["2021-03-04", ""]
    assert validate_events(df)["event_date"].isna().tolist() == [False, True]


def test_append_keeps_the_file_mode(tmp_path):
    path = tmp_path / "events.parquet"
    store = EventStore(path)
    old = os.umask(0o022)
    try:
        store.append(frame(2))
        assert stat.S_IMODE(path.stat().st_mode) == 0o644  # the umask's, not mkstemp's 0600
        os.chmod(path, 0o640)
        store.append(frame(3, "b"))
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
    finally:
        os.umask(old)


def test_stale_temporary_files_are_listed_and_cleaned(tmp_path):
    path = tmp_path / "events.parquet"
    store = EventStore(path)
    store.append(frame(2))
    left = tmp_path / ".events.parquet.tmp-deadbeef.parquet"  # what kill -9 leaves
    left.write_bytes(b"PAR1 half a file")
    assert [p.kind for p in check_store(path)] == ["temp"]
    store.append(frame(3, "b"))
    assert not left.exists() and check_store(path) == []


def test_side_file_is_merged_by_repair(tmp_path):
    path = tmp_path / "events.parquet"
    store = EventStore(path)
    store.append(frame(2))
    side = store.save_pending(frame(3, "b"))
    assert side.parent == tmp_path and side.name.startswith("events.pending-")
    assert [p.kind for p in check_store(path)] == ["pending"]
    report = repair_store(path)
    assert any("merged 3 new event(s)" in a for a in report.actions)
    assert len(store.read()) == 5 and not side.exists() and check_store(path) == []


def test_csv_output_is_spreadsheet_safe_and_reads_back(tmp_path):
    df = frame(3)
    df.loc[0, "source"] = "report\r=cmd|' /C calc'!A0.txt"
    df.loc[1, "notes"] = "'=already guarded"
    path = write_events(df, tmp_path / "e.csv")
    import csv as csv_mod

    rows = list(csv_mod.reader(path.open(newline="", encoding="utf-8")))
    assert len(rows) == 4
    assert not any(is_formula_text(cell) for row in rows for cell in row)
    pd.testing.assert_frame_equal(read_events(path), df)


def test_extract_into_a_corrupt_or_drifted_store_stops_before_the_work(tmp_path, capsys):
    from conflict_atlas.cli import main

    article = tmp_path / "a.txt"
    article.write_text("Des affrontements ont eu lieu mardi à Mossoul.", encoding="utf-8")
    corrupt = tmp_path / "corrupt.parquet"
    corrupt.write_bytes(b"not parquet at all")
    assert main(["extract", str(article), "--out", str(corrupt), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "cannot be read as Parquet" in err and "store repair" in err
    drifted = tmp_path / "drifted.parquet"
    _drifted(drifted)
    assert main(["extract", str(article), "--out", str(drifted), "--no-progress"]) == 1
    assert "'notes' is missing" in capsys.readouterr().err


def test_an_upload_the_store_cannot_take_is_kept_aside(tmp_path):
    """The Add articles page stores like `extract`: a drifted store refuses the upload's
    events, which go to a side file that `store repair` adds."""
    from dashboard.views.add_articles import store_upload

    store = tmp_path / "events.parquet"
    drifted = frame(3).drop(columns=["notes"]).rename(columns={"sentence": "Sentence"})
    drifted.to_parquet(store)  # written by something else, with another schema
    events = frame(2)
    stored = store_upload(store, events)
    assert stored.result is None and "not changed" in stored.error
    assert stored.side is not None and stored.side.parent == tmp_path
    assert len(pd.read_parquet(stored.side)) == 2
    fine = store_upload(tmp_path / "other.parquet", events)
    assert fine.result is not None and fine.result.added == 2 and not fine.error
