"""Dashboard benchmark: the Explore page at 10k, 100k and 1M events, server and browser.

    .venv/bin/python bench/bench_dashboard.py [--sizes 10000 100000 1000000] [--no-browser]

For each size (all in one run) it writes a seeded synthetic store (Iraq/Syria, jittered
places) and measures, with the load average before and after:

- server (Streamlit's AppTest, the whole page script): first view (cold, no warm-up), a
  filter change (search text), an actor filter, each layer switch (the slowest is reported),
  a playback frame, a zoom in (a view report of the map component) and a click on the map;
- browser (Debian chromium through playwright, against ``conflict-atlas serve``): the first
  view (page open -> event count shown and the map component drawn) and the same
  interactions, each from the user's action to the new count or layer drawn, plus the
  longest main-thread task (PerformanceObserver "longtask", page and map frame) during each;
- the naive baseline in the same run: a bare Streamlit page that sends every filtered point to
  ``st.pydeck_chart`` and filters by a search box, first view and filter change timed the
  same way (or the error Streamlit shows when the message is over its size limit).

Results are printed and a dated block is added to ``bench/RESULTS.md`` (the dashboard
section keeps every earlier figure).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CHROMIUM = os.environ.get("CONFLICT_ATLAS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
GOAL_FIRST_S = 3.0
GOAL_SERVER_S = 1.0
GOAL_BROWSER_S = 2.0
GOAL_FREEZE_S = 1.0
ACTOR = "Islamic State (Iraq)"

NAIVE_APP = textwrap.dedent('''
    import os
    import pydeck as pdk
    import streamlit as st
    from dashboard.layers import point_records
    from extract.store import read_events

    @st.cache_resource
    def load():
        return read_events(os.environ["CONFLICT_ATLAS_STORE"])

    df = load()
    df = df[~df["is_background"]]
    q = st.text_input("Search notes and sentences")
    if q:
        df = df[df["sentence"].str.contains(q, case=False, regex=False)]
    st.markdown(f"<span id='ca-count'>{len(df)}</span> points", unsafe_allow_html=True)
    deck = pdk.Deck(layers=[pdk.Layer("ScatterplotLayer", point_records(df),
                                      get_position=["lon", "lat"],
                                      get_fill_color="[r, g, b, 200]", get_radius=4,
                                      radius_units="\'pixels\'")],
                    map_provider=None,
                    initial_view_state=pdk.ViewState(latitude=34, longitude=41, zoom=5))
    st.pydeck_chart(deck)
''')

# every frame (the page and the map component's) records its long tasks, in epoch ms
LONGTASKS = """
window.__caLong = [];
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      window.__caLong.push([performance.timeOrigin + e.startTime, e.duration]);
    }
  }).observe({type: 'longtask', buffered: true});
} catch (err) {}
"""


def timed(fn: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd: list[str], env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [c.replace("{PORT}", str(port)) for c in cmd]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, cwd=REPO)
    base = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(base + "_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return proc, base
        except OSError:
            time.sleep(0.3)
    stop(proc)
    raise RuntimeError("server did not start")


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def _count_js(n: int) -> str:
    return ("() => { const e = document.querySelector('#ca-count');"
            f" return e && e.textContent.trim() === '{n}'; }}")


def _drawn(page: Any, layer: str) -> None:
    from dashboard.deckmap.browser import drawn_frame

    drawn_frame(page, layer, timeout_s=300)


def _settle(page: Any) -> None:
    """Until no script runs and the browser is idle (a user acts on a page that has drawn)."""
    page.wait_for_function("() => !document.querySelector(\"[data-testid='stStatusWidget']\")")
    page.evaluate("() => new Promise(r => requestIdleCallback(() => r(), {timeout: 10000}))")
    page.wait_for_timeout(300)


def _freeze_since(page: Any, t0_ms: float) -> float:
    """The longest main-thread task (s) since ``t0_ms`` in the page or the map's frame."""
    worst = 0.0
    for frame in page.frames:
        try:
            tasks = frame.evaluate("() => window.__caLong || []")
        except Exception:  # noqa: BLE001 - a detached frame has nothing to say
            tasks = []
        for start, duration in tasks:
            if start + duration >= t0_ms:
                worst = max(worst, duration / 1000)
    return round(worst, 2)


def _act(page: Any, action: Callable[[], None], done: Callable[[], None]) -> tuple[float, float]:
    """(seconds from the action to ``done``, longest freeze in between)."""
    _settle(page)
    t0_ms = page.evaluate("() => Date.now()")
    t0 = time.perf_counter()
    action()
    done()
    return round(time.perf_counter() - t0, 2), _freeze_since(page, t0_ms)


def _first_layer(n_filtered: int) -> str:
    from dashboard.layers import POINT_LIMIT

    return "events-h3" if n_filtered > POINT_LIMIT else "events"


def browser_row(browser: Any, base: str, expected: dict[str, int]) -> dict[str, object]:
    row: dict[str, object] = {}
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(LONGTASKS)
    page = context.new_page()
    page.set_default_timeout(300_000)
    try:
        t0_ms = time.time() * 1000
        t0 = time.perf_counter()
        page.goto(base)
        page.wait_for_function(_count_js(expected["all"]))
        _drawn(page, _first_layer(expected["all"]))
        row["first"] = (round(time.perf_counter() - t0, 2), _freeze_since(page, t0_ms))
        box = page.get_by_label("Search notes and sentences")

        def typed(text: str) -> Callable[[], None]:
            return lambda: (box.fill(text), box.press("Enter"))

        row["filter"] = _act(page, typed("mosul"),
                             lambda: page.wait_for_function(_count_js(expected["text"])))
        _act(page, typed(""), lambda: page.wait_for_function(_count_js(expected["all"])))
        worst_s, worst_freeze = 0.0, 0.0
        for label, prefix in (("Heatmap", "events-heat"), ("Hexagons", "events-hex"),
                              ("Admin-1 choropleth", "events-admin1"),
                              ("Points", _first_layer(expected["all"]))):
            took = _act(page, lambda lb=label: page.get_by_text(lb, exact=True).click(),
                        lambda p=prefix: _drawn(page, p))
            row[f"layer {label}"] = took
            worst_s, worst_freeze = max(worst_s, took[0]), max(worst_freeze, took[1])
        row["layer"] = (worst_s, worst_freeze)  # the slowest switch, the longest freeze
        deck = page.locator("iframe[title*='deckmap']").first
        bbox = deck.bounding_box()
        url_before = page.url

        def wheel() -> None:
            page.mouse.move(bbox["x"] + bbox["width"] * 0.55, bbox["y"] + bbox["height"] * 0.3)
            for _ in range(6):
                page.mouse.wheel(0, -240)
                page.wait_for_timeout(50)

        row["zoom"] = _act(page, wheel, lambda: (
            page.wait_for_function("u => location.href !== u", arg=url_before),
            _settle(page)))
        actor_box = page.get_by_placeholder("Search actors (names and aliases)")

        def pick_actor() -> None:
            actor_box.click()
            page.keyboard.type(ACTOR)
            page.keyboard.press("Enter")

        row["actor"] = _act(page, pick_actor,
                            lambda: page.wait_for_function(_count_js(expected["actor"])))
    except Exception as exc:  # noqa: BLE001 - a benchmark records what failed
        row["error"] = f"{type(exc).__name__}: {str(exc)[:160]}"
    finally:
        context.close()
    return row


def server_row(app: Path, expected: dict[str, int], frame: dt.date) -> dict[str, object]:
    from streamlit.testing.v1 import AppTest

    row: dict[str, object] = {}
    at = AppTest.from_file(str(app), default_timeout=600)

    def step(name: str, fn: Callable[[], object]) -> None:
        t0 = time.perf_counter()
        fn()
        row[name] = round(time.perf_counter() - t0, 2)
        if at.exception:
            row[name] = f"failed: {at.exception[0].value[:80]}"

    step("first", at.run)
    step("filter", lambda: at.text_input(key="f_text").set_value("mosul").run())
    at.text_input(key="f_text").set_value("").run()
    worst = 0.0
    for layer in ("heatmap", "hexagon", "choropleth", "points"):
        step(f"layer {layer}", lambda lay=layer: at.radio(key="v_layer").set_value(lay).run())
        worst = max(worst, float(row[f"layer {layer}"]) if isinstance(row[f"layer {layer}"],
                                                                       float) else worst)
    row["layer"] = worst
    at.session_state["map"] = {"kind": "view", "seq": 1, "lat": 36.3, "lon": 43.1, "zoom": 10,
                               "pitch": 0, "bearing": 0, "bounds": [42.9, 36.2, 43.3, 36.45],
                               "width": 900, "height": 600}
    step("zoom", at.run)
    at.session_state["map"] = {"kind": "click", "seq": 2, "lat": 36.34, "lon": 43.13,
                               "layer": "events"}
    step("click", at.run)
    step("actor", lambda: at.multiselect(key="f_actors").set_value([ACTOR]).run())
    at.multiselect(key="f_actors").set_value([]).run()
    at.checkbox(key="p_on").check().run()
    step("frame", lambda: at.slider(key="p_cursor").set_value(frame).run())
    return row


def naive_row(browser: Any, workdir: Path, env: dict[str, str],
              expected: dict[str, int]) -> dict[str, object]:
    row: dict[str, object] = {}
    script = workdir / "naive_app.py"
    script.write_text(NAIVE_APP)
    proc, base = start([sys.executable, "-m", "streamlit", "run", str(script),
                        "--server.port", "{PORT}", "--server.address", "127.0.0.1",
                        "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                       env)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(LONGTASKS)
    page = context.new_page()
    page.set_default_timeout(300_000)
    try:
        t0_ms = time.time() * 1000
        t0 = time.perf_counter()
        page.goto(base)
        page.wait_for_function(
            "() => document.querySelector(\"[data-testid='stDeckGlJsonChart'] canvas\")"
            " || document.querySelector(\"[data-testid='stException']\")"
            " || /message size|too large|exceeds/i.test(document.body.innerText)")
        elapsed = round(time.perf_counter() - t0, 2)
        if page.locator("[data-testid='stDeckGlJsonChart'] canvas").count() == 0:
            row["first"] = f"failed after {elapsed}"
            return row
        row["first"] = (elapsed, _freeze_since(page, t0_ms))
        box = page.get_by_label("Search notes and sentences")
        row["filter"] = _act(page, lambda: (box.fill("mosul"), box.press("Enter")),
                             lambda: page.wait_for_function(_count_js(expected["text"])))
    except Exception as exc:  # noqa: BLE001 - a benchmark records the baseline's failure
        row["error"] = f"{type(exc).__name__}: {str(exc)[:160]}"
    finally:
        context.close()
        stop(proc)
    return row


def bench_size(n: int, workdir: Path, browser: object | None) -> dict[str, object]:
    from dashboard.filters import FilterState, apply_filters
    from dashboard.synthetic import synthetic_events
    from extract.store import write_events

    row: dict[str, object] = {"n": n, "load_before": round(os.getloadavg()[0], 2)}
    events = synthetic_events(n, seed=1, jitter=0.05)
    store = workdir / f"events-{n}.parquet"
    write_events(events, store)
    expected = {"all": len(apply_filters(events, FilterState())),
                "text": len(apply_filters(events, FilterState(text="mosul"))),
                "actor": len(apply_filters(events, FilterState(actors=(ACTOR,))))}
    frame = (events["event_date"].max() - dt.timedelta(days=60)).date()
    env = {**os.environ, "CONFLICT_ATLAS_STORE": str(store)}
    os.environ["CONFLICT_ATLAS_STORE"] = str(store)
    row["server"] = server_row(REPO / "dashboard" / "app.py", expected, frame)
    del events
    if browser is not None:
        proc, base = start([str(Path(sys.executable).parent / "conflict-atlas"), "serve",
                            str(store), "--port", "{PORT}"], env)
        try:
            row["browser"] = browser_row(browser, base, expected)
        finally:
            stop(proc)
        row["naive"] = naive_row(browser, workdir, env, expected)
    row["load_after"] = round(os.getloadavg()[0], 2)
    return row


def _s(value: object) -> str:
    if isinstance(value, tuple):
        return f"{value[0]} ({value[1]})"
    return "-" if value is None else str(value)


def write_results(rows: list[dict[str, object]]) -> str:
    today = dt.date.today().isoformat()
    lines = [
        f"### {today}: map component, view as state, level of detail",
        "",
        (f"Command: `.venv/bin/python bench/bench_dashboard.py --sizes "
         f"{' '.join(str(r['n']) for r in rows)}` (in one run). Machine: "
         f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs shared with "
         f"other developers, Python {platform.python_version()}. Goals at 1M: first view < "
         f"{GOAL_FIRST_S:g} s, any interaction < {GOAL_SERVER_S:g} s on the server and < "
         f"{GOAL_BROWSER_S:g} s in the browser, no main-thread freeze over {GOAL_FREEZE_S:g} s."),
        "",
        "Server (AppTest, whole page script), seconds:",
        "",
        ("| events | load avg | first view (cold) | filter | actor | layer switch (worst) "
         "| playback frame | zoom in | map click |"),
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        sv: dict[str, object] = r["server"]  # type: ignore[assignment]
        lines.append(f"| {r['n']:,} | {r['load_before']} / {r['load_after']} | "
                     + " | ".join(_s(sv.get(k)) for k in ("first", "filter", "actor", "layer",
                                                          "frame", "zoom", "click")) + " |")
    lines += ["", ("Browser (Debian chromium, `serve`), seconds from the action to the new "
                   "count or layer drawn (longest main-thread task in parentheses):"), "",
              ("| events | first view | filter | actor | layer switch (worst) | zoom in "
               "(wheel -> view in the URL, redrawn) | naive first view | naive filter |"),
              "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        b: dict[str, object] = r.get("browser", {})  # type: ignore[assignment]
        nv: dict[str, object] = r.get("naive", {})  # type: ignore[assignment]
        lines.append(f"| {r['n']:,} | " + " | ".join(_s(b.get(k)) for k in (
            "first", "filter", "actor", "layer", "zoom")) + f" | {_s(nv.get('first'))} | "
            f"{_s(nv.get('filter'))} |")
        for key in ("error",):
            if b.get(key) or nv.get(key):
                lines.append(f"<!-- {r['n']}: {b.get(key) or ''} {nv.get(key) or ''} -->")
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--out", default=str(REPO / "bench" / "RESULTS.md"))
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="ca-bench-") as tmp:
        browser = None
        pw = None
        if not args.no_browser and Path(CHROMIUM).exists():
            from playwright.sync_api import sync_playwright

            pw = sync_playwright().start()
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for n in args.sizes:
                row = bench_size(n, Path(tmp), browser)
                print(row, flush=True)
                rows.append(row)
        finally:
            if browser is not None:
                browser.close()
            if pw is not None:
                pw.stop()
    block = write_results(rows)
    print(block)
    out = Path(args.out)
    previous = out.read_text() if out.exists() else "# Benchmark results\n\n"
    marker = "## Dashboard (`bench/bench_dashboard.py`)"
    if marker in previous:  # the newest run first, every earlier figure kept below it
        head, _, rest = previous.partition(marker)
        previous = head + marker + "\n\n" + block + "\n" + rest.lstrip("\n")
    else:
        previous = previous.rstrip() + "\n\n" + marker + "\n\n" + block
    out.write_text(previous)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
