"""The map view as state, inspection, legends, level of detail: pure functions and AppTest
runs that play the map component's reports (its browser side: tests/browser)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from dashboard import aggregate, mapview, timeline
from dashboard.actors import actor_label, read_aliases, search
from dashboard.filters import FilterState, apply_filters
from dashboard.synthetic import synthetic_events
from dashboard.urlstate import params_to_state, state_to_params
from extract.schema import validate_events
from tests.test_dashboard_app import _app, map_args

# --- pure ---------------------------------------------------------------------------------

@given(st.dictionaries(st.sampled_from(["from", "to", "lat", "lon", "zoom", "bbox", "undated",
                                        "layer", "event", "t", "type", "x"]),
                       st.text(max_size=40), max_size=8))
def test_any_query_string_reads_without_raising(params: dict[str, str]) -> None:
    state, notices = params_to_state(params)
    back, again = params_to_state(state_to_params(state))
    assert back == state and again == []
    assert all(isinstance(n, str) for n in notices)


@given(lat=st.floats(-80, 80), lon=st.floats(-179, 179), zoom=st.floats(1, 18),
       width=st.integers(200, 2000), height=st.integers(200, 1200))
def test_view_bounds_hold_the_centre(lat: float, lon: float, zoom: float, width: int,
                                     height: int) -> None:
    w, s, e, n = mapview.view_bounds(mapview.MapView(lat, lon, zoom), width, height)
    assert -180 <= w <= e <= 180 and -90 <= s <= n <= 90
    if e - w < 359:
        assert w <= lon <= e or e == 180 or w == -180
    assert s <= lat <= n


def test_reports_are_read_safely() -> None:
    assert mapview.read_report(None) is None
    assert mapview.read_report({"kind": "view", "seq": 1, "lat": "x"}) is None
    assert mapview.read_report({"kind": "view", "seq": True, "lat": 1, "lon": 2, "zoom": 3}) is None
    r = mapview.read_report({"kind": "view", "seq": 4, "lat": 33.3, "lon": 404.4, "zoom": 30,
                             "bounds": [40, 30, 50, 37], "width": 800, "height": 500})
    assert r.view == mapview.MapView(33.3, 44.4, 22.0) and r.size == (800, 500)
    assert r.bounds == (40.0, 30.0, 50.0, 37.0) and not r.auto
    click = mapview.read_report({"kind": "click", "seq": 5, "lat": 36.3, "lon": 43.1,
                                 "event_id": "abc"}, zoom=9)
    assert click.spot == mapview.Spot(43.1, 36.3, 9, "", "", "abc")


def test_events_stacked_at_one_spot_are_all_listed() -> None:
    df = pd.DataFrame({"latitude": [36.34, 36.34, 36.3401, 35.0],
                       "longitude": [43.13, 43.13, 43.1301, 40.0],
                       "event_date": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-02-01",
                                                     "2024-01-05"])})
    at_spot = mapview.events_at(df, mapview.Spot(43.13, 36.34, 8.0))
    assert list(at_spot) == [1, 0, 2]  # nearest first, then newest
    # zoomed far in, the third (about 13 m away) is apart
    assert list(mapview.events_at(df, mapview.Spot(43.13, 36.34, 18.0))) == [1, 0]
    import h3

    cell = h3.latlng_to_cell(36.34, 43.13, 5)
    assert set(mapview.events_at(df, mapview.Spot(43.13, 36.34, 4.0, hex=cell))) == {0, 1, 2}


def test_every_layer_has_a_legend() -> None:
    types = [("Battles", "#c81e2d")]
    for layer in ("points", "heatmap", "hexagon", "choropleth"):
        for aggregated in (False, True):
            legend = mapview.legend(layer, aggregated=aggregated, event_types=types, top=42,
                                    resolution=5)
            assert legend["title"] and (legend.get("items") or legend.get("ramp"))
    cells = mapview.legend("points", aggregated=True, top=1234, resolution=6)
    assert cells["ramp"]["high"] == "1,234" and "resolution 6" in cells["title"]
    ring = mapview.legend("heatmap", selected=True)["items"][-1]
    assert ring["shape"] == "ring" and ring["label"] == "selected event"


def test_brush_range_and_newest() -> None:
    start = pd.Timestamp("2024-02-05").value // 10**6
    end = pd.Timestamp("2024-03-10").value // 10**6
    assert timeline.brush_range({"period": [end, start]}) == (dt.date(2024, 2, 5),
                                                             dt.date(2024, 3, 10))
    assert timeline.brush_range({}) is None and timeline.brush_range({"p": ["x"]}) is None
    df = pd.DataFrame({"event_date": pd.to_datetime(["2024-01-02", None, "2024-05-01",
                                                     "2024-03-01"])})
    assert list(aggregate.newest(df, 10)) == [2, 3, 0, 1]
    assert list(aggregate.newest(df, 2)) == [2, 3]


def test_actor_search_through_the_alias_table() -> None:
    aliases = read_aliases()
    actors = ["Islamic State (Iraq)", "Military Forces of Iraq", "Civilians (Iraq)"]
    assert search("Daech", actors, aliases) == ["Islamic State (Iraq)"]
    assert search("etat islamique", actors, aliases) == ["Islamic State (Iraq)"]
    assert "Daech" in actor_label("Islamic State (Iraq)", aliases)
    assert actor_label("Civilians (Iraq)", {}) == "Civilians (Iraq)"


def test_choropleth_counts_agree_with_the_admin1_column() -> None:
    from dashboard.data import admin1_lookup, boundaries

    _countries, admin1, _err = boundaries()
    if admin1 is None:
        pytest.skip("the bundled admin-1 boundaries are not installed")
    iso, keys = admin1_lookup()
    # coded Baghdad, but the point lies west of the governorate's outline (Anbar)
    df = synthetic_events(6, seed=2).assign(
        admin1="Baghdad", country="Iraq", iso="IRQ",
        latitude=[33.31, 33.32, 33.30, 33.29, 33.30, 33.40],
        longitude=[44.36, 44.40, 44.38, 44.35, 44.37, 43.30])
    out = aggregate.choropleth_counts(df, admin1, iso, keys)
    table = aggregate.admin1_counts(df)
    assert len(out) == 1 and int(out["events"].iloc[0]) == int(table["events"].iloc[0]) == 6


# --- the page, with the component's reports played by AppTest ----------------------------

@pytest.fixture()
def events() -> pd.DataFrame:
    df = synthetic_events(600, seed=13)
    # two events stacked on one spot, and one undated
    df.loc[[0, 1], ["latitude", "longitude", "location"]] = [36.5, 42.0, "Stack"]
    df.loc[[0, 1], "is_background"] = False
    df.loc[2, ["event_date", "is_background"]] = [pd.NaT, False]
    return validate_events(df)


@pytest.fixture()
def store(app_store: Path) -> Path:
    return app_store


def _count(at: AppTest) -> int:
    return int(next(m.value for m in at.metric if m.label == "Events").replace(",", ""))


def _view(seq: int, lat: float, lon: float, zoom: float, **extra: object) -> dict:
    w, s, e, n = mapview.view_bounds(mapview.MapView(lat, lon, zoom), 900, 600)
    return {"kind": "view", "seq": seq, "lat": lat, "lon": lon, "zoom": zoom, "pitch": 0,
            "bearing": 0, "bounds": [w, s, e, n], "width": 900, "height": 600, **extra}


def test_a_pan_reaches_the_url_and_survives_filters_and_playback(store: Path) -> None:
    at = _app().run()
    first = map_args(at)["view"]
    assert "lat" in first and at.query_params == {}
    at.session_state["map"] = _view(1, 36.2, 43.0, 8.5)
    at.run()
    assert dict(at.query_params) == {"lat": "36.2", "lon": "43", "zoom": "8.5"}
    at.multiselect(key="f_types").set_value(["Battles"]).run()
    at.checkbox(key="p_on").check().run()
    args = map_args(at)
    # the map is not moved: same revision, the user's view
    assert args["view"]["rev"] == first["rev"]
    assert (args["view"]["lat"], args["view"]["lon"], args["view"]["zoom"]) == (36.2, 43.0, 8.5)
    assert at.query_params["zoom"] == "8.5" and at.query_params["type"] == "Battles"
    # a fit is asked for explicitly, and moves the map
    next(b for b in at.button if b.label == "Fit the map to the filtered events").click().run()
    assert map_args(at)["view"]["rev"] == first["rev"] + 1
    assert "zoom" not in at.query_params


def test_a_shared_view_is_what_the_map_shows(store: Path) -> None:
    at = _app(lat="35.5", lon="41.25", zoom="7", pitch="30").run()
    view = map_args(at)["view"]
    assert (view["lat"], view["lon"], view["zoom"], view["pitch"]) == (35.5, 41.25, 7.0, 30.0)


def test_a_bbox_link_filters_within_the_view(store: Path, events: pd.DataFrame) -> None:
    bbox = (42.0, 35.0, 45.0, 37.0)
    at = _app(bbox="42,35,45,37").run()
    assert at.toggle(key="f_inview").value is True
    assert _count(at) == len(apply_filters(events, FilterState(bbox=bbox)))
    assert map_args(at)["view"]["fit"] == list(bbox)
    assert at.query_params["bbox"] == "42,35,45,37"
    # the map's own report of the fitted view does not change the link's box
    at.session_state["map"] = _view(3, 36.0, 43.5, 6.2, auto=True)
    at.run()
    assert at.query_params["bbox"] == "42,35,45,37"
    # a pan moves the box with the view
    at.session_state["map"] = _view(4, 33.3, 44.4, 9.0)
    at.run()
    moved = tuple(float(x) for x in at.query_params["bbox"].split(","))
    assert moved[0] < 44.4 < moved[2] and moved != bbox
    at.toggle(key="f_inview").set_value(False).run()
    assert "bbox" not in at.query_params


def test_stacked_events_are_listed_and_each_can_be_selected(store: Path,
                                                          events: pd.DataFrame) -> None:
    at = _app().run()
    at.session_state["map"] = {"kind": "click", "seq": 7, "lat": 36.5, "lon": 42.0,
                               "layer": "events", "event_id": events.loc[0, "event_id"]}
    at.run()
    assert not at.exception
    assert any("2 events here" in m.value for m in at.markdown)
    listed = [b for b in at.button if b.key and b.key.startswith("spot_")]
    assert len(listed) == 2
    other = next(b for b in listed if events.loc[1, "event_id"] in b.key)
    other.click().run()
    assert at.query_params["event"] == events.loc[1, "event_id"]
    # highlighted on the map, with the ring in the legend
    args = map_args(at)
    assert any(layer["id"] == "selected" for layer in json.loads(args["layers"]))
    assert args["legend"]["items"][-1]["label"] == "selected event"


def test_undated_events_are_said_and_switchable(store: Path, events: pd.DataFrame) -> None:
    at = _app(**{"from": "2024-02-01"}).run()
    assert any("without a date" in i.value for i in at.info)
    before = _count(at)
    at.checkbox(key="f_undated").check().run()
    assert _count(at) == before + 1 and at.query_params["undated"] == "1"


def test_time_brush_sets_the_dates(store: Path, events: pd.DataFrame) -> None:
    at = _app().run()
    lo = pd.Timestamp("2024-03-04").value // 10**6
    hi = pd.Timestamp("2024-04-28").value // 10**6
    at.session_state["timechart"] = {"selection": {"brush": {"period": [lo, hi]}}}
    at.run()
    assert at.slider(key="f_dates").value == (dt.date(2024, 3, 4), dt.date(2024, 4, 28))
    assert at.query_params["from"] == "2024-03-04" and at.query_params["to"] == "2024-04-28"
    expected = apply_filters(events, FilterState(date_from=dt.date(2024, 3, 4),
                                                 date_to=dt.date(2024, 4, 28)))
    assert _count(at) == len(expected)


def test_table_by_date_top_actors_by_count_and_alias_search(store: Path,
                                                            events: pd.DataFrame) -> None:
    at = _app().run()
    table = next(d for d in at.dataframe if "event_type" in d.value.columns).value
    dates = table["event_date"].dropna()
    assert dates.is_monotonic_decreasing and len(dates) > 100
    charts = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    bars = next(c for c in charts if c["encoding"].get("y", {}).get("field") == "actor")
    assert bars["encoding"]["y"]["sort"] == "-x"
    labels = at.multiselect(key="f_actors").options
    assert any(label.startswith("Islamic State (Iraq)") and "Daech" in label for label in labels)
    assert np.array_equal(np.sort(table["event_id"].to_numpy()),
                          np.sort(table["event_id"].unique()))
