"""Name folding: the one definition of when two spellings of a place name are the same key.

``fold`` removes what spellings of one name disagree on: Unicode compatibility forms, case,
accents and other combining marks, Arabic hamza seats, tatweel and ta marbuta, apostrophes,
hyphens and punctuation. ``key_variants`` adds the spelling without a leading Arabic article
("al-Hillah" -> "hillah", "الموصل" -> "موصل"), so "Hilla", "al-Hillah" and "Al Hillah" meet.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

logger = logging.getLogger(__name__)

_ARABIC_MAP = str.maketrans({
    "\u0629": "\u0647",  # ta marbuta -> ha
    "\u0649": "\u064a",  # alef maksura -> ya
    "\u0640": None,  # tatweel
    "\u0671": "\u0627",  # alef wasla -> alef
    "\u06cc": "\u064a",  # Farsi yeh -> Arabic yeh
    "\u06a9": "\u0643",  # keheh -> kaf
})

# Apostrophes and modifier letters that transliterations sprinkle in: dropped entirely.
_DROP = re.compile(r"[\u0027\u2018\u2019\u201b\u02bb\u02bc\u02bd\u02be\u02bf\u0060\u00b4\u2032]")
# Everything that is not a letter, a digit or a combining mark separates words.
_SEPARATORS = re.compile(r"[\W_]+", re.UNICODE)

# Leading definite articles of Arabic names in transliteration, and the Arabic article itself.
_LATIN_ARTICLE = re.compile(r"^(?:al|el|ul|ad|ar|as|ash|at|az|an|adh|ath|dh|ed|er|es|et|ez)\s+")
_ARABIC_ARTICLE = re.compile(r"^\u0627\u0644(?=\S{2,})")


@lru_cache(maxsize=8192)
def fold_char(ch: str) -> str:
    """One character folded like :func:`fold` folds it ("" for combining marks), for callers
    that must keep offsets into the original text."""
    text = unicodedata.normalize("NFKD", ch)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.casefold().translate(_ARABIC_MAP).replace("\u00df", "ss").replace("\u0131", "i")


@lru_cache(maxsize=65536)
def fold(name: str) -> str:
    """The comparison key of a name: ``fold("Al-Ḥillah") == fold("al hillah")``."""
    if not name:
        return ""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().translate(_ARABIC_MAP)
    text = _DROP.sub("", text)
    text = text.replace("\u00df", "ss").replace("\u0131", "i")  # ß, dotless i
    text = _SEPARATORS.sub(" ", text)
    return " ".join(text.split())


def strip_article(key: str) -> str:
    """``key`` without a leading Arabic article, or ``key`` itself."""
    stripped = _LATIN_ARTICLE.sub("", key, count=1)
    if stripped == key:
        stripped = _ARABIC_ARTICLE.sub("", key, count=1)
    return stripped if len(stripped) >= 3 else key


def key_variants(name: str) -> list[str]:
    """Folded keys under which ``name`` is indexed: the key, then the article-less key."""
    key = fold(name)
    if not key:
        return []
    bare = strip_article(key)
    return [key] if bare == key else [key, bare]


_CODE_LIKE = re.compile(r"^[A-Z0-9]{2,4}$")


def is_code_like(name: str) -> bool:
    """IATA/ICAO-like codes (``BGW``, ``ORBI``) that GeoNames mixes into alternate names."""
    return bool(_CODE_LIKE.match(name))


_LATIN_MARKS = re.compile(r"[\u02b9-\u02bf\u2018\u2019]")


def plain(name: str) -> str:
    """A display form without diacritics for Latin-script names ("Şalāḩ ad Dīn" ->
    "Salah ad Din"), as ACLED writes place names; other scripts are left as they are."""
    if not name or any(unicodedata.category(ch) in ("Lu", "Ll", "Lt", "Lo")
                       and not unicodedata.name(ch, "").startswith("LATIN") for ch in name):
        return name
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _LATIN_MARKS.sub("", text)
