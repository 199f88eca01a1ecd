"""Extraction on a dask.distributed LocalCluster (processes, 2 workers on 127.0.0.1): the
same result as a local run, a worker killed mid-run changes nothing, bad articles are
rejected as locally."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pandas as pd
import pytest

from extract.distributed import ClusterError, parse_scheduler, partitions, run_distributed
from extract.pipeline import run_pipeline

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "examples" / "articles"
NAMES = ["en01_tarmiyah_checkpoint", "en02_baghdad_drone_strike", "en03_aleppo_shelling",
         "en06_kirkuk_roadside_bomb", "fr01_convois_bagdad_babil", "ar01_samarra_clash"]


@pytest.fixture(scope="module")
def cluster():  # type: ignore[no-untyped-def]
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cl, \
            distributed.Client(cl) as client:
        yield client


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    """A few sample articles (with their sidecars), an unreadable file and an empty one."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in NAMES:
        for f in ARTICLES.glob(name + ".*"):
            shutil.copy(f, folder / f.name)
    (folder / "zz_binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (folder / "zz_table.xls").write_bytes(b"not a table")
    return folder


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


def test_scheduler_addresses() -> None:
    assert parse_scheduler("local:2") == ("local", 2)
    assert parse_scheduler("tcp://10.0.0.5:8786") == ("tcp", 0)
    for bad in ("local:0", "10.0.0.5:8786", "tcp://host", "dask"):
        with pytest.raises(ClusterError):
            parse_scheduler(bad)
    assert partitions(list(range(5)), 2) == [[0, 1], [2, 3], [4]]


def test_same_result_as_a_local_run(cluster, corpus: Path, one_extractor: None) -> None:  # type: ignore[no-untyped-def]
    local = run_pipeline([corpus])
    seen: list[tuple[int, int | None]] = []
    dist = run_distributed([corpus], scheduler=cluster, partition_files=3,
                           progress=lambda done, total, _label: seen.append((done, total)))
    assert len(local.events) > 0
    assert list(dist.events["event_id"]) == list(local.events["event_id"])
    _same(dist.events, local.events)
    assert dist.n_articles == local.n_articles == len(NAMES)
    assert [(r.path, r.reason) for r in dist.rejected] == \
        [(r.path, r.reason) for r in local.rejected]
    assert {Path(r.path).name for r in dist.rejected} >= {"zz_binary.txt", "zz_table.xls"}
    assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1]  # the bar ends full


def test_a_killed_worker_changes_nothing(cluster, corpus: Path, one_extractor: None) -> None:  # type: ignore[no-untyped-def]
    local = run_pipeline([corpus])
    pids = cluster.run(os.getpid)  # worker address -> its process id
    killed: list[int] = []

    def kill_one(done: int, _total: int | None, _label: str) -> None:
        if done and not killed:  # the first partition is back: others are running
            victim = min(pids.values())
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    dist = run_distributed([corpus], scheduler=cluster, partition_files=1, progress=kill_one)
    assert killed
    _same(dist.events, local.events)
    assert dist.n_articles == local.n_articles
    assert [r.path for r in dist.rejected] == [r.path for r in local.rejected]
    cluster.wait_for_workers(2, timeout=60)  # the nanny restarted it


def test_the_command_line(corpus: Path, tmp_path: Path, one_extractor: None,
                          capsys: pytest.CaptureFixture) -> None:
    from conflict_atlas.cli import main

    assert main(["extract", str(corpus), "--out", str(tmp_path / "x.parquet"),
                 "--scheduler", "nowhere", "--no-progress"]) == 2
    assert "tcp://HOST:PORT" in capsys.readouterr().err


def test_a_scheduler_at_a_tcp_address(corpus: Path, tmp_path: Path) -> None:
    """``extract --scheduler tcp://HOST:PORT`` against a real ``dask scheduler`` and a
    ``dask worker`` started as on two machines (here both on 127.0.0.1)."""
    import socket
    import subprocess
    import sys
    import time

    pytest.importorskip("distributed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    dask = [sys.executable, "-m", "dask"]
    procs = [subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)]
    try:
        procs.append(subprocess.Popen([*dask, "worker", address, "--nthreads", "1",
                                       "--host", "127.0.0.1", "--no-dashboard"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the scheduler listens
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.3)
        out = tmp_path / "tcp.parquet"
        from conflict_atlas.cli import main

        assert main(["extract", str(corpus), "--out", str(out), "--scheduler", address,
                     "--no-progress"]) == 0
        local = run_pipeline([corpus])
        stored = pd.read_parquet(out)
        assert set(stored["event_id"]) == set(local.events["event_id"]) and len(stored)
        rejects = pd.read_csv(out.with_name(out.name + ".rejects.csv"))
        assert {Path(p).name for p in rejects["path"]} >= {"zz_binary.txt", "zz_table.xls"}
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
