"""Analyst review edits: an append-only log beside the store, applied as an overlay on read.

The log is ``<store>.edits.jsonl`` (e.g. ``data/events.edits.jsonl``): one JSON object per
line, never rewritten. An edit names the event by ``event_id`` (a content hash of the article
span), so edits survive re-extraction: when the pipeline writes the same event again, the
overlay applies again. Records:

- ``{"op": "set", "id", "who", "when", "event_id", "changes": {field: [before, after]}}``
- ``{"op": "discard", "id", "who", "when", "event_id", "reason"}``
- ``{"op": "undo", "id", "who", "when", "target": <id of the undone edit>}``

:func:`apply_edits` replays the log; an edit that would make an event invalid (bad type for
the sub-type, latitude out of range...) is skipped and reported, never raised, so one bad
line cannot hide the rest of the store.
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
from typing import Any

import pandas as pd
from filelock import FileLock

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


class EditLog:
    """The edit log of one store."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = FileLock(str(self.path) + ".lock")

    @classmethod
    def for_store(cls, store: str | os.PathLike[str]) -> EditLog:
        return cls(edits_path_for(store))

    def version(self) -> int:
        try:
            return self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    def records(self) -> list[dict[str, Any]]:
        """Every record, in order; unreadable lines are skipped with a warning."""
        if not self.path.exists():
            return []
        out = []
        with self.path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    logger.warning("%s line %d is not JSON; skipped", self.path, n)
                    continue
                if isinstance(rec, dict) and rec.get("op") in ("set", "discard", "undo"):
                    out.append(rec)
        return out

    def _append(self, record: dict[str, Any]) -> dict[str, Any]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        record = {"id": uuid.uuid4().hex[:12],
                  "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                  **record}
        line = json.dumps(record, ensure_ascii=False)
        with self._lock, self.path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        return record

    def set_fields(self, event: pd.Series | dict[str, Any], changes: dict[str, Any],
                   who: str | None = None) -> dict[str, Any]:
        """Record new values for some fields of one event (before values taken from it)."""
        bad = [f for f in changes if f not in EDITABLE_FIELDS]
        if bad:
            raise ValueError(f"these fields cannot be edited: {', '.join(bad)}")
        diff = {f: [_plain(event[f]), _plain(v)] for f, v in changes.items()
                if _plain(event[f]) != _plain(v)}
        if not diff:
            raise ValueError("nothing changed")
        return self._append({"op": "set", "who": who or current_user(),
                             "event_id": str(event["event_id"]), "changes": diff})

    def discard(self, event_id: str, reason: str = "", who: str | None = None) -> dict[str, Any]:
        return self._append({"op": "discard", "who": who or current_user(),
                             "event_id": event_id, "reason": reason})

    def undo(self, edit_id: str, who: str | None = None) -> dict[str, Any]:
        ids = {r["id"] for r in self.records()}
        if edit_id not in ids:
            raise ValueError(f"no edit {edit_id!r} in {self.path.name}")
        return self._append({"op": "undo", "who": who or current_user(), "target": edit_id})

    def active(self) -> list[dict[str, Any]]:
        """The edits that are in force (not undone; an undone undo re-activates)."""
        records = self.records()
        undone: set[str] = set()
        for rec in reversed(records):
            if rec["op"] == "undo" and rec["id"] not in undone:
                undone.add(rec.get("target", ""))
        return [r for r in records if r["op"] != "undo" and r["id"] not in undone]

    def history(self, event_id: str) -> list[dict[str, Any]]:
        """Active edits of one event, oldest first."""
        return [r for r in self.active() if r.get("event_id") == event_id]


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
            rows[edit["event_id"]] = None  # type: ignore[assignment]
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
