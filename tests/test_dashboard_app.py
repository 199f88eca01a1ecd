"""AppTest tests of every dashboard page, URL round trips and bad parameters."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import layers
from dashboard.edits import EditLog
from dashboard.filters import FilterState, apply_filters
from dashboard.synthetic import XSS, synthetic_events
from extract.store import read_events, write_events

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
TIMEOUT = 60


@pytest.fixture()
def events() -> pd.DataFrame:
    return synthetic_events(1500, seed=11, xss=True)


@pytest.fixture()
def store(app_store: Path) -> Path:
    return app_store


def _app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return at


def map_args(at: AppTest) -> dict:
    """The arguments the page passed to the map component."""
    (component,) = at.get("component_instance")
    return json.loads(component.proto.json_args)


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _by_label(widgets: object, label: str) -> object:
    return next(w for w in widgets if w.label == label)  # type: ignore[attr-defined]


def _no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_explore_default_view(store: Path, events: pd.DataFrame) -> None:
    at = _app().run()
    _no_errors(at)
    assert [t.value for t in at.title] == ["Conflict Atlas"]
    assert _metric(at, "Events") == f"{len(apply_filters(events, FilterState())):,}"
    assert at.query_params == {}
    labels = [b.label for b in at.get("download_button")]
    for fmt in ("CSV (ACLED columns)", "GeoJSON", "GeoParquet", "GeoPackage", "Excel",
                "Sidecar (JSON)"):
        assert fmt in labels
    args = map_args(at)
    assert args["legend"]["layer"] == "points" and args["png_name"].endswith(".png")
    assert args["title"] == f"Conflict Atlas · {len(apply_filters(events, FilterState())):,} events"
    assert "2024-01-01 to 2024-12-30" in args["subtitle"]


def test_url_filters_set_widgets_and_count(store: Path, events: pd.DataFrame) -> None:
    at = _app(type="Battles,Riots", country="Syria", conf="0.5", **{"from": "2024-02-01"},
              to="2024-06-30").run()
    _no_errors(at)
    expected = apply_filters(events, FilterState(
        event_types=("Battles", "Riots"), countries=("Syria",), min_confidence=0.5,
        date_from=pd.Timestamp("2024-02-01").date(), date_to=pd.Timestamp("2024-06-30").date()))
    assert _metric(at, "Events") == f"{len(expected):,}"
    assert at.multiselect(key="f_types").value == ["Battles", "Riots"]
    assert at.multiselect(key="f_countries").value == ["Syria"]
    assert at.slider(key="f_conf").value == 0.5
    assert at.query_params["type"] == "Battles,Riots"
    assert at.query_params["from"] == "2024-02-01"


def test_widget_changes_round_trip_through_the_url(store: Path, events: pd.DataFrame) -> None:
    at = _app().run()
    at.multiselect(key="f_types").set_value(["Protests"]).run()
    at.text_input(key="f_text").set_value("baghdad").run()
    at.radio(key="v_layer").set_value("heatmap").run()
    at.checkbox(key="f_bg").check().run()
    _no_errors(at)
    params = dict(at.query_params)
    assert params == {"type": "Protests", "q": "baghdad", "layer": "heatmap", "bg": "1"}
    count = _metric(at, "Events")
    expected = apply_filters(events, FilterState(event_types=("Protests",), text="baghdad",
                                                 include_background=True))
    assert count == f"{len(expected):,}"
    # opening the link in a fresh session reproduces the view
    again = _app(**params).run()
    _no_errors(again)
    assert _metric(again, "Events") == count
    assert again.radio(key="v_layer").value == "heatmap"
    assert again.text_input(key="f_text").value == "baghdad"
    assert dict(again.query_params) == params


def test_bad_parameters_give_notices_not_crashes(store: Path, events: pd.DataFrame) -> None:
    at = _app(type="Dragons", conf="lots", zoom="-4", foo="<b>x</b>", layer="3d",
              country="Atlantis", **{"from": "yesterday"}).run()
    _no_errors(at)
    notices = " ".join(w.value for w in at.warning)
    for name in ("type", "conf", "zoom", "foo", "layer", "from"):
        assert name in notices
    # an unknown country is kept (a shared link may predate the data) and matches nothing
    assert _metric(at, "Events") == "0"
    assert at.query_params == {"country": "Atlantis"}


def test_presentation_mode(store: Path) -> None:
    at = _app(present="1", type="Battles", country="Syria").run()
    _no_errors(at)
    assert not at.title  # no page title, no table, no export
    assert any("Conflict Atlas ·" in m.value for m in at.markdown)
    # the filter and the dates are named, there is a way out, no developer caption
    assert any("Battles · Syria" in m.value and "2024" in m.value and "ca-count" in m.value
               for m in at.markdown)
    assert not any(" ms" in c.value for c in at.caption)
    assert not at.dataframe
    args = map_args(at)
    assert args["legend"]["items"] and args["height"] <= 520
    next(b for b in at.button if b.label == "Exit presentation").click().run()
    assert dict(at.query_params) == {"type": "Battles", "country": "Syria"}
    assert [t.value for t in at.title] == ["Conflict Atlas"]


def test_selected_event_detail_escapes_article_text(store: Path, events: pd.DataFrame) -> None:
    xss_id = events.loc[0, "event_id"]
    at = _app(event=xss_id).run()
    _no_errors(at)
    html_blocks = [m.value for m in at.markdown if "ca-sentence" in m.value]
    assert html_blocks, "the highlighted sentence is shown"
    assert "<img" not in html_blocks[0]
    assert "&lt;img src=x onerror=alert(1)&gt;" in html_blocks[0]
    assert at.query_params["event"] == xss_id


def test_large_filtered_sets_are_aggregated(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(layers, "POINT_LIMIT", 100)
    at = _app().run()
    _no_errors(at)
    assert any("aggregated on the server" in c.value for c in at.caption)
    assert map_args(at)["legend"]["ramp"]["high"] != "1"


def test_every_layer_and_basemap_renders(store: Path) -> None:
    for layer in ("points", "heatmap", "hexagon", "choropleth"):
        for basemap in ("offline", "carto"):
            at = _app(layer=layer, basemap=basemap).run()
            assert not at.exception, (layer, basemap, [e.value for e in at.exception])
            legend = map_args(at)["legend"]
            assert legend["layer"] == layer and (legend.get("items") or legend.get("ramp"))


def test_play_frame_narrows_the_dates(store: Path, events: pd.DataFrame) -> None:
    at = _app(t="2024-03-10", step="week", window="moving").run()
    _no_errors(at)
    expected = apply_filters(events, FilterState(date_from=pd.Timestamp("2024-03-04").date(),
                                                 date_to=pd.Timestamp("2024-03-10").date()))
    assert _metric(at, "Events") == f"{len(expected):,}"
    assert any("Time frame: 2024-03-04 to 2024-03-10" in c.value for c in at.caption)


def test_empty_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFLICT_ATLAS_STORE", str(tmp_path / "none.parquet"))
    at = _app(type="Battles").run()
    _no_errors(at)
    assert any("store is empty" in i.value for i in at.info)


def test_review_page_edit_and_undo(store: Path, events: pd.DataFrame) -> None:
    target = events.iloc[3]
    at = _app().run()
    at.query_params["event"] = target["event_id"]
    at.switch_page("views/review.py").run()
    _no_errors(at)
    assert at.title[0].value == "Review"
    assert at.selectbox(key="r_event").value == target["event_id"]
    _by_label(at.text_input, "Actor 1").set_value("Reviewed actor")
    _by_label(at.number_input, "Fatalities").set_value(42)
    next(b for b in at.get("form_submit_button") if b.label == "Save edit").click().run()
    _no_errors(at)
    log = EditLog.for_store(store)
    rec = log.active()[-1]
    assert rec["event_id"] == target["event_id"]
    assert rec["changes"]["actor1"] == [target["actor1"], "Reviewed actor"]
    assert rec["changes"]["fatalities"][1] == 42
    assert _by_label(at.text_input, "Actor 1").value == "Reviewed actor"
    undo = next(b for b in at.button if b.label == "Undo")
    undo.click().run()
    _no_errors(at)
    assert log.active() == []
    assert _by_label(at.text_input, "Actor 1").value == target["actor1"]


def test_review_discard_hides_the_event_everywhere(store: Path, events: pd.DataFrame) -> None:
    target = events.iloc[4]
    at = _app().run()
    at.query_params["event"] = target["event_id"]
    at.switch_page("views/review.py").run()
    at.text_input(key="r_reason").set_value("duplicate")
    next(b for b in at.button if b.label == "Discard").click().run()
    _no_errors(at)
    rec = EditLog.for_store(store).active()[-1]
    assert rec["op"] == "discard" and rec["reason"] == "duplicate"
    explore = _app(bg="1").run()
    assert _metric(explore, "Events") == f"{len(events) - 1:,}"


def test_review_invalid_edit_is_refused(store: Path, events: pd.DataFrame) -> None:
    target = events[events["event_type"] != "Protests"].iloc[0]
    at = _app().run()
    at.query_params["event"] = target["event_id"]
    at.switch_page("views/review.py").run()
    _by_label(at.selectbox, "Sub-event type").set_value("Peaceful protest")
    next(b for b in at.get("form_submit_button") if b.label == "Save edit").click().run()
    assert not at.exception
    assert any("Not saved" in e.value for e in at.error)
    assert EditLog.for_store(store).active() == []


def test_about_page(store: Path, events: pd.DataFrame) -> None:
    at = _app().run()
    at.switch_page("views/about.py").run()
    _no_errors(at)
    assert _metric(at, "Events") == f"{len(events):,}"
    assert _metric(at, "Articles") == f"{events['article_id'].nunique():,}"
    text = " ".join(m.value for m in at.markdown)
    assert "GeoNames" in text and "Natural Earth" in text


def test_add_articles_page_without_files(store: Path) -> None:
    at = _app().run()
    at.switch_page("views/add_articles.py").run()
    _no_errors(at)
    button = next(b for b in at.button if b.label == "Extract events")
    assert button.disabled
    assert at.get("file_uploader")[0].allowed_type


@pytest.mark.slow
@pytest.mark.usefixtures("one_extractor")  # the session's extractor (tests/conftest.py)
def test_add_articles_runs_the_pipeline(store: Path) -> None:
    pytest.importorskip("extract.pipeline", reason="the extraction pipeline is not installed")
    dated = ("Mossoul, 12 mars 2024 (AFP) - Des affrontements entre l'armée irakienne et des "
             "combattants de l'État islamique ont fait cinq morts mardi à Mossoul, selon la "
             "police.\n")
    undated = ("Des combats ont eu lieu mardi à Mossoul entre l'armée irakienne et l'État "
               "islamique, faisant trois morts selon la police.\n")
    at = _app().run()
    at.switch_page("views/add_articles.py").run()
    at.get("file_uploader")[0].set_value([("mossoul.txt", dated.encode(), "text/plain"),
                                          ("sans-date.txt", undated.encode(), "text/plain"),
                                          ("broken.csv", b"\x00\x01\x02", "text/csv")])
    at.run()
    # the files whose metadata gives no date are listed, each with a date input
    assert any(s.value == "Publication dates" for s in at.subheader)
    asked = {d.label: d for d in at.date_input}
    assert {"mossoul.txt", "sans-date.txt"} <= set(asked)
    asked["sans-date.txt"].set_value(pd.Timestamp("2024-04-02").date())
    next(b for b in at.button if b.label == "Extract events").click().run(timeout=240)
    assert not at.exception, [e.value for e in at.exception]
    success = [s.value for s in at.success]
    assert success and "articles read" in success[0]
    assert any("Rejected" in s.value for s in at.subheader)
    new = read_events(store)
    new = new[new["source"].isin(["mossoul.txt", "sans-date.txt"])]
    assert set(new["source"]) == {"mossoul.txt", "sans-date.txt"}  # the original names
    assert (new["source_url"] == "").all()  # no deleted temporary path
    given = new[new["source"] == "sans-date.txt"]["event_date"]
    # "mardi" before the given publication date (Tuesday 2 April 2024): the same day
    assert len(given) and (given.dt.date == pd.Timestamp("2024-04-02").date()).all()
    if new[new["source"] == "mossoul.txt"]["event_date"].isna().any():
        # the pipeline found no date in the dateline: said, not hidden
        assert any("have no date" in w.value for w in at.warning)


def test_edits_file_is_jsonl(store: Path, events: pd.DataFrame) -> None:
    log = EditLog.for_store(store)
    log.set_fields(events.iloc[0], {"notes": "checked"}, who="t")
    line = log.path.read_text().splitlines()[0]
    assert json.loads(line)["changes"]["notes"][1] == "checked"
    at = _app(event=events.iloc[0]["event_id"]).run()
    _no_errors(at)
    assert XSS not in " ".join(m.value for m in at.markdown)


def test_choropleth_and_basemap_with_bundled_boundaries(store: Path) -> None:
    boundaries = pytest.importorskip(
        "geodata.boundaries", reason="geodata.boundaries (bundled country/admin-1 outlines) "
        "is not in this checkout yet")
    admin1 = boundaries.Boundaries().admin1()
    assert len(admin1)
    at = _app(layer="choropleth").run()
    _no_errors(at)
    assert not any("not available" in w.value for w in at.warning)
    assert not any("without country outlines" in c.value for c in at.caption)


def test_store_cache_is_used_and_invalidated(tmp_path: Path) -> None:
    from dashboard.data import read_store

    path = tmp_path / "events.parquet"
    first = synthetic_events(40, seed=1)
    write_events(first, path)
    a = read_store(path)
    caches = list(tmp_path.glob(".events.parquet.dashcache-*.feather"))
    assert len(caches) == 1
    pd.testing.assert_frame_equal(a, first)
    pd.testing.assert_frame_equal(read_store(path), first)  # from the cache
    second = synthetic_events(25, seed=2)
    write_events(second, path)  # a new store version: new cache, old one removed
    pd.testing.assert_frame_equal(read_store(path), second)
    caches = list(tmp_path.glob(".events.parquet.dashcache-*.feather"))
    assert len(caches) == 1


def test_play_steps_through_frames_and_stops(store: Path, events: pd.DataFrame) -> None:
    at = _app(**{"from": "2024-01-01", "to": "2024-03-31"}, t="2024-01-01", step="month",
              window="cumulative").run()
    _no_errors(at)
    at.toggle(key="p_play").set_value(True).run(timeout=120)
    _no_errors(at)
    # stepped month by month until the end of the range, then stopped
    assert at.toggle(key="p_play").value is False
    assert at.query_params["t"] == "2024-03-01"
    expected = apply_filters(events, FilterState(date_from=pd.Timestamp("2024-01-01").date(),
                                                 date_to=pd.Timestamp("2024-03-01").date()))
    assert _metric(at, "Events") == f"{len(expected):,}"


def test_events_all_on_one_day(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A store whose dated events share one day (one article) has a date span of one day:
    the sliders, which need a span, are widened to two days instead of failing."""
    one_day = synthetic_events(40, seed=3)
    one_day["event_date"] = pd.Timestamp("2024-03-05")
    shown = str(int((~one_day["is_background"]).sum()))  # background events are off by default
    path = tmp_path / "events.parquet"
    write_events(one_day, path)
    monkeypatch.setenv("CONFLICT_ATLAS_STORE", str(path))
    at = _app().run()
    _no_errors(at)
    assert _metric(at, "Events") == shown
    at = _app(**{"from": "2024-03-05", "to": "2024-03-05"}).run()
    _no_errors(at)
    assert _metric(at, "Events") == shown
