"""Extraction on dask.distributed: a real ``dask scheduler`` and two ``dask worker``
processes (each with its nanny) started as on separate machines, here all on 127.0.0.1.
The result is that of a local run, a worker killed mid-run changes nothing, bad articles
are rejected as locally, and ``extract --scheduler tcp://HOST:PORT`` writes the store.

One cluster serves the module: each worker loads an Extractor (the slow part), so the tests
share the workers and the local run they are compared with."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from extract.distributed import ClusterError, parse_scheduler, partitions, run_distributed
from extract.pipeline import PipelineResult, run_pipeline

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "examples" / "articles"
NAMES = ["en01_tarmiyah_checkpoint", "en02_baghdad_drone_strike", "en03_aleppo_shelling",
         "en06_kirkuk_roadside_bomb", "fr01_convois_bagdad_babil", "ar01_samarra_clash"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def address() -> Iterator[str]:
    """The address of a scheduler with two workers, started through dask's command line."""
    pytest.importorskip("distributed")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = [sys.executable, "-m", "dask"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    procs = [subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], **quiet)]  # type: ignore[call-overload]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the scheduler listens
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.3)
        procs += [subprocess.Popen([*dask, "worker", address, "--nthreads", "1",
                                    "--host", "127.0.0.1", "--no-dashboard"], **quiet)  # type: ignore[call-overload]
                  for _ in range(2)]
        yield address
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


@pytest.fixture()
def client(address: str) -> Iterator[Any]:
    import distributed

    with distributed.Client(address, timeout="60s") as client:
        client.wait_for_workers(2, timeout=120)
        yield client


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few sample articles (with their sidecars), an unreadable file and an empty one."""
    folder = tmp_path_factory.mktemp("in")
    for name in NAMES:
        for f in ARTICLES.glob(name + ".*"):
            shutil.copy(f, folder / f.name)
    (folder / "zz_binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (folder / "zz_table.xls").write_bytes(b"not a table")
    return folder


@pytest.fixture(scope="module")
def local(corpus: Path, extractor: Any) -> PipelineResult:
    """The corpus extracted in this process, as without a cluster."""
    result = run_pipeline([corpus], extractor=extractor)
    assert len(result.events) > 0
    return result


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


def test_scheduler_addresses() -> None:
    assert parse_scheduler("local:2") == ("local", 2)
    assert parse_scheduler("tcp://10.0.0.5:8786") == ("tcp", 0)
    for bad in ("local:0", "10.0.0.5:8786", "tcp://host", "dask"):
        with pytest.raises(ClusterError):
            parse_scheduler(bad)
    assert partitions(list(range(5)), 2) == [[0, 1], [2, 3], [4]]


def test_same_result_as_a_local_run(client: Any, corpus: Path,
                                    local: PipelineResult) -> None:
    seen: list[tuple[int, int | None]] = []
    dist = run_distributed([corpus], scheduler=client, partition_files=3,
                           progress=lambda done, total, _label: seen.append((done, total)))
    assert list(dist.events["event_id"]) == list(local.events["event_id"])
    _same(dist.events, local.events)
    assert dist.n_articles == local.n_articles == len(NAMES)
    assert [(r.path, r.reason) for r in dist.rejected] == \
        [(r.path, r.reason) for r in local.rejected]
    assert {Path(r.path).name for r in dist.rejected} >= {"zz_binary.txt", "zz_table.xls"}
    assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1]  # the bar ends full


def test_a_killed_worker_changes_nothing(client: Any, corpus: Path,
                                         local: PipelineResult) -> None:
    pids = client.run(os.getpid)  # worker address -> its process id
    assert len(pids) == 2
    killed: list[int] = []

    def kill_one(done: int, _total: int | None, _label: str) -> None:
        if done and not killed:  # the first partition is back: others are running
            victim = min(pids.values())
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    dist = run_distributed([corpus], scheduler=client, partition_files=1, progress=kill_one)
    assert killed
    _same(dist.events, local.events)
    assert dist.n_articles == local.n_articles
    assert [r.path for r in dist.rejected] == [r.path for r in local.rejected]
    client.wait_for_workers(2, timeout=120)  # the nanny restarted it
    assert killed[0] not in client.run(os.getpid).values()


def test_the_command_line_refuses_a_bad_address(corpus: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture) -> None:
    from conflict_atlas.cli import main

    assert main(["extract", str(corpus), "--out", str(tmp_path / "x.parquet"),
                 "--scheduler", "nowhere", "--no-progress"]) == 2
    assert "tcp://HOST:PORT" in capsys.readouterr().err


def test_the_command_line_at_a_tcp_address(address: str, corpus: Path, tmp_path: Path,
                                           local: PipelineResult) -> None:
    """``extract --scheduler tcp://HOST:PORT`` writes the events of a local run."""
    from conflict_atlas.cli import main

    out = tmp_path / "tcp.parquet"
    assert main(["extract", str(corpus), "--out", str(out), "--scheduler", address,
                 "--no-progress"]) == 0
    stored = pd.read_parquet(out)
    assert set(stored["event_id"]) == set(local.events["event_id"]) and len(stored)
    rejects = pd.read_csv(out.with_name(out.name + ".rejects.csv"))
    assert {Path(p).name for p in rejects["path"]} >= {"zz_binary.txt", "zz_table.xls"}
