"""The dashboard behind sign-in (``serve --auth FILE``), in chromium and over its websocket."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from dashboard.edits import edits_path_for
from extract.store import write_events

from .conftest import serve

pytest.importorskip("argon2", reason="serve --auth needs the dashboard extra (argon2-cffi)")

PASSWORDS = {"vera": "viewer-password", "rita": "reviewer-password", "ada": "admin-password"}


@pytest.fixture(scope="module")
def team_server(tmp_path_factory: pytest.TempPathFactory,
                browser_events: pd.DataFrame) -> Iterator[tuple[str, Path, Path]]:
    from argon2 import PasswordHasher

    from dashboard.auth import AuthFile

    folder = tmp_path_factory.mktemp("team")
    store = folder / "events.parquet"
    write_events(browser_events.head(300), store)
    auth_path = folder / "team.toml"
    # small parameters here; the server upgrades each hash to its own at the first sign-in
    auth = AuthFile(auth_path, hasher=PasswordHasher(time_cost=1, memory_cost=1024))
    for name, role in (("vera", "viewer"), ("rita", "reviewer"), ("ada", "admin")):
        auth.add_user(name, PASSWORDS[name], role)
    for base in serve(store, "--auth", str(auth_path)):
        yield base, store, auth_path


def _sign_in(page: Any, base: str, name: str, path: str = "") -> None:
    page.goto(base + path)
    page.wait_for_selector("form[action='/login']")
    page.fill("#username", name)
    page.fill("#password", PASSWORDS[name])
    page.click("button[type=submit]")
    page.get_by_text(f"Signed in as {name}").wait_for()


def _nav(page: Any) -> list[str]:
    page.locator("[data-testid='stSidebarNav']").wait_for()
    # each link's text is its icon's name, then its title
    return [t.strip().splitlines()[-1].strip() for t in
            page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()]


def test_nothing_is_served_before_sign_in(team_server: tuple[str, Path, Path]) -> None:
    import urllib.error
    import urllib.request

    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    base, _, _ = team_server
    with urllib.request.urlopen(base + "review") as r:  # followed to the form
        assert r.url.startswith(base + "login?next=")
        assert b'name="password"' in r.read()
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(base + "_stcore/host-config")
    assert refused.value.code == 401
    with pytest.raises(InvalidStatus) as closed, \
            connect(base.replace("http", "ws") + "_stcore/stream", open_timeout=10):
        pass
    assert closed.value.response.status_code == 403


def test_viewer_explores_but_cannot_edit(page: Any, team_server: tuple[str, Path, Path]) -> None:
    base, _, _ = team_server
    _sign_in(page, base, "vera")
    page.wait_for_selector("#ca-count", state="attached")
    assert _nav(page) == ["Explore", "About the data"]
    page.goto(base + "review")
    page.wait_for_selector("#ca-count", state="attached")  # not a page of hers: Explore
    assert page.get_by_role("heading", name="Review").count() == 0


def test_reviewer_edit_carries_the_signed_in_name(page: Any, browser_events: pd.DataFrame,
                                                  team_server: tuple[str, Path, Path]) -> None:
    base, store, auth_path = team_server
    target = browser_events.head(300).iloc[5]["event_id"]
    _sign_in(page, base, "rita", f"review?event={target}")
    assert _nav(page) == ["Explore", "Review", "About the data"]
    page.get_by_role("heading", name="Review").wait_for()
    assert page.get_by_label("Your name (recorded with edits)").count() == 0
    page.get_by_label("Actor 1").first.fill("Actor set by rita")
    page.get_by_role("button", name="Save edit").click()
    log = edits_path_for(store)
    for _ in range(60):
        if log.exists() and log.read_text().strip():
            break
        page.wait_for_timeout(500)
    record = json.loads(log.read_text().splitlines()[-1])
    assert record["who"] == "rita" and record["event_id"] == target
    assert record["changes"]["actor1"][1] == "Actor set by rita"
    # her hash was made with small parameters: the server upgraded it at sign-in
    assert "m=65536" in auth_path.read_text().split("[users.rita]")[1].split("[users.")[0]


def test_admin_can_add_articles(page: Any, team_server: tuple[str, Path, Path]) -> None:
    base, _, _ = team_server
    _sign_in(page, base, "ada")
    assert _nav(page) == ["Explore", "Add articles", "Review", "About the data"]


def test_wrong_passwords_are_refused_then_limited(page: Any,
                                                  team_server: tuple[str, Path, Path]) -> None:
    base, _, _ = team_server
    page.goto(base + "login")
    statuses = []
    for _ in range(6):
        page.fill("#username", "ada")
        page.fill("#password", "not-her-password")
        with page.expect_response(lambda r: r.url.endswith("/login")) as response:
            page.click("button[type=submit]")
        statuses.append(response.value.status)
    assert statuses == [401] * 5 + [429]
    assert page.get_by_text("Too many failed attempts").count() == 1
