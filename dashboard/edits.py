"""Analyst review edits: an append-only log beside the store, applied as an overlay on read.

The log is ``<store>.edits.jsonl`` (e.g. ``data/events.edits.jsonl``): one JSON object per
line, never rewritten. An edit names the event by ``event_id`` (a content hash of the article
and the event), so edits survive re-extraction: when the pipeline writes the same event again,
the overlay applies again. Records:

- ``{"op": "set", "id", "who", "when", "event_id", "base", "changes": {field: [before, after]}}``
- ``{"op": "discard", "id", "who", "when", "event_id", "base", "reason"}``
- ``{"op": "undo", "id", "who", "when", "target": <id of the undone edit>}``

Nothing written is lost and nothing damaged is replayed:

- Each record is written whole: one ``write`` of the full line under the log's lock, then
  ``fsync``. A failed write (a full disk) is truncated away; a line left half-written by a
  killed process is closed by the next record, which starts on a line of its own.
- Every line is checked on read (:func:`check_record`): one that is not JSON, or not a record
  of the shape above, is skipped, reported (:attr:`LogContents.bad`) and copied to
  ``<store>.edits.quarantine.jsonl``; ``conflict-atlas store repair`` then drops it from the
  log. It never stops the rest of the log from applying.
- Optimistic concurrency: an edit carries the ``base`` it was made against (the event's
  :meth:`EditLog.version_of` when the reviewer opened it). A save whose fields another
  reviewer changed since that base is refused with :class:`EditConflict`, which names the
  other change; nothing is overwritten unseen.

:func:`apply_edits` replays the log; an edit that would make an event invalid (bad type for
the sub-type, latitude out of range...) is skipped and reported, never raised.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import json
import logging
import math
import os
import uuid
from pathlib import Path
from typing import Any, Self

import pandas as pd
from filelock import FileLock

from conflict_atlas_core.errors import ConflictAtlasError
from extract.schema import SchemaError, validate_events

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = (
    "event_date", "event_type", "sub_event_type", "actor1", "assoc_actor_1", "actor2",
    "assoc_actor_2", "country", "iso", "admin1", "admin2", "location", "latitude",
    "longitude", "geo_precision", "gazetteer_id", "fatalities", "notes", "is_background",
    "time_precision",
)


def edits_path_for(store: str | os.PathLike[str]) -> Path:
    """``data/events.parquet`` -> ``data/events.edits.jsonl``."""
    store = Path(store)
    return store.with_name(store.stem + ".edits.jsonl")


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _plain(value: Any) -> Any:
    """A JSON-safe version of a cell value."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value


@dataclasses.dataclass(frozen=True, slots=True)
class ApplyReport:
    applied: int
    discarded: int
    skipped: list[str]


@dataclasses.dataclass(frozen=True, slots=True)
class BadRecord:
    """A line of the log that is not a valid record: skipped, reported, quarantined."""

    line: int
    offset: int  # byte offset of the line in the log
    reason: str
    text: str

    def describe(self, log: Path) -> str:
        return f"{log.name} line {self.line}: {self.reason}; skipped"


@dataclasses.dataclass(frozen=True, slots=True)
class LogContents:
    records: list[dict[str, Any]]
    bad: list[BadRecord]


class EditConflict(ConflictAtlasError, ValueError):
    """A save refused: another reviewer changed the same event since the form was opened."""

    def __init__(self, event_id: str, others: list[dict[str, Any]]) -> None:
        self.event_id = event_id
        self.others = others
        super().__init__(
            "another reviewer changed this event since you opened it: "
            + "; ".join(describe_record(r) for r in others)
            + ". Nothing was saved: reload the event to see the change, then edit again.")


def describe_record(rec: dict[str, Any]) -> str:
    """One line of what a record did: ``ana changed notes: 'a' → 'b' (2024-05-01T...)``."""
    if rec["op"] == "set":
        what = "changed " + ", ".join(f"{f}: {b!r} → {a!r}" for f, (b, a) in
                                      rec["changes"].items())
    elif rec["op"] == "discard":
        what = "discarded the event" + (f" ({rec['reason']})" if rec.get("reason") else "")
    else:
        what = f"undid edit {rec['target']}"
    return f"{rec['who']} {what} ({rec['when']})"


_OPS = {"set": ("event_id", "changes"), "discard": ("event_id",), "undo": ("target",)}


def check_record(rec: Any) -> str | None:
    """Why ``rec`` (a parsed line) is not a valid record, or None when it is."""
    if not isinstance(rec, dict):
        return f"a JSON {type(rec).__name__}, not an object"
    op = rec.get("op")
    if not isinstance(op, str) or op not in _OPS:
        return f"unknown op {op!r}"
    for key in ("id", "who", "when", *_OPS[op]):
        if key == "changes":
            continue
        value = rec.get(key)
        if not isinstance(value, str) or (key in ("id", "event_id", "target") and not value):
            return f"{op} record without a valid {key!r}"
    for key in ("base", "reason"):
        if key in rec and not isinstance(rec[key], str):
            return f"{key!r} must be a string"
    if op == "set":
        changes = rec.get("changes")
        if not isinstance(changes, dict) or not changes:
            return "'changes' must be an object of field: [before, after]"
        for field, pair in changes.items():
            if field not in EDITABLE_FIELDS:
                return f"field {field!r} cannot be edited"
            if not isinstance(pair, list) or len(pair) != 2:
                return f"change of {field!r} must be [before, after]"
    return None


class EditLog:
    """The edit log of one store."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = FileLock(str(self.path) + ".lock")

    @classmethod
    def for_store(cls, store: str | os.PathLike[str]) -> EditLog:
        """The log beside a GeoParquet store, or the ``event_edits`` table of a PostGIS one."""
        from extract.store_postgis import PostgisStore, is_url

        if is_url(store):
            return PostgisEditLog(PostgisStore(str(store)))
        return cls(edits_path_for(store))

    @property
    def quarantine_path(self) -> Path:
        """``events.edits.jsonl`` -> ``events.edits.quarantine.jsonl``."""
        return self.path.with_name(self.path.stem + ".quarantine.jsonl")

    def version(self) -> int:
        try:
            return self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    def _read_bytes(self) -> bytes:
        return self.path.read_bytes()

    def _write_line(self, line: bytes) -> None:
        _append_bytes(self.path, line)

    def read(self, *, quarantine: bool = True) -> LogContents:
        """Every valid record, in order, and the lines that are not (copied to the
        quarantine file unless ``quarantine`` is False)."""
        try:
            data = self._read_bytes()
        except FileNotFoundError:
            return LogContents([], [])
        records: list[dict[str, Any]] = []
        bad: list[BadRecord] = []
        offset = 0
        for n, raw in enumerate(data.split(b"\n"), 1):
            start, offset = offset, offset + len(raw) + 1
            if not raw.strip():
                continue
            text = raw.decode("utf-8", errors="replace")
            reason: str | None
            try:
                rec = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
                reason = f"not a JSON record ({exc.__class__.__name__})"
            else:
                reason = check_record(rec)
            if reason is None:
                records.append(rec)
            else:
                bad.append(BadRecord(n, start, reason, text))
        for b in bad:
            logger.warning("%s", b.describe(self.path))
        if bad and quarantine:
            self._quarantine(bad)
        return LogContents(records, bad)

    def records(self) -> list[dict[str, Any]]:
        """Every valid record, in order (see :meth:`read`)."""
        return self.read().records

    def problems(self) -> list[str]:
        """What is wrong with the log, one line per damaged record."""
        return [b.describe(self.path) for b in self.read().bad]

    def _quarantine(self, bad: list[BadRecord]) -> None:
        """Copy damaged lines (once each) to the quarantine file, where they stay."""
        try:
            with self._lock:
                seen = set()
                if self.quarantine_path.exists():
                    for line in self.quarantine_path.read_text("utf-8", "replace").splitlines():
                        try:
                            q = json.loads(line)
                            seen.add((q["offset"], q["text"]))
                        except (json.JSONDecodeError, KeyError, TypeError):
                            continue
                new = [b for b in bad if (b.offset, b.text) not in seen]
                if new:
                    lines = "".join(json.dumps({"line": b.line, "offset": b.offset,
                                                "reason": b.reason, "text": b.text,
                                                "log": self.path.name},
                                               ensure_ascii=False) + "\n" for b in new)
                    _append_bytes(self.quarantine_path, lines.encode("utf-8"))
        except OSError as exc:
            logger.warning("cannot quarantine damaged records of %s: %s", self.path, exc)

    def repair(self) -> list[BadRecord]:
        """Drop the damaged lines from the log, once they are in the quarantine file; every
        valid line is kept byte for byte (and the file's mode). Returns what was dropped."""
        from extract.store import write_bytes_atomic

        with self._lock:
            contents = self.read()
            if not contents.bad:
                return []
            dropped = {b.offset for b in contents.bad}
            kept, offset = [], 0
            for raw in self.path.read_bytes().split(b"\n"):
                if offset not in dropped and raw.strip():
                    kept.append(raw + b"\n")
                offset += len(raw) + 1
            write_bytes_atomic(self.path, b"".join(kept))
        return contents.bad

    def _append(self, record: dict[str, Any]) -> dict[str, Any]:
        """Write ``record`` whole (the caller holds the lock)."""
        record = {"id": uuid.uuid4().hex[:12],
                  "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                  **record}
        self._write_line(_line(record))
        return record

    def import_records(self, records: list[dict[str, Any]]) -> int:
        """Append ``records`` (another store's log, in its order) that this log does not
        hold yet (by record id); how many. For ``store migrate``."""
        with self._lock:
            have = {r["id"] for r in self.records()}
            new = [r for r in records if r["id"] not in have]
            for rec in new:
                self._write_line(_line(rec))
        return len(new)

    def version_of(self, event_id: str, records: list[dict[str, Any]] | None = None) -> str:
        """The id of the last record that changed ``event_id`` ("" when none did): the
        ``base`` a form opened now carries."""
        records = self.records() if records is None else records
        mine = _records_of(records, event_id)
        return mine[-1]["id"] if mine else ""

    def changes_since(self, event_id: str, base: str,
                      records: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        """The records that changed ``event_id`` after the record ``base`` (every one when
        ``base`` is "" or not in the log)."""
        records = self.records() if records is None else records
        mine = _records_of(records, event_id)
        ids = [r["id"] for r in mine]
        if base in ids:
            return mine[ids.index(base) + 1:]
        if base:
            logger.warning("edit base %s of %s is not in the log; counting all its edits",
                           base, event_id)
        return mine

    def _check_base(self, records: list[dict[str, Any]], event_id: str,
                    base: str | None, fields: set[str] | None) -> None:
        """Raise :class:`EditConflict` when a record since ``base`` changed ``fields`` of the
        event (any field: None)."""
        if base is None:
            return
        by_id = {r["id"]: r for r in records}
        clashes = [r for r in self.changes_since(event_id, base, records)
                   if fields is None or fields & _fields_of(r, by_id)]
        if clashes:
            raise EditConflict(event_id, clashes)

    def set_fields(self, event: pd.Series | dict[str, Any], changes: dict[str, Any],
                   who: str | None = None, base: str | None = None) -> dict[str, Any]:
        """Record new values for some fields of one event (before values taken from it).

        ``base``: the event's :meth:`version_of` when ``event`` was read; the save is refused
        with :class:`EditConflict` when another record changed one of these fields since.
        """
        bad = [f for f in changes if f not in EDITABLE_FIELDS]
        if bad:
            raise ValueError(f"these fields cannot be edited: {', '.join(bad)}")
        diff = {f: [_plain(event[f]), _plain(v)] for f, v in changes.items()
                if _plain(event[f]) != _plain(v)}
        if not diff:
            raise ValueError("nothing changed")
        event_id = str(event["event_id"])
        record: dict[str, Any] = {"op": "set", "who": who or current_user(),
                                  "event_id": event_id, "changes": diff}
        with self._lock:
            self._check_base(self.records(), event_id, base, set(diff))
            if base is not None:
                record["base"] = base
            return self._append(record)

    def discard(self, event_id: str, reason: str = "", who: str | None = None,
                base: str | None = None) -> dict[str, Any]:
        """Hide an event; refused (:class:`EditConflict`) when it changed since ``base``."""
        record: dict[str, Any] = {"op": "discard", "who": who or current_user(),
                                  "event_id": event_id, "reason": reason}
        with self._lock:
            self._check_base(self.records(), event_id, base, None)
            if base is not None:
                record["base"] = base
            return self._append(record)

    def undo(self, edit_id: str, who: str | None = None) -> dict[str, Any]:
        with self._lock:
            ids = {r["id"] for r in self.records()}
            if edit_id not in ids:
                raise ValueError(f"no edit {edit_id!r} in {self.path.name}")
            return self._append({"op": "undo", "who": who or current_user(),
                                 "target": edit_id})

    def active(self, records: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        """The edits that are in force (not undone; an undone undo re-activates)."""
        records = self.records() if records is None else records
        undone: set[str] = set()
        for rec in reversed(records):
            if rec["op"] == "undo" and rec["id"] not in undone:
                undone.add(rec.get("target", ""))
        return [r for r in records if r["op"] != "undo" and r["id"] not in undone]

    def history(self, event_id: str) -> list[dict[str, Any]]:
        """Active edits of one event, oldest first."""
        return [r for r in self.active() if r.get("event_id") == event_id]

    def apply(self, df: pd.DataFrame) -> tuple[pd.DataFrame, ApplyReport]:
        """``df`` with the log's active edits applied; damaged lines count as skipped."""
        contents = self.read()
        out, report = apply_edits(df, self.active(contents.records))
        if not contents.bad:
            return out, report
        damaged = [b.describe(self.path) + f" (kept in {self.quarantine_path.name})"
                   for b in contents.bad]
        return out, ApplyReport(report.applied, report.discarded, damaged + report.skipped)


def _line(record: dict[str, Any]) -> bytes:
    """A record as the log holds it: one JSON line."""
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


class _TransactionLock:
    """``with log._lock:`` for :class:`PostgisEditLog`: a transaction holding the store's
    write lock; the log reads and appends through it until it commits."""

    def __init__(self, log: PostgisEditLog) -> None:
        self.log = log
        self._cm: Any = None

    def __enter__(self) -> Self:
        if self.log._conn is not None:
            raise RuntimeError("the edit log's lock is not reentrant")
        self._cm = self.log.store.edits_locked()
        self.log._conn = self._cm.__enter__()
        return self

    def __exit__(self, *exc: object) -> Any:
        self.log._conn = None
        return self._cm.__exit__(*exc)


class PostgisEditLog(EditLog):
    """The same log in a PostGIS store's ``event_edits`` table: one record per row, in
    order; a save checks its base and appends in one transaction under the store's lock,
    so reviewers on several machines cannot overwrite each other unseen."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.path = Path("event_edits")  # what messages name
        self._conn: Any = None
        self._lock: Any = _TransactionLock(self)

    @property
    def quarantine_path(self) -> Path:
        return Path("event_edits")

    def version(self) -> int:
        return int(self.store.version())

    def _read_bytes(self) -> bytes:
        rows = (self.store.edit_records_in(self._conn) if self._conn is not None
                else self.store.edit_records())
        return "\n".join(rows).encode("utf-8")

    def _write_line(self, line: bytes) -> None:
        if self._conn is None:
            raise RuntimeError("an edit is written under the log's lock")
        self.store.add_edit(self._conn, line.decode("utf-8").rstrip("\n"))

    def _quarantine(self, bad: list[BadRecord]) -> None:
        """Rows are checked before they are written; one damaged by hand stays in the table
        (reported, never applied)."""

    def repair(self) -> list[BadRecord]:
        return []


def _append_bytes(path: Path, data: bytes) -> None:
    """Append ``data`` in one write and fsync it; on failure the file is cut back to where
    it was, and a line a killed writer left unfinished is closed first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            data = b"\n" + data
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        except OSError:
            os.ftruncate(fd, size)
            raise
    finally:
        os.close(fd)


def _records_of(records: list[dict[str, Any]], event_id: str) -> list[dict[str, Any]]:
    """The records that changed ``event_id``: its sets and discards, and undos of them."""
    edited = {r["id"]: r.get("event_id") for r in records if r["op"] != "undo"}
    undo_target = {r["id"]: r["target"] for r in records if r["op"] == "undo"}
    out = []
    for r in records:
        if r["op"] != "undo":
            if r.get("event_id") == event_id:
                out.append(r)
            continue
        target, seen = r["target"], set()
        while target in undo_target and target not in seen:  # an undo of an undo...
            seen.add(target)
            target = undo_target[target]
        if edited.get(target) == event_id:
            out.append(r)
    return out


def _fields_of(rec: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> set[str]:
    """The fields a record changed (every field for a discard, and for an undo those of the
    edit it undoes)."""
    seen = set()
    while rec["op"] == "undo" and rec["id"] not in seen:
        seen.add(rec["id"])
        target = by_id.get(rec["target"])
        if target is None:
            return set()
        rec = target
    if rec["op"] == "set":
        return set(rec["changes"])
    return set(EDITABLE_FIELDS)


def apply_edits(df: pd.DataFrame, edits: list[dict[str, Any]]) -> tuple[pd.DataFrame, ApplyReport]:
    """``df`` with the active ``edits`` applied (see :meth:`EditLog.active`)."""
    if not edits or not len(df):
        return df, ApplyReport(0, 0, [])
    wanted = {e["event_id"] for e in edits}
    hit = df["event_id"].isin(wanted)
    if not hit.any():
        return df, ApplyReport(0, 0, [])
    untouched = df.loc[~hit]
    rows = {r["event_id"]: r for r in df.loc[hit].to_dict("records")}
    applied = discarded = 0
    skipped: list[str] = []
    for edit in edits:
        row = rows.get(edit["event_id"])
        if row is None:
            continue
        if edit["op"] == "discard":
            rows[edit["event_id"]] = None
            discarded += 1
            continue
        candidate = dict(row)
        for field, (_before, after) in edit.get("changes", {}).items():
            if field in EDITABLE_FIELDS:
                candidate[field] = after
        try:
            validate_events(pd.DataFrame([candidate]))
        except (SchemaError, ValueError, TypeError) as exc:
            skipped.append(f"edit {edit.get('id')} on {edit['event_id']}: {exc}")
            continue
        rows[edit["event_id"]] = candidate
        applied += 1
    kept = [r for r in rows.values() if r is not None]
    edited = validate_events(pd.DataFrame(kept)) if kept else df.iloc[0:0]
    out = pd.concat([untouched, edited], ignore_index=True) if len(edited) else (
        untouched.reset_index(drop=True))
    return out, ApplyReport(applied, discarded, skipped)
