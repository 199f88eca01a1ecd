import multiprocessing
import os

import pandas as pd
import pytest

from extract.schema import SchemaError, events_frame, make_event_id
from extract.store import EventStore, read_events, write_events
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
    more = store.append(frame(4))
    assert (first.added, again.added, again.skipped_duplicates) == (3, 0, 3)
    assert (more.added, more.total) == (1, 4)
    assert store.read()["event_id"].is_unique


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
