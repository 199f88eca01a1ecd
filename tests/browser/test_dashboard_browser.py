"""The dashboard in a real browser: counts, map pixels, downloads, escaping, no network."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from dashboard.filters import FilterState, apply_filters
from dashboard.layers import EVENT_COLORS
from dashboard.synthetic import XSS

from .conftest import serve

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
DECK = "[data-testid='stDeckGlJsonChart']"


def _open(page: object, base: str, **params: str) -> None:
    page.goto(base + ("?" + urlencode(params) if params else ""))  # type: ignore[attr-defined]
    page.wait_for_selector("[data-testid='stMetricValue']")  # type: ignore[attr-defined]


def _events_metric(page: object) -> str:
    return page.locator("[data-testid='stMetricValue']").first.inner_text()  # type: ignore[attr-defined]


def _wait_count(page: object, expected: int) -> None:
    page.wait_for_function(  # type: ignore[attr-defined]
        "n => { const e = document.querySelector('#ca-count');"
        " return e && e.textContent.trim() === String(n); }", arg=expected)


def _colored_pixels(page: object, rgb: tuple[int, int, int], tol: int = 40) -> int:
    """Pixels of the deck canvas close to ``rgb`` (after deck.gl has drawn)."""
    deck = page.locator(DECK).first  # type: ignore[attr-defined]
    deck.wait_for()
    page.wait_for_timeout(2500)  # type: ignore[attr-defined]
    img = np.asarray(Image.open(io.BytesIO(deck.screenshot())).convert("RGB")).astype(int)
    diff = np.abs(img - np.array(rgb)).max(axis=2)
    return int((diff <= tol).sum())


def test_page_loads_offline_with_the_default_count(page: object, served: str,
                                                   browser_events: pd.DataFrame) -> None:
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url)  # type: ignore[attr-defined]
            if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
    _open(page, served)
    expected = len(apply_filters(browser_events, FilterState()))
    _wait_count(page, expected)
    assert _events_metric(page) == f"{expected:,}"
    page.locator(DECK).first.wait_for()  # type: ignore[attr-defined]
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


def test_presentation_mode_hides_the_sidebar(page: object, served: str) -> None:
    _open(page, served, present="1", type="Battles")
    page.locator(DECK).first.wait_for()  # type: ignore[attr-defined]
    assert not page.locator("[data-testid='stSidebar']").is_visible()  # type: ignore[attr-defined]
    assert page.get_by_text("Conflict Atlas ·").is_visible()  # type: ignore[attr-defined]
    box = page.locator(DECK).first.bounding_box()  # type: ignore[attr-defined]
    assert box and box["height"] >= 700 and box["width"] >= 1200


def test_make_run_store_loads(browser: object) -> None:
    store = Path(os.environ.get("CONFLICT_ATLAS_MAKE_RUN_STORE", REPO / "data" / "events.parquet"))
    if not store.exists():
        pytest.skip(f"{store} does not exist: run `make sample` (or `make run`) first")
    from extract.store import read_events

    events = read_events(store)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    try:
        for base in serve(store):
            _open(pg, base)
            if len(events):
                _wait_count(pg, len(apply_filters(events, FilterState())))
            else:
                pg.get_by_text("The event store is empty").wait_for()
    finally:
        context.close()
