"""Regenerate the dashboard screenshots in ``docs/screenshots/`` (Debian chromium, playwright).

    .venv/bin/python docs/make_screenshots.py [STORE]

STORE defaults to ``data/events.parquet`` when it exists (``make sample``), else a seeded
synthetic store. Each page is captured in normal mode, and Explore also in presentation
mode (``?present=1``, at 1280x720), with the heatmap layer and in the dark theme.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
OUT = REPO / "docs" / "screenshots"
CHROMIUM = os.environ.get("CONFLICT_ATLAS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

# file, page, query, (width, height), colour scheme
SHOTS = [
    ("explore.png", "", {}, (1440, 1000), "light"),
    ("explore-present.png", "", {"present": "1"}, (1280, 720), "light"),
    ("explore-heatmap.png", "", {"layer": "heatmap"}, (1440, 1000), "light"),
    ("explore-dark.png", "", {"layer": "choropleth"}, (1440, 1000), "dark"),
    ("add-articles.png", "add", {}, (1440, 1000), "light"),
    ("review.png", "review", {}, (1440, 1000), "light"),
    ("about.png", "about", {}, (1440, 1000), "light"),
]
MAP = "iframe[title='dashboard.deckmap.deckmap']"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv: list[str]) -> int:
    from urllib.parse import urlencode

    from playwright.sync_api import sync_playwright

    from extract.store import read_events

    with tempfile.TemporaryDirectory() as tmp:
        store = Path(argv[0]) if argv else REPO / "data" / "events.parquet"
        if not store.exists():
            from dashboard.synthetic import synthetic_events
            from extract.store import write_events

            store = Path(tmp) / "events.parquet"
            write_events(synthetic_events(4000, seed=4, jitter=0.08), store)
        events = read_events(store)
        port = _port()
        proc = subprocess.Popen([str(Path(sys.executable).parent / "conflict-atlas"), "serve",
                                 str(store), "--port", str(port)], start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}/"
        try:
            for _ in range(300):
                try:
                    with urllib.request.urlopen(base + "_stcore/health", timeout=2):
                        break
                except OSError:
                    time.sleep(0.3)
            OUT.mkdir(parents=True, exist_ok=True)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for name, path, params, (width, height), scheme in SHOTS:
                    if path == "review" and len(events):
                        params = {"event": str(events["event_id"].iloc[0])}
                    context = browser.new_context(viewport={"width": width, "height": height},
                                                  color_scheme=scheme)
                    page = context.new_page()
                    page.set_default_timeout(120_000)
                    page.goto(base + path + ("?" + urlencode(params) if params else ""))
                    page.wait_for_selector(MAP if path == "" else "h1")
                    # the map's frame draws, reports its view, and the page settles
                    page.wait_for_timeout(9000)
                    page.wait_for_function(
                        "() => !document.querySelector(\"[data-testid='stStatusWidget']\")")
                    page.wait_for_timeout(1500)
                    page.screenshot(path=str(OUT / name), full_page=path != "")
                    context.close()
                    print("wrote", OUT / name)
                browser.close()
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
