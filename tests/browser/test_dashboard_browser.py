"""The dashboard in a real browser: counts, map pixels, the map view through the URL, bbox
links, legends, stacked events, the PNG, presentation at 1280x720, upload, escaping and no
request to any address but this machine's."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from dashboard.deckmap.browser import drawn_frame
from dashboard.filters import FilterState, apply_filters
from dashboard.layers import EVENT_COLORS
from dashboard.synthetic import XSS, synthetic_events
from extract.store import write_events

from .conftest import serve

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
DECK = "iframe[title='dashboard.deckmap.deckmap']"
LOOPBACK = ("http://127.0.0.1", "data:", "blob:", "about:")


def _open(page: object, base: str, **params: str) -> None:
    page.goto(base + ("?" + urlencode(params) if params else ""))  # type: ignore[attr-defined]
    page.wait_for_selector("#ca-count", state="attached")  # type: ignore[attr-defined]


def _map(page: Any, layer: str | None = None) -> Any:
    """The map component's frame, once its deck has drawn (``layer``: that layer id)."""
    page.locator(DECK).first.wait_for()
    return drawn_frame(page, layer)


def _settle(page: Any) -> None:
    page.wait_for_function("() => !document.querySelector(\"[data-testid='stStatusWidget']\")")
    page.wait_for_timeout(500)


def _view_of(page: Any) -> dict:
    """The view the map on the page shows now (the frame of the map's element)."""
    _map(page)
    frame = page.locator(DECK).last.element_handle().content_frame()
    return frame.evaluate("() => { const v = window.__caDeck.props.viewState ||"
                          " window.__caDeck.viewState; return {lat: v.latitude,"
                          " lon: v.longitude, zoom: v.zoom}; }")


def _query(page: Any) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query).items()}


def _events_metric(page: object) -> str:
    return page.locator("[data-testid='stMetricValue']").first.inner_text()  # type: ignore[attr-defined]


def _wait_count(page: object, expected: int) -> None:
    page.wait_for_function(  # type: ignore[attr-defined]
        "n => { const e = document.querySelector('#ca-count');"
        " return e && e.textContent.trim() === String(n); }", arg=expected)


def _colored_pixels(page: object, rgb: tuple[int, int, int], tol: int = 40) -> int:
    """Pixels of the map close to ``rgb`` (after deck.gl has drawn)."""
    deck = page.locator(DECK).first  # type: ignore[attr-defined]
    _map(page)
    page.wait_for_timeout(1000)  # type: ignore[attr-defined]
    img = np.asarray(Image.open(io.BytesIO(deck.screenshot())).convert("RGB")).astype(int)
    diff = np.abs(img - np.array(rgb)).max(axis=2)
    return int((diff <= tol).sum())


def test_page_loads_offline_with_the_default_count(page: object, served: str,
                                                   browser_events: pd.DataFrame) -> None:
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url)  # type: ignore[attr-defined]
            if not r.url.startswith(LOOPBACK) else None)
    _open(page, served)
    expected = len(apply_filters(browser_events, FilterState()))
    _wait_count(page, expected)
    assert _events_metric(page) == f"{expected:,}"
    _map(page, "events")
    # interactions too: a layer switch, a pan, the heatmap's and choropleth's layers
    for label, layer in (("Heatmap", "events-heat"), ("Admin-1 choropleth", "events-admin1")):
        page.get_by_text(label, exact=True).click()
        _map(page, layer)
    box = page.locator(DECK).first.bounding_box()
    page.mouse.move(box["x"] + 300, box["y"] + 300)
    page.mouse.wheel(0, -300)
    page.wait_for_timeout(1500)  # type: ignore[attr-defined]
    assert outside == [], f"the offline dashboard made outside requests: {outside}"


def test_url_with_filters_shows_expected_count(page: object, served: str,
                                               browser_events: pd.DataFrame) -> None:
    params = {"type": "Battles,Riots", "country": "Syria", "from": "2024-03-01",
              "to": "2024-08-31", "conf": "0.4"}
    _open(page, served, **params)
    expected = apply_filters(browser_events, FilterState(
        event_types=("Battles", "Riots"), countries=("Syria",), min_confidence=0.4,
        date_from=dt.date(2024, 3, 1), date_to=dt.date(2024, 8, 31)))
    _wait_count(page, len(expected))
    assert 0 < len(expected) < len(browser_events)
    assert "type=Battles" in page.url  # the URL keeps the state  # type: ignore[attr-defined]


def test_map_canvas_draws_the_points(page: object, served: str) -> None:
    red = EVENT_COLORS["Battles"]
    _open(page, served, type="Battles")
    drawn = _colored_pixels(page, red)
    assert drawn > 150, f"only {drawn} battle-coloured pixels on the map"
    # the same view with no matching events has none: the pixels come from the data
    _open(page, served, type="Battles", country="Atlantis")
    _wait_count(page, 0)
    assert _colored_pixels(page, red) < 20


def test_csv_download_returns_the_filtered_rows(page: object, served: str,
                                                browser_events: pd.DataFrame) -> None:
    _open(page, served, type="Protests", country="Iraq")
    expected = apply_filters(browser_events, FilterState(event_types=("Protests",),
                                                         countries=("Iraq",)))
    _wait_count(page, len(expected))
    _map(page)
    _settle(page)  # the map's first report reruns the page: click once it is done
    button = page.get_by_role("button", name="CSV (ACLED columns)")  # type: ignore[attr-defined]
    button.scroll_into_view_if_needed()
    with page.expect_download() as info:  # type: ignore[attr-defined]
        button.click()
    download = info.value
    assert download.suggested_filename == "conflict-atlas_Protests_Iraq.csv"
    got = pd.read_csv(download.path(), dtype=str, keep_default_na=False)
    assert sorted(got["event_id_cnty"]) == sorted(expected["event_id"])


def test_injected_html_renders_as_text(page: object, served: str,
                                       browser_events: pd.DataFrame) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))  # type: ignore[attr-defined]
    xss_id = browser_events.loc[0, "event_id"]
    _open(page, served, event=xss_id, q="onerror")
    _wait_count(page, 1)
    sentence = page.locator(".ca-sentence")  # type: ignore[attr-defined]
    sentence.wait_for()
    assert XSS in sentence.inner_text()
    page.wait_for_timeout(1500)  # type: ignore[attr-defined]
    assert page.locator("img[src='x']").count() == 0  # type: ignore[attr-defined]
    assert page.evaluate(  # type: ignore[attr-defined]
        "() => [...document.querySelectorAll('img')].filter(i => i.getAttribute('src') === 'x'"
        " || i.hasAttribute('onerror')).length") == 0
    # the detail table shows the text too (rendered by the data grid as text)
    assert dialogs == []


def test_presentation_mode_fits_1280x720(browser: Any, served: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        _open(page, served, present="1", type="Battles", country="Syria")
        _map(page, "events")
        _settle(page)
        assert not page.locator("[data-testid='stSidebar']").is_visible()
        assert page.get_by_text("Conflict Atlas ·").is_visible()
        # the filter and the dates are named, and nothing is below the fold
        assert page.get_by_text("Battles · Syria", exact=False).first.is_visible()
        height = page.evaluate("() => document.scrollingElement.scrollHeight")
        assert height <= 720, f"the page is {height} px high"
        box = page.locator(DECK).first.bounding_box()
        assert box and box["y"] + box["height"] <= 720 and box["width"] >= 1000
        assert page.get_by_text("filtered in").count() == 0  # no developer caption
        page.get_by_role("button", name="Exit presentation").click()
        page.get_by_role("heading", name="Conflict Atlas", exact=True).wait_for()
        assert "present" not in _query(page) and _query(page)["type"] == "Battles"
    finally:
        context.close()


def test_view_round_trips_through_the_url_after_a_pan_and_zoom(browser: Any,
                                                              served: str) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        _open(page, served)
        _map(page, "events")
        _settle(page)
        before = _view_of(page)
        box = page.locator(DECK).first.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x - 180, y + 90, steps=12)
        page.mouse.up()
        for _ in range(4):
            page.mouse.wheel(0, -200)
            page.wait_for_timeout(80)
        page.wait_for_function("z => new URLSearchParams(location.search).get('zoom') &&"
                               " +new URLSearchParams(location.search).get('zoom') > z",
                               arg=before["zoom"] + 0.5)
        _settle(page)
        query = _query(page)
        for _ in range(30):  # the URL and the map agree once the page has settled
            shown = _view_of(page)
            if abs(float(query["zoom"]) - shown["zoom"]) < 0.02:
                break
            page.wait_for_timeout(500)
            query = _query(page)
        assert abs(float(query["zoom"]) - shown["zoom"]) < 0.02
        assert abs(float(query["lat"]) - shown["lat"]) < 1e-3
        assert abs(float(query["lon"]) - shown["lon"]) < 1e-3
        assert abs(shown["lon"] - before["lon"]) > 0.05  # the drag moved it
        link = page.url
        # a filter change keeps the view
        page.get_by_label("Search notes and sentences").fill("Mosul")
        page.get_by_label("Search notes and sentences").press("Enter")
        page.wait_for_function("() => new URLSearchParams(location.search).get('q')")
        _settle(page)
        assert abs(_view_of(page)["zoom"] - shown["zoom"]) < 0.02
    finally:
        context.close()
    fresh = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = fresh.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(link)
        page.wait_for_selector("#ca-count")
        _map(page, "events")
        again = _view_of(page)
        assert abs(again["zoom"] - shown["zoom"]) < 0.02
        assert abs(again["lat"] - shown["lat"]) < 1e-3 and abs(again["lon"] - shown["lon"]) < 1e-3
    finally:
        fresh.close()


def test_bbox_link_filters_within_the_view(page: Any, served: str,
                                           browser_events: pd.DataFrame) -> None:
    _open(page, served, bbox="42.5,35.5,44.5,37")
    expected = apply_filters(browser_events, FilterState(bbox=(42.5, 35.5, 44.5, 37.0)))
    assert 0 < len(expected) < len(browser_events)
    _wait_count(page, len(expected))
    frame = _map(page, "events")
    _settle(page)
    assert _query(page)["bbox"] == "42.5,35.5,44.5,37"
    bounds = frame.evaluate("() => { const d = window.__caDeck; return"
                            " d.getViewports()[0].getBounds(); }")
    # the map shows the whole box
    assert bounds[0] <= 42.5 and bounds[1] <= 35.5 and bounds[2] >= 44.5 and bounds[3] >= 37
    assert page.get_by_role("switch", name="Only events within the map view").is_checked()


@pytest.mark.parametrize("layer,layer_id", [("points", "events"), ("heatmap", "events-heat"),
                                            ("hexagon", "events-hex"),
                                            ("choropleth", "events-admin1")])
def test_every_layer_has_a_legend(page: Any, served: str, layer: str, layer_id: str) -> None:
    _open(page, served, layer=layer)
    frame = _map(page, layer_id)
    legend = frame.locator("[data-testid='ca-legend']")
    assert legend.is_visible() and legend.get_attribute("data-layer") == layer
    assert legend.inner_text().strip()
    if layer == "points":
        assert "Battles" in legend.inner_text()
    else:
        assert frame.locator(".ca-ramp").count() == 1


def test_stacked_events_are_reachable(page: Any, served: str,
                                      browser_events: pd.DataFrame) -> None:
    # the synthetic events stack on 14 places: a click on Mosul lists all of them
    _open(page, served, type="Battles")
    frame = _map(page, "events")
    _settle(page)
    at_mosul = apply_filters(browser_events, FilterState(event_types=("Battles",)))
    at_mosul = at_mosul[at_mosul["location"] == "Mosul"]
    assert len(at_mosul) > 1
    listed = page.get_by_text(f"{len(at_mosul)} events here")
    for _attempt in range(3):  # a click during a rerun of the page may be lost: click again
        frame = _map(page, "events")
        x, y = frame.evaluate("p => window.__caDeck.getViewports()[0].project(p)",
                              [43.13, 36.34])
        box = page.locator(DECK).first.bounding_box()
        page.mouse.click(box["x"] + x, box["y"] + y)
        try:
            listed.wait_for(timeout=20_000)
            break
        except Exception:  # noqa: BLE001 - PlaywrightTimeoutError: try once more
            _settle(page)
    listed.wait_for()
    buttons = page.locator("[class*='st-key-spot_'] button")
    assert buttons.count() == min(len(at_mosul), 30)
    buttons.nth(1).click()
    page.get_by_text("Selected event", exact=True).wait_for()
    chosen = _query(page)["event"]
    assert chosen in set(at_mosul["event_id"])


def test_png_matches_the_map(page: Any, served: str) -> None:
    _open(page, served, type="Battles")
    frame = _map(page, "events")
    _settle(page)
    canvas = frame.evaluate("() => { const c = document.querySelector('canvas');"
                            " return [c.width, c.height]; }")
    with page.expect_download() as info:
        frame.get_by_role("button", name="Download the map as PNG").click()
    download = info.value
    assert download.suggested_filename == "conflict-atlas_Battles.png"
    img = np.asarray(Image.open(download.path()).convert("RGB")).astype(int)
    assert img.shape[1] == canvas[0] and img.shape[0] > canvas[1]  # the map plus a title band
    red = np.abs(img - np.array(EVENT_COLORS["Battles"])).max(axis=2) <= 40
    assert red.sum() > 150  # the points (and the legend's swatch)
    title_band = img[: img.shape[0] - canvas[1]]
    assert (title_band.max(axis=2) < 80).sum() > 200  # dark text: title and dates


def test_dark_theme_follows_the_browser(browser: Any, served: str) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                  color_scheme="dark")
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        _open(page, served)
        frame = _map(page, "events")
        frame.wait_for_function("() => document.body.dataset.theme === 'dark'")
        background = page.evaluate("() => getComputedStyle(document.querySelector("
                                   "\"[data-testid='stApp']\")).backgroundColor")
        rgb = [int(x) for x in background[background.index("(") + 1:-1].split(",")[:3]]
        assert max(rgb) < 80, background  # a dark page
    finally:
        context.close()


def test_failed_carto_basemap_says_so(page: Any, served: str) -> None:
    # requests off the machine are aborted here, as a machine without a network would
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(LOOPBACK)
               else route.abort())
    _open(page, served, basemap="carto")
    frame = _map(page, "events")
    notice = frame.locator(".ca-notice")
    notice.wait_for(state="visible")
    assert "could not be loaded" in notice.inner_text()
    assert frame.evaluate("() => window.__caDeck.props.layers.some("
                          "l => l && l.id === 'basemap-countries')")  # the offline outlines


def test_upload_with_a_dateline(browser: Any, tmp_path: Path) -> None:
    pytest.importorskip("extract.pipeline", reason="the extraction pipeline is not installed")
    from extract.store import read_events

    store = tmp_path / "events.parquet"
    write_events(synthetic_events(50, seed=4), store)
    article = tmp_path / "depeche-mossoul.txt"
    article.write_text("MOSSOUL, 12 mars 2024 (AFP) - Des affrontements entre l'armée "
                       "irakienne et des combattants de l'État islamique ont fait cinq morts "
                       "mardi à Mossoul, selon la police.\n", encoding="utf-8")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        for base in serve(store):
            page.goto(base + "add")
            page.locator("input[type='file']").set_input_files(str(article))
            page.get_by_text("Publication dates").wait_for()
            page.get_by_role("button", name="Extract events").click()
            page.get_by_text("articles read").wait_for(timeout=240_000)
            new = read_events(store)
            new = new[new["source"] == "depeche-mossoul.txt"]  # the original file name
            assert len(new) and (new["source_url"] == "").all()  # no temporary path
            dates = set(new["event_date"].dropna().dt.date)
            if dates:
                assert dates == {dt.date(2024, 3, 12)}  # the dateline's date
            else:  # the pipeline read no date: the page says so
                page.get_by_text("have no date", exact=False).first.wait_for()
    finally:
        context.close()
