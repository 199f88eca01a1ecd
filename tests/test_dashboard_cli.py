"""The ``serve`` and ``export`` subcommands."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from conflict_atlas.cli import main
from dashboard.cli import streamlit_command
from dashboard.edits import EditLog
from dashboard.filters import FilterState, apply_filters
from dashboard.synthetic import synthetic_events
from extract.store import read_events, write_events

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    path = tmp_path / "events.parquet"
    write_events(synthetic_events(800, seed=5), path)
    return path


def test_export_csv_with_filters(store: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out" / "battles.csv"
    code = main(["export", str(store), "--format", "csv", "--out", str(out), "--from",
                 "2024-02-01", "--to", "2024-05-31", "--type", "Battles", "--type", "Riots",
                 "--bbox", "35,30,42,38"])
    assert code == 0
    events = read_events(store)
    expected = apply_filters(events, FilterState(
        date_from=dt.date(2024, 2, 1), date_to=dt.date(2024, 5, 31),
        event_types=("Battles", "Riots"), bbox=(35, 30, 42, 38)))
    got = pd.read_csv(out, dtype=str)
    assert sorted(got["event_id_cnty"]) == sorted(expected["event_id"])
    assert len(got) > 0
    meta = json.loads((out.parent / "battles.csv.meta.json").read_text())
    assert meta["rows"] == len(expected) and meta["format"] == "csv"
    assert meta["filter"]["event_types"] == ["Battles", "Riots"]
    assert meta["pipeline_version"]
    assert f"wrote {len(expected):,}" in capsys.readouterr().out


def test_export_format_from_extension_and_default_name(store: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "syria.geojson"
    assert main(["export", str(store), "--out", str(out), "--country", "Syria"]) == 0
    back = read_events(out)
    assert set(back["country"]) == {"Syria"}
    monkeypatch.chdir(tmp_path)
    assert main(["export", str(store), "--format", "xlsx", "--actor",
                 "Military Forces of Iraq"]) == 0
    assert (tmp_path / "conflict-atlas_Military-Forces-of-Iraq.xlsx").exists()


def test_export_default_store_and_edits(tmp_path: Path) -> None:
    # conftest points CONFLICT_ATLAS_DATA at a temp dir: the default store lives there
    default = Path(os.environ["CONFLICT_ATLAS_DATA"]) / "events.parquet"
    events = synthetic_events(50, seed=2)
    write_events(events, default)
    EditLog.for_store(default).discard(events.loc[0, "event_id"], who="t")
    out = tmp_path / "all.parquet"
    assert main(["export", "--out", str(out), "--include-background"]) == 0
    assert len(read_events(out)) == 49
    assert main(["export", "--out", str(out), "--include-background", "--no-edits"]) == 0
    assert len(read_events(out)) == 50


def test_export_bad_input_is_a_clear_error(store: Path, tmp_path: Path, capsys) -> None:
    assert main(["export", str(tmp_path / "missing.parquet"), "--out",
                 str(tmp_path / "x.csv")]) == 2
    assert "no event store" in capsys.readouterr().err
    assert main(["export", str(store), "--out", str(tmp_path / "x.pdf")]) == 2
    assert main(["export", str(store), "--out", str(tmp_path / "x.csv"), "--from",
                 "2024-05-01", "--to", "2024-01-01"]) == 2
    with pytest.raises(SystemExit):
        main(["export", str(store), "--from", "May"])


def test_streamlit_command_binds_localhost() -> None:
    cmd = streamlit_command("127.0.0.1", 8999)
    assert cmd[cmd.index("--server.address") + 1] == "127.0.0.1"
    assert cmd[cmd.index("--server.headless") + 1] == "true"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_serve_starts_the_app(store: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "conflict-atlas"), "serve", str(store),
                             "--port", str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.time() + 60
        ok = False
        while time.time() < deadline and not ok:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health",
                                            timeout=2) as r:
                    ok = r.read().strip() == b"ok"
            except OSError:
                time.sleep(0.5)
        assert ok, "the dashboard did not come up"
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=20)


def test_every_filter_has_one_url_parameter_and_one_export_option() -> None:
    import dataclasses

    from conflict_atlas.cli import build_parser
    from dashboard.filters import FILTER_FIELDS, FilterState
    from dashboard.urlstate import _FILTER_PARAMS

    fields = [f.name for f in dataclasses.fields(FilterState)]
    assert [f.field for f in FILTER_FIELDS] == fields
    assert {field for field, _p, _e in _FILTER_PARAMS.values()} == set(fields)
    assert set(fields) <= set(vars(build_parser().parse_args(["export"])))


def test_export_filters_by_geo_precision(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "precise.csv"
    assert main(["export", str(store), "--out", str(out), "--geo-precision", "1"]) == 0
    got = pd.read_csv(out, dtype=str)
    expected = apply_filters(read_events(store), FilterState(geo_precision=(1,)))
    assert len(got) == len(expected) > 0 and set(got["geo_precision"]) == {"1"}
    with pytest.raises(SystemExit):
        main(["export", str(store), "--type", "Battle"])  # not an event type: refused
