"""Tests for extract.readers and extract.textnorm.

Hostile inputs (zip bombs, zip slip, entity bombs, binary files, huge files) are generated in
tmp_path inside the tests; the small committed fixtures live in tests/data/readers/.
"""

from __future__ import annotations

import io
import json
import logging
import os
import random
import shutil
import time
import unicodedata
import zipfile
from datetime import date
from pathlib import Path

import pytest

from extract.readers import (
    EXCLUSION_RULES,
    JSONL_MAX_LINE_CHARS,
    SUPPORTED_EXTENSIONS,
    Article,
    Rejected,
    archive,
    decode_bytes,
    find_excluded_spans,
    iter_articles,
    make_article_id,
    parse_published,
    read_articles,
)
from extract.textnorm import normalize_text

DATA = Path(__file__).parent / "data" / "readers"

FR = ("Des combats ont opposé mercredi l'armée à des groupes armés près de la ville, "
      "selon des sources locales jointes par téléphone.")
EN = "Two rockets struck an air base in western Iraq on Tuesday, officials said."


def snapshot(root: Path) -> dict[str, int]:
    """Every file under `root` with its size."""
    return {str(p.relative_to(root)): p.stat().st_size for p in root.rglob("*") if p.is_file()}


def only(items: list[Article | Rejected]) -> tuple[list[Article], list[Rejected]]:
    arts = [i for i in items if isinstance(i, Article)]
    rej = [i for i in items if isinstance(i, Rejected)]
    return arts, rej


def one_article(path: Path, **kw: object) -> Article:
    items = list(iter_articles([path], **kw))
    assert len(items) == 1, items
    assert isinstance(items[0], Article), items[0]
    return items[0]


def one_rejected(path: Path, **kw: object) -> Rejected:
    items = list(iter_articles([path], **kw))
    assert len(items) == 1, items
    assert isinstance(items[0], Rejected), items[0]
    return items[0]


# ------------------------------------------------------------------------------------------
# textnorm
# ------------------------------------------------------------------------------------------

NORMALIZE_CASES = [
    ("l\u2019arm\u00e9e", "l'armée"),
    ("\u2018quoted\u2019 and \u201cdouble\u201d", "'quoted' and \"double\""),
    ("na\u02bcim", "na'im"),
    ("\u00ab Bonjour \u00bb", "\u00ab Bonjour \u00bb"),  # guillemets kept
    ("e\u0301te\u0301", "été"),  # NFC
    ("a\u00a0b\u202fc\u2009d\u3000e", "a b c d e"),
    ("a \t\t  b", "a b"),
    ("line1\r\nline2\rline3\u2028line4", "line1\nline2\nline3\nline4"),
    ("a  \nb\t\n", "a\nb"),
    ("p1\n\n\n\n\np2", "p1\n\np2"),
    ("p1\n \n\t\n \np2", "p1\n\np2"),
    ("\n\n  start", "start"),
    ("zero\u200bwidth\ufeff", "zerowidth"),
    ("ctrl\x00\x07char", "ctrlchar"),
    ("e\u200b\u0301", "é"),  # removing a zero-width char lets the accent compose
    ("\u0627\u200c\u0628", "\u0627\u200c\u0628"),  # ZWNJ kept (Persian)
    ("", ""),
]


@pytest.mark.parametrize(("raw", "expected"), NORMALIZE_CASES)
def test_normalize_text_cases(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_normalize_text_idempotent_on_random_strings() -> None:
    alphabet = list("ab é\u0301\u2019\u201c\u00ab\u00bb\u00a0\u202f\t\n\r\u2028\u200b\ufeff"
                    "\x00\x85\u200c  \n\n\u2000\u2001\u037e") + ["\r\n", "\n\n\n"]
    rng = random.Random(1234)
    for _ in range(3000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        once = normalize_text(s)
        assert normalize_text(once) == once, repr(s)
        assert unicodedata.is_normalized("NFC", once)
        assert "\r" not in once and "  " not in once and "\n\n\n" not in once
        assert all(not line.endswith(" ") for line in once.split("\n"))


# ------------------------------------------------------------------------------------------
# excluded-span rules
# ------------------------------------------------------------------------------------------

RULE_POSITIVES = [
    ("Lire aussi : Des tirs de missiles contre une base aérienne", "cross_link"),
    ("À lire aussi", "cross_link"),
    ("A LIRE AUSSI >> Le bilan s'alourdit", "cross_link"),
    ("Lire également: la réaction de Paris", "cross_link"),
    ("Read more: Earlier clashes in the same district", "cross_link"),
    ("Related: Ceasefire talks stall", "cross_link"),
    ("See also - The timeline of the conflict", "cross_link"),
    ("Sur le même sujet", "cross_link"),
    ("Photo: Reuters", "photo_credit"),
    ("Crédit photo : AFP", "photo_credit"),
    ("© AFP", "photo_credit"),
    ("Photo d'illustration", "photo_credit"),
    ("File photo of the base, 2019", "photo_credit"),
    ("Somebody talks with somebody during a rally before the vote on March 8 in the capital. "
     + "(AFP photo)", "caption"),
    ("Deux convois militaires attaqués. (Illustration)", "caption"),
    ("Soldiers patrol the area (Photo by Jane Doe/AFP via Getty Images)", "caption"),
    ("Des soldats en patrouille à Gao (archives)", "caption"),
    ("Smoke rises over the city after an air strike (Reuters)", "caption"),
    ("Smoke rises over the city after an air strike. REUTERS/Ahmed Saad", "caption"),
    ("Partager Cet Article", "share"),
    ("Share this article", "share"),
    ("Facebook Twitter WhatsApp Email", "share"),
    ("SOURCE: FRENCH PRESS TV", "footer"),
    ("Copyright 2024 Example Media. All rights reserved.", "footer"),
    ("Tous droits réservés", "footer"),
    ("Mots-clés : Irak, États-Unis, convois", "footer"),
    ("Suivez-nous sur Telegram", "footer"),
]

RULE_NEGATIVES = [
    ("Ce jeudi, deux convois de la coalition ont été pris pour cible dans les provinces de "
     "Bagdad et Babil, rapporte l'agence de presse."),
    "Two rockets struck an air base in western Iraq on Tuesday, officials said.",
    "BAGHDAD (Reuters) - Two rockets struck an air base in western Iraq on Tuesday.",
    "Related protests erupted in three other cities on Friday.",
    "A photo published by the ministry showed destroyed vehicles on the road.",
    "Les sources sécuritaires ont confirmé l'attaque.",
    "Share prices fell sharply in Tel Aviv after the strike.",
    "Lire la déclaration complète n'a pas été possible, a dit le porte-parole.",
    "He said the army would print new leaflets for the population of the city.",
]


@pytest.mark.parametrize(("line", "label"), RULE_POSITIVES)
def test_exclusion_rule_matches(line: str, label: str) -> None:
    text = f"{FR}\n{line}\n{EN}"
    spans = find_excluded_spans(text)
    assert len(spans) == 1, spans
    start, end, got = spans[0]
    assert got == label
    assert text[start:end] == line


@pytest.mark.parametrize("line", RULE_NEGATIVES)
def test_exclusion_rule_leaves_news_alone(line: str) -> None:
    assert find_excluded_spans(line) == ()


def test_every_exclusion_rule_has_a_positive_example() -> None:
    matched = set()
    for line, _label in RULE_POSITIVES:
        for i, rule in enumerate(EXCLUSION_RULES):
            if rule.pattern.search(line):
                matched.add(i)
                break
    assert matched == set(range(len(EXCLUSION_RULES)))
    assert all(rule.description and rule.label for rule in EXCLUSION_RULES)


def test_excluded_label_on_article_ranges(tmp_path: Path) -> None:
    caption = "Somebody talks with somebody during a rally in the capital. (AFP photo)"
    link = "Lire aussi : Des tirs de missiles contre la base"
    body = "Ce jeudi, deux convois ont été pris pour cible près de Bagdad."
    (tmp_path / "a.txt").write_text(f"{caption}\n{body}\n\n{link}\n", encoding="utf-8")
    art = one_article(tmp_path / "a.txt")
    for piece, label in ((caption, "caption"), (link, "cross_link"), (body, None)):
        start = art.text.index(piece)
        assert art.excluded_label(start, start + len(piece)) == label
        # a sentence span with its trailing newline is judged the same way
        assert art.excluded_label(start, start + len(piece) + 1) == label


# ------------------------------------------------------------------------------------------
# small helpers
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-02-12", date(2024, 2, 12)),
        ("2024-02-12T10:00:00Z", date(2024, 2, 12)),
        ("Tue, 14 May 2024 09:15:00 GMT", date(2024, 5, 14)),
        ("13/02/2024", date(2024, 2, 13)),
        ("14 janvier 2021", date(2021, 1, 14)),
        ("", None),
        (None, None),
        ("not a date at all", None),
        ("2024-13-45", None),
        ("yesterday", None),
    ],
)
def test_parse_published(value: str | None, expected: date | None) -> None:
    assert parse_published(value) == expected


def test_make_article_id_is_stable_and_depends_on_content() -> None:
    a = make_article_id("some text", "https://a.example/1")
    assert a == make_article_id("some text", "https://a.example/1")
    assert len(a) == 16 and int(a, 16) >= 0
    assert a != make_article_id("some text", "https://b.example/2")
    assert a != make_article_id("other text", "https://a.example/1")
    # without a URL, the text alone: line breaks and spacing do not count
    assert make_article_id("some text") == make_article_id(" some\n  text\n") != a
    # what the coding depends on does
    assert make_article_id("some text", published=date(2024, 1, 2)) != make_article_id(
        "some text") != make_article_id("some text", language="fr")


def test_same_text_under_another_name_is_the_same_article(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(FR + "\n\n" + EN, encoding="utf-8")
    (tmp_path / "copy of a.txt").write_text(FR.replace(" ", "\n", 3) + "\n" + EN,
                                            encoding="utf-8")
    arts, rejected = read_articles(tmp_path)
    assert not rejected and len(arts) == 2
    assert arts[0].article_id == arts[1].article_id
    assert {a.source for a in arts} == {"a.txt", "copy of a.txt"}


# ------------------------------------------------------------------------------------------
# plain text and encodings
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"),
     ("utf-16-be", b"\xfe\xff"), ("cp1252", b""), ("latin-1", b"")],
)
def test_txt_encodings(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    text = FR + " Réaction « très ferme » à Bagdad, été."
    (tmp_path / "a.txt").write_bytes(prefix + text.encode(encoding))
    art = one_article(tmp_path / "a.txt")
    assert art.text == normalize_text(text)
    assert art.format == "txt"
    assert art.source == "a.txt"
    assert art.published is None
    assert art.title is None


def test_txt_mojibake_is_repaired(tmp_path: Path) -> None:
    broken = "Les forces de sÃ©curitÃ© ont Ã©tÃ© dÃ©ployÃ©es Ã  Bagdad."
    (tmp_path / "m.txt").write_text(broken, encoding="utf-8")
    assert one_article(tmp_path / "m.txt").text == "Les forces de sécurité ont été déployées à Bagdad."


def test_invalid_utf8_is_repaired_with_warning(tmp_path: Path,
                                               caplog: pytest.LogCaptureFixture) -> None:
    data = FR.encode() + b" \xff\xfe\xfa " + EN.encode()
    (tmp_path / "bad.txt").write_bytes(data)
    with caplog.at_level(logging.WARNING, logger="extract.readers"):
        art = one_article(tmp_path / "bad.txt")
    assert FR in art.text and EN in art.text
    assert "\ufffd" in art.text
    assert any("not valid UTF-8" in r.getMessage() for r in caplog.records)


def test_decode_bytes_legacy_encodings() -> None:
    ru = "Два военных конвоя подверглись нападению в четверг, сообщили источники."
    ar = "هاجم مسلحون قافلتين عسكريتين في العراق يوم الخميس حسبما أفادت مصادر محلية."
    assert decode_bytes(ru.encode("cp1251")) == ru
    assert decode_bytes(ar.encode("cp1256")) == ar
    assert decode_bytes("Attaque à Bagdad : deux blessés.".encode("cp1252")) == \
        "Attaque à Bagdad : deux blessés."


def test_txt_that_is_html_is_read_as_html(tmp_path: Path) -> None:
    (tmp_path / "page.txt").write_text(
        f"<!DOCTYPE html><html><body><nav>Menu</nav><p>{FR}</p></body></html>", encoding="utf-8")
    art = one_article(tmp_path / "page.txt")
    assert art.format == "html"
    assert FR in art.text and "<p>" not in art.text


# ------------------------------------------------------------------------------------------
# HTML
# ------------------------------------------------------------------------------------------


def test_html_page_metadata_and_main_text() -> None:
    art = one_article(DATA / "page.html")
    assert art.format == "html"
    assert art.title == "Affrontements près de Kidal"
    assert art.url == "https://journal.example/monde/affrontements-kidal"
    assert art.published == date(2023, 10, 5)
    assert art.source == "Le Journal Exemple"
    assert art.language == "fr"
    assert "Des combats ont opposé mercredi" in art.text
    assert "Menu principal" not in art.text
    assert "Mentions légales" not in art.text


def test_html_without_date_has_no_published(tmp_path: Path) -> None:
    page = f"<html><head><title>T</title></head><body><article><p>{FR}</p><p>{EN}</p>" \
           "</article></body></html>"
    (tmp_path / "p.html").write_text(page, encoding="utf-8")
    art = one_article(tmp_path / "p.html")
    assert art.published is None
    assert FR in art.text


@pytest.mark.parametrize(
    "markup",
    [
        f"<html><body><p>{FR}<div><b>unclosed <i>tags</p></span></html",
        f"<<<>>> &&& <p>{FR}<p <a",
        f"<html><body><script>var x = '<p>';</script><table><tr><td>{FR}</html>",
        "<?xml version='1.0' encoding='utf-8'?><html><body><p>" + FR + "</p></body></html>",
    ],
)
def test_malformed_html_does_not_crash(tmp_path: Path, markup: str) -> None:
    (tmp_path / "bad.html").write_text(markup, encoding="utf-8")
    items = list(iter_articles([tmp_path / "bad.html"]))
    assert len(items) == 1
    if isinstance(items[0], Article):
        assert "convois" in items[0].text or "combats" in items[0].text
        assert "var x" not in items[0].text
    else:
        assert items[0].reason


def test_html_without_text_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "empty.html").write_text("<html><body><script>x()</script></body></html>",
                                         encoding="utf-8")
    assert "no extractable text" in one_rejected(tmp_path / "empty.html").reason


# ------------------------------------------------------------------------------------------
# JSONL / JSON / CSV
# ------------------------------------------------------------------------------------------


def test_jsonl_rows_and_bad_rows() -> None:
    arts, rej = only(list(iter_articles([DATA / "articles.jsonl"])))
    assert [a.path.rsplit("#", 1)[1] for a in arts] == ["1", "2", "6"]
    first = arts[0]
    assert (first.title, first.url, first.published, first.source, first.language) == (
        "Tirs près de Ménaka", "https://exemple.test/menaka", date(2024, 2, 12),
        "Exemple Info", "fr")
    assert arts[1].published == date(2024, 2, 13)
    assert arts[1].source == "articles.jsonl"
    reasons = {r.path.rsplit("#", 1)[1]: r.reason for r in rej}
    assert set(reasons) == {"3", "4", "5"}
    assert reasons["3"].startswith("line 3: invalid JSON")
    assert reasons["4"].startswith("line 4: no 'text' field")
    assert reasons["5"].startswith("line 5: 'published' value 'not a date at all'")


def test_jsonl_non_object_row(tmp_path: Path) -> None:
    (tmp_path / "x.jsonl").write_text('[1, 2]\n{"text": 5}\n', encoding="utf-8")
    arts, rej = only(list(iter_articles([tmp_path / "x.jsonl"])))
    assert not arts
    assert "expected a JSON object" in rej[0].reason
    assert "'text' must be a string" in rej[1].reason


def test_json_list(tmp_path: Path) -> None:
    rows = [{"text": FR, "published": "2020-01-03"}, {"text": EN, "url": "https://x.test/1"},
            {"nope": 1}]
    (tmp_path / "a.json").write_text(json.dumps({"articles": rows}), encoding="utf-8")
    arts, rej = only(list(iter_articles([tmp_path / "a.json"])))
    assert [a.text for a in arts] == [FR, EN]
    assert arts[0].published == date(2020, 1, 3)
    assert arts[1].url == "https://x.test/1"
    assert len(rej) == 1 and rej[0].reason.startswith("item 3")


def test_csv_rows_and_bad_row() -> None:
    arts, rej = only(list(iter_articles([DATA / "articles.csv"])))
    assert len(arts) == 2 and len(rej) == 1
    assert arts[0].title == "Attack on a market"
    assert arts[0].published == date(2022, 7, 3)
    assert arts[0].source == "CSV News"
    assert arts[1].language == "en"
    assert arts[1].source == "articles.csv"
    assert rej[0].reason.startswith("row 2 ")
    assert rej[0].path.endswith("articles.csv#2")


def test_csv_semicolon_and_html_in_text(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_text(
        "texte_inutile;text;published\nx;\"<p>Attaque &amp; riposte à Gao.</p>\";2023-01-02\n",
        encoding="cp1252")
    art = one_article(tmp_path / "s.csv")
    assert art.text == "Attaque & riposte à Gao."
    assert art.published == date(2023, 1, 2)


def test_csv_without_text_column(tmp_path: Path) -> None:
    (tmp_path / "n.csv").write_text("title,body_html\na,b\n", encoding="utf-8")
    reason = one_rejected(tmp_path / "n.csv").reason
    assert "no 'text' column" in reason and "'title'" in reason


# ------------------------------------------------------------------------------------------
# Feeds
# ------------------------------------------------------------------------------------------


def test_rss_feed() -> None:
    arts, rej = only(list(iter_articles([DATA / "feed.rss"])))
    assert len(arts) == 2
    a, b = arts
    assert a.format == "rss"
    assert a.title == "Shelling reported near Kharkiv"
    assert a.url == "https://wire.example/2024/05/shelling-kharkiv"
    assert a.published == date(2024, 5, 14)
    assert a.source == "Example Wire" and a.language == "en"
    assert "<b>" not in a.text and "Kharkiv on Monday" in a.text
    # content:encoded wins over the teaser; figure captions are dropped; entities decoded
    assert "Thousands of demonstrators" in b.text and "teaser" not in b.text
    assert "AFP photo" not in b.text
    assert "parliament & arrested" in b.text
    assert b.published == date(2024, 5, 15)
    assert len(rej) == 1 and "item 3: no description or content" in rej[0].reason


def test_atom_feed() -> None:
    arts, rej = only(list(iter_articles([DATA / "feed.atom"])))
    assert not rej
    assert [a.format for a in arts] == ["atom", "atom"]
    assert arts[0].url == "https://fil.example/attaque-poste"
    assert arts[0].published == date(2024, 3, 1)  # published wins over updated
    assert arts[0].language == "fr" and arts[0].source == "Fil Exemple"
    assert "Tillabéri" in arts[0].text and "<p>" not in arts[0].text
    assert arts[1].text == "Des manifestants se sont rassemblés samedi à Dakar.\n\n" \
                           "La police a dispersé la foule."
    assert arts[1].published == date(2024, 3, 2)


def test_rdf_feed(tmp_path: Path) -> None:
    rdf = f"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://r.test/"><title>RDF Wire</title></channel>
<item rdf:about="https://r.test/1"><title>T</title><link>https://r.test/1</link>
<description>{EN}</description><dc:date>2019-04-02</dc:date></item>
</rdf:RDF>"""
    (tmp_path / "f.rss").write_text(rdf, encoding="utf-8")
    art = one_article(tmp_path / "f.rss")
    assert (art.text, art.url, art.published, art.source) == (
        EN, "https://r.test/1", date(2019, 4, 2), "RDF Wire")


ENTITY_BOMB = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
]>
<rss version="2.0"><channel><title>Bomb</title>
<item><title>x</title><description>&g;</description></item>
</channel></rss>"""


def test_entity_bomb_feed_is_rejected_quickly(tmp_path: Path) -> None:
    (tmp_path / "bomb.xml").write_text(ENTITY_BOMB, encoding="utf-8")
    t0 = time.perf_counter()
    rej = one_rejected(tmp_path / "bomb.xml")
    assert time.perf_counter() - t0 < 5
    assert "refused without expanding" in rej.reason


def test_external_entity_feed_is_rejected(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    xxe = f"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>
<rss version="2.0"><channel><title>X</title>
<item><title>x</title><description>&xxe;</description></item></channel></rss>"""
    (tmp_path / "xxe.rss").write_text(xxe, encoding="utf-8")
    rej = one_rejected(tmp_path / "xxe.rss")
    assert "external" in rej.reason
    assert "TOP-SECRET" not in rej.reason


def test_xml_that_is_not_a_feed(tmp_path: Path) -> None:
    (tmp_path / "n.xml").write_text("<?xml version='1.0'?><catalog><book/></catalog>",
                                    encoding="utf-8")
    assert "not an RSS or Atom feed (root element <catalog>)" in \
        one_rejected(tmp_path / "n.xml").reason
    (tmp_path / "broken.xml").write_text("<rss><channel><item>", encoding="utf-8")
    assert "not well-formed XML" in one_rejected(tmp_path / "broken.xml").reason


def test_feed_with_mislabelled_encoding(tmp_path: Path) -> None:
    body = "<?xml version='1.0' encoding='utf-8'?><rss><channel><title>W</title><item>" \
           "<description>Attaque à Gao, deux blessés selon l'armée.</description></item>" \
           "</channel></rss>"
    (tmp_path / "w.rss").write_bytes(body.encode("cp1252"))
    assert one_article(tmp_path / "w.rss").text == "Attaque à Gao, deux blessés selon l'armée."


# ------------------------------------------------------------------------------------------
# Zip archives
# ------------------------------------------------------------------------------------------


def make_zip(path: Path, members: dict[str, bytes],
             compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_zip_members_of_all_formats(tmp_path: Path) -> None:
    members = {
        "a/b.txt": FR.encode(),
        "a/b.txt.meta.json": json.dumps({"published": "2020-02-02", "title": "B"}).encode(),
        "feed.rss": (DATA / "feed.rss").read_bytes(),
        "page.html": (DATA / "page.html").read_bytes(),
        "rows.jsonl": (DATA / "articles.jsonl").read_bytes(),
        "rows.csv": (DATA / "articles.csv").read_bytes(),
        "__MACOSX/._b.txt": b"\x00\x05\x16\x07",
        ".hidden.txt": b"hidden",
    }
    make_zip(tmp_path / "corpus.zip", members)
    before = snapshot(tmp_path)
    arts, rej = only(list(iter_articles([tmp_path / "corpus.zip"])))
    assert snapshot(tmp_path) == before
    paths = [a.path for a in arts]
    zip_display = str(tmp_path / "corpus.zip")
    assert paths[0] == f"{zip_display}!a/b.txt"
    assert arts[0].published == date(2020, 2, 2) and arts[0].title == "B"
    assert arts[0].source == "b.txt"
    formats = {a.format for a in arts}
    assert formats == {"txt", "rss", "html", "jsonl", "csv"}
    assert len(arts) == 1 + 2 + 1 + 3 + 2
    assert len(rej) == 1 + 3 + 1  # rss item 3, jsonl lines 3-5, csv row 2
    assert not any("hidden" in a.text for a in arts)


def test_zip_slip_members_rejected_and_nothing_written(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    make_zip(work / "evil.zip", {
        "../evil.txt": b"escaped",
        "../../etc/evil2.txt": b"escaped",
        "/abs/evil3.txt": b"escaped",
        "ok/..\\..\\evil4.txt": b"escaped",
        "good.txt": FR.encode(),
    })
    before = snapshot(tmp_path)
    cwd_before = set(os.listdir(Path.cwd()))
    arts, rej = only(list(iter_articles([work / "evil.zip"])))
    assert [a.text for a in arts] == [FR]
    assert len(rej) == 4
    assert all("unsafe member path" in r.reason for r in rej)
    assert snapshot(tmp_path) == before
    assert set(os.listdir(Path.cwd())) == cwd_before
    assert not list(tmp_path.rglob("evil*.txt"))


def test_zip_bomb_ratio_rejected(tmp_path: Path) -> None:
    make_zip(tmp_path / "bomb.zip", {"zeros.txt": b" " * 5_000_000, "good.txt": EN.encode()})
    arts, rej = only(list(iter_articles([tmp_path / "bomb.zip"])))
    assert [a.text for a in arts] == [EN]
    assert "compression ratio" in rej[0].reason and "zip bomb" in rej[0].reason


def test_zip_member_over_max_bytes(tmp_path: Path) -> None:
    make_zip(tmp_path / "big.zip", {"big.txt": (EN + "\n").encode() * 2000,
                                    "small.txt": FR.encode()})
    arts, rej = only(list(iter_articles([tmp_path / "big.zip"], max_bytes=50_000)))
    assert [a.text for a in arts] == [FR]
    assert "over the 50000-byte limit" in rej[0].reason


def test_zip_total_uncompressed_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "ZIP_MAX_TOTAL_BYTES", 2 * len(EN.encode()) + 10)
    make_zip(tmp_path / "many.zip", {f"{i}.txt": EN.encode() + str(i).encode()
                                     for i in range(5)})
    arts, rej = only(list(iter_articles([tmp_path / "many.zip"])))
    assert len(arts) == 2 and len(rej) == 3
    assert all("total uncompressed limit" in r.reason for r in rej)


def test_nested_zip_one_level_only(tmp_path: Path) -> None:
    inner2 = io.BytesIO()
    with zipfile.ZipFile(inner2, "w") as zf:
        zf.writestr("deep.txt", EN)
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("inner.txt", FR)
        zf.writestr("level2.zip", inner2.getvalue())
    make_zip(tmp_path / "outer.zip", {"inner.zip": inner.getvalue()})
    arts, rej = only(list(iter_articles([tmp_path / "outer.zip"])))
    assert [a.path for a in arts] == [f"{tmp_path / 'outer.zip'}!inner.zip!inner.txt"]
    assert len(rej) == 1
    assert rej[0].path.endswith("!inner.zip!level2.zip")
    assert "nested more than 1 level" in rej[0].reason


def test_corrupt_zip_and_unsupported_member(tmp_path: Path) -> None:
    (tmp_path / "corrupt.zip").write_bytes(b"PK\x03\x04garbage" * 10)
    make_zip(tmp_path / "mixed.zip", {"doc.pdf": b"%PDF-1.4", "ok.txt": EN.encode()})
    arts, rej = only(list(iter_articles([tmp_path])))
    assert [a.text for a in arts] == [EN]
    reasons = {Path(r.path.split("!")[0]).name + ("!" + r.path.split("!")[1] if "!" in r.path
                                                  else ""): r.reason for r in rej}
    assert "not a readable zip archive" in reasons["corrupt.zip"]
    assert "unsupported file type '.pdf'" in reasons["mixed.zip!doc.pdf"]


# ------------------------------------------------------------------------------------------
# Bad inputs next to good ones
# ------------------------------------------------------------------------------------------


def test_bad_inputs_rejected_while_good_files_still_read(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "01-good.txt").write_text(FR, encoding="utf-8")
    (d / "02-empty.txt").write_bytes(b"")
    (d / "03-blank.txt").write_text("  \n\t\n", encoding="utf-8")
    (d / "04-image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (d / "05-nul.txt").write_bytes(b"abc\x00\x00\x00def\x00" * 100)
    (d / "06-huge.txt").write_bytes(b"word " * 4_000_000)  # 20 MB
    (d / "07-doc.pdf").write_bytes(b"%PDF-1.4")
    (d / "08-good.html").write_text(f"<html><body><p>{EN}</p></body></html>", encoding="utf-8")
    (d / "09-bomb.rss").write_text(ENTITY_BOMB, encoding="utf-8")
    make_zip(d / "10-slip.zip", {"../x.txt": b"x"})
    (d / "11-controls.txt").write_bytes(bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15]) * 50)
    before = snapshot(tmp_path)
    items = list(iter_articles([d]))
    assert snapshot(tmp_path) == before
    arts, rej = only(items)
    assert [Path(a.path).name for a in arts] == ["01-good.txt", "08-good.html"]
    reasons = {Path(r.path.split("!")[0]).name: r.reason for r in rej}
    assert reasons["02-empty.txt"] == "empty file"
    assert reasons["03-blank.txt"] == "empty file"
    assert "PNG image" in reasons["04-image.txt"]
    assert "NUL bytes" in reasons["05-nul.txt"]
    assert "over the 10000000-byte limit" in reasons["06-huge.txt"]
    assert "unsupported file type '.pdf'" in reasons["07-doc.pdf"]
    for ext in SUPPORTED_EXTENSIONS:
        assert ext in reasons["07-doc.pdf"]
    assert "entity" in reasons["09-bomb.rss"]
    assert "unsafe member path" in reasons["10-slip.zip"]
    assert "control characters" in reasons["11-controls.txt"]
    # in order: sorted by name
    assert [Path(i.path.split("!")[0]).name for i in items] == sorted(
        Path(i.path.split("!")[0]).name for i in items)


def test_missing_path_and_explicit_sidecar(tmp_path: Path) -> None:
    assert one_rejected(tmp_path / "nope.txt").reason == "no such file or directory"
    (tmp_path / "a.meta.json").write_text("{}", encoding="utf-8")
    assert "sidecar metadata file" in one_rejected(tmp_path / "a.meta.json").reason


def test_single_path_string_accepted(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(EN, encoding="utf-8")
    arts, rej = read_articles(str(tmp_path / "a.txt"))
    assert [a.text for a in arts] == [EN] and rej == []


# ------------------------------------------------------------------------------------------
# Directories, ids, sidecars, precedence
# ------------------------------------------------------------------------------------------


def test_directory_recursive_sorted_skips_hidden_and_sidecars(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text(EN, encoding="utf-8")
    (tmp_path / "a.txt").write_text(FR, encoding="utf-8")
    (tmp_path / "a.txt.meta.json").write_text('{"title": "A"}', encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text(EN, encoding="utf-8")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" * 10)
    items = list(iter_articles([tmp_path]))
    assert [Path(i.path).relative_to(tmp_path).as_posix() for i in items] == ["a.txt", "b/z.txt"]
    assert all(isinstance(i, Article) for i in items)
    assert items[0].title == "A"


def test_article_ids_stable_across_runs_and_locations(tmp_path: Path) -> None:
    first = [a.article_id for a in read_articles([DATA])[0]]
    second = [a.article_id for a in read_articles([DATA])[0]]
    assert first == second
    assert len(set(first)) == len(first)
    copy = tmp_path / "copy"
    shutil.copytree(DATA, copy)
    assert [a.article_id for a in read_articles([copy])[0]] == first


def test_sidecar_metadata_both_names(tmp_path: Path) -> None:
    art = one_article(DATA / "note.txt")
    assert (art.title, art.url, art.published, art.source, art.language) == (
        "Fighting around the town", "https://side.example/fighting", date(2021, 6, 19),
        "Sidecar Times", "en")
    assert art.excluded_label(art.text.index("Read more"), len(art.text)) == "cross_link"
    (tmp_path / "b.txt").write_text(FR, encoding="utf-8")
    (tmp_path / "b.meta.json").write_text('{"published": "2019-01-02", "language": "fr-FR"}',
                                          encoding="utf-8")
    art = one_article(tmp_path / "b.txt")
    assert art.published == date(2019, 1, 2) and art.language == "fr"


def test_bad_sidecar_is_ignored_with_warning(tmp_path: Path,
                                             caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "b.txt").write_text(FR, encoding="utf-8")
    (tmp_path / "b.txt.meta.json").write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="extract.readers"):
        art = one_article(tmp_path / "b.txt", published=date(2000, 1, 1))
    assert art.published == date(2000, 1, 1)
    assert any("sidecar is not valid JSON" in r.getMessage() for r in caplog.records)


def test_published_precedence_metadata_over_sidecar_over_argument(tmp_path: Path) -> None:
    arg = date(2001, 1, 1)
    rows = [{"text": FR, "published": "2024-05-05"}, {"text": EN}]
    (tmp_path / "r.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    (tmp_path / "r.jsonl.meta.json").write_text('{"published": "2010-10-10", "source": "S"}',
                                                encoding="utf-8")
    (tmp_path / "plain.txt").write_text(FR, encoding="utf-8")
    (tmp_path / "none.jsonl").write_text(json.dumps({"text": EN}), encoding="utf-8")

    with_sidecar = read_articles([tmp_path / "r.jsonl"], published=arg)[0]
    assert [a.published for a in with_sidecar] == [date(2024, 5, 5), date(2010, 10, 10)]
    assert [a.source for a in with_sidecar] == ["S", "S"]
    assert one_article(tmp_path / "plain.txt", published=arg).published == arg
    assert one_article(tmp_path / "plain.txt").published is None
    assert one_article(tmp_path / "none.jsonl").published is None
    # the html page's own date beats a sidecar and the argument
    shutil.copy(DATA / "page.html", tmp_path / "page.html")
    (tmp_path / "page.meta.json").write_text('{"published": "2010-10-10"}', encoding="utf-8")
    assert one_article(tmp_path / "page.html", published=arg).published == date(2023, 10, 5)


def test_language_argument_is_a_fallback(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(FR, encoding="utf-8")
    assert one_article(tmp_path / "a.txt", language="FR").language == "fr"
    assert one_article(tmp_path / "a.txt").language is None
    assert one_article(DATA / "note.txt", language="fr").language == "en"  # sidecar wins


# ------------------------------------------------------------------------------------------
# The founding example (reference data, never copied into the repo)
# ------------------------------------------------------------------------------------------


@pytest.mark.shared
def test_seed_presstv_article(shared_dir: Path) -> None:
    from extract.langid import LanguageIdentifier

    seed = shared_dir / "seeds" / "presstv-fr-irak-convois.txt"
    if not seed.exists():
        pytest.skip(f"seed article not available: {seed}")
    art = one_article(seed)
    assert LanguageIdentifier().detect(art.text) == "fr"
    assert art.published is None
    lines = art.text.split("\n")
    caption = next(line for line in lines if line.startswith("US Rep. Ilhan Omar"))
    links = [line for line in lines if line.startswith("Lire aussi")]
    target = next(line for line in lines if "pris pour cible" in line)
    assert len(links) == 2

    def label_of(line: str) -> str | None:
        start = art.text.index(line)
        return art.excluded_label(start, start + len(line))

    assert label_of(caption) == "caption"
    assert [label_of(line) for line in links] == ["cross_link", "cross_link"]
    assert label_of(target) is None
    sentence = next(s for s in target.split(". ") if "pris pour cible" in s)
    start = art.text.index(sentence)
    assert art.excluded_label(start, start + len(sentence)) is None
    assert one_article(seed).article_id == art.article_id


# ------------------------------------------------------------------------------------------
# files that are not regular files, links leaving the input folder, mixed bytes
# ------------------------------------------------------------------------------------------


def _within(seconds: float, fn: object) -> list[Article | Rejected]:
    """``fn()`` in a thread, failing (not hanging) when it blocks."""
    import concurrent.futures

    pool = concurrent.futures.ThreadPoolExecutor(1)
    try:
        return pool.submit(fn).result(timeout=seconds)  # type: ignore[arg-type]
    finally:
        pool.shutdown(wait=False)


def test_a_fifo_is_refused_not_waited_for(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    items = _within(10, lambda: list(iter_articles([fifo])))
    assert len(items) == 1 and "named pipe (FIFO)" in items[0].reason
    (tmp_path / "good.txt").write_text(EN, encoding="utf-8")
    arts, rej = only(_within(10, lambda: list(iter_articles([tmp_path]))))
    assert len(arts) == 1 and [r.path for r in rej] == [str(fifo)]


def test_a_device_is_refused(tmp_path: Path) -> None:
    assert "character device" in one_rejected(Path("/dev/null")).reason


def test_a_symlink_leaving_the_input_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "real.txt").write_text(EN, encoding="utf-8")
    (folder / "inside.txt").symlink_to(folder / "real.txt")
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    (folder / "outside.txt").symlink_to(tmp_path / "secret.txt")
    (tmp_path / "secret.txt").write_text(FR, encoding="utf-8")
    (folder / "linked-dir").symlink_to(tmp_path, target_is_directory=True)
    (folder / "real.txt.meta.json").symlink_to("/etc/hostname")
    arts, rej = only(list(iter_articles([folder])))
    assert sorted(Path(a.path).name for a in arts) == ["inside.txt", "real.txt"]
    reasons = {Path(r.path).name: r.reason for r in rej}
    assert "outside the input folder" in reasons["passwd.txt"]
    assert "outside the input folder" in reasons["outside.txt"]
    assert "directory; not followed" in reasons["linked-dir"]
    assert all(a.title is None for a in arts)  # the linked sidecar was not read
    # a link named on the command line is the user's choice: followed
    assert one_article(folder / "outside.txt").text == normalize_text(FR)


def test_mostly_utf8_with_a_few_bad_bytes_is_not_read_as_a_codepage() -> None:
    good = "The minister’s convoy was hit in Baghdad."
    block = (EN + "\n") * 30
    data = (block + good + "\n").encode() + b"\xff\xfe\x80\x81" + b"\n" + block.encode()
    text = decode_bytes(data)  # was: the whole file as Windows-1251 ('ministerвЂ™s')
    lines = text.split("\n")
    assert lines[30] == good and lines[:30] == [EN] * 30 == lines[32:62]
    assert lines[31] == "\ufffd" * 4
    assert not any("CYRILLIC" in unicodedata.name(ch, "") for ch in text)
    quotes = decode_bytes((block + good + "\n").encode() + b"\x93Yes\x94 \x96 no")
    assert quotes.endswith("\n“Yes” – no")  # a Windows-1252 line of the same (Latin) script


def test_a_legacy_paragraph_in_a_utf8_article_is_decoded_on_its_own() -> None:
    pasted = "Des affrontements ont fait cinq morts à Deir ez-Zor, a indiqué l’OSDH."
    ar = "هاجم مسلحون قافلتين عسكريتين في العراق"
    assert decode_bytes((FR + "\n").encode() + pasted.encode("cp1252")) == FR + "\n" + pasted
    assert decode_bytes((ar + "\n").encode() + ar.encode("cp1256")) == ar + "\n" + ar


@pytest.mark.parametrize("size", [64, 200, 1000, 5000, 100_000])
def test_random_binary_is_not_text(tmp_path: Path, size: int) -> None:
    rng = random.Random(size)
    for i in range(20):
        data = rng.randbytes(size)
        if data.startswith(b"PK"):
            continue
        path = tmp_path / f"blob{i}.txt"
        path.write_bytes(data)
        assert "binary content" in one_rejected(path).reason


def test_one_bad_jsonl_line_is_rejected_alone(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    lines = [json.dumps({"text": EN}), deep, json.dumps({"text": FR + "\u2028" + EN}),
             json.dumps({"text": "x" * (JSONL_MAX_LINE_CHARS + 10)}), json.dumps({"text": FR})]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    arts, rej = only(list(iter_articles([path], max_bytes=10 * JSONL_MAX_LINE_CHARS)))
    assert [a.path.rsplit("#", 1)[1] for a in arts] == ["1", "3", "5"]
    reasons = {r.path.rsplit("#", 1)[1]: r.reason for r in rej}
    assert reasons["2"] == "line 2: JSON nested too deeply"
    assert "over the" in reasons["4"]
    assert "\u2028" in arts[1].text or EN in arts[1].text
    (tmp_path / "deep.json").write_text(deep, encoding="utf-8")
    assert one_rejected(tmp_path / "deep.json").reason == "JSON nested too deeply"


def test_rss_091_and_atom_03_feeds_are_read(tmp_path: Path) -> None:
    # dialects the hand-written parser did not know; feedparser does
    rss091 = (f"<?xml version='1.0'?><rss version='0.91'><channel><title>Old Wire</title>"
              f"<language>fr</language><item><title>T</title><link>https://o.test/1</link>"
              f"<description>{FR}</description></item></channel></rss>")
    (tmp_path / "old.rss").write_text(rss091, encoding="utf-8")
    art = one_article(tmp_path / "old.rss")
    assert (art.text, art.url, art.source, art.language) == (
        FR, "https://o.test/1", "Old Wire", "fr")
    atom03 = (f"<?xml version='1.0'?><feed version='0.3' xmlns='http://purl.org/atom/ns#'>"
              f"<title>Atom Zero</title><entry><title>E</title>"
              f"<link rel='alternate' type='text/html' href='https://a.test/e'/>"
              f"<issued>2004-05-01T10:00:00Z</issued><content type='text/plain'>{EN}</content>"
              f"</entry></feed>")
    (tmp_path / "old.atom").write_text(atom03, encoding="utf-8")
    art = one_article(tmp_path / "old.atom")
    assert (art.text, art.url, art.source) == (EN, "https://a.test/e", "Atom Zero")
    assert art.published == date(2004, 5, 1)


def test_feed_dates_are_the_local_day_written(tmp_path: Path) -> None:
    atom = (f"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>F</title>"
            f"<entry><title>E</title><link href='https://f.test/1'/>"
            f"<published>2024-03-01T00:30:00+03:00</published><content>{EN}</content>"
            f"</entry></feed>")
    (tmp_path / "f.atom").write_text(atom, encoding="utf-8")
    assert one_article(tmp_path / "f.atom").published == date(2024, 3, 1)  # not UTC's 29 Feb


@pytest.mark.parametrize(("content", "first"), [
    ('title;text;url\n"A, b";"Des combats, hier, à Gao; deux morts.";https://x\n',
     "Des combats, hier, à Gao; deux morts."),
    ('text,title\n"Des combats; hier; à Gao; deux morts.",T1\n', "Des combats; hier; à Gao; deux morts."),
    ("text\ttitle\nDes combats, hier.\tT1\n", "Des combats, hier."),
    ("text\nDes combats hier à Gao\n", "Des combats hier à Gao"),
    ("'text';'url'\n'Rockets struck; officials said.';'https://z'\n",
     "Rockets struck; officials said."),
])
def test_csv_dialects_are_sniffed(tmp_path: Path, content: str, first: str) -> None:
    (tmp_path / "a.csv").write_text(content, encoding="utf-8")
    assert one_article(tmp_path / "a.csv").text == first


def test_metadata_dates_in_the_articles_language_and_in_others() -> None:
    assert parse_published("14 janvier 2021", "fr") == date(2021, 1, 14)
    assert parse_published("5 مارس 2024") == date(2024, 3, 5)
    # not among the likely languages: dateparser still guesses it
    assert parse_published("3 de mayo de 2021") == date(2021, 5, 3)
    assert parse_published("2 марта 2022", "ru") == date(2022, 3, 2)
