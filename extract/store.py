"""Reading and writing event tables, and the embedded default event store.

Every table goes through :func:`extract.schema.validate_events` on its way in and out.

The default store is one GeoParquet file (``data/events.parquet`` unless configured). Appends
are atomic (write a temporary file beside it, fsync, then ``os.replace``; the file keeps its
mode) and serialised across processes with a lock file, so two concurrent runs cannot corrupt
it; events are keyed by ``event_id`` and by article, so re-running on the same articles adds
nothing.

Nothing is rewritten that was not understood: before an append, the store's columns and
types are checked against the schema (:func:`check_store`); a store written with another
schema (a column renamed or unknown, dates or flags stored as text) is refused with a
:class:`StoreError` naming the columns, and ``conflict-atlas store check|repair`` explains and
fixes it (:func:`repair_store`, which keeps a backup of the file it rewrites). When the store
cannot be written at all, the run's events go to a side file (:meth:`EventStore.save_pending`)
that ``repair`` merges later. Temporary files a killed writer left behind are removed under
the lock.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from filelock import FileLock

from conflict_atlas_core.errors import ConflictAtlasError
from conflict_atlas_core.settings import Settings
from extract.schema import COLUMNS, SchemaError, empty_events, validate_events
from extract.spreadsheet import CSV_LINE_TERMINATOR, guard, unguard

logger = logging.getLogger(__name__)

CRS = "EPSG:4326"
SUPPORTED_SUFFIXES = (".parquet", ".geoparquet", ".csv", ".geojson", ".json", ".gpkg")


def default_data_dir(settings: Settings | None = None) -> Path:
    """``$CONFLICT_ATLAS_DATA`` or ``./data`` (:mod:`conflict_atlas_core.settings`)."""
    return (settings or Settings.from_env()).data_dir


def default_store_path(settings: Settings | None = None) -> Path:
    return default_data_dir(settings) / "events.parquet"


def to_geodataframe(df: pd.DataFrame) -> gpd.GeoDataFrame:
    df = validate_events(df)
    geometry = gpd.points_from_xy(df["longitude"], df["latitude"], crs=CRS)
    return gpd.GeoDataFrame(df, geometry=geometry, crs=CRS)


def write_events(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Validate and write ``df`` atomically; the format follows the file's extension.

    A file that exists keeps its permission bits; a new one gets the umask's. In CSV, text
    cells a spreadsheet would evaluate are guarded (:mod:`extract.spreadsheet`) and
    :func:`read_events` takes the guard off again.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ValueError(
            f"cannot write events to {path.name!r}: use one of {', '.join(SUPPORTED_SUFFIXES)}"
        )
    gdf = to_geodataframe(df)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _new_temp(path)
    try:
        if suffix in (".parquet", ".geoparquet"):
            gdf.to_parquet(tmp, index=False)
        elif suffix == ".csv":
            flat = pd.DataFrame(gdf.drop(columns="geometry"))
            for col in flat.columns:
                if _is_text(flat[col]):
                    flat[col] = flat[col].map(lambda v: guard(v) if isinstance(v, str) else v)
            flat.to_csv(tmp, index=False, lineterminator=CSV_LINE_TERMINATOR)
        elif suffix in (".geojson", ".json"):
            tmp.unlink()
            _to_file(gdf, tmp, driver="GeoJSON")
        else:
            tmp.unlink()
            _to_file(gdf, tmp, driver="GPKG", layer="events")
        _settle(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


TEMP_INFIX = ".tmp-"


def _new_temp(path: Path) -> Path:
    """An empty new file beside ``path`` (``.events.parquet.tmp-1a2b3c4d.parquet``), created
    with the umask's permissions (not mkstemp's 0600)."""
    while True:
        tmp = path.with_name(f".{path.name}{TEMP_INFIX}{secrets.token_hex(4)}{path.suffix}")
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return tmp


def _settle(tmp: Path, path: Path) -> None:
    """Make ``tmp`` durable with ``path``'s mode, then put it in ``path``'s place."""
    try:
        os.chmod(tmp, stat.S_IMODE(path.stat().st_mode))
    except FileNotFoundError:
        pass
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return  # a directory that cannot be opened cannot be fsynced either
    try:
        os.fsync(dir_fd)
    except OSError as exc:
        logger.debug("fsync of %s: %s", path.parent, exc)
    finally:
        os.close(dir_fd)


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Replace ``path``'s content with ``data`` the way :func:`write_events` does: a temporary
    file beside it, fsync'd, with the file's mode, then renamed over it."""
    path = Path(path)
    tmp = _new_temp(path)
    try:
        tmp.write_bytes(data)
        _settle(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def temp_files(path: str | os.PathLike[str]) -> list[Path]:
    """Temporary files of writes to ``path`` (left by a killed writer unless one is running)."""
    path = Path(path)
    return sorted(path.parent.glob(f".{path.name}{TEMP_INFIX}*"))


def _is_text(series: pd.Series) -> bool:
    return series.dtype == object or pd.api.types.is_string_dtype(series)


def _to_file(gdf: gpd.GeoDataFrame, path: Path, **kwargs: object) -> None:
    out = gdf.copy()
    # GDAL has no nullable-integer or bare-date types everywhere: keep them unambiguous.
    out["event_date"] = out["event_date"].dt.strftime("%Y-%m-%d")
    out["fatalities"] = out["fatalities"].astype("float64")
    out.to_file(path, **kwargs)


def read_events(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read and validate an event table written by :func:`write_events` (or by hand)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise FileNotFoundError(f"no event table at {path}")
    if suffix in (".parquet", ".geoparquet"):
        import pyarrow.parquet as pq

        # One open file for the schema and the pages: a store replaced by a writer between
        # two opens would mix the old file's footer with the new file's pages. The point
        # geometry repeats latitude/longitude: not decoded on read.
        with path.open("rb") as fh:
            parquet = pq.ParquetFile(fh)
            present = set(parquet.schema_arrow.names)
            df = parquet.read(columns=[c for c in COLUMNS if c in present] or None
                              ).to_pandas()
    elif suffix == ".csv":
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values={
            "event_date": [""], "fatalities": [""]})
        for col in df.columns:
            if _is_text(df[col]):
                df[col] = df[col].map(lambda v: unguard(v) if isinstance(v, str) else v)
    elif suffix in (".geojson", ".json", ".gpkg"):
        df = pd.DataFrame(gpd.read_file(path))
    else:
        raise ValueError(f"cannot read events from {path.name!r}")
    if "geometry" in df.columns:
        df = df.drop(columns="geometry")
    return validate_events(df)


@dataclass(frozen=True)
class AppendResult:
    added: int
    skipped_duplicates: int
    total: int


class StoreError(ConflictAtlasError, ValueError):
    """The store cannot be appended to as it is: ``problems`` say why, the message what to run.
    """

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(
            f"the event store {path} was not changed:\n  " + "\n  ".join(problems)
            + f"\nrun `conflict-atlas store check {path}` for details and "
            f"`conflict-atlas store repair {path}` to fix it")


class EventStore:
    """The embedded store: one GeoParquet file, appended to atomically under a lock."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        self._lock = FileLock(str(self.path) + ".lock")

    @contextmanager
    def locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            yield

    def exists(self) -> bool:
        return self.path.exists()

    def read(self) -> pd.DataFrame:
        if not self.path.exists():
            return empty_events()
        return read_events(self.path)

    def version(self) -> int:
        """Changes whenever the store is rewritten (its mtime in ns): a cache key for readers."""
        try:
            return self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    def _clean_temp(self) -> None:
        """Remove temporary files of earlier writes (the caller holds the lock, so no writer
        of this store is running: they were left by a killed one)."""
        for tmp in temp_files(self.path):
            try:
                tmp.unlink()
                logger.info("removed %s, left by an interrupted write", tmp)
            except OSError as exc:
                logger.warning("cannot remove %s: %s", tmp, exc)

    def _readable(self) -> pd.DataFrame:
        """The stored events, or :class:`StoreError` when the file does not follow the schema
        (the caller holds the lock)."""
        problems = [p.message for p in check_schema(self.path)]
        if problems:
            raise StoreError(self.path, problems)
        try:
            return self.read()
        except SchemaError as exc:
            raise StoreError(self.path, [str(exc)]) from exc

    def append(self, events: pd.DataFrame) -> AppendResult:
        """Add the events not stored yet; atomic and process-safe.

        An event is stored already when its ``event_id`` is, or when its article (the same
        text, however wrapped or named: see :func:`extract.readers.make_article_id`) was
        coded by the same pipeline version: re-reading a story adds nothing even where a
        changed line break made the pipeline code it slightly differently.

        Raises :class:`StoreError` (nothing written) when the store does not follow the
        schema, and OSError when it cannot be written (see :meth:`save_pending`).
        """
        new = validate_events(events).drop_duplicates("event_id")
        with self.locked():
            self._clean_temp()
            current = self._readable()
            coded = pd.MultiIndex.from_frame(current[["article_id", "pipeline_version"]])
            again = pd.MultiIndex.from_frame(new[["article_id", "pipeline_version"]]).isin(coded)
            fresh = new[~new["event_id"].isin(current["event_id"]) & ~again]
            if len(fresh):
                merged = pd.concat([current, fresh], ignore_index=True)
                write_events(merged[list(COLUMNS)], self.path)
            total = len(current) + len(fresh)
        result = AppendResult(added=len(fresh), skipped_duplicates=len(new) - len(fresh),
                              total=total)
        logger.info("store %s: %s", self.path, result)
        return result

    def replace(self, events: pd.DataFrame) -> None:
        """Rewrite the whole store (used by edits and maintenance)."""
        with self.locked():
            self._clean_temp()
            write_events(events, self.path)

    def pending_files(self) -> list[Path]:
        """Side files of runs whose events could not be added (see :meth:`save_pending`)."""
        return sorted(self.path.parent.glob(f"{self.path.stem}{PENDING_INFIX}*.parquet"))

    def save_pending(self, events: pd.DataFrame) -> Path:
        """Keep a run's events that could not go into the store: a side file beside it
        (``events.pending-20240501T101500Z-4242.parquet``), else in the user's data
        directory (platformdirs) or the temp directory. Returns where it went; OSError when
        nowhere could take it."""
        return save_side_file(events, self.path.stem, self.path.parent)


PENDING_INFIX = ".pending-"


def save_side_file(events: pd.DataFrame, stem: str, beside: Path | None = None) -> Path:
    """Write a run's events to ``STEM.pending-<time>-<pid>.parquet``: in ``beside`` when it
    is given and writable, else in the user's data directory, else the temp directory.
    OSError when none could take it."""
    from platformdirs import user_data_path

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    name = f"{stem}{PENDING_INFIX}{stamp}-{os.getpid()}.parquet"
    folders = [user_data_path("conflict-atlas", appauthor=False) / "pending",
               Path(tempfile.gettempdir())]
    failures = []
    for folder in ([beside] if beside is not None else []) + folders:
        try:
            return write_events(events, folder / name)
        except OSError as exc:
            failures.append(f"{folder}: {exc.strerror or exc}")
    raise OSError("no place could hold the side file: " + "; ".join(failures))


# --------------------------------------------------------------------------- check, repair

@dataclass(frozen=True)
class StoreProblem:
    """Something wrong with a store: ``kind`` is one of ``unreadable``, ``column``, ``type``,
    ``rows``, ``temp``, ``pending``."""

    kind: str
    message: str


def _kind(dtype: object) -> str:
    """The schema's kind of a pandas dtype: date, integer, float, bool or text."""
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    return "text"


def _arrow_kind(arrow_type: object) -> str | None:
    """The kind of a Parquet column's Arrow type (None: an all-null column, any kind)."""
    import pyarrow as pa

    t: Any = arrow_type
    if pa.types.is_dictionary(t):
        t = t.value_type
    if pa.types.is_null(t):
        return None
    if pa.types.is_timestamp(t) or pa.types.is_date(t):
        return "date"
    if pa.types.is_boolean(t):
        return "bool"
    if pa.types.is_integer(t):
        return "integer"
    if pa.types.is_floating(t):
        return "float"
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "text"
    return str(t)


_COMPATIBLE = {("float", "integer"), ("integer", "float")}  # values checked on read


def check_schema(path: str | os.PathLike[str]) -> list[StoreProblem]:
    """Problems of the store file's columns and types (cheap: reads the Parquet footer)."""
    import pyarrow.parquet as pq

    path = Path(path)
    if not path.exists():
        return []
    try:
        schema = pq.read_schema(path)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        return [StoreProblem("unreadable", f"{path.name} cannot be read as Parquet ({exc})")]
    found = {name: schema.field(name).type for name in schema.names if name != "geometry"}
    wanted = {c: _kind(t) for c, t in empty_events().dtypes.items()}
    problems = []
    folded = {name.strip().lower(): name for name in found}
    variants = {folded[c]: c for c in COLUMNS if c not in found and c in folded}
    for col in COLUMNS:
        if col not in found:
            other = folded.get(col)
            problems.append(StoreProblem("column", f"column {col!r} is missing" + (
                f" (a column {other!r} differs only in case or spaces)" if other else "")))
    unknown = [name for name in found if name not in wanted and name not in variants]
    if unknown:
        problems.append(StoreProblem("column", "unknown columns "
                                     + ", ".join(repr(u) for u in unknown)
                                     + " (an append would drop them)"))
    for col, kind in wanted.items():
        name = col if col in found else folded.get(col)
        if name is None:
            continue
        have = _arrow_kind(found[name])
        if have is not None and have != kind and (have, kind) not in _COMPATIBLE:
            problems.append(StoreProblem("type", f"column {name!r} holds {have} values, the "
                                                 f"schema wants {kind}"))
    return problems


def check_store(path: str | os.PathLike[str]) -> list[StoreProblem]:
    """Everything wrong with a store: its schema, its rows, temporary and side files."""
    store = EventStore(path)
    problems = check_schema(store.path)
    if not problems and store.path.exists():
        try:
            store.read()
        except SchemaError as exc:
            problems.append(StoreProblem("rows", str(exc)))
        except (OSError, ValueError) as exc:
            problems.append(StoreProblem("unreadable", f"{store.path.name}: {exc}"))
    problems += [StoreProblem("temp", f"temporary file {t.name}: left by an interrupted write "
                                      "(or a write is running now)")
                 for t in temp_files(store.path)]
    problems += [StoreProblem("pending", f"side file {p.name} holds events of a run that "
                                         "could not be added")
                 for p in store.pending_files()]
    return problems


@dataclass
class RepairReport:
    actions: list[str] = field(default_factory=list)
    backup: Path | None = None


def _repaired(df: pd.DataFrame, report: RepairReport) -> pd.DataFrame:
    """``df`` with the schema's column names; flags and dates stored as text are then read
    by :func:`validate_events`, which guesses nothing (SchemaError naming the rows)."""
    folded = {c.strip().lower(): c for c in df.columns}
    renames = {folded[c]: c for c in COLUMNS if c not in df.columns and c in folded}
    if renames:
        df = df.rename(columns=renames)
        report.actions.append("renamed columns " + ", ".join(f"{a!r} -> {b!r}"
                                                             for a, b in renames.items()))
    unknown = [c for c in df.columns if c not in COLUMNS and c != "geometry"]
    if unknown:
        df = df.drop(columns=unknown)
        report.actions.append("dropped unknown columns " + ", ".join(map(repr, unknown))
                              + " (kept in the backup)")
    for col, what in (("is_background", "true/false"), ("event_date", "YYYY-MM-DD dates")):
        if col in df.columns and _is_text(df[col]):
            report.actions.append(f"read {col} text as {what}")
    return df


def repair_store(path: str | os.PathLike[str],
                 pending: list[Path] | tuple[Path, ...] = ()) -> RepairReport:
    """Fix what :func:`check_store` finds, losing nothing.

    The store file is copied to ``<stem>.backup-<time>.parquet`` before it is rewritten with
    the schema's columns and types (renamed columns renamed back, flags and dates read from
    text without guessing; a file that cannot be read at all is moved aside as
    ``<stem>.unreadable-<time>.parquet``). Side files (those beside the store and
    ``pending``) are merged and removed, temporary files removed. Raises ValueError naming
    the rows when a value cannot be repaired without guessing (nothing is changed then).
    """
    store = EventStore(path)
    report = RepairReport()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    with store.locked():
        for tmp in temp_files(store.path):
            tmp.unlink(missing_ok=True)
            report.actions.append(f"removed temporary file {tmp.name}")
        merged, rewrite = _repairable(store, report, stamp)
        sides = [*store.pending_files(), *(Path(p) for p in pending)]
        for side in sides:
            events = read_events(side)
            fresh = events[~events["event_id"].isin(merged["event_id"])]
            merged = pd.concat([merged, fresh], ignore_index=True)
            report.actions.append(f"merged {len(fresh)} new event(s) of {side.name}")
        if rewrite or sides:
            if store.path.exists():
                report.backup = store.path.with_name(f"{store.path.stem}.backup-{stamp}.parquet")
                shutil.copy2(store.path, report.backup)
            write_events(merged[list(COLUMNS)], store.path)
        for side in sides:
            side.unlink()
    return report


def _repairable(store: EventStore, report: RepairReport, stamp: str
                ) -> tuple[pd.DataFrame, bool]:
    """(the store's events, whether the file must be rewritten), repaired as needed."""
    if not store.path.exists():
        return empty_events(), False
    problems = check_schema(store.path)
    if any(p.kind == "unreadable" for p in problems):
        aside = store.path.with_name(f"{store.path.stem}.unreadable-{stamp}.parquet")
        os.replace(store.path, aside)
        report.actions.append(f"moved the unreadable store aside to {aside.name}")
        return empty_events(), True
    if not problems:
        try:
            return store.read(), False
        except SchemaError as exc:
            logger.info("repairing rows of %s: %s", store.path, exc)
    return validate_events(_repaired(pd.read_parquet(store.path), report)), True
