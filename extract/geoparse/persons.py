"""Persons' names in running text, told from places': titles, speech verbs and name
parts around a name (:func:`person_context`), and given names, to tell a person's name from a place's in text no NER model has read.

English runs without an English spaCy model (none is on the package index), so "Laura
Ingraham", "Charlie Chen" or "Keith said" would otherwise read as Laura (Louisiana), Chen
(Taiwan) and Keith (Scotland). The given names come from Faker's person providers: curated
first-name lists (several built from national name statistics), maintained upstream and
installed as a package, never downloaded at run time.
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Container, Iterable

from spacy.tokens import Doc

from extract.geoparse.cues import PLACE_WORDS
from extract.geoparse.surface import SurfaceIndex
from extract.geoparse.words import starts_sentence
from geodata.names import fold

logger = logging.getLogger(__name__)

# Locales whose news this tool reads in Latin script, and whose lists are first names only
# (some of Faker's other locales mix in titles or place-like words).
LOCALES = ("en_US", "en_GB", "en_IE", "en_NZ", "fr_FR", "es_ES", "es_MX", "it_IT", "de_DE",
           "pt_BR", "nl_NL")
_FIELDS = ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary")
_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")


def load_given_names(locales: Iterable[str] = LOCALES) -> frozenset[str]:
    """Folded given names of ``locales`` (one word each)."""
    locales = tuple(locales)
    names: set[str] = set()
    for locale in locales:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ImportError:
            logger.warning("no Faker person provider for locale %r", locale)
            continue
        for field in _FIELDS:
            values = provider.__dict__.get(field)
            if isinstance(values, (dict, list, tuple)):
                names.update(fold(n) for n in values if _WORD.fullmatch(n))
    logger.info("given names: %d from %d locales", len(names), len(locales))
    return frozenset(names)

HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "lady", "lord", "gen", "rev",
               "col", "capt", "sgt", "lt", "maj", "sen", "rep", "gov", "president", "minister",
               "m", "mme", "mlle", "me", "docteur", "général", "colonel", "ministre",
               "président", "sheikh", "cheikh", "imam", "ayatollah", "pope", "king", "queen",
               "prince", "princess", "judge", "juge", "attorney", "mayor", "governor",
               "senator", "congressman", "congresswoman", "secretary", "chancellor",
               "ambassador", "detective", "sheriff", "officer", "trooper", "coach", "bishop",
               "rabbi", "pastor", "reverend", "father", "councillor", "councilman",
               "councilwoman", "commissioner", "chairman", "maire", "député", "sénateur"}
_SPEECH_AFTER = re.compile(r"^\s*(said|says|told|added|wrote|argued|explained|noted|"
                           r"declared|a déclaré|a dit|a affirmé|a ajouté|a expliqué)\b", re.IGNORECASE)


def person_context(doc: Doc, start: int, end: int, index: SurfaceIndex,
                    adjectives: Container[str]) -> bool:
    """A name that reads as a person's: after a title ("Mr. Wang", "President Macron"),
    after a capitalised first name mid-sentence ("Mark Zuckerberg"), or the subject of a
    speech verb ("Chen said"). Only for single words that are no major place, and not after
    a country adjective ("Iraqi Kurdistan")."""
    if end - start != 1 or fold(doc[start].text) in index.major:
        return False
    prev = doc[start - 1] if start > 0 else None
    if prev is not None and prev.text.rstrip(".").lower() in HONORIFICS:
        return True
    if prev is not None and prev.is_alpha and prev.text[:1].isupper() \
            and not starts_sentence(prev) and not prev.is_stop \
            and prev.text.lower() not in PLACE_WORDS and fold(prev.text) not in adjectives:
        return True
    # the text after the name (not doc.text: building it walks every token of the document)
    after = doc[start].whitespace_ + doc[start + 1:start + 12].text_with_ws
    return bool(_SPEECH_AFTER.match(after[:30]))


INITIAL = re.compile(r"[A-Z]\.")
NAME_PARTICLES = {"de", "van", "von", "der", "den", "da", "di", "del", "du", "le", "bin",
                   "ibn", "al", "el", "mac", "ter"}


def surname_key(word: str) -> str:
    """A name's folded form without a possessive: "Steele's" -> "steele"."""
    return fold(re.sub(r"['’]s$", "", word))
