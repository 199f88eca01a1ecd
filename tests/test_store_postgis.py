"""The PostGIS event store on a real PostgreSQL server (see ``tests/postgres.py``; skipped
with the reason when the server, PostGIS or psycopg is absent)."""

from __future__ import annotations

import json
import multiprocessing
import sys
from pathlib import Path

import pandas as pd
import pytest

from conflict_atlas_core.settings import Settings
from dashboard.edits import EditConflict, EditLog, PostgisEditLog
from dashboard.synthetic import synthetic_events
from extract.schema import validate_events
from extract.store import EventStore, write_events
from extract.store_postgis import PostgisStore, StoreUnavailable, redact
from extract.stores import open_store


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    key = ["event_id"]
    pd.testing.assert_frame_equal(validate_events(a).sort_values(key).reset_index(drop=True),
                                  validate_events(b).sort_values(key).reset_index(drop=True))


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    df = synthetic_events(1500, seed=5, xss=True)
    # what CSV round trips get wrong: quotes, commas, new lines, Arabic, empty text, NULLs
    df.loc[0, "notes"] = 'a "quoted", comma\nand a new line'
    df.loc[1, "location"] = "دير الزور"
    df.loc[2, "actor2"] = ""
    df.loc[3, "event_date"] = pd.NaT
    df.loc[4, "fatalities"] = pd.NA
    df.loc[5, "is_background"] = True
    return validate_events(df)


def test_round_trip_is_exact(postgis_url: str, events: pd.DataFrame) -> None:
    store = PostgisStore(postgis_url)
    assert not store.exists() and len(store.read()) == 0 and store.version() == 0
    first = store.append(events)
    assert (first.added, first.total) == (len(events), len(events))
    _same(store.read(), events)
    assert store.exists() and store.version() == 1


def test_reruns_add_nothing_as_in_the_file_store(postgis_url: str, events: pd.DataFrame,
                                                 tmp_path: Path) -> None:
    """The same appends give the same counts as the GeoParquet store (the reference): an
    event is stored once by id, and an article coded again by the same pipeline adds none."""
    stores = [PostgisStore(postgis_url), EventStore(tmp_path / "events.parquet")]
    recoded = events.head(3).assign(event_id=lambda d: "x" + d["event_id"].str[1:])
    steps = [events.head(1000), events, recoded, events.tail(10)]
    results = [[store.append(step) for step in steps] for store in stores]
    assert results[0] == results[1]
    assert results[0][0].added == 1000 and results[0][1].skipped_duplicates >= 1000
    assert results[0][2].added == 0 and results[0][3].added == 0
    _same(stores[0].read(), stores[1].read())
    assert stores[0].version() == 2  # two appends added something


def test_geometry_and_indexes(postgis_url: str, events: pd.DataFrame) -> None:
    import psycopg

    PostgisStore(postgis_url).append(events)
    with psycopg.connect(postgis_url) as conn:
        srid, kind = conn.execute(
            "SELECT Find_SRID('public', 'events', 'geom'), "
            "GeometryType(geom) FROM events LIMIT 1").fetchone()
        assert (srid, kind) == (4326, "POINT")
        indexes = dict(conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'events'"))
        assert "USING gist (geom)" in indexes["events_geom_gist"]
        assert any("UNIQUE" in d and "(event_id)" in d for d in indexes.values())
        lon, lat = events["longitude"], events["latitude"]
        box = (float(lon.quantile(0.2)), float(lat.quantile(0.2)),
               float(lon.quantile(0.8)), float(lat.quantile(0.8)))
        n = conn.execute("SELECT count(*) FROM events WHERE geom && "
                         "ST_MakeEnvelope(%s, %s, %s, %s, 4326)", box).fetchone()[0]
    inside = events["longitude"].between(box[0], box[2]) & events["latitude"].between(
        box[1], box[3])
    assert n == int(inside.sum()) > 0


def test_read_pushes_a_condition_down(postgis_url: str, events: pd.DataFrame) -> None:
    store = PostgisStore(postgis_url)
    store.append(events)
    battles = store.read("event_type = %s", ("Battles",))
    assert len(battles) == int((events["event_type"] == "Battles").sum()) > 0
    assert set(battles["event_type"]) == {"Battles"}


def test_replace_is_one_transaction(postgis_url: str, events: pd.DataFrame) -> None:
    store = PostgisStore(postgis_url)
    store.append(events)
    with pytest.raises(Exception):  # noqa: B017 - the schema refuses it, whatever the class
        store.replace(events.assign(latitude=200.0))
    assert len(store.read()) == len(events)  # nothing half-written
    store.replace(events.head(10))
    _same(store.read(), events.head(10))


def _append_slice(url: str, start: int, stop: int, seed_events: str) -> int:
    df = pd.read_parquet(seed_events)
    return PostgisStore(url).append(df.iloc[start:stop]).added


def test_concurrent_writers_end_with_exactly_the_union(postgis_url: str, events: pd.DataFrame,
                                                       tmp_path: Path) -> None:
    """Four processes append overlapping slices at once."""
    source = tmp_path / "events.parquet"
    # one article per event, so that the union does not depend on the order of the commits
    # (an article already coded by the same pipeline adds nothing, whoever stored it first)
    events = events.assign(article_id=[f"art{i}" for i in range(len(events))])
    events.to_parquet(source)
    slices = [(0, 600), (300, 900), (600, 1200), (0, 1500)]
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        added = pool.starmap(_append_slice, [(postgis_url, a, b, str(source))
                                             for a, b in slices])
    assert sum(added) == len(events)
    stored = PostgisStore(postgis_url).read()
    assert stored["event_id"].is_unique
    _same(stored, events)


def test_open_store_and_settings_take_a_url(postgis_url: str, tmp_path: Path) -> None:
    assert isinstance(open_store(postgis_url), PostgisStore)
    assert isinstance(open_store(tmp_path / "e.parquet"), EventStore)
    settings = Settings.from_env({"CONFLICT_ATLAS_STORE": postgis_url})
    assert settings.store_location == postgis_url and settings.store is None
    assert isinstance(open_store(settings=settings), PostgisStore)


def test_unreachable_store_is_an_oserror_without_the_password(postgres_server: str) -> None:
    url = "postgresql://someone:s3cret@127.0.0.1:1/nowhere"
    store = PostgisStore(url)
    with pytest.raises(StoreUnavailable) as exc:
        store.read()
    assert isinstance(exc.value, OSError)
    assert "s3cret" not in str(exc.value) and "someone:***@" in str(exc.value)
    assert redact(url) == store.path


def test_a_refused_write_is_rolled_back_and_an_oserror(postgis_url: str,
                                                       events: pd.DataFrame) -> None:
    import psycopg

    store = PostgisStore(postgis_url)
    store.append(events.head(10))
    with psycopg.connect(postgis_url, autocommit=True) as conn:  # a constraint the data breaks
        conn.execute("ALTER TABLE events ADD CONSTRAINT no_battles "
                     "CHECK (event_type <> 'Battles') NOT VALID")
    with pytest.raises(StoreUnavailable, match="rolled back") as refused:
        store.append(events.iloc[10:200])
    assert isinstance(refused.value, OSError)
    assert store.count() == 10 and store.version() == 1


def test_edit_log_lives_in_its_table(postgis_url: str, events: pd.DataFrame) -> None:
    PostgisStore(postgis_url).append(events)
    log = EditLog.for_store(postgis_url)
    assert isinstance(log, PostgisEditLog)
    row = events.iloc[7]
    rec = log.set_fields(row, {"actor1": "Edited actor"}, who="rita", base="")
    log.discard(events.iloc[8]["event_id"], reason="duplicate", who="rita")
    edited, report = log.apply(PostgisStore(postgis_url).read())
    assert report.applied == 1 and report.discarded == 1
    assert edited.set_index("event_id").loc[row["event_id"], "actor1"] == "Edited actor"
    # a save made against an older base is refused, as in the file log
    with pytest.raises(EditConflict):
        log.set_fields(row, {"actor1": "Another"}, who="vera", base="")
    log.undo(rec["id"], who="rita")
    assert [r["op"] for r in log.records()] == ["set", "discard", "undo"]


def _cli(*args: str) -> int:
    from conflict_atlas.cli import main

    return main(list(args))


def test_migrate_both_ways_keeps_events_and_edits(postgis_url: str, events: pd.DataFrame,
                                                  tmp_path: Path,
                                                  capsys: pytest.CaptureFixture) -> None:
    source = tmp_path / "events.parquet"
    write_events(events, source)
    file_log = EditLog.for_store(source)
    file_log.set_fields(events.iloc[2], {"notes": "checked by hand"}, who="ada")
    assert _cli("store", "migrate", str(source), postgis_url) == 0
    assert "1,500 events copied" in capsys.readouterr().out
    _same(PostgisStore(postgis_url).read(), events)
    assert EditLog.for_store(postgis_url).records() == file_log.records()
    assert _cli("store", "migrate", str(source), postgis_url) == 0  # again: nothing new
    assert "0 events copied, 1,500 already there" in capsys.readouterr().out
    assert len(EditLog.for_store(postgis_url).records()) == 1
    back = tmp_path / "back.parquet"
    assert _cli("store", "migrate", postgis_url, str(back)) == 0
    _same(EventStore(back).read(), events)
    assert [json.dumps(r) for r in EditLog.for_store(back).records()] == \
        [json.dumps(r) for r in file_log.records()]


def test_extract_and_export_take_the_url(postgis_url: str, tmp_path: Path,
                                         capsys: pytest.CaptureFixture) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Le 3 mars 2024, une attaque à Gao a fait 4 morts parmi des civils.",
                       encoding="utf-8")
    assert _cli("extract", str(article), "--store", postgis_url, "--published",
                "2024-03-04", "--no-progress") == 0
    out = capsys.readouterr().out
    assert "in postgresql://" in out
    stored = PostgisStore(postgis_url).read()
    assert len(stored) >= 1 and "Gao" in set(stored["location"])
    csv = tmp_path / "out.csv"
    assert _cli("export", "--store", postgis_url, "--out", str(csv)) == 0
    assert len(pd.read_csv(csv)) == len(stored)


@pytest.mark.skipif(sys.platform != "linux", reason="the server fixture is Debian's")
def test_a_first_write_from_two_processes_creates_the_tables_once(postgis_url: str,
                                                                  events: pd.DataFrame,
                                                                  tmp_path: Path) -> None:
    source = tmp_path / "events.parquet"
    events.to_parquet(source)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        added = pool.starmap(_append_slice, [(postgis_url, 0, 10, str(source))] * 2)
    assert sorted(added) == [0, 10]


def test_dashboard_explores_and_reviews_the_url_store(postgis_url: str, events: pd.DataFrame,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    from dashboard.filters import FilterState, apply_filters

    # the test server trusts loopback connections: the password is only there to be hidden
    postgis_url = postgis_url.replace("postgres@", "postgres:s3cret@")
    PostgisStore(postgis_url).append(events)
    monkeypatch.setenv("CONFLICT_ATLAS_STORE", postgis_url)
    app = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
    at = AppTest.from_file(app, default_timeout=60).run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    shown = next(m.value for m in at.metric if m.label == "Events")
    assert shown == f"{len(apply_filters(events, FilterState())):,}"
    at.switch_page("views/about.py").run()
    captions = " ".join(c.value for c in at.caption)
    assert "postgres\\:\\*\\*\\*@" in captions and "s3cret" not in captions  # escaped
    target = events.iloc[3]
    at.query_params["event"] = target["event_id"]
    at.switch_page("views/review.py").run()
    next(w for w in at.text_input if w.label == "Actor 1").set_value("Reviewed in PostGIS")
    next(b for b in at.get("form_submit_button") if b.label == "Save edit").click().run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    (record,) = EditLog.for_store(postgis_url).records()
    assert record["changes"]["actor1"][1] == "Reviewed in PostGIS"


# -- filters pushed down to SQL (dashboard/sql.py) ---------------------------------------

def _states(events: pd.DataFrame) -> list:
    import datetime as dt

    from dashboard.filters import FilterState

    actors = [a for a in events["actor1"].value_counts().index[:2]]
    lon, lat = events["longitude"], events["latitude"]
    box = (float(lon.quantile(0.3)), float(lat.quantile(0.3)),
           float(lon.quantile(0.7)), float(lat.quantile(0.7)))
    word = "kirkuk"  # in sentences, in another case
    return [
        FilterState(),
        FilterState(include_background=True),
        FilterState(date_from=dt.date(2024, 3, 1), date_to=dt.date(2024, 6, 30)),
        FilterState(date_from=dt.date(2024, 3, 1), include_undated=True),
        FilterState(date_to=dt.date(2024, 1, 31)),
        FilterState(event_types=("Battles", "Riots"), countries=(events["country"].iloc[0],)),
        FilterState(sub_event_types=(events["sub_event_type"].iloc[1],)),
        FilterState(actors=tuple(actors)),
        FilterState(actors=tuple(actors), actor_role="actor2"),
        FilterState(actors=tuple(actors[:1]), actor_role="actor1"),
        FilterState(admin1=(events["admin1"].iloc[2],), geo_precision=(1, 2)),
        FilterState(min_confidence=0.7, languages=("fr",)),
        FilterState(sources=(events["source"].iloc[3],)),
        FilterState(bbox=box),
        FilterState(text=word.upper()),
        FilterState(text="ONERROR"),
        FilterState(text="<script>"),
        FilterState(text="'; DROP TABLE events; --"),
    ]


def test_sql_filters_select_what_pandas_selects(postgis_url: str,
                                                events: pd.DataFrame) -> None:
    from dashboard.filters import apply_filters
    from dashboard.sql import count, filtered_events

    store = PostgisStore(postgis_url)
    store.append(events)
    for state in _states(events):
        expected = set(apply_filters(events, state)["event_id"])
        got = filtered_events(store, state)
        assert set(got["event_id"]) == expected, state
        assert count(store, state) == len(expected), state
    assert store.count() == len(events)  # the injection attempt was only a search


def test_sql_filters_see_review_edits(postgis_url: str, events: pd.DataFrame) -> None:
    from dashboard.filters import FilterState, apply_filters
    from dashboard.sql import filtered_events

    store = PostgisStore(postgis_url)
    store.append(events)
    log = EditLog.for_store(postgis_url)
    riots = events[events["event_type"] == "Riots"].head(3)
    for _, row in riots.iterrows():  # out of "Riots", into "Battles"
        log.set_fields(row, {"event_type": "Battles", "sub_event_type": "Armed clash"})
    battle = events[events["event_type"] == "Battles"].iloc[0]
    log.discard(battle["event_id"], reason="duplicate")
    edited, _ = log.apply(events)
    for state in (FilterState(event_types=("Battles",)), FilterState(event_types=("Riots",)),
                  FilterState()):
        expected = apply_filters(edited, state)
        got = filtered_events(store, state, log)
        assert set(got["event_id"]) == set(expected["event_id"]), state
        _same(got, expected)


def test_grid_counts_in_the_database(postgis_url: str, events: pd.DataFrame) -> None:
    import numpy as np

    from dashboard.filters import FilterState, apply_filters
    from dashboard.sql import grid_counts

    store = PostgisStore(postgis_url)
    store.append(events)
    state = FilterState(event_types=("Battles", "Explosions/Remote violence"))
    cells = grid_counts(store, state, 1.0)
    rows = apply_filters(events, state)
    assert cells["count"].sum() == len(rows)
    # ST_SnapToGrid rounds to the nearest multiple of the cell size
    keys = pd.Series(list(zip(np.round(rows["longitude"]), np.round(rows["latitude"]),
                              strict=True))).value_counts()
    assert sorted(cells["count"]) == sorted(keys.to_list())
