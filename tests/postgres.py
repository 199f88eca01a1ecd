"""A real PostgreSQL with PostGIS for the tests: Debian's server in a temporary data directory.

:func:`start_postgres` runs ``initdb`` and ``pg_ctl start`` (as the ``postgres`` system user
when the tests run as root: the server refuses root) listening on 127.0.0.1 only, on a free
port, trusting local connections; :func:`skip_reason` says why it cannot (no server
binaries, no PostGIS extension, no psycopg) so the tests skip with that reason. No mock.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    return Path(found[-1]).parent if found else None


def skip_reason() -> str | None:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'conflict-atlas[postgis]')"
    bindir = _bin_dir()
    if bindir is None:
        return "no PostgreSQL server (apt-get install postgresql postgis; .ci/run does)"
    version = bindir.parent.name
    if not Path(f"/usr/share/postgresql/{version}/extension/postgis.control").exists():
        return f"PostGIS is not installed for PostgreSQL {version} (apt-get install postgis)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run the server"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def start_postgres() -> Iterator[str]:
    """The URL of a fresh server's ``postgres`` database (stopped and removed on exit)."""
    bindir = _bin_dir()
    assert bindir is not None
    root = Path(tempfile.mkdtemp(prefix="ca-pg-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        for path in (root, sockets):
            os.chown(path, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "postgres",
                    "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
                   check=True, capture_output=True, timeout=120)
    options = (f"-c listen_addresses=127.0.0.1 -c port={port} -k {sockets} "
               "-c fsync=off -c full_page_writes=off -c max_connections=60")
    subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-o", options,
                    "-l", str(root / "log"), "-w", "-t", "60", "start"],
                   check=True, capture_output=True, timeout=120)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "-w", "stop"], capture_output=True, timeout=60, check=False)
        shutil.rmtree(root, ignore_errors=True)


def new_database(admin_url: str, name: str) -> str:
    """A new empty database on the server of ``admin_url``; its URL."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name
