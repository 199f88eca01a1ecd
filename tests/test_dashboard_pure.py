"""Unit tests of the dashboard's pure modules: filters, URL state, timeline, aggregation,
layers, export, edits and safe text."""

from __future__ import annotations

import datetime as dt
import io
import json
import random

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from dashboard import aggregate, layers, mapview, text, timeline
from dashboard.edits import EditLog, apply_edits, edits_path_for
from dashboard.export import (
    FORMATS,
    export_bytes,
    export_filename,
    neutralise_formulas,
    sidecar,
)
from dashboard.filters import FilterState, actor_options, apply_filters, options, safe_slug
from dashboard.synthetic import ACTORS, XSS, synthetic_events
from dashboard.urlstate import AppState, ViewState, params_to_state, state_to_params
from extract.schema import COLUMNS, EventType, SubEventType, validate_events
from extract.store import read_events, write_events


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return synthetic_events(2000, seed=7, xss=True)


# --- filters ------------------------------------------------------------------------------

def test_default_filter_drops_only_background(events: pd.DataFrame) -> None:
    out = apply_filters(events, FilterState())
    assert len(out) == int((~events["is_background"]).sum())
    assert len(apply_filters(events, FilterState(include_background=True))) == len(events)


def test_each_filter_matches_a_pandas_reference(events: pd.DataFrame) -> None:
    e = events[~events["is_background"]]
    cases = [
        (FilterState(event_types=("Battles",)), e["event_type"] == "Battles"),
        (FilterState(sub_event_types=("Armed clash", "Looting/property destruction")),
         e["sub_event_type"].isin(["Armed clash", "Looting/property destruction"])),
        (FilterState(countries=("Syria",)), e["country"] == "Syria"),
        (FilterState(admin1=("Anbar",)), e["admin1"] == "Anbar"),
        (FilterState(actors=(ACTORS[0],)), (e["actor1"] == ACTORS[0]) | (e["actor2"] == ACTORS[0])),
        (FilterState(actors=(ACTORS[0],), actor_role="actor1"), e["actor1"] == ACTORS[0]),
        (FilterState(actors=(ACTORS[0],), actor_role="actor2"), e["actor2"] == ACTORS[0]),
        (FilterState(geo_precision=(1,)), e["geo_precision"] == 1),
        (FilterState(min_confidence=0.8), e["confidence"] >= 0.8),
        (FilterState(languages=("fr",)), e["language"] == "fr"),
        (FilterState(sources=("AFP", "RFI")), e["source"].isin(["AFP", "RFI"])),
        (FilterState(text="MOSUL"), e["sentence"].str.lower().str.contains("mosul")),
        (FilterState(date_from=dt.date(2024, 3, 1), date_to=dt.date(2024, 3, 31)),
         (e["event_date"] >= "2024-03-01") & (e["event_date"] <= "2024-03-31")),
        (FilterState(bbox=(35.0, 32.0, 41.0, 37.0)),
         e["longitude"].between(35, 41) & e["latitude"].between(32, 37)),
    ]
    for state, expected in cases:
        got = apply_filters(events, state)
        assert len(got) == int(expected.sum()), state
        assert set(got["event_id"]) == set(e.loc[expected, "event_id"]), state


def test_filters_combine_and_text_is_literal(events: pd.DataFrame) -> None:
    state = FilterState(event_types=("Battles",), countries=("Iraq",), min_confidence=0.5)
    got = apply_filters(events, state)
    assert len(got) > 0
    assert (got["event_type"] == "Battles").all() and (got["country"] == "Iraq").all()
    assert (got["confidence"] >= 0.5).all()
    # regex metacharacters are searched literally
    assert len(apply_filters(events, FilterState(text=".*"))) == 0
    assert len(apply_filters(events, FilterState(text="<img src=x"))) == 1


def test_date_to_includes_the_whole_day_and_undated_rows_drop_out() -> None:
    df = synthetic_events(10, seed=1)
    df.loc[0, "event_date"] = pd.Timestamp("2024-05-05 13:00")
    df.loc[1, "event_date"] = pd.NaT
    df["is_background"] = False
    got = apply_filters(df, FilterState(date_from=dt.date(2024, 5, 5), date_to=dt.date(2024, 5, 5)))
    assert list(got["event_id"]) == [df.loc[0, "event_id"]]
    assert df.loc[1, "event_id"] in set(apply_filters(df, FilterState())["event_id"])


def test_filter_state_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        FilterState(min_confidence=2)
    with pytest.raises(ValueError):
        FilterState(date_from=dt.date(2024, 2, 1), date_to=dt.date(2024, 1, 1))
    with pytest.raises(ValueError):
        FilterState(actor_role="both")
    with pytest.raises(ValueError):
        FilterState(bbox=(10, 0, 5, 1))


def test_options_and_empty_frames(events: pd.DataFrame) -> None:
    assert options(events, "country") == ["Iraq", "Syria"]
    assert actor_options(events)[0] in ACTORS
    empty = events.iloc[0:0]
    assert len(apply_filters(empty, FilterState(text="x", event_types=("Battles",)))) == 0
    assert options(empty, "country") == []


def test_summary_slug_is_file_name_safe() -> None:
    s = FilterState(date_from=dt.date(2024, 1, 1), event_types=("Explosions/Remote violence",),
                    text="../../etc/passwd")
    slug = s.summary()
    assert "/" not in slug and "\\" not in slug and ".." not in slug.replace("...", "")
    assert slug.startswith("2024-01-01_end_Explosions-Remote-violence")
    assert FilterState().summary() == "all"
    assert safe_slug("a:b c") == "a-b-c"


# --- URL state ----------------------------------------------------------------------------

def _random_state(rng: random.Random) -> AppState:
    words = ["Iraq", "Syria", "a,b", "50%", "x%2Cy", "Militia <b>", "é ü", "Al-Qaeda"]
    pick = lambda pool: tuple(rng.sample(pool, rng.randint(0, min(3, len(pool)))))
    d1 = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 1000))
    f = FilterState(
        date_from=d1 if rng.random() < 0.5 else None,
        date_to=d1 + dt.timedelta(days=rng.randint(0, 400)) if rng.random() < 0.5 else None,
        actors=pick(words), actor_role=rng.choice(["either", "actor1", "actor2"]),
        event_types=pick([t.value for t in EventType]),
        sub_event_types=pick([s.value for s in SubEventType]),
        countries=pick(words), admin1=pick(words),
        text=rng.choice(["", "attack", "a,b%", "<img src=x>"]),
        geo_precision=pick([1, 2, 3]), min_confidence=rng.choice([0.0, 0.25, 0.333, 1.0]),
        include_background=rng.random() < 0.5, include_undated=rng.random() < 0.5,
        languages=pick(["fr", "en"]),
        sources=pick(words),
        bbox=rng.choice([None, (30.5, 29.0, 48.25, 37.5)]),
    )
    v = ViewState(
        layer=rng.choice(["points", "heatmap", "hexagon", "choropleth"]),
        basemap=rng.choice(["offline", "carto"]),
        lat=rng.choice([None, 33.3, -12.5]), lon=rng.choice([None, 44.4, 0.0]),
        zoom=rng.choice([None, 5.5, 0.0]), pitch=rng.choice([0.0, 45.0]),
        bearing=rng.choice([0.0, -30.5]), event=rng.choice(["", "abc123def456"]),
        present=rng.random() < 0.3, step=rng.choice(["day", "week", "month"]),
        window=rng.choice(["cumulative", "moving"]),
        cursor=rng.choice([None, dt.date(2024, 2, 29)]),
    )
    return AppState(filters=f, view=v)


def test_url_round_trip_property() -> None:
    rng = random.Random(42)
    for _ in range(500):
        state = _random_state(rng)
        params = state_to_params(state)
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in params.items())
        back, notices = params_to_state(params)
        assert notices == []
        assert back == state


def test_default_state_has_empty_url() -> None:
    assert state_to_params(AppState()) == {}
    assert params_to_state({}) == (AppState(), [])


def test_bad_params_are_ignored_with_notices() -> None:
    params = {"type": "Battles,Dragons", "conf": "high", "from": "2024-13-45", "zoom": "99",
              "layer": "<script>", "foo": "bar", "lat": "nan", "present": "maybe",
              "country": "Iraq", "to": "2024-01-01", "bbox": "1,2,3"}
    state, notices = params_to_state(params)
    assert state.filters == FilterState(countries=("Iraq",), date_to=dt.date(2024, 1, 1))
    assert state.view == ViewState()
    joined = " ".join(notices)
    for name in ("type", "conf", "from", "zoom", "layer", "foo", "lat", "present", "bbox"):
        assert name in joined, name
    assert len(notices) == 9


def test_params_that_conflict_are_dropped_not_fatal() -> None:
    state, notices = params_to_state({"from": "2024-05-01", "to": "2024-01-01"})
    assert state.filters.date_from == dt.date(2024, 5, 1)
    assert state.filters.date_to is None
    assert notices and "fit together" in notices[0]


def test_list_valued_params_use_the_last_value() -> None:
    state, notices = params_to_state({"layer": ["points", "heatmap"]})
    assert state.view.layer == "heatmap" and not notices


# --- timeline -----------------------------------------------------------------------------

def test_frames_and_windows() -> None:
    f = timeline.frames(dt.date(2024, 1, 1), dt.date(2024, 1, 20), "week")
    assert f == [dt.date(2024, 1, 1), dt.date(2024, 1, 8), dt.date(2024, 1, 15),
                 dt.date(2024, 1, 20)]
    assert timeline.next_cursor(dt.date(2024, 1, 31), "month") == dt.date(2024, 2, 29)
    assert timeline.window(dt.date(2024, 1, 15), "week", "moving", dt.date(2024, 1, 1)) == (
        dt.date(2024, 1, 9), dt.date(2024, 1, 15))
    assert timeline.window(dt.date(2024, 1, 3), "week", "moving", dt.date(2024, 1, 1)) == (
        dt.date(2024, 1, 1), dt.date(2024, 1, 3))
    assert timeline.window(dt.date(2024, 1, 15), "day", "cumulative", dt.date(2024, 1, 1)) == (
        dt.date(2024, 1, 1), dt.date(2024, 1, 15))
    assert timeline.frames(dt.date(2024, 2, 1), dt.date(2024, 1, 1), "day") == []
    with pytest.raises(ValueError):
        timeline.next_cursor(dt.date(2024, 1, 1), "year")


# --- aggregation --------------------------------------------------------------------------

def test_summary_and_by_place(events: pd.DataFrame) -> None:
    s = aggregate.summary(events)
    assert s.events == len(events)
    assert s.fatalities == int(events["fatalities"].fillna(0).sum())
    assert s.places == len(events[["country", "admin1", "location"]].drop_duplicates())
    assert s.first == events["event_date"].min().date()
    assert s.span_days == (s.last - s.first).days + 1
    places = aggregate.by_place(events)
    assert places["count"].sum() == len(events)
    assert aggregate.summary(events.iloc[0:0]).events == 0


def test_h3_bins_conserve_counts(events: pd.DataFrame) -> None:
    for res in (2, 5, 8):
        bins = aggregate.h3_bins(events, res)
        assert bins["count"].sum() == len(events)
        assert bins["fatalities"].sum() == int(events["fatalities"].fillna(0).sum())
        assert bins["hex"].is_unique
    assert aggregate.zoom_to_h3_resolution(0) == 1
    assert aggregate.zoom_to_h3_resolution(20) == 9


def test_time_series_top_actors_admin1(events: pd.DataFrame) -> None:
    weekly = aggregate.time_series(events, "W")
    assert int(weekly.to_numpy().sum()) == int(events["event_date"].notna().sum())
    assert all(ts.day_of_week == 0 for ts in weekly.index)  # weeks start on Monday
    monthly = aggregate.time_series(events, "M")
    assert len(monthly) == 12 and monthly.index[0] == pd.Timestamp("2024-01-01")
    top = aggregate.top_actors(events, 3)
    both = pd.concat([events["actor1"], events["actor2"]])
    assert top["events"].iloc[0] == both[both != ""].value_counts().iloc[0]
    a1 = aggregate.admin1_counts(events)
    assert a1["events"].sum() == len(events)


def test_choropleth_counts_by_spatial_join(events: pd.DataFrame) -> None:
    polys = gpd.GeoDataFrame({"name": ["west", "east"]},
                             geometry=[box(35, 29, 41, 38), box(41, 29, 49, 38)],
                             crs="EPSG:4326")
    out = aggregate.choropleth_counts(events, polys)
    west = (events["longitude"] < 41).sum()
    assert dict(zip(out["name"], out["events"], strict=True)) == {
        "west": west, "east": len(events) - west}


# --- layers -------------------------------------------------------------------------------

def test_point_records_tooltips_are_plain_text(events: pd.DataFrame) -> None:
    # issue 15 item 8: tooltips were escaped twice (&#x27;, a literal <br/>); the map
    # component writes tt_title / tt_lines as text nodes, so they hold the text itself
    recs = layers.point_records(events)
    lines = [line for item in recs["tt_lines"] for line in item]
    blob = " ".join(recs["tt_title"]) + " ".join(lines)
    assert any(line.startswith(f"Militia {XSS}") for line in lines) and f"Town {XSS}" in lines
    assert "&lt;" not in blob and "&#x27;" not in blob and "<br" not in blob
    quoted = events.head(3).assign(location="Dar'a")
    assert "Dar'a" in layers.point_records(quoted)["tt_lines"].iloc[0]
    assert len(recs) == len(events)
    colors = set(zip(recs["r"], recs["g"], recs["b"], strict=True))
    assert len(colors) == len(EventType)


def test_offline_layers_make_no_request(events: pd.DataFrame) -> None:
    res = layers.build_layers(events.head(50), "points", 5.0)
    spec = json.loads(layers.layers_json(res.layers))
    assert not res.aggregated and res.objects_sent == 50
    assert spec[-1]["radiusUnits"] == "pixels"  # a literal, not an "@@=" expression
    base = layers.offline_basemap_layers(None, None, pd.DataFrame(
        {"name": ["Mosul"], "lat": [36.3], "lon": [43.1]}))
    blob = layers.layers_json(base + res.layers)
    assert "http" not in blob and "carto" not in blob


def test_large_sets_are_aggregated_and_said_so() -> None:
    big = synthetic_events(layers.POINT_LIMIT + 10, seed=3, jitter=0.3)
    res = layers.build_layers(big, "points", 5.0)
    assert res.aggregated and "aggregated on the server" in res.note
    assert res.objects_sent < 5000 and res.resolution is not None and res.top > 0
    heat = layers.build_layers(big, "heatmap", 5.0)
    assert heat.objects_sent <= layers.PLACE_LIMIT
    for name in ("hexagon", "choropleth"):
        assert isinstance(layers.build_layers(big.head(100), name, 5.0).layers, list)


def test_level_of_detail_follows_the_view() -> None:
    big = synthetic_events(layers.POINT_LIMIT + 10, seed=3, jitter=0.3)
    # zoomed in on Mosul: few events in view, drawn one by one
    mosul = mapview.in_bounds(big, (42.9, 36.1, 43.4, 36.6))
    assert 0 < mosul.sum() < layers.POINT_LIMIT
    near = layers.build_layers(big, "points", 10.0, in_view=mosul)
    assert not near.aggregated and near.objects_sent == mosul.sum()
    assert near.layers[0].id == "events"
    # the whole region in view: H3 cells, finer as the zoom grows
    everything = np.ones(len(big), dtype=bool)
    far = layers.build_layers(big, "points", 4.0, in_view=everything)
    closer = layers.build_layers(big, "points", 7.0, in_view=everything)
    assert far.aggregated and closer.aggregated
    assert far.resolution < closer.resolution


def test_fit_view_and_legend(events: pd.DataFrame) -> None:
    lat, lon, zoom = layers.fit_view(events)
    assert 29 < lat < 38 and 35 < lon < 49 and 3 < zoom < 8
    assert layers.legend()[0] == ("Battles", "#c81e2d")


# --- export -------------------------------------------------------------------------------

def test_neutralise_formulas() -> None:
    df = pd.DataFrame({"a": ["=1+1", "+cmd", "-2", "@SUM(A1)", "\tx", "\rx", "ok", ""],
                       "n": [-1, 2, 3, 4, 5, 6, 7, 8]})
    out = neutralise_formulas(df)
    assert list(out["a"]) == ["'=1+1", "'+cmd", "'-2", "'@SUM(A1)", "'\tx", "'\rx", "ok", ""]
    assert list(out["n"]) == list(df["n"])


def test_csv_export_is_acled_shaped_and_safe(events: pd.DataFrame) -> None:
    df = events.head(20).copy()
    df.loc[1, "notes"] = '=HYPERLINK("http://evil","x")'
    data = export_bytes(df, "csv")
    back = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    assert list(back.columns[:4]) == ["event_id_cnty", "event_date", "year", "time_precision"]
    assert "iso3" in back.columns and "sentence" in back.columns
    assert len(back) == 20
    assert back.loc[1, "notes"].startswith("'=HYPERLINK")
    assert list(back["event_id_cnty"]) == list(df["event_id"])
    assert back.loc[0, "year"] == str(df.loc[0, "event_date"].year)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_holds_exactly_the_rows(fmt: str, events: pd.DataFrame, tmp_path) -> None:
    df = apply_filters(events, FilterState(countries=("Syria",), event_types=("Battles",)))
    data = export_bytes(df, fmt)
    path = tmp_path / export_filename(FilterState(countries=("Syria",)), fmt)
    path.write_bytes(data)
    if fmt == "xlsx":
        back = pd.read_excel(path, dtype=str)
        ids = back["event_id_cnty"]
    elif fmt == "csv":
        ids = pd.read_csv(path, dtype=str)["event_id_cnty"]
    else:
        back = read_events(path.with_suffix(".parquet") if fmt == "geoparquet" else path)
        ids = back["event_id"]
    assert sorted(ids) == sorted(df["event_id"])


def test_export_filename_and_sidecar() -> None:
    state = FilterState(date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 3, 31),
                        event_types=("Battles",))
    assert export_filename(state, "csv") == "conflict-atlas_2024-01-01_2024-03-31_Battles.csv"
    meta = sidecar(state, 12, "csv", store="x.parquet")
    assert meta["rows"] == 12 and meta["filter"]["event_types"] == ["Battles"]
    assert meta["filter"]["date_from"] == "2024-01-01" and meta["pipeline_version"]
    json.dumps(meta)
    with pytest.raises(ValueError):
        export_bytes(pd.DataFrame(columns=list(COLUMNS)), "pdf")


# --- edits --------------------------------------------------------------------------------

def test_edit_log_apply_and_undo(events: pd.DataFrame, tmp_path) -> None:
    store = tmp_path / "events.parquet"
    log = EditLog.for_store(store)
    assert log.path == tmp_path / "events.edits.jsonl" == edits_path_for(store)
    row = events.iloc[5]
    e1 = log.set_fields(row, {"actor1": "Renamed actor", "fatalities": 9}, who="ana")
    e2 = log.discard(events.iloc[6]["event_id"], reason="duplicate", who="ana")
    out, report = apply_edits(events, log.active())
    assert report.applied == 1 and report.discarded == 1 and not report.skipped
    assert len(out) == len(events) - 1
    edited = out.set_index("event_id").loc[row["event_id"]]
    assert edited["actor1"] == "Renamed actor" and edited["fatalities"] == 9
    rec = log.records()[0]
    assert rec["who"] == "ana" and rec["changes"]["actor1"] == [row["actor1"], "Renamed actor"]
    assert rec["when"]
    # undo the discard, then the edit
    log.undo(e2["id"])
    out2, _ = apply_edits(events, log.active())
    assert len(out2) == len(events)
    log.undo(e1["id"])
    out3, _ = apply_edits(events, log.active())
    assert out3.set_index("event_id").loc[row["event_id"], "actor1"] == row["actor1"]
    # undoing an undo re-applies
    undo_id = log.records()[-1]["id"]
    log.undo(undo_id)
    assert [r["id"] for r in log.active()] == [e1["id"]]
    validate_events(out3)


def test_edits_survive_reextraction(events: pd.DataFrame, tmp_path) -> None:
    store = tmp_path / "events.parquet"
    write_events(events.head(30), store)
    log = EditLog.for_store(store)
    target = events.iloc[3]
    log.set_fields(target, {"location": "Corrected place", "latitude": 33.0}, who="a")
    # the pipeline rewrites the store with the same events (fresh extraction)
    write_events(synthetic_events(2000, seed=7, xss=True).head(30), store)
    out, _ = apply_edits(read_events(store), log.active())
    got = out.set_index("event_id").loc[target["event_id"]]
    assert got["location"] == "Corrected place" and got["latitude"] == 33.0


def test_invalid_edits_are_skipped_not_fatal(events: pd.DataFrame, tmp_path) -> None:
    log = EditLog(tmp_path / "e.jsonl")
    row = events.iloc[0]
    wrong_sub = "Peaceful protest" if row["event_type"] != "Protests" else "Armed clash"
    log.set_fields(row, {"sub_event_type": wrong_sub})
    log.path.open("a").write("not json\n")
    log.set_fields(row, {"notes": "fine"})
    out, report = apply_edits(events, log.active())
    assert report.applied == 1 and len(report.skipped) == 1
    assert out.set_index("event_id").loc[row["event_id"], "notes"] == "fine"
    with pytest.raises(ValueError):
        log.set_fields(row, {"event_id": "x"})
    with pytest.raises(ValueError):
        log.undo("nope")


# --- safe text ----------------------------------------------------------------------------

def test_highlight_escapes_everything() -> None:
    sentence = f"Clashes near Town {XSS} with Militia in Mosul on 3 May."
    out = text.highlight(sentence, {"place": ["Mosul", f"Town {XSS}"], "actor": ["Militia"],
                                    "date": ["3 May"]})
    assert "<img" not in out
    assert "&lt;img src=x onerror=alert(1)&gt;" in out
    assert out.count("<mark") == 4
    assert ">Mosul</mark>" in out


def test_safe_url() -> None:
    assert text.safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert text.safe_url("javascript:alert(1)") is None
    assert text.safe_url("//evil") is None
    assert text.safe_url("") is None


def test_offline_basemap_layers_draw_outlines_and_labels(events: pd.DataFrame) -> None:
    countries = gpd.GeoDataFrame({"name": ["A"]}, geometry=[box(35, 29, 49, 38)],
                                 crs="EPSG:4326").__geo_interface__
    cities = pd.DataFrame({"name": ["Mosul", XSS], "lat": [36.34, 33.3], "lon": [43.13, 44.4]})
    names = pd.DataFrame({"name": ["Iraq"], "lat": [33.0], "lon": [43.5]})
    base = layers.offline_basemap_layers(countries, countries, cities, names)
    assert [layer.id for layer in base] == ["basemap-countries", "basemap-admin1",
                                            "basemap-country-names", "basemap-cities"]
    dark = layers.offline_basemap_layers(countries, None, None, theme="dark")
    assert json.loads(layers.layers_json(dark))[0]["getFillColor"] == list(
        layers.PALETTES["dark"].land)


def test_place_labels_have_no_duplicates() -> None:
    # the sample's "Deir ez-Zor" (the town) and "Dayr az Zawr" (its governorate, 24 km away)
    places = pd.DataFrame({
        "name": ["Deir ez-Zor", "Dayr az Zawr", "Mosul", "mosul", "Ninawa"],
        "lat": [35.33588, 35.154729, 36.335, 36.34, 36.2],
        "lon": [40.14084, 40.28067, 43.11889, 43.12, 42.5],
        "count": [5, 3, 4, 1, 9], "precision": [1, 1, 1, 1, 3]})
    out = layers.place_labels(places)
    assert list(out["name"]) == ["Deir ez-Zor", "Mosul"]


def test_declutter_keeps_labels_apart() -> None:
    cities = pd.DataFrame({"name": ["Baghdad", "Green Zone", "Mosul"],
                           "lat": [33.34, 33.305, 36.335], "lon": [44.40, 44.392, 43.119]})
    countries = pd.DataFrame({"name": ["Iraq"], "lat": [33.0], "lon": [43.7]})
    names, kept = layers.declutter(countries, cities, 5.0)
    assert list(names["name"]) == ["Iraq"] and list(kept["name"]) == ["Baghdad", "Mosul"]
    _names, zoomed = layers.declutter(countries, cities, 12.0)
    assert list(zoomed["name"]) == ["Baghdad", "Green Zone", "Mosul"]
