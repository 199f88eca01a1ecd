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


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    out = df.reset_index(drop=True)
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].astype(str).astype(object)
    out = out.sort_values(list(out.columns), kind="stable").reset_index(drop=True)
    return out.astype({c: "int64" for c in ("count", "events", "fatalities") if c in out})


def _grid(df: pd.DataFrame) -> pd.DataFrame:
    return _sorted(df.assign(latitude=df["latitude"].astype(float).round(9),
                             longitude=df["longitude"].astype(float).round(9)))


def test_the_explore_page_reads_the_same_figures_from_the_database(
        postgis_url: str, events: pd.DataFrame) -> None:
    """Every figure of the Explore page, from the database (summary tables or events) and
    from the table in memory, with review edits that move events in and out of filters."""
    import datetime as dt

    from dashboard import aggregate, data, mapview
    from dashboard.explore_data import DatabaseExplore, FrameExplore
    from dashboard.filters import FilterState
    from dashboard.sql import cube_answers
    from extract.store_postgis import CUBE_CELL

    store = PostgisStore(postgis_url)
    store.append(events)
    log = EditLog.for_store(postgis_url)
    riots = events[events["event_type"] == "Riots"].head(3)
    for _, row in riots.iterrows():  # out of "Riots", into "Battles", and moved
        log.set_fields(row, {"event_type": "Battles", "sub_event_type": "Armed clash",
                             "location": "Moved", "latitude": 35.0, "longitude": 41.0})
    log.discard(events[events["event_type"] == "Battles"].iloc[0]["event_id"], reason="dup")
    edited, _ = log.apply(events)
    active = log.active()

    def frame(state: FilterState) -> FrameExplore:
        return FrameExplore(edited, data.view_frame(edited), state,
                            lambda name, rows, arg: data.compute_aggregate(name, rows, arg),
                            data.VIEW_COLUMNS)

    states = [*_states(events),
              FilterState(event_types=("Battles",), date_from=dt.date(2024, 2, 1)),
              FilterState(event_types=("Riots",))]
    assert any(cube_answers(s) for s in states) and not all(cube_answers(s) for s in states)
    for state in states:
        mem, db = frame(state), DatabaseExplore(store, state, active, len(edited))
        assert db.count == mem.count, state
        assert db.aggregate("summary") == mem.aggregate("summary"), state
        pd.testing.assert_frame_equal(db.aggregate("time_series"),
                                      mem.aggregate("time_series").astype("int64"),
                                      check_names=False, check_freq=False)
        top_db, top_mem = db.aggregate("top_actors", 50), mem.aggregate("top_actors", 50)
        pd.testing.assert_frame_equal(_sorted(top_db), _sorted(top_mem))
        pd.testing.assert_frame_equal(
            _sorted(db.aggregate("admin1_counts")),
            _sorted(mem.aggregate("admin1_counts")))
        assert db.aggregate("event_types") == mem.aggregate("event_types"), state
        assert db.undated_outside() == mem.undated_outside(), state
        assert set(db.rows()["event_id"]) == set(mem.rows()["event_id"]), state
        newest_db, newest_mem = db.table(40, ["event_id", "event_date"]), mem.table(40, [
            "event_id", "event_date"])
        assert newest_db["event_date"].tolist() == newest_mem["event_date"].tolist(), state
        for cell in (CUBE_CELL, 4 * CUBE_CELL, 0.25):
            pd.testing.assert_frame_equal(
                _grid(db.map_source(None).grid(cell, False)),
                _grid(aggregate.grid_places(mem.filtered, cell)), check_exact=False)
        if not cube_answers(state):
            pd.testing.assert_frame_equal(_sorted(db.map_source(None).h3(5, False)),
                                          _sorted(mem.map_source(None).h3(5, False)),
                                          check_exact=False)
        box = (42.0, 33.0, 45.0, 37.0)
        spot = mapview.Spot(lon=44.3661, lat=33.3152, zoom=6.0)
        assert db.spot(spot, 5)[0] == mem.spot(spot, 5)[0], state
        if not cube_answers(state):
            assert db.map_source(box).in_view == mem.map_source(box).in_view, state
        else:  # the summary cells touching the view: at least the events in it
            assert db.map_source(box).in_view >= mem.map_source(box).in_view, state
    target = riots.iloc[0]["event_id"]
    assert DatabaseExplore(store, FilterState(), active, 0).selected(target)["location"] == "Moved"
    _countries, admin1, _err = data.boundaries()
    if admin1 is not None:  # the choropleth: the same count per unit
        for state in states[:3]:
            db = DatabaseExplore(store, state, active, 0,
                                 units=lambda: (admin1, *data.admin1_lookup()))
            got, want = db.aggregate("choropleth"), frame(state).aggregate("choropleth")
            assert len(want) and dict(zip(got["name"], got["events"], strict=True)) == dict(
                zip(want["name"], want["events"], strict=True))
    assert sql_bounds_match(store, edited, active)


def sql_bounds_match(store: PostgisStore, edited: pd.DataFrame, active: list) -> bool:
    from dashboard.filters import actor_options, options
    from dashboard.sql import date_bounds, distinct

    for bg in (False, True):
        dates = (edited["event_date"] if bg else
                 edited.loc[~edited["is_background"], "event_date"]).dropna()
        assert date_bounds(store, bg, active) == (dates.min().date(), dates.max().date())
    for column in ("country", "language", "source"):
        assert distinct(store, column, active) == options(edited, column)
    assert set(distinct(store, "actor", active)) >= set(actor_options(edited))
    return True


def test_an_older_store_is_upgraded_by_its_next_write(postgis_url: str,
                                                      events: pd.DataFrame) -> None:
    import psycopg

    from dashboard.sql import has_cube, overview, select

    store = PostgisStore(postgis_url)
    store.append(events.iloc[:999])  # whole articles (three events each)
    with psycopg.connect(postgis_url, autocommit=True) as conn:  # as schema 1 left it
        conn.execute("DROP TABLE event_daily, event_cube, event_actor_cube")
        conn.execute("DROP INDEX events_notes_trgm, events_sentence_trgm, events_newest")
        conn.execute("UPDATE conflict_atlas_meta SET value = 1 WHERE key = 'schema'")
    from dashboard.filters import FilterState

    assert not has_cube(store)
    before = overview(store, select(store, FilterState()))["events"]  # read as it is
    assert store.append(events.iloc[999:]).added == len(events) - 999
    assert has_cube(store)
    sel = select(store, FilterState())
    assert sel.cube and overview(store, sel)["events"] > before
    with psycopg.connect(postgis_url) as conn:
        plan = "\n".join(r[0] for r in conn.execute(
            "EXPLAIN SELECT event_id FROM events WHERE lower(notes) LIKE '%kirkuk%'"))
    assert "events_notes_trgm" in plan or "Seq Scan" in plan  # the index exists to be chosen


def test_warm_up_of_a_database_fills_the_page_caches(postgis_url: str,
                                                     events: pd.DataFrame) -> None:
    from dashboard import data
    from dashboard.filters import FilterState

    PostgisStore(postgis_url).append(events)
    data.clear_caches()
    timings = data.warm_up(postgis_url)
    assert {"events", "places", "options", "first view"} <= set(timings)
    loaded = data.load_explore(postgis_url)
    assert loaded.database and loaded.total == len(events) and not len(loaded.events)
    ex = data.explore_data(loaded, FilterState())
    # the first view's figures are those the warm-up computed (one shared cache)
    assert ex._overview() is data.explore_data(loaded, FilterState())._overview()
    assert data.city_labels(postgis_url)["name"].tolist()
    data.clear_caches()
