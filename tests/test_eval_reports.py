"""Scoring the coder on coded reports (ACLED exports, UCDP GED tables): readers, splits,
scores, and the real GED development split when ../shared is there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conflict_atlas.cli import main
from evaluation.reports import (
    actor_key,
    detect_format,
    read_acled,
    read_ucdp,
    score_reports,
    select,
    split_of,
)

DATA = Path(__file__).parent / "data" / "reports"


def test_formats_are_told_by_their_columns():
    assert detect_format(DATA / "acled_sample.csv") == "acled"
    assert detect_format(DATA / "ucdp_sample.csv") == "ucdp"
    gold = Path(__file__).parents[1] / "examples" / "gold" / "events.csv"
    assert detect_format(gold) == "sample"


def test_readers():
    acled = read_acled(DATA / "acled_sample.csv")
    assert [r.id for r in acled] == ["TST1", "TST2", "TST3", "TST4", "TST5"]
    assert acled[0].event_type == "Battles" and acled[0].fatalities == 3
    assert acled[0].published is None  # the note carries its own date
    ucdp = read_ucdp(DATA / "ucdp_sample.csv")
    assert ucdp[0].violence_type == 1 and ucdp[0].published.isoformat() == "2017-04-02"
    assert ucdp[1].actor2 == "Civilians"


def test_split_is_fixed_and_about_thirty_percent():
    ids = [str(i) for i in range(2000)]
    test = [i for i in ids if split_of("c", i) == "test"]
    assert 0.25 < len(test) / len(ids) < 0.35
    assert test == [i for i in ids if split_of("c", i) == "test"]  # deterministic
    assert split_of("a", "1") == split_of("a", "1")


def test_actor_keys_meet_across_datasets():
    assert actor_key("Military Forces of Nigeria (2015-2023)") == actor_key(
        "Military Forces of Nigeria (2023-)") == actor_key("Government of Nigeria")
    assert actor_key("SDF: Syrian Democratic Forces") == actor_key("SDF")
    assert actor_key("IS") == actor_key("Islamic State")
    assert actor_key("Civilians (Iraq)") == actor_key("Civilians")
    assert actor_key("Unidentified Armed Group (Mali)") == actor_key("Syrian insurgents")


# the session's extractor (tests/conftest.py), also for the CLI's
pytestmark = pytest.mark.usefixtures("one_extractor")


def test_scores_on_acled_rows(extractor):
    from evaluation.reports import extract_reports

    reports = read_acled(DATA / "acled_sample.csv")
    predictions = extract_reports(reports, extractor)
    score = score_reports(reports, predictions).as_dict()
    assert score["rows"] == 5
    assert score["coverage"] == 1.0
    assert score["event_type_accuracy"] >= 0.8
    assert score["fatalities_exact_where_deaths"] == 1.0  # 3 (told in the next sentence), 2
    assert score["actor1_agreement"] >= 0.6
    assert score["date_accuracy"] == 1.0
    assert sum(score["confusion"].values()) == 5


def test_cli_on_ucdp_rows(capsys, tmp_path):
    errors = tmp_path / "errors.csv"
    assert main(["eval", "events", "--gold", str(DATA / "ucdp_sample.csv"), "--json",
                 "--errors", str(errors)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    score = json.loads(out[-1])
    assert score["rows"] == 3
    assert 0 < score["coverage"] < 1  # "Syria Daily Report" reports no event
    assert score["violence_type_accuracy"] > 0
    assert errors.read_text(encoding="utf-8").count("\n") == 4


def test_cli_needs_events_for_the_sample_gold(capsys):
    assert main(["eval", "events"]) == 2
    assert "EVENTS" in capsys.readouterr().err


@pytest.mark.shared
def test_ged_development_split(shared_dir, extractor):
    """The real UCDP GED headlines (development split, a fixed sample): what the coder
    reaches on reporting nobody here wrote. Floors are on the test split (below)."""
    from evaluation.reports import extract_reports

    reports = select(read_ucdp(shared_dir / "data" / "ucdp_ged_subset.parquet"), "dev", 150)
    score = score_reports(reports, extract_reports(reports, extractor)).as_dict()
    assert score["rows"] == 150 and score["coverage"] > 0.4


@pytest.mark.shared
def test_ged_test_split_floors(shared_dir, extractor):
    """Floors on the held-out GED test split (never tuned on): bench/RESULTS.md."""
    from evaluation.reports import extract_reports

    reports = select(read_ucdp(shared_dir / "data" / "ucdp_ged_subset.parquet"), "test", 300)
    score = score_reports(reports, extract_reports(reports, extractor)).as_dict()
    assert score["coverage"] >= 0.5
    assert score["violence_type_accuracy"] >= 0.25
