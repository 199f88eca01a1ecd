"""The review edit log under damage and contention: records whole, bad ones quarantined,
conflicting saves refused (the pure module and the Review page)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from conflict_atlas.cli import main
from dashboard.edits import EDITABLE_FIELDS, EditConflict, EditLog, apply_edits, check_record
from dashboard.synthetic import synthetic_events
from extract.store import write_events

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")


@pytest.fixture()
def events() -> pd.DataFrame:
    return synthetic_events(40, seed=4)


@pytest.fixture()
def store(tmp_path: Path, events: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "events.parquet"
    write_events(events, path)
    monkeypatch.setenv("CONFLICT_ATLAS_STORE", str(path))
    return path


# --- records written whole -----------------------------------------------------------------

def test_an_edit_after_a_partial_line_is_kept(events: pd.DataFrame, tmp_path: Path) -> None:
    log = EditLog(tmp_path / "e.edits.jsonl")
    log.set_fields(events.iloc[0], {"notes": "first"}, who="a")
    with log.path.open("a") as fh:  # what a write cut short by a full disk or a kill leaves
        fh.write('{"op": "set", "id": "half", "who": "b", "cha')
    rec = log.set_fields(events.iloc[1], {"notes": "second"}, who="b")
    contents = log.read()
    assert [r["id"] for r in contents.records][-1] == rec["id"]
    assert len(contents.bad) == 1 and contents.bad[0].line == 2
    out, report = log.apply(events)
    assert out.set_index("event_id").loc[events.iloc[1]["event_id"], "notes"] == "second"
    assert any("line 2" in s for s in report.skipped)


def test_a_failed_write_leaves_no_partial_line(events: pd.DataFrame, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    log = EditLog(tmp_path / "e.edits.jsonl")
    log.set_fields(events.iloc[0], {"notes": "kept"}, who="a")
    before = log.path.read_bytes()
    real_write = os.write

    def short_then_full(fd: int, data: bytes) -> int:
        monkeypatch.setattr(os, "write", failing)
        return real_write(fd, bytes(data[:10]))

    def failing(fd: int, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", short_then_full)
    with pytest.raises(OSError):
        log.set_fields(events.iloc[1], {"notes": "lost?"}, who="a")
    monkeypatch.setattr(os, "write", real_write)
    assert log.path.read_bytes() == before
    log.set_fields(events.iloc[1], {"notes": "saved"}, who="a")
    assert not log.read().bad and len(log.records()) == 2


# --- validation on read ---------------------------------------------------------------------

WRONG_SHAPES = [
    {"op": "set", "id": "x1", "who": "a", "when": "t", "event_id": "e", "changes": ["notes"]},
    {"op": "set", "id": "x2", "who": "a", "when": "t", "event_id": "e", "changes": "notes"},
    {"op": "set", "who": "a", "when": "t", "event_id": "e", "changes": {"notes": ["a", "b"]}},
    {"op": "set", "id": "x3", "who": "a", "when": "t", "event_id": "e",
     "changes": {"event_id": ["a", "b"]}},
    {"op": "set", "id": "x4", "who": "a", "when": "t", "event_id": "e",
     "changes": {"notes": "b"}},
    {"op": "discard", "id": "x5", "who": "a", "when": "t"},
    {"op": "undo", "id": "x6", "who": "a", "when": "t", "target": 5},
    {"op": "drop", "id": "x7", "who": "a", "when": "t"},
    ["op", "set"], "set", 3, None,
]


def test_wrong_shaped_records_are_quarantined_not_fatal(store: Path, events: pd.DataFrame,
                                                        tmp_path: Path,
                                                        capsys: pytest.CaptureFixture) -> None:
    log = EditLog.for_store(store)
    log.set_fields(events.iloc[0], {"notes": "good edit"}, who="a")
    with log.path.open("a") as fh:
        for record in WRONG_SHAPES:
            assert check_record(record) is not None, record
            fh.write(json.dumps(record) + "\n")
    log.set_fields(events.iloc[1], {"actor1": "after"}, who="a")
    out, report = log.apply(events)
    assert out.set_index("event_id").loc[events.iloc[0]["event_id"], "notes"] == "good edit"
    assert out.set_index("event_id").loc[events.iloc[1]["event_id"], "actor1"] == "after"
    bad_lines = list(range(2, 2 + len(WRONG_SHAPES)))
    assert [int(s.split("line ")[1].split(":")[0]) for s in report.skipped] == bad_lines
    quarantined = [json.loads(x) for x in log.quarantine_path.read_text().splitlines()]
    assert [q["line"] for q in quarantined] == bad_lines
    log.read()  # read again: quarantined once
    assert len(log.quarantine_path.read_text().splitlines()) == len(WRONG_SHAPES)
    # export and every page read it without a traceback
    assert main(["export", str(store), "--out", str(tmp_path / "x.csv")]) == 0
    assert "line 2" in capsys.readouterr().err
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["event"] = events.iloc[0]["event_id"]
    at.run()
    assert not at.exception
    at.switch_page("views/review.py").run()
    assert not at.exception
    for page in ("views/about.py", "views/add_articles.py"):
        at.switch_page(page).run()
        assert not at.exception, page


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["op", "id", "who", "when", "event_id", "changes", "target", "base",
                         "reason", *EDITABLE_FIELDS[:3]]), inner, max_size=6),
    max_leaves=12)


near_records = st.fixed_dictionaries(
    {"op": st.sampled_from(["set", "discard", "undo"]), "id": st.text(max_size=4),
     "who": st.text(max_size=4), "when": st.text(max_size=4)},
    optional={"event_id": json_values | st.text(max_size=4),
              "target": json_values | st.text(max_size=4),
              "reason": json_values, "base": json_values,
              "changes": json_values | st.dictionaries(
                  st.sampled_from(EDITABLE_FIELDS), st.lists(json_values, min_size=1,
                                                             max_size=3), max_size=3)})


@settings(max_examples=300)
@given(json_values | near_records)
def test_any_json_line_is_either_a_record_or_reported(value: object) -> None:
    reason = check_record(value)
    if reason is None:
        assert isinstance(value, dict)
        # a record check_record accepts never breaks the replay
        df = synthetic_events(3, seed=1)
        if "event_id" in value:
            value = {**value, "event_id": df.iloc[0]["event_id"]}
        log = EditLog("/nonexistent/e.jsonl")
        apply_edits(df, log.active([value]))  # type: ignore[list-item]


# --- optimistic concurrency -----------------------------------------------------------------

def test_second_reviewer_of_the_same_field_is_refused_with_the_other_change(
        events: pd.DataFrame, tmp_path: Path) -> None:
    log = EditLog(tmp_path / "e.edits.jsonl")
    row = events.iloc[2]
    base = log.version_of(row["event_id"])  # both reviewers open the event
    assert base == ""
    log.set_fields(row, {"notes": "from Alice"}, who="alice", base=base)
    with pytest.raises(EditConflict) as err:
        log.set_fields(row, {"notes": "from Bob"}, who="bob", base=base)
    assert "alice" in str(err.value) and "from Alice" in str(err.value)
    assert err.value.others[0]["who"] == "alice"
    # another field is no conflict; after reloading, Bob's save goes through
    log.set_fields(row, {"actor2": "Bob's actor"}, who="bob", base=base)
    fresh = log.version_of(row["event_id"])
    edited, _ = log.apply(events)
    log.set_fields(edited.set_index("event_id").loc[row["event_id"]].to_dict()
                   | {"event_id": row["event_id"]}, {"notes": "from Bob"}, who="bob",
                   base=fresh)
    out, _ = log.apply(events)
    got = out.set_index("event_id").loc[row["event_id"]]
    assert got["notes"] == "from Bob" and got["actor2"] == "Bob's actor"
    # a discard since the base conflicts with any edit; an undo of Alice's edit too
    with pytest.raises(EditConflict):
        log.discard(row["event_id"], who="carol", base=base)


def test_undo_since_the_base_conflicts_on_its_fields(events: pd.DataFrame,
                                                     tmp_path: Path) -> None:
    log = EditLog(tmp_path / "e.edits.jsonl")
    row = events.iloc[3]
    first = log.set_fields(row, {"notes": "x"}, who="a")
    base = log.version_of(row["event_id"])
    log.undo(first["id"], who="a")
    assert log.version_of(row["event_id"]) != base
    with pytest.raises(EditConflict):
        log.set_fields(row, {"notes": "y"}, who="b", base=base)
    log.set_fields(row, {"actor1": "z"}, who="b", base=base)


def _review(event_id: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["event"] = event_id
    at.run()
    at.switch_page("views/review.py").run()
    return at


def _field(at: AppTest, widgets: str, label: str) -> object:
    return next(w for w in at.get(widgets) if w.label == label)


def _save(at: AppTest) -> None:
    next(b for b in at.get("form_submit_button") if b.label == "Save edit").click().run()


def test_review_page_refuses_a_conflicting_save_and_keeps_the_typed_text(
        store: Path, events: pd.DataFrame) -> None:
    target = events.iloc[5]
    alice, bob = _review(target["event_id"]), _review(target["event_id"])
    _field(alice, "text_area", "Notes").set_value("Alice's notes")
    _save(alice)
    assert not alice.exception and not alice.error
    _field(bob, "text_area", "Notes").set_value("Bob's notes")
    _save(bob)
    assert not bob.exception
    errors = " ".join(e.value for e in bob.error)
    assert "Not saved" in errors and "Alice's notes" in errors
    assert not any("Nothing changed" in i.value for i in bob.info)
    assert _field(bob, "text_area", "Notes").value == "Bob's notes"  # not lost
    log = EditLog.for_store(store)
    assert [r["changes"]["notes"][1] for r in log.active()] == ["Alice's notes"]
    # Bob reloads: the form now shows Alice's notes; his save then goes through
    next(b for b in bob.button if b.label == "Reload the event").click().run()
    assert _field(bob, "text_area", "Notes").value == "Alice's notes"
    _field(bob, "text_area", "Notes").set_value("Bob's notes")
    _save(bob)
    assert not bob.error
    assert [r["changes"]["notes"][1] for r in log.active()] == ["Alice's notes", "Bob's notes"]


def test_review_page_saves_edits_of_other_fields(store: Path, events: pd.DataFrame) -> None:
    target = events.iloc[6]
    alice, bob = _review(target["event_id"]), _review(target["event_id"])
    _field(alice, "text_input", "Actor 1").set_value("Alice's actor")
    _save(alice)
    _field(bob, "text_area", "Notes").set_value("Bob's notes")
    _save(bob)
    assert not bob.error and not bob.exception
    changes = [r["changes"] for r in EditLog.for_store(store).active()]
    assert changes == [{"actor1": [target["actor1"], "Alice's actor"]},
                       {"notes": [target["notes"], "Bob's notes"]}]
