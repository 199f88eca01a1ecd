"""The dashboard behind a sign-in: Streamlit's ASGI ``st.App`` with a login page and a gate.

``conflict-atlas serve --auth FILE`` runs :func:`auth_app` on Streamlit's own server
(uvicorn). Every request, the app's websocket included, passes :class:`AuthGate` first; one
without a valid session cookie is sent to ``/login`` (a page) or refused (the websocket,
with close code 1008; anything else, 401). ``/login`` checks the password, refuses with 429
and ``Retry-After`` after repeated failures (:class:`dashboard.auth.LoginLimiter`), and on
success sets the session cookie: signed and timed (:class:`dashboard.auth.Sessions`),
``HttpOnly``, ``SameSite=Lax``, ``Secure`` when served over https. ``/logout`` clears it.
The pages read the same cookie (``st.context.cookies``) to know who is signed in and what
their role allows (:func:`dashboard.ui.signed_in`).
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

from dashboard.auth import COOKIE, AuthFile, LoginLimiter, Sessions, safe_next

logger = logging.getLogger(__name__)

PUBLIC_PATHS = ("/login", "/logout", "/_stcore/health", "/favicon.png", "/favicon.ico")
# an unauthenticated GET of anything else is a page: sent to the form, then back
API_PREFIXES = ("/_stcore/", "/static/", "/component/", "/media/")
MAX_FORM_BYTES = 8192

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in · Conflict Atlas</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;background:#f5f5f4;display:flex;
justify-content:center;margin-top:12vh}}form{{background:#fff;padding:2rem 2.5rem;
border-radius:8px;box-shadow:0 1px 4px #0002;min-width:18rem}}label{{display:block;
margin:.8rem 0 .2rem}}input{{width:100%;padding:.45rem;box-sizing:border-box}}
button{{margin-top:1.2rem;padding:.5rem 1.2rem}}.msg{{color:#b91c1c}}</style></head>
<body><form method="post" action="/login">
<h2>Conflict Atlas</h2>{message}
<input type="hidden" name="next" value="{next}">
<label for="username">User name</label>
<input id="username" name="username" autocomplete="username" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form></body></html>
"""


def login_page(next_path: str = "/", message: str = "") -> str:
    """The sign-in form (every value escaped)."""
    note = f'<p class="msg" role="alert">{html.escape(message)}</p>' if message else ""
    return _PAGE.format(message=note, next=html.escape(safe_next(next_path), quote=True))


def _cookies(scope: dict[str, Any]) -> dict[str, str]:
    from starlette.requests import cookie_parser

    for key, value in scope.get("headers", []):
        if key == b"cookie":
            return cookie_parser(value.decode("latin-1"))
    return {}


class AuthGate:
    """ASGI middleware: lets through only requests whose session cookie signs in a user."""

    def __init__(self, app: Any, sessions: Sessions):
        self.app = app
        self.sessions = sessions

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] in PUBLIC_PATHS:
            await self.app(scope, receive, send)
            return
        user = self.sessions.user_for(_cookies(scope).get(COOKIE))
        if user is not None:
            scope.setdefault("state", {})["user"] = user.name
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008,
                        "reason": "sign in at /login"})
            return
        from starlette.responses import PlainTextResponse, RedirectResponse

        response: Any
        if scope.get("method") == "GET" and not scope["path"].startswith(API_PREFIXES):
            target = scope["path"] + ("?" + scope["query_string"].decode("latin-1")
                                      if scope.get("query_string") else "")
            response = RedirectResponse("/login?next=" + quote(target, safe=""),
                                        status_code=303)
        else:
            response = PlainTextResponse("sign in at /login", status_code=401)
        await response(scope, receive, send)


def login_routes(auth: AuthFile, sessions: Sessions, limiter: LoginLimiter) -> list[Any]:
    """``/login`` (GET: the form; POST: sign in) and ``/logout``."""
    from starlette.responses import HTMLResponse, RedirectResponse
    from starlette.routing import Route

    async def login(request: Any) -> Any:
        if request.method == "GET":
            return HTMLResponse(login_page(request.query_params.get("next", "/")))
        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            return HTMLResponse(login_page(message="Request too large."), status_code=413)
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        name, password = form.get("username", "").strip(), form.get("password", "")
        target = safe_next(form.get("next"))
        client = request.client.host if request.client else "?"
        keys = [("user", name), ("ip", client)]
        wait = limiter.retry_after(keys)
        if wait > 0:
            logger.warning("sign-in refused (too many failures): user %r from %s", name, client)
            return HTMLResponse(login_page(target, "Too many failed attempts; try again in "
                                           f"{int(wait) + 1} seconds."),
                                status_code=429, headers={"Retry-After": str(int(wait) + 1)})
        user = auth.verify(name, password) if name and password else None
        if user is None:
            limiter.failed(keys)
            logger.info("failed sign-in: user %r from %s", name, client)
            return HTMLResponse(login_page(target, "Wrong user name or password."),
                                status_code=401)
        limiter.succeeded(name)
        logger.info("signed in: %s (%s) from %s", user.name, user.role, client)
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(COOKIE, sessions.issue(user), max_age=sessions.max_age,
                            httponly=True, samesite="lax",
                            secure=request.url.scheme == "https", path="/")
        return response

    async def logout(request: Any) -> Any:
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    return [Route("/login", login, methods=["GET", "POST"]),
            Route("/logout", logout, methods=["GET", "POST"])]


def auth_app(script: Path, auth_path: Path) -> Any:
    """Streamlit's ``st.App`` for ``script`` with the gate and the login routes."""
    import streamlit as st
    from starlette.middleware import Middleware

    auth = AuthFile(auth_path)
    auth.team()  # a broken file fails here, before the server starts
    sessions = Sessions(auth)
    return st.App(script, routes=login_routes(auth, sessions, LoginLimiter()),
                  middleware=[Middleware(AuthGate, sessions=sessions)])
