"""Browser fixtures: a dashboard served by ``conflict-atlas serve`` and Debian chromium.

Chromium is driven through Python playwright with the system binary (never a downloaded
browser): ``/usr/bin/chromium`` or ``$CONFLICT_ATLAS_CHROMIUM``. deck.gl's WebGL renders
through SwiftShader in headless chromium, so canvas pixels can be checked.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from dashboard.synthetic import synthetic_events
from extract.store import write_events

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    override = os.environ.get("CONFLICT_ATLAS_CHROMIUM")
    if override:
        return override
    for candidate in ("/usr/bin/chromium", shutil.which("chromium") or ""):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the dashboard exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(base + "_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the dashboard did not become healthy in time")


@pytest.fixture(scope="session")
def browser_events() -> pd.DataFrame:
    return synthetic_events(3000, seed=21, xss=True)


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory,
           browser_events: pd.DataFrame) -> Iterator[str]:
    """Base URL of a dashboard serving the synthetic store."""
    store = tmp_path_factory.mktemp("browser-store") / "events.parquet"
    write_events(browser_events, store)
    yield from serve(store)


def serve(store: Path, *extra: str) -> Iterator[str]:
    """Base URL of ``conflict-atlas serve STORE EXTRA...`` on a free loopback port."""
    port = free_port()
    exe = Path(sys.executable).parent / "conflict-atlas"
    env = {**os.environ, "CONFLICT_ATLAS_DATA": str(store.parent)}
    env.pop("CONFLICT_ATLAS_BASEMAP", None)
    proc = subprocess.Popen([str(exe), "serve", str(store), "--port", str(port), *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_healthy(base, proc)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    path = chromium_path()
    if path is None:
        pytest.skip("Debian chromium is not installed (apt-get install chromium; .ci/run "
                    "installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000},  # type: ignore[attr-defined]
                                  accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()
