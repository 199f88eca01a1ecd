"""Subcommands of the dashboard: ``serve`` (run the Streamlit app) and ``export``.

``conflict-atlas serve [STORE] [--port P] [--host H] [--basemap offline|carto] [--auth FILE]``
runs the app headless, bound to 127.0.0.1 unless ``--host`` says otherwise; any other
address needs ``--auth FILE`` (sign-in, :mod:`dashboard.auth_server`) or an explicit
``--allow-unauthenticated``. ``conflict-atlas auth add|passwd|role|remove|list FILE``
manages the users.

``conflict-atlas export [STORE] --format F --out FILE [--from D --to D --actor A --type T
--country C --admin1 A --text Q --min-confidence X --include-background --bbox ...]`` writes
exactly the events the same filters select in the dashboard, plus a sidecar
``FILE.meta.json`` (``all.csv.meta.json``) describing the filter and the pipeline version.
Review edits are applied unless ``--no-edits``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
from pathlib import Path
from typing import Any

from conflict_atlas_core.settings import Settings

logger = logging.getLogger(__name__)

APP = Path(__file__).resolve().parent / "app.py"


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``serve``, ``auth`` and ``export``."""
    from dashboard.auth import ROLES

    serve = sub.add_parser("serve", help="run the dashboard (Streamlit) on 127.0.0.1",
                           description="Run the dashboard, headless.")
    serve.add_argument("store", nargs="?", default=None,
                       help="GeoParquet file or postgresql:// URL (default: the default store)")
    serve.add_argument("--store", dest="store_option", default=None, help="the same, as an option")
    serve.add_argument("--port", type=int, default=8501)
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to bind (default 127.0.0.1; 0.0.0.0 exposes it)")
    serve.add_argument("--basemap", choices=("offline", "carto"), default=None,
                       help="default basemap (else $CONFLICT_ATLAS_BASEMAP, else offline)")
    serve.add_argument("--auth", metavar="FILE", default=None,
                       help="require sign-in with the users of FILE (roles viewer, reviewer, "
                            "admin; see `conflict-atlas auth`)")
    serve.add_argument("--allow-unauthenticated", action="store_true",
                       help="serve on an address other than 127.0.0.1 without --auth "
                            "(only behind a proxy that authenticates: anyone who reaches "
                            "the server can edit)")
    serve.set_defaults(handler=_serve)

    auth = sub.add_parser("auth", help="manage the users of `serve --auth FILE`",
                          description="Add, change and remove dashboard users.")
    auth_sub = auth.add_subparsers(dest="auth_command", required=True)
    add = auth_sub.add_parser("add", help="add a user (creates FILE)")
    add.add_argument("file")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    passwd = auth_sub.add_parser("passwd", help="set a user's password")
    passwd.add_argument("file")
    passwd.add_argument("name")
    for p in (add, passwd):
        p.add_argument("--password-stdin", action="store_true",
                       help="read the password from the first line of stdin (no prompt)")
    role = auth_sub.add_parser("role", help="change a user's role")
    role.add_argument("file")
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)
    remove = auth_sub.add_parser("remove", help="remove a user (ends their sessions)")
    remove.add_argument("file")
    remove.add_argument("name")
    listing = auth_sub.add_parser("list", help="list the users and their roles")
    listing.add_argument("file")
    auth.set_defaults(handler=_auth)

    exp = sub.add_parser("export", help="export filtered events (CSV, GeoJSON, ...)",
                         description="Export exactly the events the filters select.")
    exp.add_argument("store", nargs="?", default=None,
                     help="GeoParquet file or postgresql:// URL (default: the default store)")
    exp.add_argument("--store", dest="store_option", default=None, help="the same, as an option")
    exp.add_argument("--format", "-f", dest="fmt", default=None,
                     choices=("csv", "geojson", "geoparquet", "gpkg", "xlsx"),
                     help="output format (default: from --out's extension, else csv)")
    exp.add_argument("--out", "-o", default=None,
                     help="output file (default: a name made of the filters, here)")
    _filter_arguments(exp)
    exp.add_argument("--no-edits", action="store_true", help="ignore review edits")
    exp.set_defaults(handler=_export)


def _filter_arguments(parser: argparse.ArgumentParser) -> None:
    """One option per filter of :data:`dashboard.filters.FILTER_FIELDS`."""
    from dashboard.filters import FILTER_FIELDS, FilterState

    default = FilterState()
    for f in FILTER_FIELDS:
        options: dict[str, Any] = {"dest": f.field, "help": f.help}
        if f.kind == "flag":
            parser.add_argument(f.flag, action="store_true", **options)
            continue
        options["metavar"] = {"date": "YYYY-MM-DD", "bbox": "MINLON,MINLAT,MAXLON,MAXLAT"}.get(
            f.kind, f.flag.lstrip("-").upper())
        if f.kind in ("list", "precisions"):
            options.update(action="append", default=[])
        else:
            options["default"] = getattr(default, f.field)
        options["type"] = {"date": _date, "fraction": float, "bbox": _bbox,
                           "precisions": int}.get(f.kind, str)
        if f.choices:
            options["choices"] = [options["type"](c) for c in f.choices]
            options["help"] += " (" + ", ".join(f.choices[:6]) + (
                ", ..." if len(f.choices) > 6 else "") + ")"
        parser.add_argument(f.flag, **options)


def _filter_state(args: argparse.Namespace) -> Any:
    """The :class:`FilterState` the options say (ValueError when they do not fit)."""
    from dashboard.filters import FILTER_FIELDS, FilterState

    values: dict[str, Any] = {f.field: tuple(getattr(args, f.field))
                              if f.kind in ("list", "precisions") else getattr(args, f.field)
                              for f in FILTER_FIELDS}
    return FilterState(**values)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _bbox(text: str) -> tuple[float, float, float, float]:
    try:
        parts = [float(v) for v in text.split(",")]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"bbox needs four numbers: {text!r}") from exc
    if len(parts) != 4:
        raise argparse.ArgumentTypeError(f"bbox needs four numbers: {text!r}")
    return parts[0], parts[1], parts[2], parts[3]


def _store(arg: str | None, settings: Settings | None = None) -> Path | str:
    """The store named on the command line (a file or a ``postgresql://`` URL), else the
    configured one."""
    from extract.run_extract import store_location

    if arg:
        return store_location(arg)
    return (settings or Settings.from_env()).store_location


def streamlit_command(host: str, port: int) -> list[str]:
    """The ``streamlit run`` command line (flags explicit, so no config file is required)."""
    return [sys.executable, "-m", "streamlit", "run", str(APP),
            "--server.address", host, "--server.port", str(port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--browser.serverAddress", host if host not in ("0.0.0.0", "::") else "127.0.0.1",
            "--server.fileWatcherType", "none", "--client.toolbarMode", "minimal"]


def _serve(args: argparse.Namespace) -> int:
    """Warm this process's caches, then run the Streamlit server in it.

    The server runs in-process (not as a child ``streamlit run``) so that the imports, the
    events, the boundaries and the basemap loaded by :func:`dashboard.data.warm_up` are
    already in its ``st.cache_resource`` caches when the first browser session arrives; the
    health endpoint answers only after that.
    """
    from conflict_atlas_core.settings import AUTH_ENV, BASEMAP_ENV, STORE_ENV

    refusal = bind_refusal(args.host, args.auth, args.allow_unauthenticated)
    if refusal:
        print(f"error: {refusal}", file=sys.stderr)
        return 2
    auth_path = Path(args.auth).resolve() if args.auth else None
    if auth_path is not None:
        from dashboard.auth import AuthError, AuthFile

        try:
            users = AuthFile(auth_path).team().users
        except AuthError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if not users:
            print(f"error: {auth_path} has no users (`conflict-atlas auth add`)",
                  file=sys.stderr)
            return 2
        os.environ[AUTH_ENV] = str(auth_path)
    else:
        os.environ[AUTH_ENV] = ""  # empty is unset: no sign-in
    from extract.store_postgis import redact
    from extract.stores import open_store

    location = _store(args.store or args.store_option, args.settings)
    store = location.resolve() if isinstance(location, Path) else location
    os.environ[STORE_ENV] = str(store)
    label = redact(str(store))
    if args.basemap:
        os.environ[BASEMAP_ENV] = args.basemap
    # run from the project root when present, so its .streamlit/config.toml (theme) applies
    root = APP.parent.parent
    if (root / ".streamlit" / "config.toml").exists():
        os.chdir(root)
    try:
        present = open_store(store).exists()
    except OSError as exc:
        print(f"warning: {exc}; the dashboard will say so", file=sys.stderr)
        present = False
    if present:
        from dashboard.data import read_store, warm_up
        from extract.schema import SchemaError

        try:
            n = len(read_store(store))  # validates once into the cache file beside the store
            print(f"store {label}: {n:,} events", file=sys.stderr)
        except (SchemaError, ValueError, OSError) as exc:
            print(f"warning: cannot read {label} ({exc}); the dashboard will say so",
                  file=sys.stderr)
        else:
            try:
                logger.info("warm-up: %s", warm_up(store))
            except Exception as exc:  # noqa: BLE001 - only an optimisation: serve anyway
                logger.warning("warm-up failed (the first page view will be slower): %s", exc)
    else:
        print(f"note: {label} does not exist yet; the dashboard starts empty "
              "(add articles from its 'Add articles' page)", file=sys.stderr)
    print(f"Conflict Atlas: http://{args.host}:{args.port}/  (store: {label})", file=sys.stderr)
    if auth_path is None:
        print("no --auth: everyone who reaches this server can explore and edit"
              + (" (bound to 127.0.0.1: this machine only)" if is_loopback(args.host) else ""),
              file=sys.stderr)
        return run_streamlit(streamlit_command(args.host, args.port)[3:])
    print(f"sign-in required: users of {auth_path}", file=sys.stderr)
    return run_auth_app(auth_path, args.host, args.port)


def is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind_refusal(host: str, auth: str | None, allow_unauthenticated: bool) -> str | None:
    """Why serving on ``host`` is refused (None: it is not): anywhere but the loopback
    needs ``--auth``, or ``--allow-unauthenticated`` said on purpose."""
    if auth or allow_unauthenticated or is_loopback(host):
        return None
    return (f"refusing to serve on {host} without sign-in: anyone who reaches it could "
            "edit the events. Pass --auth FILE (see `conflict-atlas auth add`), or "
            "--allow-unauthenticated when a proxy in front authenticates.")


def server_config(host: str, port: int) -> dict[str, Any]:
    """The Streamlit options :func:`streamlit_command` passes as flags, as a mapping."""
    argv = streamlit_command(host, port)[5:]
    return {argv[i].lstrip("-"): _config_value(argv[i + 1]) for i in range(0, len(argv), 2)}


def _config_value(text: str) -> Any:
    if text in ("true", "false"):
        return text == "true"
    return int(text) if text.isdigit() else text


def run_auth_app(auth_path: Path, host: str, port: int) -> int:
    """The app behind its sign-in (:mod:`dashboard.auth_server`), in this process."""
    from dashboard.auth_server import auth_app

    try:
        auth_app(APP, auth_path).run(config=server_config(host, port))
    except KeyboardInterrupt:
        return 130
    return 0


def _auth(args: argparse.Namespace) -> int:
    import getpass

    from dashboard.auth import ROLES, AuthError, AuthFile

    auth = AuthFile(args.file)
    try:
        if args.auth_command == "list":
            for user in sorted(auth.team().users.values(), key=lambda u: ROLES.index(u.role)):
                print(f"{user.name}\t{user.role}")
            return 0
        if args.auth_command in ("add", "passwd"):
            if args.password_stdin:
                password = sys.stdin.readline().rstrip("\r\n")
            else:
                password = getpass.getpass(f"password for {args.name}: ")
                if getpass.getpass("again: ") != password:
                    print("error: the passwords differ", file=sys.stderr)
                    return 2
            if args.auth_command == "add":
                auth.add_user(args.name, password, args.role)
                print(f"added {args.name} ({args.role}) to {args.file}")
            else:
                auth.set_password(args.name, password)
                print(f"password of {args.name} changed; their sessions are ended")
        elif args.auth_command == "role":
            auth.set_role(args.name, args.role)
            print(f"{args.name} is now {args.role}")
        elif args.auth_command == "remove":
            auth.remove_user(args.name)
            print(f"removed {args.name}; their sessions are ended")
    except AuthError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def run_streamlit(argv: list[str]) -> int:
    """``streamlit ARGV...`` in this process (blocks until the server stops)."""
    from streamlit.web import cli as st_cli

    try:
        st_cli.main.main(args=argv, prog_name="streamlit", standalone_mode=False)
    except KeyboardInterrupt:
        return 130
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0


def _export(args: argparse.Namespace) -> int:
    from dashboard.edits import EditLog
    from dashboard.export import (
        FORMATS,
        export_bytes,
        export_filename,
        sidecar,
        sidecar_bytes,
        sidecar_path,
    )
    from dashboard.filters import apply_filters
    from extract.schema import SchemaError
    from extract.store import read_events
    from extract.store_postgis import redact
    from extract.stores import open_store

    store = _store(args.store or args.store_option, args.settings)
    label = redact(str(store))
    fmt = args.fmt
    if fmt is None and args.out:
        by_suffix = {ext: name for name, (ext, _mime) in FORMATS.items()}
        by_suffix[".geoparquet"] = "geoparquet"
        by_suffix[".json"] = "geojson"
        fmt = by_suffix.get(Path(args.out).suffix.lower())
        if fmt is None:
            print(f"error: cannot tell the format from {args.out!r}; use --format",
                  file=sys.stderr)
            return 2
    fmt = fmt or "csv"
    try:
        state = _filter_state(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    skipped: list[str] = []
    try:
        if isinstance(store, Path):
            events = read_events(store)
            total = len(events)
            if not args.no_edits:
                events, report = EditLog.for_store(store).apply(events)
                skipped = report.skipped
            rows = apply_filters(events, state)
        else:  # a database selects the rows itself (dashboard.sql)
            from dashboard.sql import filtered_events

            database = open_store(store)
            rows = filtered_events(database, state,
                                   None if args.no_edits else EditLog.for_store(store))
            total = database.count()
    except FileNotFoundError:
        print(f"error: no event store at {label}", file=sys.stderr)
        return 2
    except (SchemaError, ValueError, OSError) as exc:
        print(f"error: cannot read {label}: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else Path(export_filename(state, fmt))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_bytes(export_bytes(rows, fmt))
    os.replace(tmp, out)
    meta_path = sidecar_path(out)
    meta = sidecar(state, len(rows), fmt, store=label)
    meta["review_edits_applied"] = not args.no_edits
    meta_path.write_bytes(sidecar_bytes(meta))
    for line in skipped:
        print(f"warning: {line}", file=sys.stderr)
    print(f"wrote {len(rows):,} of {total:,} events to {out} (sidecar {meta_path.name})")
    return 0
