"""The geoparsing harness: corpus readers, metrics, span matching and the CLI.

The metric tests use small resolvers that return fixed coordinates: the code under test there
is the scoring, not a resolver. The real corpora (../shared/eval) are read through the
``shared_dir`` fixture; the gazetteer baseline runs only where its index is built.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conflict_atlas.cli import main as cli_main
from evaluation import geoparse as eg
from evaluation.corpora import (
    CorpusFormatError,
    Document,
    GoldToponym,
    count_gold,
    detect_format,
    gold_toponyms,
    load_root,
    read_corpus,
    repair_offsets,
)
from geodata.distance import EARTH_RADIUS_KM

DATA = Path(__file__).parent / "data" / "eval"
GWN = DATA / "gwn_sample.xml"
LGL = DATA / "lgl_sample.xml"
GEOVIRUS = DATA / "geovirus_sample.xml"
WIKTOR = DATA / "wiktor_sample.xml"
KM_PER_DEGREE = 2 * math.pi * EARTH_RADIUS_KM / 360  # 111.195 km along the equator


class FixedResolver:
    """Answers from a name -> point table; records each call."""

    def __init__(self, table: dict[str, tuple[float, float] | None]) -> None:
        self.table = table
        self.calls: list[tuple[str, list[tuple[int, int, str]]]] = []

    def resolve(self, text: str, spans: Sequence[tuple[int, int, str]], url: str = ""
                ) -> list[tuple[float, float] | None]:
        self.calls.append((text, list(spans)))
        return [self.table.get(name) for _, _, name in spans]


class TruthResolver:
    """Places every span of a corpus at its gold point (exact answers)."""

    def __init__(self, docs: Sequence[Document]) -> None:
        self.points = {(d.text, t.start, t.end): (t.lat, t.lon)
                       for d in docs for t in d.toponyms if t.has_coordinates}

    def resolve(self, text: str, spans: Sequence[tuple[int, int, str]], url: str = ""
                ) -> list[tuple[float, float] | None]:
        return [self.points.get((text, s, e)) for s, e, _ in spans]


# ---------------------------------------------------------------- readers

@pytest.mark.parametrize(("path", "fmt"), [(GWN, "gwn"), (LGL, "lgl"),
                                           (GEOVIRUS, "geovirus"), (WIKTOR, "wiktor")])
def test_format_detected_from_content(path: Path, fmt: str) -> None:
    assert detect_format(load_root(path)) == fmt
    assert read_corpus(path).format == fmt


def test_unknown_or_broken_files_give_clear_errors(tmp_path: Path) -> None:
    other = tmp_path / "other.xml"
    other.write_text("<catalog><book>no toponyms</book></catalog>", encoding="utf-8")
    with pytest.raises(CorpusFormatError, match="unrecognised corpus format"):
        read_corpus(other)
    broken = tmp_path / "broken.xml"
    broken.write_text("<articles><article>", encoding="utf-8")
    with pytest.raises(CorpusFormatError, match="not well-formed"):
        read_corpus(broken)
    with pytest.raises(FileNotFoundError):
        read_corpus(tmp_path / "missing.xml")


def test_entities_are_refused(tmp_path: Path) -> None:
    """defusedxml: no entity expansion from a corpus file."""
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "boom">]>'
                    "<articles><article><text>&e;</text></article></articles>",
                    encoding="utf-8")
    with pytest.raises(CorpusFormatError, match="unsafe XML"):
        read_corpus(bomb)


def test_gwn_fields() -> None:
    c = read_corpus(GWN)
    assert [d.doc_id for d in c.documents] == ["0", "1"]
    doc = c.documents[0]
    assert doc.title == "Rain closes river roads"
    paris = next(t for t in doc.toponyms if t.name == "Paris")
    assert (paris.type, paris.non_locational, paris.geonameid) == ("Metonymic", True, "2988507")
    assert (paris.lat, paris.lon) == (48.85341, 2.3488)
    french = next(t for t in doc.toponyms if t.name == "French")
    assert (french.type, french.modifier_type) == ("Demonym", "Adjective")
    rail = next(t for t in doc.toponyms if t.name == "Victoria Rail")
    assert rail.type == "Non_Toponym" and not rail.has_coordinates
    tigris = next(t for t in c.documents[1].toponyms if t.name == "Tigris")
    assert tigris.has_coordinates and tigris.geonameid is None
    assert count_gold(c.documents) == {"annotations": 8, "gold": 7, "gold_geonameid": 6}


def test_lgl_fields() -> None:
    c = read_corpus(LGL)
    doc = c.documents[0]
    assert doc.doc_id == "9001"
    kenyan = next(t for t in doc.toponyms if t.name == "Kenyan")
    assert (kenyan.fclass, kenyan.fcode, kenyan.country) == ("A", "PCLI", "Kenya")
    assert (kenyan.geonameid, kenyan.normalised_name, kenyan.lat) == ("192950", "Kenya", 1.0)
    market = next(t for t in doc.toponyms if t.name == "Hilltop Market")
    assert not market.has_coordinates  # no gazetteer tag: not gold
    assert count_gold(c.documents) == {"annotations": 7, "gold": 6, "gold_geonameid": 6}


def test_geovirus_and_wiktor_fields() -> None:
    gv = read_corpus(GEOVIRUS)
    assert [t.name for d in gv.documents for t in d.toponyms] == ["Kinshasa", "Goma", "Dhaka"]
    assert gv.documents[0].toponyms[1].normalised_name.endswith("/Goma")
    wk = read_corpus(WIKTOR)
    page = wk.documents[0]
    assert page.title == "Springfield, Illinois"
    assert [(t.start, t.end) for t in page.toponyms] == [(0, 11), (55, 66)]
    assert all((t.lat, t.lon) == (39.80172, -89.64371) for t in page.toponyms)
    assert count_gold(wk.documents)["gold"] == 4


@pytest.mark.parametrize("path", [GWN, LGL, GEOVIRUS, WIKTOR])
def test_every_span_matches_its_text_after_repair(path: Path) -> None:
    for doc in read_corpus(path).documents:
        for t in doc.toponyms:
            assert doc.text[t.start:t.end] == t.name, (doc.doc_id, t)


def test_offset_mismatches_are_counted_and_reanchored() -> None:
    gwn = read_corpus(GWN)
    assert gwn.offsets.as_dict() == {"checked": 8, "mismatched": 1, "repaired": 1,
                                     "unrepaired": 0}
    moved = [t for d in gwn.documents for t in d.toponyms if t.repaired]
    assert [(t.name, t.start, t.end, t.offset_ok) for t in moved] == [("Erbil", 107, 112, False)]
    lgl = read_corpus(LGL)
    assert (lgl.offsets.mismatched, lgl.offsets.repaired) == (1, 1)
    lagos = [t for t in lgl.documents[1].toponyms if t.name == "Lagos"]
    assert [(t.start, t.repaired) for t in lagos] == [(13, False), (61, True)]
    kept = read_corpus(GWN, repair=False)
    raw = [t for d in kept.documents for t in d.toponyms if not t.offset_ok]
    assert [(t.start, t.repaired) for t in raw] == [(110, False)]


def test_repair_prefers_nearest_occurrence_and_clamps_hopeless_spans() -> None:
    text = "Gao and Kidal; later Gao again"
    drifted = GoldToponym(start=23, end=26, name="Gao")
    assert (repair_offsets(text, drifted).start, repair_offsets(text, drifted).end) == (21, 24)
    lower = repair_offsets(text, GoldToponym(start=0, end=5, name="KIDAL"))
    assert (lower.start, lower.end, lower.repaired) == (8, 13, True)
    absent = repair_offsets(text, GoldToponym(start=-20, end=-15, name="Menaka"))
    assert (absent.start, absent.end, absent.repaired, absent.offset_ok) == (0, 0, False, False)


def test_limit_keeps_first_documents() -> None:
    c = read_corpus(LGL, limit=1)
    assert [d.doc_id for d in c.documents] == ["9001"]
    assert c.offsets.checked == 4


# ---------------------------------------------------------------- metrics

def test_haversine_known_distances() -> None:
    d = eg.haversine_km([0.0, 0.0, 36.335], [0.0, 0.0, 43.11889],
                        [0.0, 1.0, 36.19257], [1.0, 0.0, 44.01062])
    assert d[0] == pytest.approx(KM_PER_DEGREE, rel=1e-9)
    assert d[1] == pytest.approx(KM_PER_DEGREE, rel=1e-9)
    assert d[2] == pytest.approx(81.7, abs=0.5)  # Mosul - Erbil
    antipode = eg.haversine_km(0.0, 0.0, 0.0, 180.0)
    assert float(antipode) == pytest.approx(math.pi * EARTH_RADIUS_KM)


def test_metrics_hand_computed_with_a_miss() -> None:
    """Four toponyms at (0,0): exact, 1 degree off, 2 degrees off, unplaced."""
    gold = [(0.0, 0.0)] * 4
    pred = [(0.0, 0.0), (0.0, 1.0), (0.0, 2.0), None]
    errs = eg.errors_km(gold, pred)
    assert list(errs[:3]) == pytest.approx([0.0, 111.195, 222.390], abs=1e-3)
    assert errs[3] == eg.MAX_ERROR_KM == 20039.0
    m = eg.geocoding_metrics(errs, [p is not None for p in pred])
    assert m["n"] == 4
    assert m["coverage"] == 0.75
    assert m["accuracy_161km"] == 0.5
    assert m["mean_km"] == pytest.approx((0 + 111.195 + 222.390 + 20039) / 4, abs=1e-2)
    assert m["median_km"] == pytest.approx((111.195 + 222.390) / 2, abs=1e-2)
    # ln(112.195)/ln(20040) = 0.47653, ln(223.390)/ln(20040) = 0.54606; (0 + both + 1) / 4
    assert m["auc"] == pytest.approx(0.50565, abs=2e-4)


def test_auc_bounds_and_161km_boundary() -> None:
    assert eg.auc_of_errors([0.0, 0.0]) == 0.0
    assert eg.auc_of_errors([eg.MAX_ERROR_KM]) == pytest.approx(1.0)
    assert eg.auc_of_errors([1e9]) == pytest.approx(1.0)  # clipped at the maximum
    m = eg.geocoding_metrics([161.0, 161.5], [True, True])
    assert m["accuracy_161km"] == 0.5
    empty = eg.geocoding_metrics([], [])
    assert empty["n"] == 0 and empty["auc"] is None


def test_unplaceable_and_malformed_answers_are_misses() -> None:
    assert eg.coerce_point((91.0, 0.0)) is None
    assert eg.coerce_point((float("nan"), 1.0)) is None
    assert eg.coerce_point("Paris") is None
    assert eg.coerce_point((10, "20.5")) == (10.0, 20.5)


def test_resolve_mode_on_gwn_with_fixed_answers() -> None:
    corpus = read_corpus(GWN)
    table = {"Lyon": (45.74846, 4.84671), "Paris": (48.85341, 2.3488), "French": None,
             "Mosul": (36.335, 43.11889), "Erbil": (36.335, 43.11889),  # at Mosul, ~82 km
             "Tigris": (36.0, 43.0)}
    resolver = FixedResolver(table)
    summary, rows = eg.evaluate(corpus, mode="resolve", resolver=resolver)
    # one call per document with that document's gold spans in text order
    assert len(resolver.calls) == 2
    assert [s[2] for s in resolver.calls[0][1]] == ["Lyon", "Paris", "French"]
    assert [s[:2] for s in resolver.calls[1][1]] == [(14, 19), (24, 29), (74, 80), (107, 112)]
    assert summary["n"] == 7
    assert summary["coverage"] == pytest.approx(6 / 7, abs=1e-6)
    # correct: Lyon, Paris, Mosul, Erbil x2 (82 km); wrong: French (miss), Tigris (far)
    assert summary["accuracy_161km"] == pytest.approx(5 / 7, abs=1e-6)
    assert summary["subsets"]["geonameid"]["n"] == 6
    assert summary["subsets"]["geonameid"]["accuracy_161km"] == pytest.approx(5 / 6, abs=1e-6)
    assert summary["subsets"]["locational"]["n"] == 6  # Paris is non-locational
    assert summary["subsets"]["literal"]["n"] == 5  # Lyon, Mosul, Erbil x2, Tigris
    assert summary["subsets"]["associative"]["n"] == 2  # Paris (Metonymic), French
    assert summary["subsets"]["adjective"]["n"] == 1  # French
    assert summary["subsets"]["adjective"]["accuracy_161km"] == 0.0
    by_type = summary["breakdown"]["type"]
    assert by_type["Demonym"]["accuracy_161km"] == 0.0 and by_type["Demonym"]["n"] == 1
    assert by_type["Literal"]["n"] == 4
    french = next(r for r in rows if r.name == "French")
    assert (french.pred_lat, french.error_km) == (None, eg.MAX_ERROR_KM)


def test_resolver_failures_count_as_misses_and_run_goes_on() -> None:
    class Flaky:
        def resolve(self, text: str, spans: Sequence[tuple[int, int, str]], url: str = ""
                    ) -> list[tuple[float, float] | None]:
            if "Lagos" in text:
                raise RuntimeError("boom")
            return [(0.0, 0.0)]  # wrong length for a 3-span document

    summary, rows = eg.evaluate(read_corpus(LGL), mode="resolve", resolver=Flaky())
    assert summary["failed_documents"] == 2
    assert summary["n"] == 6 and summary["coverage"] == 0.0
    assert summary["auc"] == pytest.approx(1.0)
    assert all(r.error_km == eg.MAX_ERROR_KM for r in rows)


def test_exact_answers_score_perfectly_on_every_format() -> None:
    for path in (GWN, LGL, GEOVIRUS, WIKTOR):
        corpus = read_corpus(path)
        summary, _ = eg.evaluate(corpus, mode="resolve", resolver=TruthResolver(corpus.documents))
        assert (summary["accuracy_161km"], summary["coverage"], summary["auc"]) == (1.0, 1.0, 0.0)
        assert summary["mean_km"] == 0.0


def test_fclass_and_country_breakdowns_on_lgl() -> None:
    corpus = read_corpus(LGL)
    table = {"Nairobi": (-1.28333, 36.81667), "Kenyan": (-1.28333, 36.81667),  # capital: far
             "Mombasa": (-4.05466, 39.66359), "Lagos": (6.45407, 3.39467), "Abuja": None}
    summary, _ = eg.evaluate(corpus, mode="resolve", resolver=FixedResolver(table))
    assert summary["breakdown"]["fclass"]["A"] == {
        "n": 1, "coverage": 1.0, "accuracy_161km": 0.0,
        "mean_km": summary["breakdown"]["fclass"]["A"]["mean_km"],
        "median_km": summary["breakdown"]["fclass"]["A"]["mean_km"],
        "auc": summary["breakdown"]["fclass"]["A"]["auc"]}
    assert summary["breakdown"]["fclass"]["A"]["mean_km"] > 161
    assert summary["breakdown"]["fclass"]["P"]["accuracy_161km"] == 0.8
    assert list(summary["breakdown"]["country"]) == ["Kenya", "Nigeria"]


def test_same_entity_diagnostic_counts_the_right_place_at_another_point() -> None:
    corpus = read_corpus(LGL)
    table = {"Nairobi": (-1.28333, 36.81667), "Kenyan": (-1.28333, 36.81667, "gn:192950"),
             "Mombasa": (-4.05466, 39.66359), "Lagos": (6.45407, 3.39467), "Abuja": None}
    summary, rows = eg.evaluate(corpus, mode="resolve", resolver=FixedResolver(table))
    kenyan = next(r for r in rows if r.name == "Kenyan")
    assert kenyan.pred_id == "gn:192950" and kenyan.error_km > 161  # Nairobi, not Kenya
    gold = [r for r in rows if r.geonameid]
    hits = sum(r.error_km <= 161 for r in gold)
    assert summary["entity_or_161km"] == round((hits + 1) / len(gold), 6)
    assert "same GeoNames entity" in eg.format_report({**summary, "corpus": {
        "path": "x", "format": "lgl", "documents": 1, "annotations": 1, "gold": 1,
        "gold_geonameid": 1, "offsets": {"mismatched": 0, "checked": 0, "repaired": 0,
                                         "unrepaired": 0}},
        "mode": "resolve", "resolver": "fixed"})
    plain, _ = eg.evaluate(corpus, mode="resolve", resolver=FixedResolver(
        {**table, "Kenyan": (-1.28333, 36.81667)}))
    assert "entity_or_161km" not in plain  # only when the resolver names its places


# ---------------------------------------------------------------- end2end

def test_match_spans_exact_first_then_largest_overlap() -> None:
    gold = [(0, 5), (10, 20), (30, 35)]
    pred = [(12, 20), (10, 14), (0, 5), (40, 45)]
    assert eg.match_spans(gold, pred) == {0: (2, "exact"), 1: (0, "overlap")}


def test_end2end_precision_recall_hand_computed() -> None:
    text = "Alpha and Bravo Town near Charlie, Delta Hotel by Echo."
    doc = Document("d1", text, [
        GoldToponym(0, 5, "Alpha", 1.0, 1.0),
        GoldToponym(10, 20, "Bravo Town", 2.0, 2.0),
        GoldToponym(26, 33, "Charlie", 3.0, 3.0),
        GoldToponym(35, 46, "Delta Hotel", type="Non_Toponym"),  # no coordinates
    ])

    class Finder:
        def find(self, text: str, url: str = ""
                 ) -> list[tuple[int, int, str, float | None, float | None]]:
            return [(0, 5, "Alpha", 1.0, 1.0),          # exact, right place
                    (0, 5, "Alpha", 9.0, 9.0),          # duplicate span: ignored
                    (10, 15, "Bravo", 2.0, 4.0),        # overlap only, 222 km off
                    (35, 40, "Delta", 5.0, 5.0),        # on a non-gold annotation: ignored
                    (50, 54, "Echo", None, None)]       # false positive

    from evaluation.corpora import Corpus, OffsetReport

    corpus = Corpus("mem", "gwn", [doc], OffsetReport())
    summary, rows = eg.evaluate(corpus, mode="end2end", finder=Finder())
    counts = summary["span_counts"]
    assert (counts["gold"], counts["predicted"], counts["ignored"]) == (3, 3, 1)
    assert summary["precision"] == pytest.approx(1 / 3, abs=1e-6)
    assert summary["recall"] == pytest.approx(1 / 3, abs=1e-6)
    assert summary["f1"] == pytest.approx(1 / 3, abs=1e-6)
    assert summary["precision_overlap"] == pytest.approx(2 / 3, abs=1e-6)
    assert summary["recall_overlap"] == pytest.approx(2 / 3, abs=1e-6)
    assert summary["f1_overlap"] == pytest.approx(2 / 3, abs=1e-6)
    # geocoding over the two matched spans; Charlie unmatched
    assert summary["n"] == 2 and summary["accuracy_161km"] == 0.5
    assert summary["accuracy_161km_all"] == pytest.approx(1 / 3, abs=1e-6)
    assert [r.match for r in rows] == ["exact", "overlap", "none"]
    assert (rows[1].pred_start, rows[1].pred_end) == (10, 15)


def test_capitalised_finder_uses_its_resolver() -> None:
    resolver = FixedResolver({"Goma": (-1.67409, 29.22845)})
    finder = eg.CapitalisedFinder(resolver)
    out = finder.find("The road to Goma reopened. Monday Kivu traders waited.")
    assert out == [(12, 16, "Goma", -1.67409, 29.22845)]
    assert "The" not in [s[2] for s in resolver.calls[0][1]]


# ---------------------------------------------------------------- CLI

@pytest.fixture
def fixed_loaders(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI with a fixed-answer resolver/finder: the CLI is under test, not a resolver."""
    table = {"Lyon": (45.74846, 4.84671), "Mosul": (36.335, 43.11889), "Erbil": (36.2, 44.0)}
    resolver = FixedResolver(table)
    monkeypatch.setattr(eg, "load_resolver", lambda kind: (resolver, f"fixed-{kind}"))
    monkeypatch.setattr(eg, "load_finder",
                        lambda kind: (eg.CapitalisedFinder(resolver), f"fixed-{kind}"))
    monkeypatch.setattr(eg, "country_lookup", lambda **_: None)


def _run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = cli_main(["eval", "geoparse", *argv, "--no-progress"])
    return code, capsys.readouterr().out


def test_cli_json_last_line(fixed_loaders: None, capsys: pytest.CaptureFixture[str],
                            tmp_path: Path) -> None:
    errors = tmp_path / "errors.csv"
    code, out = _run_cli(capsys, str(GWN), "--json", "--errors", str(errors))
    assert code == 0
    lines = out.rstrip("\n").split("\n")
    assert "acc@161" in out and "by type" in out
    summary = json.loads(lines[-1])
    for key in eg.METRIC_KEYS + ("subsets",):
        assert key in summary
    assert summary["n"] == 7 and summary["mode"] == "resolve"
    assert summary["resolver"] == "fixed-default"
    assert summary["subsets"]["geonameid"]["n"] == 6
    with errors.open(encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == 7
    assert set(eg.ERROR_COLUMNS) <= set(table[0])
    lyon = next(r for r in table if r["name"] == "Lyon")
    assert float(lyon["error_km"]) == 0.0 and lyon["type"] == "Literal"
    french = next(r for r in table if r["name"] == "French")
    assert french["pred_lat"] == "" and float(french["error_km"]) == eg.MAX_ERROR_KM


def test_cli_end2end_keys_and_limit(fixed_loaders: None,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run_cli(capsys, str(GWN), "--mode", "end2end", "--json", "--limit", "1",
                         "--resolver", "baseline")
    assert code == 0
    summary = json.loads(out.rstrip("\n").split("\n")[-1])
    for key in eg.METRIC_KEYS + eg.SPAN_KEYS + ("subsets",):
        assert key in summary
    assert summary["corpus"]["documents"] == 1
    assert summary["span_counts"]["gold"] == 3  # Lyon, Paris, French
    assert summary["resolver"] == "fixed-baseline"


def test_cli_is_deterministic(fixed_loaders: None, capsys: pytest.CaptureFixture[str]) -> None:
    first = _run_cli(capsys, str(LGL), "--json")
    second = _run_cli(capsys, str(LGL), "--json")
    assert first == second and first[0] == 0


def test_cli_bad_input_exit_codes(fixed_loaders: None, capsys: pytest.CaptureFixture[str],
                                  tmp_path: Path) -> None:
    assert _run_cli(capsys, str(tmp_path / "nope.xml"))[0] == 2
    junk = tmp_path / "junk.xml"
    junk.write_text("not xml", encoding="utf-8")
    assert _run_cli(capsys, str(junk))[0] == 2


# ---------------------------------------------------------------- real baseline and corpora

def _gazetteer_baseline() -> eg.GeocoderBaseline:
    try:
        baseline = eg.GeocoderBaseline()
        baseline.resolve("", [(0, 5, "Paris")])
    except (ImportError, OSError) as exc:
        pytest.skip(f"gazetteer geocoder not available here: {exc}")
    return baseline


def test_geocoder_baseline_places_sample_cities() -> None:
    baseline = _gazetteer_baseline()
    corpus = read_corpus(GEOVIRUS)
    summary, rows = eg.evaluate(corpus, mode="resolve", resolver=baseline)
    assert summary["n"] == 3
    assert summary["accuracy_161km"] == 1.0, [(r.name, r.error_km) for r in rows]


def test_real_corpora_gold_counts(shared_dir: Path) -> None:
    gwn = read_corpus(shared_dir / "eval" / "GWN.xml")
    assert gwn.format == "gwn"
    assert count_gold(gwn.documents) == {"annotations": 6612, "gold": 2601,
                                         "gold_geonameid": 2401}
    assert len(gwn.documents) == 200
    trn = read_corpus(shared_dir / "eval" / "TR-News.xml")
    assert trn.format == "lgl"
    counts = count_gold(trn.documents)
    assert counts["gold"] == 1275 and counts["annotations"] == 1319
    assert sum(len(gold_toponyms(d)) for d in trn.documents) == 1275
    # offsets: every span points at its name once re-anchored, except GWN's hopeless ones
    for corpus in (gwn, trn):
        assert corpus.offsets.checked == count_gold(corpus.documents)["annotations"]
        for doc in corpus.documents:
            for t in gold_toponyms(doc):
                if t.offset_ok or t.repaired:
                    assert doc.text[t.start:t.end] == t.name
    assert trn.offsets.unrepaired == 0 and trn.offsets.mismatched > 0
    assert gwn.offsets.mismatched < 10


@given(st.lists(st.tuples(st.floats(-90, 90), st.floats(-180, 180), st.floats(-90, 90),
                          st.floats(-180, 180)), min_size=1, max_size=20))
def test_haversine_numbers_and_arrays_agree(points) -> None:
    lat1, lon1, lat2, lon2 = (np.array(c) for c in zip(*points, strict=True))
    array = eg.haversine_km(lat1, lon1, lat2, lon2)
    one_by_one = [eg.haversine_km(*p) for p in points]
    assert all(isinstance(d, float) for d in one_by_one)
    assert np.allclose(array, one_by_one, rtol=1e-12, atol=1e-9)
    assert (array >= 0).all() and (array <= math.pi * EARTH_RADIUS_KM + 1e-6).all()
