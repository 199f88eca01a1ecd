"""The resolver as a model: the features of real readings from the gazetteer index, the
scorer's weight tables, the frozen config, the decisions, and the fitting script on a tiny
part of the development split."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest

from extract.geoparse.features import FEATURE_NAMES, CandidateFeatures, vector
from extract.geoparse.model import Mention
from extract.geoparse.resolver import Candidate, Decision, ResolverConfig, ToponymResolver
from extract.geoparse.scorer import (
    COHERENCE_WEIGHT,
    CUE_BONUS,
    FITTED_WEIGHTS,
    FOCUS_WEIGHT,
    UNIT_SUFFIX_PENALTY,
    Scorer,
    Weights,
    WeightsError,
    hand_weights,
    load_weights,
)


@pytest.fixture(scope="module")
def resolver() -> ToponymResolver:
    return ToponymResolver(config=ResolverConfig(weights="hand"))


def mentions(text: str, *names: str) -> list[Mention]:
    out, pos = [], 0
    for name in names:
        start = text.index(name, pos)
        out.append(Mention(start, start + len(name), name, "gold"))
        pos = start + len(name)
    return out


def by_country(cands: list[Candidate], cc: str, cls: str = "city") -> Candidate:
    return next(c for c in cands if c.place["country_code"] == cc
                and c.place["feature_class"] == cls)


# ------------------------------------------------------------------- lexical features

def test_paris_readings_carry_population_class_capital_and_name_kind(resolver):
    cands = resolver._candidates("Paris", "en", ())
    france, texas = by_country(cands, "FR"), by_country(cands, "US")
    assert cands[0].place["id"] == france.place["id"]  # the capital first, on its own
    f = france.features
    assert f.capital and f.feature_class == "city" and f.name_kind == "main"
    assert f.match == "exact" and f.similarity == 1.0
    assert f.log_population > 6.0 > texas.features.log_population > 4.0
    assert not texas.features.capital
    assert math.isclose(f.log_population, math.log10(france.place["population"] + 1))
    # no cue, no unit, no demonym: the lexical score is the geocoder's score
    assert f.cue == 0.0 and not f.unit_suffix and not f.demonym
    assert france.score == f.geocoder_score > texas.score


def test_a_cue_ranks_the_class_it_asks_for(resolver):
    cands = resolver._candidates("Idlib", None, ("admin1",))
    province = next(c for c in cands if c.place["feature_class"] == "admin1")
    town = by_country(cands, "SY")
    assert province.features.cue == 1.0 and town.features.cue == 0.0
    assert math.isclose(province.score, province.features.geocoder_score + CUE_BONUS)
    assert cands[0].place["id"] == province.place["id"]


def test_a_unit_suffix_asks_for_the_bare_name_at_a_cost(resolver):
    cands = resolver._candidates("Karak district", None, ())
    bare = [c for c in cands if c.features.unit_suffix]
    assert bare and all(c.place["country_code"] == "JO" for c in bare[:1])
    c = bare[0]
    assert math.isclose(c.score, c.features.geocoder_score - UNIT_SUFFIX_PENALTY
                        + CUE_BONUS * c.features.cue)


def test_a_demonym_reads_as_its_country_by_rule(resolver):
    cands = resolver._candidates("Canadian", None, ())
    top = cands[0]
    assert top.rule == "demonym" and top.features.demonym
    assert top.place["feature_class"] == "country" and top.place["country_code"] == "CA"
    others = [c.score for c in cands[1:]]
    assert top.score == max(others, default=0.0) + resolver.config.demonym_margin


def test_readings_by_spelling_say_so(resolver):
    """"Kourakhovo" is no place's recorded spelling: read by its transliteration key,
    "Kourakhome" only by a close key; both below the exact reading of Kurakhove."""
    exact = resolver._candidates("Kurakhove", None, ())
    assert exact and exact[0].features.match == "exact"
    for name, spelling in (("Kourakhovo", "translit"), ("Kourakhome", "fuzzy")):
        cands = resolver._candidates(name, None, (), spelling=spelling, countries=["UA"])
        assert cands, name
        f = cands[0].features
        assert f.match == spelling and 0.7 <= f.similarity < 1.0
        x = dict(zip(FEATURE_NAMES, vector(f), strict=True))
        assert x[f"match_{spelling}"] == 1.0
        assert cands[0].score < exact[0].score  # a reading by spelling scores below


# ------------------------------------------------------------- contextual features

def test_focus_coherence_and_containment_in_context(resolver):
    text = "Police in London, Ontario said a man from St. Thomas was arrested."
    out, decided, keys = resolver.decide(text, mentions(text, "London", "Ontario",
                                                        "St. Thomas"))
    assert out[0].place["country_code"] == "CA"
    london = decided[keys[0]]
    assert isinstance(london, Decision) and london.place["country_code"] == "CA"
    ontario_town = next(c for c in london.ranked if c.place["country_code"] == "CA")
    england = next(c for c in london.ranked if c.place["country_code"] == "GB")
    assert ontario_town.features.contained and not england.features.contained
    assert ontario_town.features.focus_share > 0.5 > england.features.focus_share
    assert ontario_town.features.coherence > england.features.coherence
    # near_km: the distance to the nearest place decided for another name
    assert 0.0 <= ontario_town.features.near_km < 50.0 < england.features.near_km


def test_stray_and_isolated_features_follow_the_rules_tests(resolver):
    text = ("Syrian government forces shelled Aleppo, Idlib and Hama on Monday; in Homs, "
            "the Observatoire said, and near Paris")
    _out, decided, keys = resolver.decide(
        text, mentions(text, "Aleppo", "Idlib", "Hama", "Homs", "Paris"))
    paris = decided[keys[-1]]
    # Paris, France is a big city (over STRAY_MAX_POPULATION): never a stray
    france = next(c for c in paris.ranked if c.place["country_code"] == "FR"
                  and c.place["feature_class"] == "city")
    assert not france.features.stray
    small_us = [c for c in paris.ranked if c.place["country_code"] == "US"
                and c.place.get("population", 0) < 20_000]
    assert small_us and all(c.features.stray for c in small_us)
    assert all(c.features.isolated for c in small_us)  # thousands of km from Syria
    aleppo = decided[keys[0]]
    assert aleppo.place["country_code"] == "SY" and not aleppo.ranked[0].features.stray


# ---------------------------------------------------------------------- the scorer

def test_hand_weights_are_todays_constants_and_score_is_their_dot_product(resolver):
    w = hand_weights()
    assert w.table["cue"] == CUE_BONUS == 3.0
    assert w.table["unit_suffix"] == -UNIT_SUFFIX_PENALTY
    assert w.table["focus_share"] == FOCUS_WEIGHT and w.table["coherence"] == COHERENCE_WEIGHT
    assert sum(1 for v in w.table.values() if v) == 5 and set(w.table) == set(FEATURE_NAMES)
    scorer = Scorer(w)
    text = "Clashes in Homs and Hama, Syria"
    _out, decided, keys = resolver.decide(text, mentions(text, "Homs", "Hama", "Syria"))
    for c in decided[keys[0]].ranked:
        dot = sum(w.table[n] * x for n, x in zip(FEATURE_NAMES, vector(c.features),
                                                  strict=True))
        assert math.isclose(scorer.score(c.features), dot, abs_tol=1e-9)
        assert math.isclose(c.score, dot, abs_tol=1e-9)
        assert set(scorer.terms(c.features)) <= {"geocoder_score", "cue", "unit_suffix",
                                                  "focus_share", "coherence"}


def test_weights_are_checked_and_read_back(tmp_path):
    with pytest.raises(WeightsError, match="unknown features"):
        Weights("bad", {"population": 1.0})
    bad = tmp_path / "w.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(WeightsError, match="cannot read"):
        load_weights(bad)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(hand_weights().to_json()), encoding="utf-8")
    assert dict(load_weights(good).table) == dict(hand_weights().table)
    with pytest.raises(TypeError):
        hand_weights().table["cue"] = 1.0  # read-only


def test_committed_fitted_weights_say_where_they_come_from():
    w = load_weights("fitted")
    prov = w.provenance
    assert prov["split"] == "dev" and set(prov["corpora"]) == {"GWN.xml", "TR-News.xml"}
    assert prov["sklearn"] and prov["date"] and prov["rows"] > 1000
    assert FITTED_WEIGHTS.is_file() and any(w.table.values())


def test_config_is_frozen_and_chooses_the_weights(resolver):
    cfg = ResolverConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.pair_slack = 1.0  # type: ignore[misc]
    assert {"pair_slack", "isolated_km", "respell_min_similarity", "coherence_cap",
            "stray_focus", "fallback_confidence"} <= set(ResolverConfig.names())
    fitted = ToponymResolver(resolver.geocoder, resolver.demonyms,
                             config=ResolverConfig(weights="fitted"))
    assert fitted.scorer.weights.name == "fitted" and resolver.scorer.weights.name == "hand"
    text = "Clashes in Homs and Hama, Syria"
    for r in (resolver, fitted):
        out = r.resolve(text, mentions(text, "Homs", "Hama", "Syria"))
        assert [x.place["country_code"] for x in out] == ["SY", "SY", "SY"]


def test_candidate_features_are_frozen():
    f = CandidateFeatures(1.0, 3.0, 0.0, "city", False, "main", False, "exact", 1.0, 0.0,
                          0.0, False, False, False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.cue = 1.0  # type: ignore[misc]
    g = f.in_context(focus_share=0.5, near_km=-1.0)
    assert g.focus_share == 0.5 and f.focus_share == 0.0
    x = dict(zip(FEATURE_NAMES, vector(g), strict=True))
    assert x["near_unknown"] == 1.0 and x["log_near_km"] == 0.0 and x["focus_share"] == 0.5


# ------------------------------------------------------------------ the fitting script

def test_fit_script_on_a_tiny_dev_split(shared_dir, tmp_path):
    from evaluation.fit_resolver import main
    from evaluation.splits import read_split, split_path

    split = read_split(split_path("GWN.xml"))
    dev = sorted(d for d, part in split.items() if part == "dev")[:4]
    tiny = tmp_path / "gwn-tiny.tsv"
    tiny.write_text("".join(f"{d}\t{'dev' if d in dev else 'test'}\n" for d in split),
                    encoding="utf-8")
    out = tmp_path / "weights.json"
    assert main(["fit", "--shared", str(shared_dir), "--corpus", "GWN.xml",
                 "--split-file", f"GWN.xml={tiny}", "--out", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data["weights"]) == set(FEATURE_NAMES)
    prov = data["provenance"]
    assert prov["split"] == "dev" and prov["documents"] == {"GWN.xml": 4}
    assert prov["corpora"] == ["GWN.xml"] and prov["spans"] >= 5
    assert "hand weights" in prov["cv_top_right"] and prov["model"] in prov["cv_top_right"]
    w = load_weights(out)
    r = ToponymResolver(config=ResolverConfig(weights=str(out)))
    assert r.scorer.weights.table == w.table
    text = "Clashes in Homs and Hama, Syria"
    assert r.resolve(text, mentions(text, "Homs", "Hama", "Syria"))[2].place[
        "country_code"] == "SY"
