"""Accuracy of the toponym resolver on the public corpora in ../shared/eval.

The floors are the accuracy this code reaches (bench/RESULTS.md), a little below, so that a
change that makes resolution worse fails here. The published anchors (Mordecai 3: GeoWebNews
94.1%, TR-News 87.3% accuracy@161 km): TR-News's is the floor itself; GeoWebNews's is not
reached (most of its remaining misses are streets and buildings, and countries read right
whose offline centre lies over 161 km from GeoNames' own point for them). The diagnostic
that counts the right GeoNames entity as a hit is floored too.
"""

from __future__ import annotations

import json

import pytest

from conflict_atlas.cli import main

FLOORS = {
    # corpus: (resolve acc@161, end2end overlap F1, resolve within 161 km or same entity)
    "GWN.xml": (0.89, 0.88, 0.925),
    "TR-News.xml": (0.873, 0.89, 0.95),  # 0.873: Mordecai 3, the published anchor
}


def run_eval(capsys, corpus, mode):
    assert main(["eval", "geoparse", str(corpus), "--mode", mode, "--json",
                 "--no-progress"]) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_resolve_accuracy_floor(shared_dir, capsys, name):
    result = run_eval(capsys, shared_dir / "eval" / name, "resolve")
    assert result["n"] in (2601, 1275)
    assert result["accuracy_161km"] >= FLOORS[name][0], result["accuracy_161km"]
    assert result["entity_or_161km"] >= FLOORS[name][2], result["entity_or_161km"]


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_end2end_f1_floor(shared_dir, capsys, name):
    result = run_eval(capsys, shared_dir / "eval" / name, "end2end")
    assert result["f1_overlap"] >= FLOORS[name][1], result
