"""Long articles are coded in parts spaCy accepts, with the offsets of the whole text."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extract.geoparse.matcher import mentions_from_doc
from extract.geoparse.nlp import NlpRegistry
from extract.pipeline import PART_CHARS, Extractor, _parts, _segments, parse_in_parts, run_pipeline
from extract.readers import read_articles

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "articles"


@given(st.text(st.sampled_from("ab .\n"), max_size=300), st.integers(1, 60))
def test_parts_join_back_and_fit(text: str, limit: int) -> None:
    parts = list(_parts(text, limit))
    assert "".join(parts) == text
    assert all(0 < len(p) <= limit for p in parts) or text == ""


def test_parts_are_cut_at_paragraph_breaks() -> None:
    text = "\n\n".join(f"Paragraph {i} ends here." for i in range(200))
    parts = list(_parts(text, 500))
    assert len(parts) > 1 and all(p.endswith("\n\n") for p in parts[:-1])


@pytest.fixture(scope="module")
def registry() -> NlpRegistry:
    return NlpRegistry()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_parsing_in_parts_finds_what_parsing_whole_finds(language: str,
                                                        registry: NlpRegistry) -> None:
    nlp = registry.get(language)
    articles = [a for a in read_articles(SAMPLE)[0] if a.language == language]
    assert articles
    for article in articles:
        text = article.text
        limit = 2 * max(len(p) for p in text.split("\n\n")) + 2  # cuts at paragraph breaks
        if limit >= len(text):
            continue
        whole, parts = nlp(text), parse_in_parts(nlp, text, limit)
        assert parts.text == text
        assert mentions_from_doc(parts) == mentions_from_doc(whole), article.path
        assert list(_segments(parts)) == list(_segments(whole)), article.path
        assert [(e.start_char, e.end_char, e.label_) for e in parts.ents] == \
            [(e.start_char, e.end_char, e.label_) for e in whole.ents], article.path


@pytest.mark.slow
def test_an_article_longer_than_spacy_accepts_is_coded(tmp_path: Path, extractor: Extractor,
                                                       monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    # spaCy's limit lowered from its 1,000,000 characters to 2.5 parts: the same refusal
    # ("[E088] Text of length ... exceeds maximum"), on a text a quarter as long
    monkeypatch.setattr(extractor.nlp.get("en"), "max_length", PART_CHARS * 5 // 2)
    story = (SAMPLE / "en06_kirkuk_roadside_bomb.txt").read_text(encoding="utf-8")
    paragraph = ("Residents said the market stayed open late into the evening and the weather "
                 "had been mild for most of the week.")
    filler = "\n\n".join([paragraph] * 2400)
    text = story + "\n\n" + filler + "\n\n" + story.replace("Kirkuk", "Mosul")
    assert len(text) > extractor.nlp.get("en").max_length > PART_CHARS
    path = tmp_path / "long.txt"
    path.write_text(text, encoding="utf-8")
    result = run_pipeline([path], extractor=extractor)
    assert not result.rejected  # was: "[E088] Text of length ... exceeds maximum"
    places = set(result.events["location"])
    assert {"Kirkuk", "Mosul"} <= places
    late = result.events[result.events["location"] == "Mosul"]
    start, end = int(late["char_start"].iloc[0]), int(late["char_end"].iloc[0])
    article = read_articles(path)[0][0]
    assert article.text[start:end] == "Mosul"  # offsets in the whole text
