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


# --------------------------------------------------------------------------- transliteration

# Cyrillic to Latin, so that Russian and Ukrainian names meet their romanisations ("Вовчанськ"
# and "Vovchansk"). Ukrainian г is h (Горлівка, Horlivka), Russian г is g (Горловка, Gorlovka).
_CYRILLIC = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh",
    "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e",
    "ю": "iu", "я": "ia"})
_UKRAINIAN = re.compile("[іїєґ]")
_CYRILLIC_ANY = re.compile("[\u0400-\u04ff]")
# Articles of Arabic names, written apart by fold ("al-Sakhr" -> "al sakhr"): dropped anywhere
# in the name, so that "Jourf al-Sakhr", "Jurf as Sakhr" and "Jurf Sakhr" meet.
_ARTICLE_WORDS = frozenset({"al", "el", "ul", "il", "ad", "ar", "as", "ash", "at", "az", "an",
                            "adh", "ath", "ed", "er", "es", "et", "ez", "ech", "ej", "l"})
# Consonant spellings that French, English and German romanisations disagree on, longest
# first, each to one symbol: "č" the ch of church (ch, tch, tsch), "š" the sh of shore (sh,
# sch, French ch), "j" the j of jam and the French j (j, dj, dzh, zh); kh/h, gh/g, q/k, c/k,
# ph/f, th/t, dh/d meet their plainer spellings.
_DEFAULT_READING = (("tsch", "č"), ("dsch", "j"), ("tch", "č"), ("tsh", "č"), ("sch", "š"),
                    ("ch", "č"), ("sh", "š"), ("dzh", "j"), ("dj", "j"), ("zh", "j"),
                    ("kh", "h"), ("gh", "g"), ("ph", "f"), ("th", "t"), ("dh", "d"),
                    ("ck", "k"), ("c", "k"), ("q", "k"), ("x", "ks"))
# Other ways to read a query (never an indexed name), tried when the name has the letters
# they read otherwise: French ch is the sh of shore ("Chiraz" is Shiraz); German ch is kh, w
# is v, j is y, z is ts and s between vowels is z ("Charkiw", "Wowtschansk", "Kiwerzi" for
# Kivertsi, "Ruska Losowa" for Ruska Lozova, "Chanita" for Hanita, "Krasnoje" for
# Krasnoye).
_FRENCH_READING = (("tch", "č"), ("ch", "š"), *_DEFAULT_READING[4:])
_GERMAN_READING = (("tsch", "č"), ("dsch", "j"), ("sch", "š"), ("ch", "h"), ("z", "ts"),
                   (r"(?<=[aeiouy])s(?=[aeiouyw])", "z"), ("w", "v"), ("j", "y"),
                   *_DEFAULT_READING[6:])
# German sch also writes the Ukrainian and Russian zh ("Schytomyr", "Schupany": Zhupany).
_GERMAN_ZH_READING = (("tsch", "č"), ("dsch", "j"), ("sch", "j"), *_GERMAN_READING[3:])
_READINGS = {name: tuple((re.compile(old), new) for old, new in table) for name, table in (
    ("default", _DEFAULT_READING), ("fr", _FRENCH_READING), ("de", _GERMAN_READING),
    ("de-zh", _GERMAN_ZH_READING))}
_READ_IF = {"default": re.compile(""), "fr": re.compile("(?<!t)ch"),
            "de": re.compile("w|ch|z|j"), "de-zh": re.compile("(?<![dt])sch")}
_LATIN_ONLY = re.compile(r"^[a-z0-9 ]+$")
# Vowels and the semivowels w and y (French writes Arabic w as "ou": Haouija, Hawija): each
# run of them is one "a", so a/e, i/e, o/u, ai/ay/ei and doubled vowels meet.
_VOWEL_RUN = re.compile(r"[aeiouyw]+")
_DOUBLE = re.compile(r"(.)\1+")
_FINAL_H = re.compile(r"(?<=[aeiouyw])h$")
# Keys shorter than this, or names shorter than MIN_TRANSLIT_NAME letters, match too many
# places to be looked up at all.
MIN_TRANSLIT_KEY = 3
MIN_TRANSLIT_NAME = 4


def _spelled_word(word: str, reading: tuple[tuple[re.Pattern[str], str], ...]) -> str:
    word = _FINAL_H.sub("", word)
    for old, new in reading:
        word = old.sub(new, word)
    return _DOUBLE.sub(r"\1", word)


def _key_word(word: str, reading: tuple[tuple[re.Pattern[str], str], ...]) -> str:
    word = _VOWEL_RUN.sub("a", _spelled_word(word, reading))
    if len(word) > 2 and word.endswith("a"):  # final e/é/a/ah/eh: Misrine, Raqqa(h)
        word = word[:-1]
    return word


def _words(name: str) -> list[str]:
    """The words of a name in Latin letters, without Arabic articles ([] for other
    scripts)."""
    key = romanised(name)
    if not key or not _LATIN_ONLY.match(key):
        return []
    words = key.split()
    return [w for w in words if w not in _ARTICLE_WORDS] or words


def spelled(name: str, reading: str = "default") -> str:
    """A name as :func:`translit_key` reads it before vowels are folded ("Kiwerzi" read in
    German: "kivertsi"): what two spellings are compared on."""
    return " ".join(_spelled_word(w, _READINGS[reading]) for w in _words(name))


def romanised(name: str) -> str:
    """``fold(name)`` with Cyrillic written in Latin letters ("Буданів" -> "budaniv"), to
    compare spellings across scripts."""
    key = fold(name)
    if _CYRILLIC_ANY.search(key):
        if _UKRAINIAN.search(key):
            key = key.replace("г", "h")
        key = key.translate(_CYRILLIC)
    return key


@lru_cache(maxsize=65536)
def translit_key(name: str, reading: str = "default") -> str:
    """One key for the French, English and German romanisations of a name from Arabic,
    Persian, Pashto, Kurdish, Ukrainian/Russian or Amharic ("Maaret Misrine" and "Ma'arrat
    Misrin", "Tchassiv Iar" and "Chasiv Yar" give one key); Cyrillic is romanised first.
    Articles are dropped, consonant spellings meet (see ``_DEFAULT_READING``), letters are
    undoubled, each vowel run becomes "a", a word's final vowel goes, and the words are
    joined. "" for names in other scripts (Arabic script is matched by :func:`fold`).

    ``reading``: "default" for indexed names; a query is also keyed with "fr" and "de"
    (see :func:`query_keys`). The key is lossy by design: a match on it is a candidate that
    the geocoder scores below an exact name, by the similarity of the two spellings.
    """
    table = _READINGS[reading]
    return "".join(_key_word(w, table) for w in _words(name))


def query_readings(name: str) -> list[str]:
    """The readings a queried name is tried in: "default", and "fr", "de", "de-zh" when it
    has the letters they read otherwise."""
    folded = fold(name)
    return [reading for reading, marker in _READ_IF.items() if marker.search(folded)]


def query_keys(name: str) -> list[str]:
    """The transliteration keys to look a queried name up under: its default key, then its
    French and German readings when they differ."""
    keys: list[str] = []
    folded = fold(name)
    if len(folded.replace(" ", "")) < MIN_TRANSLIT_NAME:
        return keys
    for reading in query_readings(name):
        key = translit_key(name, reading)
        if len(key) >= MIN_TRANSLIT_KEY and key not in keys:
            keys.append(key)
    return keys
