"""A fuzz target per reader (hypothesis): whatever bytes a file holds, ``iter_articles``
returns, never raises, and yields only well-formed articles and rejects with a reason.

``make test`` runs each target for a bounded number of examples; ``make fuzz`` runs
``FUZZ_SCALE`` times as many (``CONFLICT_ATLAS_FUZZ_SCALE``, 20 by default), each target under
a time limit. What they found and what was run: docs/reliability.md.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.readers import Article, Rejected, decode_bytes, iter_articles
from extract.textnorm import normalize_text

DATA = Path(__file__).parent / "data" / "readers"
SCALE = int(os.environ.get("CONFLICT_ATLAS_FUZZ_SCALE", "1"))


def budget(examples: int) -> settings:
    """``examples`` test cases, times the fuzz scale."""
    return settings(max_examples=examples * SCALE)
SAMPLES = {p.suffix: p.read_bytes() for p in DATA.iterdir() if not p.name.endswith(".json")}
_names = itertools.count()

words = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
latin = st.text(st.sampled_from("abcdeéàç ÉKIRKUK,;.'\"\t\n<>&=-"), max_size=60)
text = words | latin


def _read(folder: Path, suffix: str, data: bytes) -> list[Article | Rejected]:
    path = folder / f"f{next(_names)}{suffix}"
    path.write_bytes(data)
    items = list(iter_articles([path], max_bytes=2_000_000))
    path.unlink()
    for item in items:
        assert isinstance(item, (Article, Rejected))
        if isinstance(item, Rejected):
            assert item.reason and item.path
            continue
        assert item.text and item.text == normalize_text(item.text)
        assert len(item.article_id) == 16
        assert all(0 <= s < e <= len(item.text) for s, e, _label in item.excluded_spans)
    return items


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _mutated(sample: bytes) -> st.SearchStrategy[bytes]:
    """``sample`` with a stretch replaced by other bytes, or cut short."""
    return st.tuples(st.integers(0, len(sample)), st.integers(0, 64), st.binary(max_size=64),
                     st.booleans()).map(
        lambda t: sample[:t[0]] if t[3] and t[1] % 5 == 0 else
        sample[:t[0]] + t[2] + sample[t[0] + t[1]:])


def _encoded(s: str) -> st.SearchStrategy[bytes]:
    return st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "cp1251", "cp1256"]).map(
        lambda enc: s.encode(enc, errors="replace"))


# --- one target per reader ------------------------------------------------------------------

@budget(150)
@given(st.binary(max_size=3000) | text.flatmap(_encoded) | _mutated(SAMPLES[".txt"]))
def test_fuzz_txt(folder: Path, data: bytes) -> None:
    _read(folder, ".txt", data)


html_pages = st.lists(st.tuples(st.sampled_from(["p", "div", "h1", "script", "figure", "nav",
                                                 "b", "a", "li", "table"]), text),
                      max_size=8).map(
    lambda parts: ("<!DOCTYPE html><html lang='fr'><head><title>T</title></head><body>"
                   + "".join(f"<{t}>{escape(x)}</{t}>" for t, x in parts)
                   + "</body></html>").encode())


@budget(60)
@given(html_pages | _mutated(SAMPLES[".html"]) | st.binary(max_size=2000))
def test_fuzz_html(folder: Path, data: bytes) -> None:
    _read(folder, ".html", data)


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | text,
                           lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.sampled_from(["text", "title", "url",
                                                              "published", "language",
                                                              "date", "x"]), inner,
                                             max_size=5), max_leaves=10)
records = st.fixed_dictionaries({"text": text}, optional={
    "title": json_values, "url": json_values, "published": json_values | st.dates().map(str),
    "language": json_values})


@budget(150)
@given(st.lists(records.map(json.dumps) | json_values.map(json.dumps) | text
                | st.integers(1, 3000).map(lambda n: "[" * n + "]" * n), max_size=6),
       st.sampled_from(["\n", "\r\n"]))
def test_fuzz_jsonl(folder: Path, lines: list[str], newline: str) -> None:
    _read(folder, ".jsonl", newline.join(lines).encode("utf-8", errors="surrogatepass"))


@budget(100)
@given(json_values.map(json.dumps) | st.lists(records, max_size=4).map(json.dumps)
       | _mutated(SAMPLES[".jsonl"]))
def test_fuzz_json(folder: Path, data: str | bytes) -> None:
    _read(folder, ".json", data.encode() if isinstance(data, str) else data)


@budget(150)
@given(st.sampled_from([",", ";", "\t", "|"]), st.sampled_from(['"', "'"]),
       st.lists(st.lists(text, min_size=1, max_size=4), max_size=6),
       st.sampled_from(["text,title", "text;url", "title\ttext", "nothing"]))
def test_fuzz_csv(folder: Path, sep: str, quote: str, rows: list[list[str]],
                  header: str) -> None:
    body = "\n".join(sep.join(quote + c.replace(quote, quote * 2) + quote for c in row)
                     for row in rows)
    _read(folder, ".csv", (header.replace(",", sep) + "\n" + body).encode())


@budget(60)
@given(_mutated(SAMPLES[".csv"]) | st.binary(max_size=2000))
def test_fuzz_csv_bytes(folder: Path, data: bytes) -> None:
    _read(folder, ".csv", data)


def _feed(kind: str, items: list[tuple[str, str, str]], decl: str) -> bytes:
    if kind == "atom":
        entries = "".join(f"<entry><title>{escape(t)}</title><link href='{escape(u)}'/>"
                          f"<updated>{escape(d)}</updated><content type='html'>{escape(b)}"
                          "</content></entry>" for t, b, d, u in items)
        return (f"<?xml version='1.0'?>{decl}<feed xmlns='http://www.w3.org/2005/Atom'>"
                f"<title>F</title>{entries}</feed>").encode()
    entries = "".join(f"<item><title>{escape(t)}</title><description>{escape(b)}"
                      f"</description><pubDate>{escape(d)}</pubDate><link>{escape(u)}</link>"
                      "</item>" for t, b, d, u in items)
    return (f"<?xml version='1.0'?>{decl}<rss version='2.0'><channel><title>R</title>"
            f"{entries}</channel></rss>").encode()


feeds = st.builds(_feed, st.sampled_from(["rss", "atom"]),
                  st.lists(st.tuples(text, text, text | st.dates().map(str), text),
                           max_size=4),
                  st.sampled_from(["", "<!DOCTYPE rss [<!ENTITY a 'b'>]>",
                                   "<!DOCTYPE x SYSTEM 'file:///etc/passwd'>"]))


@budget(80)
@given(feeds | _mutated(SAMPLES[".rss"]) | _mutated(SAMPLES[".atom"]))
def test_fuzz_feed(folder: Path, data: bytes) -> None:
    items = _read(folder, ".xml", data)
    assert not any("passwd" in a.text for a in items if isinstance(a, Article))


def _zip(members: list[tuple[str, bytes]], compress: bool) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED) \
            as zf:
        for name, data in dict(members).items():
            zf.writestr(name, data)
    return buf.getvalue()


member_names = st.sampled_from(["a.txt", "b.html", "c.jsonl", "d.csv", "e.rss", "f.zip",
                                "../escape.txt", "/abs.txt", "dir/g.txt", "h.txt.meta.json",
                                "__MACOSX/x.txt", "noext", "i.exe"])
members = st.lists(st.tuples(member_names, st.binary(max_size=500) | text.map(str.encode)
                             | st.sampled_from(list(SAMPLES.values()))), max_size=5)


@budget(80)
@given(st.builds(_zip, members, st.booleans()) | _mutated(_zip([("a.txt", b"x" * 50),
                                                               ("b.rss", SAMPLES[".rss"])],
                                                              True)))
def test_fuzz_zip(folder: Path, data: bytes) -> None:
    _read(folder, ".zip", data)


@budget(300)
@given(st.binary(max_size=2000), st.none() | st.sampled_from(["utf-8", "latin-1", "nope"]))
def test_fuzz_decode_bytes(data: bytes, declared: str | None) -> None:
    assert isinstance(decode_bytes(data, declared=declared), str)


@budget(100)
@given(st.text(st.characters(exclude_categories=("Cs",))) | latin)
def test_ftfy_is_only_skipped_where_it_changes_nothing(s: str) -> None:
    import ftfy

    from extract.readers.decode import fix_text as _fix_text

    assert _fix_text(s) == normalize_text(ftfy.fix_text(s, unescape_html=False))
