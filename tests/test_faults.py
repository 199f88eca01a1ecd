"""The fault suite: writers killed with SIGKILL mid-write, a full disk, concurrent writers and
reviewers. Nothing acknowledged may be lost, nothing half-written may be read, and the next
writer carries on. Every test is bounded (a few seconds; see docs/reliability.md).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from dashboard.edits import EditLog
from extract.store import EventStore, read_events, temp_files

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.faults

# A writer that appends batch after batch and says so after each one returned.
STORE_WRITER = """
import sys
from tests.test_store import frame
from extract.store import EventStore
store = EventStore(sys.argv[1])
for n in range(int(sys.argv[2]), 10**6):
    store.append(frame(40, f"batch{n}"))
    print(n, flush=True)
"""

EDIT_WRITER = """
import sys
from dashboard.synthetic import synthetic_events
from dashboard.edits import EditLog
events = synthetic_events(50, seed=9)
log = EditLog(sys.argv[1])
for n in range(10**6):
    row = events.iloc[n % 50]
    rec = log.set_fields(row, {"notes": f"note {sys.argv[2]}-{n} " + "x" * 2000}, who="k")
    print(rec["id"], flush=True)
"""


def _spawn(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(script), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})


def _kill_after(proc: subprocess.Popen[str], seconds: float) -> list[str]:
    """SIGKILL ``proc`` after ``seconds``; the lines it acknowledged before."""
    time.sleep(seconds)
    proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL, err
    return out.split()


def _started(proc: subprocess.Popen[str]) -> str:
    """Wait for the first acknowledgement (imports done), return it."""
    line = proc.stdout.readline()  # type: ignore[union-attr]
    assert line, proc.stderr.read()  # type: ignore[union-attr]
    return line.strip()


# --- kill -9 --------------------------------------------------------------------------------

def test_kill_9_during_store_appends_loses_no_acknowledged_batch(tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    rng = random.Random(15)
    acked: set[str] = set()
    start = 0
    for _round in range(6):
        proc = _spawn(STORE_WRITER, str(path), str(start))
        acked.add(_started(proc))
        acked.update(_kill_after(proc, rng.uniform(0.05, 0.8)))
        stored = read_events(path)  # never half a file
        assert stored["event_id"].is_unique
        articles = set(stored["article_id"])
        assert {f"batch{n}" for n in acked} <= articles  # every acknowledged batch is there
        assert len(stored) == 40 * len(articles)  # and batches are whole
        start = max(int(n) for n in acked) + 1
    EventStore(path).append(stored.head(0))
    assert temp_files(path) == []  # what the killed writers left is cleaned under the lock


def test_kill_9_during_edit_log_appends_loses_no_acknowledged_edit(tmp_path: Path) -> None:
    log = EditLog(tmp_path / "events.edits.jsonl")
    rng = random.Random(16)
    acked: set[str] = set()
    for round_ in range(6):
        proc = _spawn(EDIT_WRITER, str(log.path), str(round_))
        acked.add(_started(proc))
        acked.update(_kill_after(proc, rng.uniform(0.05, 0.6)))
        contents = log.read(quarantine=False)
        assert acked <= {r["id"] for r in contents.records}
        assert len(contents.bad) <= round_ + 1  # at most the line each kill cut
    log.repair()
    assert not log.read().bad and acked <= {r["id"] for r in log.records()}


# --- a full disk ----------------------------------------------------------------------------

@pytest.fixture()
def small_disk(tmp_path: Path):
    """A 3 MB tmpfs mounted for the test (root and mount rights needed, else skipped)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root; the full-disk faults are not run")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(disk)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}); full-disk faults "
                    "not run")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def _fill(disk: Path) -> Path:
    """Fill ``disk`` to the last byte; the filler file, to free it again."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        for size in (65536, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                continue
    finally:
        os.close(fd)
    return filler


def test_full_disk_store_and_edit_log(small_disk: Path) -> None:
    from tests.test_store import frame

    path = small_disk / "events.parquet"
    store = EventStore(path)
    store.append(frame(20, "first"))
    log = EditLog.for_store(path)
    event = store.read().iloc[0]
    log.set_fields(event, {"notes": "before the disk filled"}, who="t")
    before, log_before = path.read_bytes(), log.path.read_bytes()
    filler = _fill(small_disk)
    with pytest.raises(OSError):
        store.append(frame(3000, "too-big"))
    with pytest.raises(OSError):
        log.set_fields(event, {"notes": "y" * 100_000}, who="t")
    assert path.read_bytes() == before and temp_files(path) == []
    assert log.path.read_bytes() == log_before  # no partial record left
    filler.unlink()
    log.set_fields(event, {"notes": "after"}, who="t", base=log.version_of(event["event_id"]))
    assert not log.read().bad and [r["changes"]["notes"][1] for r in log.records()] == [
        "before the disk filled", "after"]
    assert store.append(frame(5, "second")).added == 5


@pytest.mark.slow
def test_extract_on_a_full_disk_keeps_the_runs_events(small_disk: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture) -> None:
    from conflict_atlas.cli import main

    article = ROOT / "examples" / "articles" / "en06_kirkuk_roadside_bomb.txt"
    store = small_disk / "events.parquet"
    filler = _fill(small_disk)
    assert main(["extract", str(article), "--out", str(store), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and "--pending" in err
    side = Path(err.split("kept in ")[1].split(";")[0])
    assert side.exists() and small_disk not in side.parents
    filler.unlink()
    assert main(["store", "repair", str(store), "--pending", str(side)]) == 0
    assert len(read_events(store)) == len(read_events(store).drop_duplicates("event_id")) > 0
    assert not side.exists()


# --- concurrent writers and reviewers -------------------------------------------------------

APPENDER = """
import sys
from tests.test_store import frame
from extract.store import EventStore
import pandas as pd
store = EventStore(sys.argv[1])
w = int(sys.argv[2])
for n in range(5):
    # overlapping batches: each writer also appends its neighbour's articles
    store.append(pd.concat([frame(25, f"w{w}-{n}"), frame(25, f"w{(w + 1) % 4}-{n}")],
                           ignore_index=True))
"""

READER = """
import sys, time
from extract.store import read_events
want, end = int(sys.argv[2]), time.time() + 90
reads = 0
while time.time() < end:
    try:
        df = read_events(sys.argv[1])
    except FileNotFoundError:
        continue
    assert df["event_id"].is_unique and len(df) % 25 == 0  # whole batches only
    reads += 1
    if len(df) == want:
        break
print(reads)
"""

REVIEWER = """
import sys, json, os, time
from dashboard.edits import EditConflict, EditLog
from dashboard.synthetic import synthetic_events
event = synthetic_events(5, seed=3).iloc[0].to_dict()
log = EditLog(sys.argv[1])
saved = conflicts = 0
print("ready", flush=True)
while not os.path.exists(sys.argv[3]):  # all reviewers start together
    time.sleep(0.01)
for n in range(15):
    while True:
        records = log.records()
        base = log.version_of(event["event_id"], records)
        notes = [r["changes"]["notes"][1] for r in log.active(records)
                 if r["op"] == "set" and "notes" in r["changes"]]
        seen = {**event, "notes": notes[-1] if notes else event["notes"]}
        try:
            log.set_fields(seen, {"notes": f"reviewer {sys.argv[2]} edit {n}"},
                           who=f"r{sys.argv[2]}", base=base)
        except EditConflict:
            conflicts += 1
            continue
        saved += 1
        break
print(json.dumps({"saved": saved, "conflicts": conflicts}))
"""


def test_concurrent_writers_and_a_reader(tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    reader = _spawn(READER, str(path), str(4 * 5 * 25))
    writers = [_spawn(APPENDER, str(path), str(w)) for w in range(4)]
    for proc in writers:
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err  # it never read a broken or duplicated table
    stored = read_events(path)
    assert len(stored) == 4 * 5 * 25 and stored["event_id"].is_unique
    assert int(out) > 0


def test_concurrent_reviewers_lose_no_update(tmp_path: Path) -> None:
    log = EditLog(tmp_path / "events.edits.jsonl")
    go = tmp_path / "go"
    procs = [_spawn(REVIEWER, str(log.path), str(r), str(go)) for r in range(4)]
    for proc in procs:
        assert _started(proc) == "ready"
    go.touch()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    records = log.records()
    assert sum(r["saved"] for r in results) == len(records) == 4 * 15
    # each saved edit was made against the value the one before it wrote: none overwritten
    notes = [r["changes"]["notes"] for r in records]
    for previous, current in itertools.pairwise(notes):
        assert current[0] == previous[1]
    assert sum(r["conflicts"] for r in results) > 0  # they did collide, and were refused
