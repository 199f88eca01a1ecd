"""Word lists and word frequencies that finding and resolving place names share."""

from __future__ import annotations

import re
from typing import Any


def word_zipf(word: str, language: str) -> float:
    """wordfreq's Zipf frequency of ``word`` in ``language``; 0 for a language wordfreq has
    no list for (the multilingual ``xx`` pipeline, a rare language)."""
    from wordfreq import zipf_frequency

    try:
        return zipf_frequency(word, language)
    except LookupError:
        return 0.0


STOP_SINGLE = {  # capitalised function words that are also place names somewhere
    "a", "an", "the", "le", "la", "les", "de", "des", "du", "un", "une", "mais", "ou", "et",
    "en", "au", "aux", "ce", "ces", "il", "elle", "on", "nous", "vous", "ils", "sur", "par",
    "pour", "dans", "lire", "aussi", "source", "photo", "but", "and", "or", "of", "in", "at", "by", "for", "with", "from", "this", "that", "these", "those", "he", "she", "it",
    "we", "they", "read", "more", "president", "premier", "ministre", "minister", "general",
    "mars", "mai", "juin", "may", "march", "june", "august", "lundi", "mardi", "mercredi",
    "jeudi", "vendredi", "samedi", "dimanche", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "us", "usa", "uk", "tv",
}
ARTICLES = {"le", "la", "les", "l'", "the", "el", "los", "las", "il", "lo", "der", "die", "das"}
NEVER_FIRST = {"a", "au", "aux", "de", "des", "du", "en", "et", "ou", "mais", "un", "une",
                "and", "or", "but", "of", "in", "on", "at", "by"}
ARABIC = re.compile(r"[\u0600-\u06ff]")
# A single capitalised word this frequent in the text's language is more likely a word than
# a place ("East", "Steps", "Lire"), unless NER says place or the name is a major one.
COMMON_WORD_ZIPF = 4.3
# Below this, a capitalised word after a given name that is also a place's own name
# ("Vladimir Putin") is taken for a surname.
RARE_WORD_ZIPF = 3.3
_OPENERS = {'"', "'", "“", "‘", "«", "(", "[", "-", "–", "—"}


def starts_sentence(token: Any) -> bool:
    """A token that opens a sentence, also where the parser did not say so: after a line
    break or a run of spaces, or after an opening quote that does ('"Most of them...')."""
    if token.is_sent_start:
        return True
    i = token.i - 1
    while i >= 0 and token.doc[i].text in _OPENERS:
        i -= 1
    if i < 0:
        return True
    before = token.doc[i]
    return before.is_space or before.text in (".", "!", "?", ":", ";")


# Reading a name by its spelling (ToponymResolver._respell): only capitalised names of this
# many letters or more, only in the document's main countries (up to this many, each with
# at least this share of the country evidence).
RESPELL_MIN_CHARS = 5


def respellable(name: str, language: str | None) -> bool:
    """A name that may be read by its spelling: capitalised, long enough, Latin or
    Cyrillic (Arabic script is matched exactly), and made of no frequent word of English or
    the text's language ("Air Balloon", "West Wing" are words, not another spelling of a
    place)."""
    from wordfreq import zipf_frequency

    letters = [ch for ch in name if ch.isalpha()]
    if len(letters) < RESPELL_MIN_CHARS or not name[:1].isupper() or ARABIC.search(name):
        return False
    words = re.findall(r"[^\W\d_]{3,}", name.lower())
    # One word must be rare ("Kurdes" is a word, not a spelling of Kurdis, Syria).
    limit = RARE_WORD_ZIPF if len(words) == 1 else COMMON_WORD_ZIPF
    return not any(max(zipf_frequency(w, "en"), zipf_frequency(w, language or "en"))
                   >= limit for w in words)


# Words that name the kind of thing, never the place, inside a longer name.
GENERIC_PARTS = frozenset({
    "centre", "center", "central", "western", "eastern", "northern", "southern", "north",
    "south", "east", "west", "royal", "national", "international", "federal", "state",
    "university", "college", "school", "hospital", "church", "cathedral", "street", "avenue",
    "road", "bank", "house", "hall", "park", "square", "court", "station", "airport",
    "stadium", "museum", "institute", "council", "ministry", "embassy", "hotel", "club",
    "market", "tower", "bridge", "island", "valley", "river", "lake", "mountains", "beach",
    "bay", "harbor", "harbour", "port", "city", "county", "district", "province", "region",
    "new", "old", "upper", "lower", "greater", "saint", "st"})


# Arabic words of places that are also names in the gazetteer ("مدينة", a city, is Medina)
ARABIC_GENERIC = frozenset({
    "مدينة", "المدينة", "قرية", "بلدة", "منطقة", "محافظة", "شمال", "جنوب", "شرق", "غرب",
    "وسط", "ريف", "حي", "مخيم", "الشمال", "الجنوب", "الشرق", "الغرب", "العاصمة", "سوق",
    "جسر", "طريق", "مطار", "ميناء", "جبل", "وادي", "نهر", "بحر", "الساحل"})
