"""Team access to the dashboard: users, roles, password hashes, signed sessions, login limits.

Pure (no Streamlit, no web server): :mod:`dashboard.auth_server` puts it in front of the
Streamlit app and the pages ask it who is signed in.

The auth file (``conflict-atlas serve --auth team.toml``) is TOML, written by
``conflict-atlas auth add|passwd|role|remove`` (mode 0600, replaced atomically)::

    secret = "9f1c..."            # signs the session cookies; change it to sign everyone out

    [users.rita]
    role = "reviewer"             # viewer | reviewer | admin
    password = "$argon2id$v=19$m=65536,t=3,p=4$..."

Roles add up: a **viewer** explores and exports; a **reviewer** also edits events on the
Review page (every edit records the signed-in name); an **admin** also adds articles to the
store from the dashboard. Passwords are hashed with Argon2id (``argon2-cffi``, the
reference implementation's maintained binding; parameters are its defaults and a hash made
with older parameters is upgraded at the next sign-in). Sessions are ``itsdangerous``
timed signatures of the user's name and a fingerprint of their current hash, so changing a
password or removing a user ends their sessions at once. :class:`LoginLimiter` refuses
sign-in attempts for a while after repeated failures, per user name and per client address.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import stat
import time
import tomllib
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conflict_atlas_core.errors import ConflictAtlasError

logger = logging.getLogger(__name__)

ROLES = ("viewer", "reviewer", "admin")
# action -> the least role allowed to do it
PERMISSIONS = {"explore": "viewer", "export": "viewer", "review": "reviewer",
               "add_articles": "admin"}
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 8
SESSION_SALT = "conflict-atlas-session"
COOKIE = "conflict_atlas_session"
DEFAULT_SESSION_HOURS = 12.0


class AuthError(ConflictAtlasError, ValueError):
    """A bad auth file, user name, role or password."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    password_hash: str = field(repr=False)

    def can(self, action: str) -> bool:
        """Whether this user's role allows ``action`` (a key of :data:`PERMISSIONS`)."""
        return ROLES.index(self.role) >= ROLES.index(PERMISSIONS[action])

    @property
    def fingerprint(self) -> str:
        """Changes when the password (hence its hash) changes: ends the old sessions."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Access:
    """What the person using a page may do: ``user`` is None when the server has no
    sign-in (``serve`` without ``--auth``, bound to this machine), and then everything is
    allowed, as it was before teams."""

    user: User | None = None

    def can(self, action: str) -> bool:
        return self.user is None or self.user.can(action)

    @property
    def name(self) -> str | None:
        return self.user.name if self.user else None


def check_name(name: str) -> str:
    if not NAME_RE.match(name or ""):
        raise AuthError(f"bad user name {name!r}: 1-64 letters, digits, '.', '_', '@' or '-'")
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AuthError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    return role


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"a password needs at least {MIN_PASSWORD} characters")
    return password


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


@dataclass
class Team:
    """The parsed auth file: the signing secret and the users by name."""

    secret: str
    users: dict[str, User]


class AuthFile:
    """The auth file on disk, re-read when it changes (``auth add`` while serving applies)."""

    def __init__(self, path: str | os.PathLike[str], hasher: Any = None):
        """``hasher``: an ``argon2.PasswordHasher`` (default: its recommended parameters)."""
        self.path = Path(path)
        self._stamp: tuple[int, int] | None = None
        self._team: Team | None = None
        self._hasher = hasher if hasher is not None else _hasher()
        self._dummy: str | None = None  # made at the first sign-in (see verify)

    # -- reading -------------------------------------------------------------------------
    def team(self) -> Team:
        try:
            st = self.path.stat()
        except FileNotFoundError as exc:
            raise AuthError(f"no auth file at {self.path} (create it with "
                            f"`conflict-atlas auth add {self.path} NAME --role admin`)") from exc
        stamp = (st.st_mtime_ns, st.st_size)
        if self._team is None or stamp != self._stamp:
            self._team = self._parse(self.path.read_bytes())
            self._stamp = stamp
        return self._team

    def _parse(self, raw: bytes) -> Team:
        try:
            doc = tomllib.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise AuthError(f"{self.path} is not a valid auth file: {exc}") from exc
        secret = doc.get("secret")
        if not isinstance(secret, str) or len(secret) < 32:
            raise AuthError(f"{self.path}: 'secret' must be a string of 32 characters or more")
        users: dict[str, User] = {}
        table = doc.get("users", {})
        if not isinstance(table, dict):
            raise AuthError(f"{self.path}: [users] must be a table")
        for name, entry in table.items():
            if not isinstance(entry, dict):
                raise AuthError(f"{self.path}: users.{name} must be a table")
            password = entry.get("password")
            if not isinstance(password, str) or not password.startswith("$argon2"):
                raise AuthError(f"{self.path}: users.{name}.password is not an Argon2 hash "
                                "(set it with `conflict-atlas auth passwd`)")
            users[check_name(name)] = User(name, check_role(str(entry.get("role", ""))),
                                           password)
        return Team(secret, users)

    def user(self, name: str) -> User | None:
        return self.team().users.get(name)

    def verify(self, name: str, password: str) -> User | None:
        """The user when ``password`` is theirs, else None (same cost either way)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        user = self.user(name)
        if self._dummy is None:  # an unknown name costs what a known one does
            self._dummy = self._hasher.hash(secrets.token_hex(8))
        try:
            self._hasher.verify(user.password_hash if user else self._dummy, password)
        except (VerificationError, InvalidHashError):
            return None
        if user is None:
            return None
        if self._hasher.check_needs_rehash(user.password_hash):
            try:
                self.set_password(name, password)
                user = self.user(name) or user
            except OSError as exc:
                logger.warning("could not upgrade the password hash of %s: %s", name, exc)
        return user

    # -- writing -------------------------------------------------------------------------
    def _load_or_new(self) -> Team:
        if self.path.exists():
            return self.team()
        return Team(secrets.token_hex(32), {})

    def _write(self, team: Team) -> None:
        import tomli_w

        doc = {"secret": team.secret,
               "users": {u.name: {"role": u.role, "password": u.password_hash}
                         for u in sorted(team.users.values(), key=lambda u: u.name)}}
        body = ("# Conflict Atlas auth file: `conflict-atlas auth add|passwd|role|remove`.\n"
                "# Keep it private. Changing 'secret' signs everyone out.\n"
                + tomli_w.dumps(doc))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(body)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        finally:
            tmp.unlink(missing_ok=True)
        self._team = None

    def add_user(self, name: str, password: str, role: str) -> None:
        team = self._load_or_new()
        if check_name(name) in team.users:
            raise AuthError(f"user {name!r} exists (use `auth passwd` or `auth role`)")
        team.users[name] = User(name, check_role(role),
                                self._hasher.hash(check_password(password)))
        self._write(team)

    def set_password(self, name: str, password: str) -> None:
        team = self.team()
        user = self._existing(team, name)
        team.users[name] = User(name, user.role, self._hasher.hash(check_password(password)))
        self._write(team)

    def set_role(self, name: str, role: str) -> None:
        team = self.team()
        user = self._existing(team, name)
        team.users[name] = User(name, check_role(role), user.password_hash)
        self._write(team)

    def remove_user(self, name: str) -> None:
        team = self.team()
        self._existing(team, name)
        del team.users[name]
        self._write(team)

    @staticmethod
    def _existing(team: Team, name: str) -> User:
        user = team.users.get(name)
        if user is None:
            raise AuthError(f"no user {name!r}")
        return user


class Sessions:
    """Signed, timed session tokens (the cookie's value) for the users of an auth file."""

    def __init__(self, auth: AuthFile, max_age_hours: float = DEFAULT_SESSION_HOURS):
        self.auth = auth
        self.max_age = int(max_age_hours * 3600)

    def _serializer(self) -> Any:
        from itsdangerous import URLSafeTimedSerializer

        return URLSafeTimedSerializer(self.auth.team().secret, salt=SESSION_SALT)

    def issue(self, user: User) -> str:
        return str(self._serializer().dumps({"u": user.name, "k": user.fingerprint}))

    def user_for(self, token: str | None) -> User | None:
        """The user a token signs in, or None when it is absent, forged, expired, or its
        user was removed or changed password since."""
        from itsdangerous import BadSignature

        if not token:
            return None
        try:
            data = self._serializer().loads(token, max_age=self.max_age)
        except BadSignature:
            return None
        if not isinstance(data, dict):
            return None
        user = self.auth.user(str(data.get("u", "")))
        if user is None or data.get("k") != user.fingerprint:
            return None
        return user


class LoginLimiter:
    """Refuse sign-in for ``window`` seconds after ``limit`` failures under one key.

    Keys are e.g. ``("user", name)`` and ``("ip", address)``: a name is protected from a
    guesser whatever their address, and one address cannot try many names. One instance
    per server process (the server holds it), so counts do not survive a restart.
    """

    def __init__(self, limit: int = 5, window: float = 300.0, ip_limit: int = 20,
                 clock: Callable[[], float] = time.monotonic):
        self.limit, self.ip_limit, self.window, self.clock = limit, ip_limit, window, clock
        self._failures: dict[tuple[str, str], deque[float]] = {}

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        now = self.clock()
        while times and now - times[0] >= self.window:
            times.popleft()
        return times

    def retry_after(self, keys: Iterable[tuple[str, str]]) -> float:
        """Seconds before another attempt under these keys is allowed (0: now)."""
        wait = 0.0
        for key in keys:
            times = self._recent(key)
            cap = self.ip_limit if key[0] == "ip" else self.limit
            if len(times) >= cap:
                wait = max(wait, self.window - (self.clock() - times[-cap]))
        return wait

    def failed(self, keys: Iterable[tuple[str, str]]) -> None:
        for key in keys:
            self._recent(key).append(self.clock())

    def succeeded(self, name: str) -> None:
        self._failures.pop(("user", name), None)


def safe_next(target: str | None) -> str:
    """A redirect target after sign-in: a path on this server, never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
