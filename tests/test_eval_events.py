"""The gold sample corpus, admin-1 folding and the ``eval events`` scorer."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pytest

from conflict_atlas.cli import main
from evaluation.events import (
    ArticleLinker,
    GoldError,
    admin1_key,
    evaluate,
    load_corpus,
    normalize_url,
    read_gold,
    score,
)
from extract.schema import (
    SUB_EVENT_PARENT,
    Event,
    EventType,
    SubEventType,
    events_frame,
    make_event_id,
)
from extract.store import write_events

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
GOLD = EXAMPLES / "gold" / "events.csv"
ARTICLES = EXAMPLES / "articles"
SPAN = (dt.date(2024, 1, 8), dt.date(2024, 3, 10))
MARKER = "[FICTIONAL SAMPLE — not a real report]"

# ------------------------------------------------------------------------------------------
# admin1_key


@pytest.mark.parametrize("a, b", [
    ("Salah ad Din", "Salahuddin"),
    ("Salah ad Din", "salah-ad-din"),
    ("Salah ad Din", "Salah al-Din Governorate"),
    ("Al Anbar", "Anbar"),
    ("Al Anbar", "al-Anbar province"),
    ("Al Anbar", "Province of Anbar"),
    ("Al Anbar", "محافظة الأنبار"),
    ("Baghdad", "gouvernorat de Bagdad"),
    ("Baghdad", "BAGHDAD GOVERNORATE"),
    ("Ar-Raqqah", "Raqqa"),
    ("Ar-Raqqah", "ar raqqah"),
    ("Al-Hasakah", "Hassaké"),
    ("Al-Hasakah", "Al Hasakah"),
    ("Deir ez-Zor", "Dayr az Zawr"),
    ("Deir ez-Zor", "Deir Ezzor"),
    ("Muhafazat Karbala'", "Karbala"),
    ("Muhafazat Karbala'", "Kerbala’"),
    ("Nineveh", "Ninawa"),
    ("Arbil", "Erbil"),
    ("Babil", "Babylon"),
    ("An Najaf", "Najaf"),
    ("Rif-dimashq", "Rif Dimashq"),
    ("Rif-dimashq", "Damascus Countryside"),
    ("Dimashq", "Damascus"),
    ("Idlib", "Idleb"),
    ("Halabja Governorate", "Halabja"),
])
def test_admin1_key_folds_spellings_together(a, b):
    assert admin1_key(a) == admin1_key(b) != ""


@pytest.mark.parametrize("a, b", [
    ("Dimashq", "Rif-dimashq"),
    ("Baghdad", "Babil"),
    ("Al Anbar", "An Najaf"),
    ("Salah ad Din", "Diyala"),
    ("Al-Hasakah", "Homs"),
])
def test_admin1_key_keeps_different_units_apart(a, b):
    assert admin1_key(a) != admin1_key(b)


def test_admin1_key_of_nothing_is_empty():
    assert admin1_key("") == admin1_key(None) == admin1_key("  ") == ""


def test_admin1_key_is_idempotent_on_its_output():
    for name in ("Salah ad Din", "Ar-Raqqah", "Muhafazat Karbala'", "Deir ez-Zor"):
        assert admin1_key(admin1_key(name)) == admin1_key(name)


def test_normalize_url():
    assert normalize_url("https://www.Example.org/a/b/#frag") == "example.org/a/b"
    assert normalize_url("http://example.org/a/b") == "example.org/a/b"


# ------------------------------------------------------------------------------------------
# score() on hand-made sets


def test_score_counts_multisets_per_article():
    d1, d2 = "2024-01-08", "2024-01-09"
    boom, clash = "Explosions/Remote violence", "Battles"
    gold = {
        "a.txt": [(d1, "baghdad", boom), (d1, "baghdad", boom), (d1, "babil", boom)],
        "b.txt": [(d2, "kirkuk", clash)],
        "c.txt": [],  # an article without events
    }
    pred = {
        # one of the two Baghdad bombs, Babil on the wrong day
        "a.txt": [(d1, "baghdad", boom), (d2, "babil", boom)],
        # right, plus a duplicate
        "b.txt": [(d2, "kirkuk", clash), (d2, "kirkuk", clash)],
        # anything here is a false positive
        "c.txt": [(d1, "basra", "Protests")],
    }
    s = score(gold, pred, {"a.txt": "fr", "b.txt": "en", "c.txt": "en"})
    # tp: a 1, b 1 -> 2; fp: a (d2 babil) 1, b dup 1, c 1 -> 3; fn: a baghdad 1, a babil 1 -> 2
    assert (s.overall.tp, s.overall.fp, s.overall.fn) == (2, 3, 2)
    assert s.overall.precision == pytest.approx(2 / 5)
    assert s.overall.recall == pytest.approx(2 / 4)
    assert s.overall.f1 == pytest.approx(2 * 0.4 * 0.5 / 0.9)
    assert (s.by_language["fr"].tp, s.by_language["fr"].fp, s.by_language["fr"].fn) == (1, 1, 2)
    assert (s.by_language["en"].tp, s.by_language["en"].fp, s.by_language["en"].fn) == (1, 2, 0)
    assert (s.by_event_type[boom].tp, s.by_event_type[boom].fp,
            s.by_event_type[boom].fn) == (1, 1, 2)
    assert s.by_event_type["Protests"].fp == 1
    # ignoring the date, the Babil bomb matches
    assert s.relaxed["ignore_date"].tp == 3
    assert sorted(s.false_negatives) == [("a.txt", (d1, "babil", boom)),
                                         ("a.txt", (d1, "baghdad", boom))]
    d = s.as_dict()
    assert {k: d[k] for k in ("tp", "fp", "fn", "n_gold", "n_pred")} == {
        "tp": 2, "fp": 3, "fn": 2, "n_gold": 4, "n_pred": 5}


def test_score_of_nothing_is_zero_not_a_crash():
    s = score({"a.txt": []}, {})
    assert (s.overall.precision, s.overall.recall, s.overall.f1) == (0.0, 0.0, 0.0)


# ------------------------------------------------------------------------------------------
# end to end on a small hand-made corpus


def _event(article_id: str, n: int, date: str | None, admin1: str, sub: SubEventType,
           **kw) -> Event:
    return Event(
        event_id=make_event_id(article_id, n, n + 1), event_date=(
            dt.date.fromisoformat(date) if date else None),
        time_precision=1, event_type=SUB_EVENT_PARENT[sub], sub_event_type=sub,
        actor1="Unidentified Armed Group", location="x", latitude=33.0, longitude=44.0,
        geo_precision=1, source=kw.pop("source", "Wire"), article_id=article_id,
        sentence="s", char_start=n, char_end=n + 1, confidence=0.9, admin1=admin1, **kw)


@pytest.fixture
def small_corpus(tmp_path: Path) -> tuple[Path, Path]:
    arts = tmp_path / "corpus" / "articles"
    arts.mkdir(parents=True)
    (arts / "one.txt").write_text("x", encoding="utf-8")
    (arts / "one.meta.json").write_text(json.dumps(
        {"published": "2024-01-09", "language": "fr", "url": "https://example.org/one"}))
    (arts / "two.txt").write_text("y", encoding="utf-8")
    (arts / "two.txt.meta.json").write_text(json.dumps(
        {"published": "2024-01-09", "language": "en", "url": "https://example.org/two"}))
    (arts / "batch.jsonl").write_text(
        json.dumps({"text": "a", "url": "https://example.org/b1", "language": "ar"}) + "\n"
        + json.dumps({"text": "b", "url": "https://example.org/b2", "language": "en"}) + "\n",
        encoding="utf-8")
    gold = tmp_path / "corpus" / "gold" / "events.csv"
    gold.parent.mkdir()
    rows = [
        ["one.txt", "2024-01-08", "Baghdad", "IRQ", "Explosions/Remote violence",
         "Remote explosive/landmine/IED", "", "", "", "", "false"],
        ["one.txt", "2024-01-08", "Babil", "IRQ", "Explosions/Remote violence",
         "Remote explosive/landmine/IED", "", "", "", "", "false"],
        ["one.txt", "2020-01-03", "Baghdad", "IRQ", "Explosions/Remote violence",
         "Air/drone strike", "", "", "", "", "true"],
        ["two.txt", "2024-01-07", "Kirkuk", "IRQ", "Battles", "Armed clash", "", "", "", "3",
         "false"],
        ["batch.jsonl#2", "2024-01-05", "Idlib", "SYR", "Protests", "Peaceful protest", "", "",
         "", "", "false"],
    ]
    with gold.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["article", "event_date", "admin1", "country_iso", "event_type",
                    "sub_event_type", "location", "actor1", "actor2", "fatalities",
                    "is_background"])
        w.writerows(rows)
    return gold, arts


def _predictions() -> list[Event]:
    return [
        # linked by source_url (scheme and trailing slash differ)
        _event("h1", 1, "2024-01-08", "gouvernorat de Bagdad", SubEventType.REMOTE_EXPLOSIVE,
               source_url="http://example.org/one/"),
        # linked by source_url; wrong governorate -> fp, and Babil stays a fn
        _event("h1", 2, "2024-01-08", "Al Anbar", SubEventType.REMOTE_EXPLOSIVE,
               source_url="https://example.org/one"),
        # background prediction: ignored by default, matches with --include-background
        _event("h1", 3, "2020-01-03", "Baghdad", SubEventType.AIR_DRONE_STRIKE,
               source_url="https://example.org/one", is_background=True),
        # linked by the article path in article_id
        _event("corpus/articles/two.txt", 4, "2024-01-07", "Kirkouk", SubEventType.ARMED_CLASH),
        # linked by "FILE.jsonl:N" in source; right article, wrong date -> fp + fn
        _event("h3", 5, "2024-01-06", "Idleb", SubEventType.PEACEFUL_PROTEST,
               source="batch.jsonl:2"),
        # an article outside the gold corpus: ignored
        _event("elsewhere", 6, "2024-01-06", "Homs", SubEventType.ARMED_CLASH,
               source_url="https://example.org/not-in-corpus"),
        # linked through notes (jsonl line 1, which has no gold event) -> fp
        _event("h4", 7, None, "Aleppo", SubEventType.AIR_DRONE_STRIKE,
               notes="read from examples/articles/batch.jsonl#1 by the pipeline"),
    ]


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_evaluate_end_to_end(small_corpus, tmp_path, suffix):
    gold, _ = small_corpus
    events = write_events(events_frame(_predictions()), tmp_path / f"pred{suffix}")
    s = evaluate(events, gold)
    # gold (no background): one Baghdad, one Babil, two Kirkuk, batch#2 Idlib = 4
    # pred linked (no background): Baghdad tp, Anbar fp, Kirkuk tp, Idlib wrong date fp,
    # batch#1 Aleppo fp
    assert (s.overall.tp, s.overall.fp, s.overall.fn) == (2, 3, 2)
    assert s.n_unlinked == 1
    assert s.by_language["ar"].fp == 1
    assert s.by_language["fr"].tp == 1
    with_bg = evaluate(events, gold, include_background=True)
    assert (with_bg.overall.tp, with_bg.overall.fp, with_bg.overall.fn) == (3, 3, 2)


def test_linker_rules():
    infos = load_corpus(ARTICLES).values()
    linker = ArticleLinker.build(infos)
    assert linker.link({"source_url": "https://example.org/fr/2024/01/09/"
                                      "irak-convois-coalition-bombes"}) == (
        "fr01_convois_bagdad_babil.txt")
    assert linker.link({"article_id": "/data/examples/articles/fr13_frappes_damas.html"}) == (
        "fr13_frappes_damas.html")
    assert linker.link({"source": "en_batch.jsonl#3"}) == "en_batch.jsonl#3"
    assert linker.link({"article_id": "fr02_roquettes_ain_al_asad"}) == (
        "fr02_roquettes_ain_al_asad.txt")
    assert linker.link({"notes": "from ar04_aleppo_raqqa.txt"}) == "ar04_aleppo_raqqa.txt"
    assert linker.link({"article_id": "3f2a9c", "source": "Wire"}) is None


def test_cli_json_last_line(small_corpus, tmp_path, capsys):
    gold, _ = small_corpus
    events = write_events(events_frame(_predictions()), tmp_path / "pred.parquet")
    rc = main(["eval", "events", str(events), "--gold", str(gold), "--json"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "False negatives" in out and "By language" in out
    last = json.loads(out.strip().splitlines()[-1])
    assert {k: last[k] for k in ("tp", "fp", "fn", "n_gold", "n_pred")} == {
        "tp": 2, "fp": 3, "fn": 2, "n_gold": 4, "n_pred": 5}
    assert last["precision"] == pytest.approx(0.4)
    assert last["recall"] == pytest.approx(0.5)
    assert last["f1"] == pytest.approx(0.4444, abs=1e-3)


def test_cli_reports_bad_input_cleanly(small_corpus, tmp_path, capsys):
    gold, _ = small_corpus
    rc = main(["eval", "events", str(tmp_path / "missing.parquet"), "--gold", str(gold)])
    assert rc == 2
    assert "missing.parquet" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text(gold.read_text(encoding="utf-8").replace("Armed clash", "Air/drone strike"),
                   encoding="utf-8")
    with pytest.raises(GoldError, match="does not belong"):
        read_gold(bad)


# ------------------------------------------------------------------------------------------
# the bundled sample corpus and its gold


def test_gold_rows_follow_the_schema():
    parents = {s.value: t.value for s, t in SUB_EVENT_PARENT.items()}
    with GOLD.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 50
    for row in rows:
        assert row["event_type"] in {t.value for t in EventType}, row
        assert parents[row["sub_event_type"]] == row["event_type"], row
        assert row["country_iso"] in ("IRQ", "SYR"), row
        assert row["is_background"] in ("true", "false"), row
        assert row["admin1"], row
        if row["fatalities"]:
            assert int(row["fatalities"]) >= 0
    assert len(read_gold(GOLD)) == len(rows)


def test_gold_admin1_names_are_geonames_names():
    names = {"Baghdad", "Babil", "Al Anbar", "Nineveh", "Salah ad Din", "Kirkuk", "Arbil",
             "Diyala", "Basra", "An Najaf", "Dhi Qar", "Duhok", "Sulaymaniyah", "Aleppo",
             "Idlib", "Deir ez-Zor", "Ar-Raqqah", "Al-Hasakah", "Homs", "Dimashq",
             "Rif-dimashq", "Hama", "Daraa"}
    assert {e.admin1 for e in read_gold(GOLD)} <= names


def test_gold_actors_are_canonical_names_of_the_actor_table():
    from extract.actors import ActorTable

    canonical = set(ActorTable.load().canonical_names)
    # a template name written with the event's country: "Unidentified Tribal Militia (Syria)"
    templates = [re.compile(re.escape(c).replace(r"\{country\}", ".+") + "$")
                 for c in canonical if "{country}" in c]

    def known(name: str) -> bool:
        return name in canonical or any(t.match(name) for t in templates)

    for e in read_gold(GOLD):
        assert known(e.actor1), e
        assert not e.actor2 or known(e.actor2), e


def test_every_gold_article_exists_and_every_article_is_described():
    corpus = load_corpus(ARTICLES)
    gold_articles = {e.article for e in read_gold(GOLD)}
    assert gold_articles <= set(corpus)
    assert len(corpus) == 30
    langs = [info.language for info in corpus.values()]
    assert (langs.count("fr"), langs.count("en"), langs.count("ar")) == (14, 12, 4)
    urls = [info.url for info in corpus.values()]
    assert all(u.startswith("https://example.org/") for u in urls)
    assert len(set(urls)) == len(urls)


def test_sample_articles_are_marked_fictional_and_dated_in_span():
    corpus = load_corpus(ARTICLES)
    for name, info in corpus.items():
        published = dt.date.fromisoformat(info.published)
        assert SPAN[0] <= published <= SPAN[1], name
        if "#" in name:
            base, _, n = name.partition("#")
            line = (ARTICLES / base).read_text(encoding="utf-8").splitlines()[int(n) - 1]
            text = json.loads(line)["text"]
            assert set(json.loads(line)) == {"text", "title", "url", "published", "source",
                                             "language"}
        else:
            text = (ARTICLES / name).read_text(encoding="utf-8")
            if name.endswith(".txt"):
                assert text.splitlines()[0] == MARKER, name
                meta = json.loads((ARTICLES / (Path(name).stem + ".meta.json")).read_text(
                    encoding="utf-8"))
                assert set(meta) == {"published", "source", "title", "language", "url"}
        assert MARKER in text, name
        words = len(re.findall(r"\w+", text))
        assert 100 <= words <= 400, (name, words)
    for e in read_gold(GOLD):
        if e.is_background:
            assert not e.event_date or dt.date.fromisoformat(e.event_date) < SPAN[0], e
        else:
            event_date = dt.date.fromisoformat(e.event_date)
            assert SPAN[0] <= event_date <= SPAN[1], e
            assert event_date <= dt.date.fromisoformat(corpus[e.article].published), e


def test_gold_scored_against_itself_is_perfect(tmp_path):
    """Gold rows turned into events, linked by source_url, score 1.0 (and the linker works)."""
    corpus = load_corpus(ARTICLES)
    events = []
    for i, e in enumerate(read_gold(GOLD)):
        events.append(_event(f"gold{i}", i, e.event_date or None, e.admin1,
                             SubEventType(e.sub_event_type), source_url=corpus[e.article].url,
                             is_background=e.is_background))
    path = write_events(events_frame(events), tmp_path / "gold.parquet")
    s = evaluate(path, GOLD)
    assert (s.overall.precision, s.overall.recall) == (1.0, 1.0)
    assert s.overall.tp == sum(not e.is_background for e in read_gold(GOLD))
    s_bg = evaluate(path, GOLD, include_background=True)
    assert s_bg.overall.tp == len(read_gold(GOLD))
    assert s_bg.n_unlinked == 0
