"""Tests for extract.langid (real lingua models, no mocks)."""

from __future__ import annotations

import time

import pytest

from extract.langid import (
    DEFAULT_LANGUAGES,
    LanguageIdentifier,
    detect_language,
    paragraph_languages,
)

FR = ("Deux convois de la coalition ont été pris pour cible jeudi dans les provinces de "
      "Bagdad et Babil, rapporte une agence de presse locale.")
EN = "Two convoys of the US-led coalition were attacked on Thursday in the provinces of Baghdad."
AR = "هاجم مسلحون قافلتين عسكريتين أمريكيتين في العراق يوم الخميس حسبما أفادت مصادر محلية."


@pytest.fixture(scope="module")
def ident() -> LanguageIdentifier:
    return LanguageIdentifier()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (FR, "fr"),
        (EN, "en"),
        (AR, "ar"),
        ("Los combates continuaron en la ciudad durante toda la noche.", "es"),
        ("Нападение на конвой произошло под Багдадом в четверг.", "ru"),
        ("Напад на колону стався поблизу міста в четвер увечері.", "uk"),
        ("حمله به کاروان نظامی در نزدیکی بغداد انجام شد", "fa"),
        ("Bağdat yakınlarında askeri konvoya saldırı düzenlendi.", "tr"),
        ("Deux convois attaqués près de Bagdad.", "fr"),  # short headline
    ],
)
def test_detect(ident: LanguageIdentifier, text: str, code: str) -> None:
    assert ident.detect(text) == code


def test_detect_language_function_without_identifier() -> None:
    assert detect_language(FR) == "fr"
    assert detect_language(EN, LanguageIdentifier(["fr", "en"])) == "en"


@pytest.mark.parametrize("text", ["", "   ", "OK", "12 345 678 -- 2021", "Bagdad!"])
def test_too_short_gives_none(ident: LanguageIdentifier, text: str) -> None:
    assert ident.detect(text) is None
    assert ident.confidence(text) == []


def test_confidence_sorted(ident: LanguageIdentifier) -> None:
    values = ident.confidence(FR)
    assert values[0][0] == "fr"
    assert [v for _, v in values] == sorted((v for _, v in values), reverse=True)
    assert 0.0 < values[0][1] <= 1.0


def test_paragraph_languages_offsets(ident: LanguageIdentifier) -> None:
    text = f"{EN}\n{FR}\n\n  {AR}  \nOK\n"
    spans = ident.paragraph_languages(text)
    assert [lang for _, _, lang in spans] == ["en", "fr", "ar", None]
    assert [text[s:e] for s, e, _ in spans] == [EN, FR, AR, "OK"]
    assert paragraph_languages(text, ident) == spans
    assert ident.paragraph_languages("") == []


def test_restricted_languages_and_bad_codes() -> None:
    only_fr_en = LanguageIdentifier(["fr", "EN"])
    assert only_fr_en.languages == ("fr", "en")
    assert only_fr_en.detect(AR) in ("fr", "en", None)  # Arabic is not among the candidates
    with pytest.raises(ValueError, match="no language with ISO 639-1 code 'xx'"):
        LanguageIdentifier(["fr", "xx"])
    with pytest.raises(ValueError, match="at least two"):
        LanguageIdentifier(["fr"])


def test_default_set_covers_conflict_news_languages() -> None:
    for code in ("fr", "en", "ar", "es", "pt", "de", "it", "ru", "uk", "tr", "fa", "nl"):
        assert code in DEFAULT_LANGUAGES
    assert len(set(DEFAULT_LANGUAGES)) == len(DEFAULT_LANGUAGES)


def test_construction_is_cheap_and_reusable() -> None:
    t0 = time.perf_counter()
    ident = LanguageIdentifier()
    assert time.perf_counter() - t0 < 1.0  # low-accuracy mode: models load lazily
    assert not ident.high_accuracy
    assert "low accuracy" in repr(ident)
    ident.detect(FR)  # loads the models once
    t0 = time.perf_counter()
    for _ in range(20):
        assert ident.detect(EN) == "en"
    assert time.perf_counter() - t0 < 2.0


@pytest.mark.slow
def test_high_accuracy_mode() -> None:
    ident = LanguageIdentifier(["fr", "en", "ar", "es"], high_accuracy=True)
    assert ident.detect("Deux convois attaqués.") == "fr"
    assert ident.detect(AR) == "ar"
