"""Team access (``serve --auth``): the auth file, roles, sessions, the login limiter, the gate.

The gate and the login routes run here in a real Starlette app (the ones ``st.App`` mounts),
in front of a plain endpoint and websocket; ``tests/browser/test_auth_browser.py`` signs in
to the real dashboard.
"""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

pytest.importorskip("argon2", reason="serve --auth needs the dashboard extra (argon2-cffi)")

from dashboard.auth import (
    COOKIE,
    Access,
    AuthError,
    AuthFile,
    LoginLimiter,
    Sessions,
    User,
    safe_next,
)
from dashboard.cli import bind_refusal, is_loopback, server_config


def _fast() -> object:
    """Argon2id with small parameters: the same code path, a fraction of the cost (the
    default parameters are covered by the command-line test)."""
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture()
def team(tmp_path: Path) -> AuthFile:
    auth = AuthFile(tmp_path / "team.toml", hasher=_fast())
    auth.add_user("vera", "viewer-password", "viewer")
    auth.add_user("rita", "reviewer-password", "reviewer")
    auth.add_user("ada", "admin-password", "admin")
    return auth


def test_roles_add_up() -> None:
    viewer, reviewer, admin = (User(n, r, "$argon2id$x") for n, r in
                               (("v", "viewer"), ("r", "reviewer"), ("a", "admin")))
    assert viewer.can("explore") and viewer.can("export")
    assert not viewer.can("review") and not viewer.can("add_articles")
    assert reviewer.can("review") and not reviewer.can("add_articles")
    assert admin.can("review") and admin.can("add_articles")
    assert Access(None).can("add_articles")  # no sign-in configured: local use, all allowed
    assert not Access(viewer).can("review") and Access(viewer).name == "v"


def test_auth_file_is_private_hashed_and_verifies(team: AuthFile) -> None:
    mode = stat.S_IMODE(team.path.stat().st_mode)
    assert mode == 0o600
    text = team.path.read_text()
    assert "reviewer-password" not in text and "$argon2id$" in text
    assert team.verify("rita", "reviewer-password").role == "reviewer"
    assert team.verify("rita", "viewer-password") is None
    assert team.verify("nobody", "reviewer-password") is None
    assert team.verify("rita", "") is None


def test_auth_file_changes_apply_without_a_restart(team: AuthFile) -> None:
    reader = AuthFile(team.path, hasher=_fast())  # what a running server holds
    assert reader.user("vera").role == "viewer"
    team.set_role("vera", "reviewer")
    assert reader.user("vera").role == "reviewer"
    team.remove_user("vera")
    assert reader.user("vera") is None


@pytest.mark.parametrize("call, message", [
    (lambda a: a.add_user("rita", "another-password", "viewer"), "exists"),
    (lambda a: a.add_user("bad name", "another-password", "viewer"), "bad user name"),
    (lambda a: a.add_user("neo", "short", "viewer"), "at least 8"),
    (lambda a: a.add_user("neo", "another-password", "root"), "unknown role"),
    (lambda a: a.set_password("nobody", "another-password"), "no user"),
])
def test_bad_changes_are_refused_and_change_nothing(team: AuthFile, call, message) -> None:
    before = team.path.read_bytes()
    with pytest.raises(AuthError, match=message):
        call(team)
    assert team.path.read_bytes() == before


@pytest.mark.parametrize("body, message", [
    ("not toml [", "not a valid auth file"),
    ('secret = "short"\n', "32 characters"),
    ('secret = "' + "s" * 40 + '"\n[users.x]\nrole = "viewer"\npassword = "plain"\n',
     "not an Argon2 hash"),
    ('secret = "' + "s" * 40 + '"\n[users.x]\nrole = "god"\npassword = "$argon2id$"\n',
     "unknown role"),
])
def test_broken_auth_file_says_what_is_wrong(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "team.toml"
    path.write_text(body)
    with pytest.raises(AuthError, match=message):
        AuthFile(path).team()


def test_missing_auth_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(AuthError, match="conflict-atlas auth add"):
        AuthFile(tmp_path / "none.toml").team()


def test_sessions_sign_and_end(team: AuthFile) -> None:
    sessions = Sessions(team)
    token = sessions.issue(team.user("rita"))
    assert sessions.user_for(token).name == "rita"
    assert sessions.user_for(None) is None
    assert sessions.user_for(token[:-2] + ("AA" if token[-2:] != "AA" else "BB")) is None
    assert sessions.user_for("rita") is None
    team.set_password("rita", "a-new-password")  # a password change ends the old session
    assert sessions.user_for(token) is None
    token = sessions.issue(team.user("rita"))
    assert sessions.user_for(token).name == "rita"
    team.remove_user("rita")
    assert sessions.user_for(token) is None


def test_session_from_another_secret_is_refused(team: AuthFile, tmp_path: Path) -> None:
    other = AuthFile(tmp_path / "other.toml", hasher=_fast())
    other.add_user("rita", "reviewer-password", "reviewer")
    assert Sessions(team).user_for(Sessions(other).issue(other.user("rita"))) is None


def test_expired_session_is_refused(team: AuthFile, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    sessions = Sessions(team, max_age_hours=1)
    token = sessions.issue(team.user("vera"))
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 2 * 3600)
    assert sessions.user_for(token) is None


def test_limiter_locks_a_name_then_lets_it_try_again() -> None:
    now = [1000.0]
    limiter = LoginLimiter(limit=3, window=60, ip_limit=5, clock=lambda: now[0])
    keys = [("user", "rita"), ("ip", "10.0.0.1")]
    for _ in range(3):
        assert limiter.retry_after(keys) == 0
        limiter.failed(keys)
    assert limiter.retry_after(keys) == pytest.approx(60)
    # the name is locked from any address; another name from that address is not (yet)
    assert limiter.retry_after([("user", "rita"), ("ip", "10.0.0.2")]) > 0
    assert limiter.retry_after([("user", "vera"), ("ip", "10.0.0.1")]) == 0
    now[0] += 61
    assert limiter.retry_after(keys) == 0


def test_limiter_caps_one_address_across_names() -> None:
    limiter = LoginLimiter(limit=3, window=60, ip_limit=5, clock=lambda: 0.0)
    for name in "abcde":
        limiter.failed([("user", name), ("ip", "10.0.0.9")])
    assert limiter.retry_after([("user", "f"), ("ip", "10.0.0.9")]) > 0
    assert limiter.retry_after([("user", "f"), ("ip", "10.0.0.8")]) == 0


@pytest.mark.parametrize("target, expected", [
    ("/review?event=abc", "/review?event=abc"), (None, "/"), ("", "/"),
    ("https://evil.example/", "/"), ("//evil.example/", "/"), ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_next_after_sign_in_stays_on_this_server(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


# -- the gate and the login routes, in a real Starlette app -----------------------------

@pytest.fixture()
def client(team: AuthFile):
    pytest.importorskip("httpx", reason="Starlette's TestClient needs httpx")
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route, WebSocketRoute
    from starlette.testclient import TestClient

    from dashboard.auth_server import AuthGate, login_routes

    sessions = Sessions(team)

    async def home(request):
        return PlainTextResponse("app for " + request.scope["state"]["user"])

    async def stream(ws):
        await ws.accept()
        await ws.send_text("hello " + ws.scope["state"]["user"])
        await ws.close()

    app = Starlette(routes=[*login_routes(team, sessions, LoginLimiter(limit=3, window=600)),
                            Route("/", home), Route("/_stcore/health", home),
                            WebSocketRoute("/_stcore/stream", stream)],
                    middleware=[Middleware(AuthGate, sessions=sessions)])
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def test_gate_sends_a_page_to_sign_in_and_refuses_the_rest(client) -> None:
    r = client.get("/review?event=x", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2Freview%3Fevent%3Dx"
    assert client.get("/_stcore/host-config").status_code == 401
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect) as refused, \
            client.websocket_connect("/_stcore/stream"):
        pass
    assert refused.value.code == 1008


def test_forged_cookie_does_not_pass(client) -> None:
    client.cookies.set(COOKIE, "eyJ1IjoiYWRhIn0.forged.signature")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_sign_in_sets_a_safe_cookie_and_opens_the_app(client) -> None:
    page = client.get("/login?next=/review")
    assert page.status_code == 200 and 'name="next" value="/review"' in page.text
    r = client.post("/login", data={"username": "rita", "password": "reviewer-password",
                                    "next": "/review"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/review"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "max-age=43200" in cookie
    assert "secure" not in cookie  # plain http on loopback; https adds it
    assert client.get("/").text == "app for rita"
    token = client.cookies[COOKIE]  # the test client's websocket does not send its jar
    with client.websocket_connect("/_stcore/stream",
                                  headers={"cookie": f"{COOKIE}={token}"}) as ws:
        assert ws.receive_text() == "hello rita"
    out = client.get("/logout", follow_redirects=False)
    assert out.status_code == 303 and COOKIE in out.headers["set-cookie"]
    client.cookies.clear()
    assert client.get("/", follow_redirects=False).status_code == 303


def test_wrong_passwords_are_rate_limited(client) -> None:
    for _ in range(3):
        r = client.post("/login", data={"username": "rita", "password": "guess-guess"})
        assert r.status_code == 401 and "Wrong user name or password" in r.text
    r = client.post("/login", data={"username": "rita", "password": "reviewer-password"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert COOKIE not in r.headers.get("set-cookie", "")


def test_login_page_escapes_what_it_echoes(client) -> None:
    r = client.get('/login?next=/"><script>alert(1)</script>')
    assert "<script>alert" not in r.text and "&lt;script&gt;" in r.text


# -- the command line --------------------------------------------------------------------

@pytest.mark.parametrize("host, auth, allow, refused", [
    ("127.0.0.1", None, False, False), ("localhost", None, False, False),
    ("::1", None, False, False), ("0.0.0.0", None, False, True),
    ("192.168.1.5", None, False, True), ("0.0.0.0", "team.toml", False, False),
    ("0.0.0.0", None, True, False),
])
def test_public_bind_needs_auth_or_an_explicit_flag(host, auth, allow, refused) -> None:
    assert (bind_refusal(host, auth, allow) is not None) == refused
    assert is_loopback(host) == (host in ("127.0.0.1", "localhost", "::1"))


def test_server_config_matches_the_flags() -> None:
    config = server_config("127.0.0.1", 8600)
    assert config["server.address"] == "127.0.0.1" and config["server.port"] == 8600
    assert config["server.headless"] is True and config["browser.gatherUsageStats"] is False


def _cli(capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch, *args: str,
         stdin: str = "") -> tuple[int, str, str]:
    import io

    from conflict_atlas.cli import main

    monkeypatch.delenv("CONFLICT_ATLAS_AUTH", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_auth_commands_manage_the_file(tmp_path: Path, capsys, monkeypatch) -> None:
    path = str(tmp_path / "team.toml")
    code, _, err = _cli(capsys, monkeypatch, "auth", "add", path, "ada", "--role", "admin",
                        "--password-stdin", stdin="admin-password\n")
    assert code == 0, err
    assert _cli(capsys, monkeypatch, "auth", "add", path, "rita", "--role", "reviewer",
                "--password-stdin", stdin="reviewer-password\n")[0] == 0
    assert _cli(capsys, monkeypatch, "auth", "role", path, "rita", "viewer")[0] == 0
    _, listing, _ = _cli(capsys, monkeypatch, "auth", "list", path)
    assert listing.splitlines() == ["rita\tviewer", "ada\tadmin"]
    code, _, err = _cli(capsys, monkeypatch, "auth", "passwd", path, "rita",
                        "--password-stdin", stdin="short\n")
    assert code == 2 and "at least 8" in err
    assert _cli(capsys, monkeypatch, "auth", "remove", path, "rita")[0] == 0
    assert "m=65536,t=3" in Path(path).read_text()  # argon2-cffi's recommended parameters
    assert AuthFile(path).verify("ada", "admin-password") is not None
    assert AuthFile(path).user("rita") is None


def test_serve_refuses_a_public_bind_without_auth(tmp_path: Path, capsys, monkeypatch) -> None:
    code, _, err = _cli(capsys, monkeypatch, "serve", str(tmp_path / "events.parquet"),
                        "--host", "0.0.0.0")
    assert code == 2 and "--auth FILE" in err


def test_serve_refuses_an_auth_file_without_users(tmp_path: Path, capsys, monkeypatch) -> None:
    path = tmp_path / "team.toml"
    path.write_text('secret = "' + "s" * 40 + '"\n')
    code, _, err = _cli(capsys, monkeypatch, "serve", str(tmp_path / "events.parquet"),
                        "--auth", str(path))
    assert code == 2 and "no users" in err
