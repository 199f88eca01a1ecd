"""The team event store: PostgreSQL with PostGIS (``--store postgresql://...``).

Same schema and validation as the GeoParquet store (:mod:`extract.store`), same interface
(:class:`PostgisStore` answers ``exists``, ``read``, ``version``, ``append``, ``replace``,
``save_pending``), chosen by :func:`extract.store.open_store` from the location's form.

Tables (created on first write, in the URL's schema search path):

- ``events``: one column per :data:`extract.schema.COLUMNS` (text NOT NULL, dates, small
  ints...), ``event_id`` the primary key, and ``geom geometry(Point, 4326)`` generated from
  longitude/latitude with a GiST index; B-tree indexes on the date, the type, the article.
- ``event_edits``: the review edit log, one JSON record per row, in order (the same records
  as ``<store>.edits.jsonl``: :mod:`dashboard.edits`).
- ``event_daily``, ``event_cube``, ``event_actor_cube``: counts of the events per day, type,
  place, unit, precision and background flag (and per :data:`CUBE_CELL` grid cell, and per
  actor), kept in the
  same transactions as the events: the dashboard's figures and maps of ten million events
  read them instead of the events (:mod:`dashboard.sql`).
- ``conflict_atlas_meta``: the schema version and a write counter (:meth:`version`, the
  dashboard's cache key).

Writes are transactions: an append copies the run's events into a temporary table and
inserts the ones not stored yet (by ``event_id``, and by article and pipeline version, as
the file store does) under a transaction-scoped advisory lock, so appends from several
machines at once serialise and end with exactly the union. Reads use ``COPY ... TO STDOUT``
and writes ``COPY ... FROM STDIN`` (psycopg 3), then :func:`extract.schema.validate_events`.

psycopg is imported here only (``pip install 'conflict-atlas[postgis]'``); a URL store
without it, or a server that cannot be reached, is a :class:`StoreUnavailable` (an
``OSError``, so an extraction keeps its events in a side file, as for a full disk).
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from conflict_atlas_core.errors import ConflictAtlasError
from extract.schema import COLUMNS, TEXT_COLUMNS, empty_events, validate_events

logger = logging.getLogger(__name__)

URL_SCHEMES = ("postgresql://", "postgres://")
#: settings of this program's sessions, measured on 10M events (bench/bench_store.py): no
#: JIT (compiling took 1.5 s of a 5 s dashboard query; it pays on queries of minutes), and
#: room for exact bitmaps (the default 4 MB made a search's bitmap scan lossy: 12.8 s
#: instead of 2.2 s)
SESSION_OPTIONS = "-c jit=off -c work_mem=64MB"
SCHEMA_VERSION = 2
LOCK_KEY = 0x43415354  # "CAST": the advisory lock of this project's writes

SQL_TYPES = {
    "event_id": "text PRIMARY KEY",
    "event_date": "date",
    "time_precision": "smallint NOT NULL",
    "latitude": "double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90)",
    "longitude": "double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180)",
    "geo_precision": "smallint NOT NULL",
    "fatalities": "bigint CHECK (fatalities >= 0)",
    "char_start": "bigint NOT NULL",
    "char_end": "bigint NOT NULL",
    "confidence": "double precision NOT NULL",
    "is_background": "boolean NOT NULL",
}
STRING_COLUMNS = tuple(c for c in COLUMNS if c not in SQL_TYPES)  # text NOT NULL


def is_url(location: object) -> bool:
    return isinstance(location, str) and location.startswith(URL_SCHEMES)


def redact(url: str) -> str:
    """The URL without its password (for messages and logs)."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


class StoreUnavailable(ConflictAtlasError, OSError):
    """The database cannot be reached, refused an operation (rolled back), or its driver is
    not installed: an OSError, so a run's events go to a side file as for a full disk."""


#: the cell of :data:`CUBE_TABLES`' grid, in degrees: 360 / 2**10 (the dashboard's density
#: grids at zoom 0 to 2 are whole multiples of it)
CUBE_CELL = 360.0 / 1024
_CELL_I = f"floor((latitude + 90) / {CUBE_CELL})::int"
_CELL_J = f"floor((longitude + 180) / {CUBE_CELL})::int"
#: summary tables kept with the events, in the same transactions: the counts the dashboard
#: reads for its figures and maps whatever the size of the store, per day and the filters
#: they can answer. Table -> (key columns as SQL expressions over events, values).
CUBE_TABLES: dict[str, tuple[tuple[tuple[str, str, str], ...], tuple[tuple[str, str], ...]]] = {
    "event_daily": (
        (("event_date", "date", "event_date"), ("event_type", "text", "event_type"),
         ("country", "text", "country"), ("admin1", "text", "admin1"),
         ("location", "text", "location"), ("is_background", "boolean", "is_background"),
         ("geo_precision", "smallint", "geo_precision")),
        (("n", "count(*)"), ("fatalities", "coalesce(sum(fatalities), 0)"))),
    "event_cube": (
        (("event_date", "date", "event_date"), ("event_type", "text", "event_type"),
         ("country", "text", "country"), ("admin1", "text", "admin1"), ("iso", "text", "iso"),
         ("location", "text", "location"), ("is_background", "boolean", "is_background"),
         ("geo_precision", "smallint", "geo_precision"), ("cell_i", "int", _CELL_I),
         ("cell_j", "int", _CELL_J)),
        (("n", "count(*)"), ("fatalities", "coalesce(sum(fatalities), 0)"),
         ("lat_sum", "sum(latitude)"), ("lon_sum", "sum(longitude)"))),
    "event_actor_cube": (
        (("event_date", "date", "event_date"), ("event_type", "text", "event_type"),
         ("country", "text", "country"), ("admin1", "text", "admin1"),
         ("is_background", "boolean", "is_background"),
         ("geo_precision", "smallint", "geo_precision"), ("actor", "text", "a")),
        (("n", "count(*)"),)),
}


def _cube_ddl() -> list[str]:
    out = []
    for table, (keys, values) in CUBE_TABLES.items():
        cols = ", ".join(f"{k} {t}" for k, t, _e in keys)
        vals = ", ".join(f"{v} {'float8' if v.endswith('_sum') else 'bigint'} NOT NULL"
                         for v, _e in values)
        out.append(f"CREATE TABLE IF NOT EXISTS {table} ({cols}, {vals}, "
                   f"UNIQUE NULLS NOT DISTINCT ({', '.join(k for k, _t, _e in keys)}))")
        out.append(f"CREATE INDEX IF NOT EXISTS {table}_date ON {table} (event_date)")
    return out


def cube_insert(source: str) -> list[str]:
    """Statements adding the events of the table ``source`` to the summary tables."""
    out = []
    for table, (keys, values) in CUBE_TABLES.items():
        names = [k for k, _t, _e in keys]
        exprs = ", ".join(f"{e} AS {k}" if e != k else k for k, _t, e in keys)
        vals = ", ".join(e for _v, e in values)
        frm = (f"{source}, LATERAL (VALUES (actor1), (actor2)) v(a) WHERE a <> ''"
               if table == "event_actor_cube" else source)
        update = ", ".join(f"{v} = {table}.{v} + EXCLUDED.{v}" for v, _e in values)
        out.append(f"INSERT INTO {table} SELECT {exprs}, {vals} FROM {frm} "
                   f"GROUP BY {', '.join(names)} ON CONFLICT ({', '.join(names)}) "
                   f"DO UPDATE SET {update}")
    return out


# schema 2: trigram indexes for the dashboard's search (``lower(col) LIKE '%word%'``), an
# index giving the newest events first, and the summary tables
_V2_DDL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS events_notes_trgm ON events USING GIN (lower(notes) gin_trgm_ops)",
    ("CREATE INDEX IF NOT EXISTS events_sentence_trgm ON events "
     "USING GIN (lower(sentence) gin_trgm_ops)"),
    "CREATE INDEX IF NOT EXISTS events_newest ON events (event_date DESC NULLS LAST, event_id)",
    "CREATE INDEX IF NOT EXISTS events_actor1 ON events (actor1)",
    "CREATE INDEX IF NOT EXISTS events_actor2 ON events (actor2)",
    *_cube_ddl(),
)
#: statements that take a store of schema version N to N + 1
_UPGRADES = {1: (*_V2_DDL, *cube_insert("events"))}


def _ddl() -> list[str]:
    cols = ",\n  ".join(f"{c} {SQL_TYPES.get(c, 'text NOT NULL')}" for c in COLUMNS)
    return [
        "CREATE EXTENSION IF NOT EXISTS postgis",
        (f"CREATE TABLE IF NOT EXISTS events (\n  {cols},\n"
         "  geom geometry(Point, 4326) GENERATED ALWAYS AS "
         "(ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)) STORED,\n"
         "  CHECK (char_end >= char_start))"),
        "CREATE INDEX IF NOT EXISTS events_geom_gist ON events USING GIST (geom)",
        "CREATE INDEX IF NOT EXISTS events_date ON events (event_date)",
        "CREATE INDEX IF NOT EXISTS events_type ON events (event_type)",
        "CREATE INDEX IF NOT EXISTS events_article ON events (article_id, pipeline_version)",
        *_V2_DDL,
        "CREATE TABLE IF NOT EXISTS event_edits (seq bigserial PRIMARY KEY, record text NOT NULL)",
        ("CREATE TABLE IF NOT EXISTS conflict_atlas_meta (key text PRIMARY KEY, "
         "value bigint NOT NULL)"),
        (f"INSERT INTO conflict_atlas_meta VALUES ('schema', {SCHEMA_VERSION}), "
         "('version', 0) ON CONFLICT (key) DO NOTHING"),
    ]


def _csv(events: pd.DataFrame) -> bytes:
    """``events`` as the CSV ``COPY ... FROM STDIN`` reads (empty unquoted cell: NULL)."""
    df = events[list(COLUMNS)].copy()
    df["event_date"] = df["event_date"].dt.strftime("%Y-%m-%d")
    buf = io.StringIO()
    df.to_csv(buf, header=False, index=False, lineterminator="\n")
    return buf.getvalue().encode("utf-8")


_COPY_IN = (f"COPY {{table}} ({', '.join(COLUMNS)}) FROM STDIN (FORMAT csv, "
            f"FORCE_NOT_NULL ({', '.join(STRING_COLUMNS)}))")
_SELECT = ", ".join("is_background::int AS is_background" if c == "is_background" else c
                    for c in COLUMNS)


class PostgisStore:
    """The event store in a PostgreSQL/PostGIS database at ``url``."""

    def __init__(self, url: str) -> None:
        if not is_url(url):
            raise ValueError(f"not a PostgreSQL URL: {url!r}")
        self.url = url
        self.path = redact(url)  # what messages show where the file store shows its path

    def __str__(self) -> str:
        return self.path

    # -- connections ---------------------------------------------------------------------
    @contextmanager
    def connect(self) -> Iterator[Any]:
        """A connection in a transaction (committed on leaving, rolled back on an error)."""
        try:
            import psycopg
        except ImportError as exc:
            raise StoreUnavailable(
                "a PostgreSQL store needs psycopg: pip install 'conflict-atlas[postgis]'"
            ) from exc
        try:
            conn = psycopg.connect(self.url, connect_timeout=10, options=SESSION_OPTIONS)
        except psycopg.OperationalError as exc:
            raise StoreUnavailable(f"cannot reach the store {self.path}: "
                                   f"{str(exc).strip().splitlines()[0]}") from exc
        try:
            with conn.transaction():
                yield conn
        except psycopg.Error as exc:  # a lost connection, a refused statement: nothing kept
            raise StoreUnavailable(f"the store {self.path} did not take the operation "
                                   f"(rolled back): {str(exc).strip().splitlines()[0]}"
                                   ) from exc
        finally:
            conn.close()

    def has_tables(self, conn: Any) -> bool:
        row = conn.execute("SELECT to_regclass('events') IS NOT NULL").fetchone()
        return bool(row[0])

    def ensure_schema(self, conn: Any) -> None:
        """Create the tables when missing (under the lock: two first writers do not race)."""
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        if self.has_tables(conn):
            row = conn.execute(
                "SELECT value FROM conflict_atlas_meta WHERE key = 'schema'").fetchone()
            version = row[0] if row is not None else None
            while version in _UPGRADES:  # an older store is brought up to date
                logger.info("store %s: schema %s to %s", self.path, version, version + 1)
                for statement in _UPGRADES[version]:
                    conn.execute(statement)
                version += 1
                conn.execute("UPDATE conflict_atlas_meta SET value = %s WHERE key = 'schema'",
                             (version,))
            if version != SCHEMA_VERSION:
                raise ConflictAtlasError(
                    f"the store {self.path} has schema version {version}, this "
                    f"program writes version {SCHEMA_VERSION}")
            return
        for statement in _ddl():
            conn.execute(statement)

    # -- the EventStore interface --------------------------------------------------------
    def exists(self) -> bool:
        with self.connect() as conn:
            return self.has_tables(conn)

    def read(self, where: str = "", params: tuple[Any, ...] = (),
             order: str = "event_date NULLS LAST, event_id", limit: int | None = None
             ) -> pd.DataFrame:
        """The events (``where``: an SQL condition with ``%s`` placeholders for ``params``,
        evaluated in the database), validated, in ``order`` (SQL), at most ``limit``."""
        with self.connect() as conn:
            if not self.has_tables(conn):
                return empty_events()
            query = f"SELECT {_SELECT} FROM events" + (f" WHERE {where}" if where else "")
            query += f" ORDER BY {order}" + (f" LIMIT {int(limit)}" if limit else "")
            buf = io.BytesIO()
            with conn.cursor().copy(f"COPY ({query}) TO STDOUT (FORMAT csv, HEADER)",
                                    params or None) as copy:
                for block in copy:
                    buf.write(block)
        buf.seek(0)
        df = pd.read_csv(buf, dtype=str, keep_default_na=False,
                         na_values={"event_date": [""], "fatalities": [""]})
        for col in TEXT_COLUMNS:
            df[col] = df[col].fillna("")
        return validate_events(df)

    def count(self, where: str = "TRUE", params: Any = ()) -> int:
        """How many events (``where``, ``params``: as for :meth:`read`)."""
        with self.connect() as conn:
            if not self.has_tables(conn):
                return 0
            return int(conn.execute(f"SELECT count(*) FROM events WHERE {where}",
                                    params).fetchone()[0])

    def version(self) -> int:
        """Changes whenever events or edits are written: a cache key for readers."""
        try:
            with self.connect() as conn:
                if not self.has_tables(conn):
                    return 0
                row = conn.execute(
                    "SELECT value FROM conflict_atlas_meta WHERE key = 'version'").fetchone()
                return int(row[0]) if row else 0
        except StoreUnavailable:
            return -1

    @staticmethod
    def bump(conn: Any) -> None:
        conn.execute("UPDATE conflict_atlas_meta SET value = value + 1 WHERE key = 'version'")

    def append(self, events: pd.DataFrame) -> Any:
        """Add the events not stored yet, in one transaction (see the module's docstring)."""
        from extract.store import AppendResult

        new = validate_events(events).drop_duplicates("event_id")
        with self.connect() as conn:
            self.ensure_schema(conn)  # holds the advisory lock until the commit
            conn.execute(f"CREATE TEMP TABLE incoming ON COMMIT DROP AS "
                         f"SELECT {', '.join(COLUMNS)} FROM events WITH NO DATA")
            with conn.cursor().copy(_COPY_IN.format(table="incoming")) as copy:
                copy.write(_csv(new))
            cols = ", ".join(COLUMNS)
            # what is stored already goes (the lock keeps other writers out until the
            # commit); the rest is added to the events and to the summary tables
            conn.execute("DELETE FROM incoming i WHERE EXISTS (SELECT 1 FROM events e "
                         "WHERE e.event_id = i.event_id)")
            conn.execute("DELETE FROM incoming i WHERE EXISTS (SELECT 1 FROM events e "
                         "WHERE e.article_id = i.article_id "
                         "AND e.pipeline_version = i.pipeline_version)")
            added = conn.execute(
                f"INSERT INTO events ({cols}) SELECT {cols} FROM incoming").rowcount
            if added:
                for statement in cube_insert("incoming"):
                    conn.execute(statement)
                self.bump(conn)
            total = int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
        result = AppendResult(added=added, skipped_duplicates=len(new) - added, total=total)
        logger.info("store %s: %s", self.path, result)
        return result

    def replace(self, events: pd.DataFrame) -> None:
        """Rewrite the whole table (one transaction: readers see the old or the new)."""
        events = validate_events(events)
        with self.connect() as conn:
            self.ensure_schema(conn)
            conn.execute("DELETE FROM events")
            for table in CUBE_TABLES:
                conn.execute(f"DELETE FROM {table}")
            with conn.cursor().copy(_COPY_IN.format(table="events")) as copy:
                copy.write(_csv(events))
            for statement in cube_insert("events"):
                conn.execute(statement)
            self.bump(conn)

    def save_pending(self, events: pd.DataFrame) -> Path:
        """The database could not take a run's events: keep them in a side file in the
        user's data directory, else the temp directory (``store migrate FILE URL`` adds
        them later)."""
        from extract.store import save_side_file

        return save_side_file(events, "events")

    # -- the edit log's table (dashboard.edits.EditLog over a PostgreSQL store) ---------
    def edit_records(self) -> list[str]:
        with self.connect() as conn:
            return self.edit_records_in(conn) if self.has_tables(conn) else []

    @contextmanager
    def edits_locked(self) -> Iterator[Any]:
        """A transaction holding the write lock: read, check, then :meth:`add_edit`."""
        with self.connect() as conn:
            self.ensure_schema(conn)
            yield conn

    def add_edit(self, conn: Any, record: str) -> None:
        conn.execute("INSERT INTO event_edits (record) VALUES (%s)", (record,))
        self.bump(conn)

    def edit_records_in(self, conn: Any) -> list[str]:
        return [r[0] for r in conn.execute("SELECT record FROM event_edits ORDER BY seq")]
