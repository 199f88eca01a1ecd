"""Finding place names in running text and resolving them in context.

Two stages, usable separately:

- **Finding** (:class:`PlaceMatcher`, a spaCy component registered as
  ``conflict_atlas_places``): n-grams of tokens whose folded form is a gazetteer name, merged
  with the NER's LOC/GPE/FAC entities. The gazetteer finds what NER misses or mislabels
  (Balad, Erbil tagged PER); NER finds what is not in the match list (small places, which the
  resolver then looks up in the full gazetteer). Villages, which the name list leaves out,
  are found only in the document's main countries, after a locative word, by name or
  transliteration key (:meth:`PlaceMatcher._local_spans`).
- **Resolving** (:class:`ToponymResolver`): each mention's candidates from the geocoder,
  re-ranked with document context: the cue around the name ("les provinces de" -> admin-1,
  "l'aéroport de" -> airport, "New York Gov." -> state), the document's country focus
  (country names and demonyms mentioned, the source site's country), the spatial coherence
  of all readings (:mod:`extract.coherence`: places named together lie together or inside
  one another), places read with the region that follows them ("London, Ontario"), and one
  sense per document. A name no entry fits falls back to a prominent place named inside it
  ("Colorado State University") or to the nearest place of the document (a street), and
  says so in :attr:`Resolution.basis`. A name no place of the document's focus countries has
  exactly is read there by its spelling (transliteration key, then a close key); the place
  dict says how (``match``: exact | translit | fuzzy, ``similarity``), where its point
  comes from (``point_source``) and its admin-2 unit (``admin2``, ``admin2_code``). Metonyms ("Washington n'a pas caché") are flagged so
  that no event is placed there.

The geoparsing harness uses :func:`default_resolver` and :func:`default_finder`.
"""

from __future__ import annotations

import logging
import math
import re
import sqlite3
from collections import Counter
from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from extract.coherence import Coherence
from geodata.distance import haversine_km
from geodata.names import MIN_TRANSLIT_KEY, fold, strip_article, translit_key
from geodata.tld import country_of_url

logger = logging.getLogger(__name__)


def word_zipf(word: str, language: str) -> float:
    """wordfreq's Zipf frequency of ``word`` in ``language``; 0 for a language wordfreq has
    no list for (the multilingual ``xx`` pipeline, a rare language)."""
    from wordfreq import zipf_frequency

    try:
        return zipf_frequency(word, language)
    except LookupError:
        return 0.0

MAX_NGRAM = 6
NER_PLACE_LABELS = {"LOC", "GPE", "FAC"}
SPAN_KEY = "places"

# Cue phrases right before a name, and the feature classes they call for.
_CUES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = tuple(
    (re.compile(pattern + r"\s*$", re.IGNORECASE), classes) for pattern, classes in (
        ((r"\b(a[ée]roport|airport|a[ée]rodrome|airfield|مطار)\b\s*(?:[\w'’-]+\s+){0,2}?"
          r"(\bde\b|\bd['’]|\bof\b|\bin\b|\bà\b)?"), ("airport", "military_base")),
        ((r"\b(base|bases|camp|garrison|garnison|caserne|قاعدة)\b\s*(?:[\w'’-]+\s+){0,2}?"
          r"(\bde\b|\bd['’]|\bof\b|\bat\b|\bin\b|\bà\b)?"), ("military_base", "airport")),
        ((r"\b(provinces?|gouvernorats?|governorates?|r[ée]gions?|wilayas?|muhafazat|"
          r"states?|[ée]tats?|oblasts?|departments?|d[ée]partements?|محافظة|محافظات|ولاية)"
          r"\b\s*(?:[\w'’-]+\s+){0,2}?(\bde\b|\bd['’]|\bdu\b|\bof\b)"), ("admin1", "region")),
        ((r"\b(districts?|county|counties|comt[ée]s?|cercles?|qadaa?|قضاء)\b"
          r"\s*(?:[\w'’-]+\s+){0,1}?(\bde\b|\bd['’]|\bdu\b|\bof\b)?"), ("admin2",)),
        (r"\b(ville|city|town|village|localit[ée]|مدينة|بلدة|قرية)\b\s*(\bde\b|\bd['’]|\bof\b)?",
         ("city",)),
    ))
_POST_CUES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = tuple(
    (re.compile(r"\s+(?:" + pattern + r")\b", re.IGNORECASE), classes) for pattern, classes in (
        (r"provinces?|governorates?|regions?|states?|oblasts?", ("admin1", "region")),
        # "New York Gov. Andrew Cuomo", "the Alberta legislature": a state's institutions
        (r"gov|governor|lt\.?\s+gov|legislature|premier", ("admin1",)),
        (r"districts?|county|counties", ("admin2",)),
        (r"(?:international\s+)?airports?|airfields?", ("airport", "military_base")),
        (r"air\s*bases?|bases?|garrisons?", ("military_base", "airport")),
    ))
# A coordinated list continues the cue: "les provinces de Bagdad et Babil".
_LIST_GLUE = re.compile(r"^\s*(,|et|and|ou|or|و)\s*(de\s+|d['’]\s*|of\s+)?$", re.IGNORECASE)
# A place used as its government: "Washington n'a pas caché", "Moscow said".
_METONYM_FOLLOWER = re.compile(
    r"^\W{0,3}(?:[\w'’]+\s+){0,4}?(?:n['’]\s*)?"
    r"(dit|d[ée]clar|annonc|affirm|accus|d[ée]menti|d[ée]nonc|cach|estim|consid[ée]r|menac"
    r"|appel|exig|r[ée]clam|condamn|averti|pr[ée]vient|insist|souhait|veut|voulait|refus"
    r"|said|says|announc|claim|accus|deni|deny|warn|demand|condemn|insist|want|refus|hid"
    r"|urg|blam|stat|argu|believ|call|insist|respond|react|threat|reject|support|back"
    r"|comment|promi|promet|r[ée]ag|protest|vow|pledg|object|welcom|salu|critiqu|critici)",
    re.IGNORECASE)
# Arabic puts the verb first: "وتتهم أنقرة" (and Ankara accuses).
_METONYM_PRECEDER = re.compile(
    r"(?:^|\s)[وف]?(?:قالت|تقول|أعلنت|تعلن|نفت|تنفي|أكدت|تؤكد|حذرت|تحذر|طالبت|تطالب|اتهمت|تتهم"
    r"|رفضت|ترفض|هددت|تهدد|دعت|تدعو|أدانت|تدين|ردت|ترد)\s+$")
_STOP_SINGLE = {  # capitalised function words that are also place names somewhere
    "a", "an", "the", "le", "la", "les", "de", "des", "du", "un", "une", "mais", "ou", "et",
    "en", "au", "aux", "ce", "ces", "il", "elle", "on", "nous", "vous", "ils", "sur", "par",
    "pour", "dans", "lire", "aussi", "source", "photo", "but", "and", "or", "of", "in", "at", "by", "for", "with", "from", "this", "that", "these", "those", "he", "she", "it",
    "we", "they", "read", "more", "president", "premier", "ministre", "minister", "general",
    "mars", "mai", "juin", "may", "march", "june", "august", "lundi", "mardi", "mercredi",
    "jeudi", "vendredi", "samedi", "dimanche", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "us", "usa", "uk", "tv",
}
_ARTICLES = {"le", "la", "les", "l'", "the", "el", "los", "las", "il", "lo", "der", "die", "das"}
_NEVER_FIRST = {"a", "au", "aux", "de", "des", "du", "en", "et", "ou", "mais", "un", "une",
                "and", "or", "but", "of", "in", "on", "at", "by"}
_ARABIC_PROCLITICS = ("وب", "ول", "وال", "بال", "لل", "فال", "و", "ب", "ل", "ف", "ك")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_NAME_PUNCT = {"-", "'", "’", ".", "‑"}
# A single capitalised word this frequent in the text's language is more likely a word than
# a place ("East", "Steps", "Lire"), unless NER says place or the name is a major one.
COMMON_WORD_ZIPF = 4.3
# Below this, a capitalised word after a given name that is also a place's own name
# ("Vladimir Putin") is taken for a surname.
RARE_WORD_ZIPF = 3.3
PROMINENT_POPULATION = 100_000
# Natural features found in running text by name: those at least this prominent (Natural
# Earth scale rank 7 or better, see geodata.build.natural_prior); minor reefs and peaks only
# through NER or gold spans.
NATURAL_TEXT_PRIOR = 1.8
# Villages in running text (PlaceMatcher._local_spans): in the document's main countries (up
# to LOCAL_COUNTRIES, each with LOCAL_FOCUS_SHARE of the names and demonyms that point to a
# country), after a locative word, by name, transliteration key, or a key this alike
# (rapidfuzz ratio, keys of LOCAL_FUZZY_MIN_KEY characters or more).
LOCAL_COUNTRIES = 3
LOCAL_FOCUS_SHARE = 0.2
LOCAL_FUZZY_RATIO = 90.0
LOCAL_FUZZY_MIN_KEY = 7
LOCAL_MAX_NGRAM = 4
_LOCAL_CUES = {"in", "at", "near", "outside", "around", "toward", "towards", "into", "à",
               "au", "aux", "près", "vers", "dans", "village", "villages", "town", "localité",
               "ville", "bourgade"}
# "de"/"of" is a locative only after a word of place or direction ("près de", "à l'est de",
# "the village of", "north of").
_LOCAL_OF = {"de", "d'", "d’", "du", "of"}
_LOCAL_LIST = {"and", "et", ",", "or", "ou"}
_LOCAL_BEFORE_OF = {"près", "proche", "nord", "sud", "est", "ouest", "environs", "village",
                    "villages", "ville", "villes", "localité", "localités", "région",
                    "district", "province", "gouvernorat", "towns", "cities",
                    "north", "south", "east", "west", "outskirts", "town", "city",
                    "governorate", "northeast", "northwest", "southeast", "southwest",
                    "nord-est", "nord-ouest", "sud-est", "sud-ouest", "centre", "periphery",
                    "control", "contrôle", "capture", "siege", "siège", "prise"}


@dataclass(frozen=True, slots=True)
class Mention:
    """A place name found in a text: character offsets and how it was found."""

    start: int
    end: int
    text: str
    source: str = "gazetteer"  # gazetteer | ner | both | gold
    ner_label: str = ""


@dataclass(frozen=True)
class Resolution:
    """A mention with the place it most likely names (``None`` when nothing fits)."""

    mention: Mention
    place: dict[str, Any] | None
    score: float = 0.0
    confidence: float = 0.0
    cue_classes: tuple[str, ...] = ()
    is_metonym: bool = False
    candidates: tuple[dict[str, Any], ...] = field(default=(), repr=False)
    # How the place was reached: "" (the name itself), "part" (a place named inside the
    # name: "Manila Cathedral" -> Manila) or "document" (no place of that name: the nearest
    # place the document names, for a street or a building).
    basis: str = ""

    @property
    def latlon(self) -> tuple[float, float] | None:
        return None if self.place is None else (self.place["lat"], self.place["lon"])


# --------------------------------------------------------------------------- finding


class SurfaceIndex:
    """The folded names worth matching in running text, loaded once from the gazetteer.

    Cities below ``min_population`` count only by their main name; facility names only in
    full; keys shorter than three characters never.
    """

    def __init__(self, keys: set[str], major: set[str],
                 abbreviations: set[str] | None = None,
                 prominent: tuple[set[str], set[str]] | None = None,
                 path: str | Path | None = None) -> None:
        self.abbreviations = abbreviations or set()  # "Ky.", "B.C.", "U.S.": folded
        self.keys = keys | self.abbreviations
        self.major = major  # names of countries, capitals and cities over a million
        self._prominent = prominent
        self._path = path
        # First words of the names of two words or more.
        self.first_tokens = {k.split(" ", 1)[0] for k in keys if " " in k}
        self._country_of: dict[str, str] | None = None
        self._conn: sqlite3.Connection | None = None
        self._conn_pid = 0
        self._country_keys: dict[str, list[str]] = {}

    # Villages (Who's On First places without a population) are not in ``keys``: in most
    # text their names are words or people's names. The matcher asks for them only in the
    # countries a document is about, after a locative word (see PlaceMatcher._local_spans).

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        import os

        if self._path is None:
            return []
        if self._conn is None or self._conn_pid != os.getpid():  # not across a fork
            self._conn = sqlite3.connect(f"file:{self._path}?mode=ro&immutable=1", uri=True,
                                         check_same_thread=False)
            self._conn_pid = os.getpid()
        return self._conn.execute(sql, params).fetchall()

    def country_of(self, key: str) -> str:
        """The country a prominent name stands for ("syrie", "alep", "idlib"), when only
        one country has a country, province or town over PROMINENT_POPULATION so named."""
        if self._country_of is None:
            seen: dict[str, set[str]] = {}
            for k, cc in self._query(
                    "SELECT DISTINCT n.key, p.country_code FROM names n JOIN places p "
                    "ON p.rid = n.rid WHERE n.kind <= 1 AND p.country_code != '' AND "
                    "(p.population >= ? OR p.feature_class IN ('country', 'admin1'))",
                    (PROMINENT_POPULATION,)):
                seen.setdefault(k, set()).add(cc)
            self._country_of = {k: next(iter(v)) for k, v in seen.items() if len(v) == 1}
        return self._country_of.get(key, "")

    def local_countries(self, name: str, *, translit: bool) -> set[str]:
        """The countries with a village named ``name`` (folded), or with ``translit``, a
        place with a name of the same transliteration key and a like spelling."""
        if translit:
            from geodata.geocoder import MIN_SIMILARITY, spelling_similarity

            key = translit_key(name)
            if len(key) < MIN_TRANSLIT_KEY:
                return set()
            return {cc for cc, spelling in self._query(
                "SELECT p.country_code, t.name FROM tnames t JOIN places p ON p.rid = t.rid "
                "WHERE t.tkey = ?", (key,))
                if spelling_similarity(name, spelling) >= MIN_SIMILARITY}
        else:  # the villages the name list leaves out
            rows = self._query("SELECT p.country_code FROM names n JOIN places p "
                               "ON p.rid = n.rid WHERE n.key = ? AND p.source = 'wof'",
                               (fold(name),))
        return {r[0] for r in rows}

    def close_key(self, name: str, country_code: str) -> bool:
        """Whether a place of the country has a transliteration key at least
        LOCAL_FUZZY_RATIO alike to the name's (keys of LOCAL_FUZZY_MIN_KEY characters)."""
        from rapidfuzz import fuzz, process

        key = translit_key(name)
        if len(key) < LOCAL_FUZZY_MIN_KEY:
            return False
        if country_code not in self._country_keys:
            self._country_keys[country_code] = [r[0] for r in self._query(
                "SELECT tkey FROM ckeys WHERE country_code = ?", (country_code,))]
        return process.extractOne(key, self._country_keys[country_code], scorer=fuzz.ratio,
                                  score_cutoff=LOCAL_FUZZY_RATIO) is not None

    @property
    def prominent(self) -> set[str]:
        """Names (main or alternate) of countries, provinces, regions and towns over
        PROMINENT_POPULATION people; only English finding asks, so they load from the index
        on first use."""
        return self._load_prominent()[0]

    @property
    def prominent_own(self) -> set[str]:
        """The subset of :attr:`prominent` that are such a place's own (main) name: "Mary"
        is a city in Turkmenistan, but "Liz" only another language's name for one."""
        return self._load_prominent()[1]

    def _load_prominent(self) -> tuple[set[str], set[str]]:
        if self._prominent is None:
            self._prominent = (set(), set())
            if self._path is not None:
                conn = sqlite3.connect(f"file:{self._path}?mode=ro&immutable=1", uri=True)
                try:
                    for key, kind in conn.execute(
                            "SELECT DISTINCT n.key, n.kind FROM names n JOIN places p "
                            "ON p.rid = n.rid WHERE n.kind <= 1 AND (p.population >= ? OR "
                            "p.feature_class IN ('country', 'continent', 'region', 'admin1'))",
                            (PROMINENT_POPULATION,)):
                        self._prominent[0].add(key)
                        if kind == 0:
                            self._prominent[1].add(key)
                finally:
                    conn.close()
        return self._prominent

    @classmethod
    def load(cls, index_path: str | Path, min_population: int = 1000) -> SurfaceIndex:
        conn = sqlite3.connect(f"file:{index_path}?mode=ro&immutable=1", uri=True)
        try:
            rows = conn.execute(
                "SELECT DISTINCT n.key FROM names n JOIN places p ON p.rid = n.rid "
                "WHERE length(n.key) >= 3 AND n.kind <= 2 AND "
                "(p.feature_class NOT IN ('city', 'natural', 'admin2') OR p.population >= ? "
                " OR (n.kind = 0 AND p.feature_class = 'city' AND p.source != 'wof') "
                " OR (p.feature_class = 'admin2' AND n.kind <= 1) OR p.source = 'overlay')",
                (min_population,))
            keys = {r[0] for r in rows}
            keys |= _natural_keys(conn)
            major = {r[0] for r in conn.execute(
                "SELECT DISTINCT n.key FROM names n JOIN places p ON p.rid = n.rid "
                "WHERE (n.kind <= 1 AND p.feature_class IN ('country', 'continent', 'region')) "
                "OR (n.kind = 0 AND (p.feature_code = 'PPLC' OR p.population >= 1000000))")}
            abbreviations = {r[0] for r in conn.execute(
                "SELECT DISTINCT n.key FROM names n JOIN places p ON p.rid = n.rid "
                "WHERE n.kind <= 1 AND n.name LIKE '%.' AND length(n.name) <= 6 "
                "AND p.feature_class IN ('country', 'admin1')")}
        finally:
            conn.close()
        keys |= {k for k in major if len(k) == 2}  # US, UK, EU: country acronyms
        logger.info("surface index: %d names", len(keys))
        return cls(keys, major, abbreviations, path=index_path)


def _natural_keys(conn: sqlite3.Connection) -> set[str]:
    """Names of natural features worth matching in running text: those at least
    NATURAL_TEXT_PRIOR prominent, of two words or more or a rare word ("Euphrates", "Lake
    Chad"; not Natural Earth's rivers "Copper" or "Snake")."""
    from wordfreq import zipf_frequency

    rows = conn.execute(
        "SELECT DISTINCT n.key FROM names n JOIN places p ON p.rid = n.rid WHERE "
        "p.feature_class = 'natural' AND n.kind <= 2 AND length(n.key) >= 3 AND "
        "(p.prior >= ? OR p.source = 'overlay')", (NATURAL_TEXT_PRIOR,))
    return {key for (key,) in rows if " " in key or max(
        zipf_frequency(key, "en"), zipf_frequency(key, "fr")) < RARE_WORD_ZIPF}


def _token_keys(text: str) -> list[str]:
    """Folded keys to try for one token string (Arabic proclitics stripped)."""
    key = fold(text)
    keys = [key]
    if key.startswith(("d ", "l ")):  # French elision kept inside a token: d'Erbil
        keys.append(key[2:])
    if _ARABIC.search(text):
        for clitic in _ARABIC_PROCLITICS:
            if key.startswith(clitic) and len(key) - len(clitic) >= 3:
                keys.append(key[len(clitic):])
    return keys


def find_gazetteer_spans(doc: Doc, index: SurfaceIndex) -> list[tuple[int, int]]:
    """Token spans (start, end) whose text is a gazetteer name, longest first, no overlaps."""
    found: list[tuple[int, int]] = []
    tokens = list(doc)
    n = len(tokens)
    i = 0
    while i < n:
        tok = tokens[i]
        if tok.is_space or tok.is_punct:
            i += 1
            continue
        best = None
        first_keys = _token_keys(tok.text)
        # Longer names only when some name starts with this word; then the word itself.
        if any(k.split(" ", 1)[0] in index.first_tokens for k in first_keys if k):
            for j in range(min(n, i + MAX_NGRAM), i + 1, -1):
                if _clean_ngram(tokens[i:j]) and fold(doc[i:j].text) in index.keys:
                    best = (i, j)
                    break
        if best is None and any(k in index.keys for k in first_keys):
            best = (i, i + 1)
        if best is not None and _plausible(doc[best[0]:best[1]], index):
            found.append(best)
            i = best[1]
        else:
            i += 1
    return found


_CLITICS = {"'ve", "'ll", "'re", "'m", "'d", "n't"}
_OPENERS = {'"', "'", "“", "‘", "«", "(", "[", "-", "–", "—"}


def _starts_sentence(token: Any) -> bool:
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


def _dateline(span: Span) -> bool:
    """An upper-case name opening a line and followed by a comma, a bracket or a dash: the
    dateline of a dispatch ("AUSTIN, Texas", "DETROIT (AP) -", "BAGHDAD -")."""
    doc = span.doc
    if not span.text.isupper() or len(span.text) < 3 or span.end >= len(doc):
        return False
    before = doc[span.start - 1] if span.start > 0 else None
    return (before is None or "\n" in before.text_with_ws) \
        and doc[span.end].text in (",", "(", "-", "–", "—")


def _clean_ngram(tokens: Sequence[Any]) -> bool:
    """No line break, no punctuation at the edges, only name-internal punctuation inside."""
    last = tokens[-1]
    if last.is_punct or last.is_space or any(t.is_space or "\n" in t.text_with_ws.rstrip(" ")
                                             for t in tokens[:-1]):
        return False
    return all(not t.is_punct or t.text in _NAME_PUNCT for t in tokens[1:-1])


def _plausible(span: Span, index: SurfaceIndex) -> bool:
    """Case and stop-word checks for a gazetteer match in running text."""
    first = span[0]
    text = span.text
    if _ARABIC.search(text):
        return len(fold(text)) >= 3
    if not any(ch.isupper() for ch in first.text[:3]):
        return False  # place names are capitalised in Latin, Cyrillic and Greek scripts
    if len(span) > 1 and first.lower_ in _ARTICLES and span[1].is_alpha \
            and span[1].text.islower():
        return False  # "Les attaques" is not Les Attaques (but "Les Cayes", "La Paz" are)
    first_key = fold(first.text)
    country_acronym = first.text.isupper() and first_key in index.major  # "US", not "us"
    article_name = len(span) > 1 and first.lower_ in _ARTICLES  # "The Hague", "Les Cayes"
    if first_key in _NEVER_FIRST or (_starts_sentence(first) and not country_acronym
                                     and not article_name
                                     and (first.is_stop or first_key in _STOP_SINGLE)):
        return False  # "A la suite", "Most of", "Some" at the start of a sentence
    if any(t.text.replace("’", "'").lower() in _CLITICS for t in span):
        return False  # "I've", "We're": a pronoun and a clitic, not Ive or Were
    if len(span) == 1:
        key = fold(text)
        nxt = span.doc[span.end] if span.end < len(span.doc) else None
        if text.rstrip(".").lower() in _HONORIFICS and (text.endswith(".") or (
                nxt is not None and nxt.is_alpha and nxt.text[:1].isupper())):
            return False  # "Sen.", "Gov."; "King Juan Carlos": a title
        if ("." in text and key in index.abbreviations) \
                or (text.isupper() and len(key) == 2 and key in index.major):
            return True  # "Ky.", "B.C.", "U.S."; "US", "UK" (not the pronoun "us")
        if key in _STOP_SINGLE:
            return False
        if text.isupper() and len(text) <= 4 and key not in index.major:
            return False  # acronyms (FDS, EI, ONU), unless a country's (US, UK, RDC)
    return True


class PlaceMatcher:
    """spaCy component: sets ``doc.spans["places"]`` to the place names of the text.

    The name list loads on first use from ``index_path``, unless the owner of several
    pipelines hands them one shared :class:`SurfaceIndex` (``matcher.index = ...``).
    """

    def __init__(self, index_path: Path, language: str, min_population: int = 1000) -> None:
        self.index_path = index_path
        self.language = language
        self.min_population = min_population
        self._index: SurfaceIndex | None = None
        self._adjectives: Container[str] | None = None
        self._given_names: Container[str] | None = None
        self._demonyms: Any = None

    @property
    def adjectives(self) -> Container[str]:
        """Folded country adjectives ("iraqi", "syrienne")."""
        if self._adjectives is None:
            from geodata.demonyms import DemonymTable

            self._adjectives = frozenset(DemonymTable.load().forms)
        return self._adjectives

    @property
    def given_names(self) -> Container[str]:
        """Folded given names ("laura", "charlie"), for text no NER model has read."""
        if self._given_names is None:
            from extract.persons import load_given_names

            self._given_names = load_given_names()
        return self._given_names

    @property
    def index(self) -> SurfaceIndex:
        if self._index is None:
            self._index = SurfaceIndex.load(self.index_path, self.min_population)
        return self._index

    @index.setter
    def index(self, value: SurfaceIndex) -> None:
        self._index = value

    def _common_word(self, span: Span) -> bool:
        """A frequent word of the language rather than a place ("East", "Lire"). Outside
        English, a major place name counts as a word inside a longer name, unless it is an
        acronym ("US Central Command" still names the US). In English a prominent place
        inside a longer name stays a place ("the Toronto Police Services Board", "Kentucky
        Department of Education"): it says where the organisation is, and the geoparsing
        corpora count it as a toponym."""
        from wordfreq import zipf_frequency

        if len(span) > 1:
            return False
        doc = span.doc
        nxt = doc[span.end] if span.end < len(doc) else None
        if _dateline(span):
            return False  # "AUSTIN, Texas", "DETROIT (AP) -"
        in_longer_name = nxt is not None and nxt.is_alpha and nxt.text[:1].isupper()
        key = fold(span.text)
        if key in self.index.major and (not in_longer_name or span.text.isupper()):
            return False
        word = span.text.lower()
        if max(word_zipf(word, self.language), zipf_frequency(word, "en")) \
                < COMMON_WORD_ZIPF:
            return False
        # In English, where capitals mark names, a frequent word capitalised mid-sentence
        # that names a prominent place is that place ("Boston", "Liverpool", "California");
        # at a sentence start, or a word that names a kind of place ("Central"), it is a
        # word. (French capitalises "l'Observatoire" syrien; Arabic has no capitals.)
        return self.language != "en" or _starts_sentence(span[0]) or key in _GENERIC_PARTS \
            or key not in self.index.prominent

    @property
    def demonyms(self) -> Any:
        if self._demonyms is None:
            from geodata.demonyms import DemonymTable

            self._demonyms = DemonymTable.load()
        return self._demonyms

    def _local_spans(self, doc: Doc, spans: dict[tuple[int, int], str],
                     persons: Sequence[Span]) -> list[tuple[int, int]]:
        """Villages and other small places of the countries the document is about, which
        the name list leaves out: capitalised names after a locative word ("in", "near",
        "à", "de", "village"), not inside a found name or a person's, found by their name,
        their transliteration key, or a close key ("près de Kourakhove" in a story about
        Ukraine). The document's countries: those its found names and demonyms point to
        (LOCAL_COUNTRIES at most, each with LOCAL_FOCUS_SHARE of the evidence)."""
        index = self.index
        focus: Counter[str] = Counter(self.demonyms.countries_in(doc.text))
        for start, end in spans:
            country = index.country_of(fold(doc[start:end].text))
            if country:
                focus[country] += 1
        total = sum(focus.values())
        countries = {c for c, n in focus.most_common(LOCAL_COUNTRIES)
                     if total and n / total >= LOCAL_FOCUS_SHARE}
        # the caller's hint: where the actors the text names operate ("M23", "ISWAP")
        countries |= set(doc.user_data.get(COUNTRY_HINT, ()))
        if not countries:
            return []
        taken = [*spans, *((p.start, p.end) for p in persons),
                 *((e.start, e.end) for e in doc.ents)]
        found: list[tuple[int, int]] = []
        for i in range(1, len(doc)):
            cue = doc[i - 1].lower_ in _LOCAL_CUES or (
                i >= 2 and doc[i - 1].lower_ in _LOCAL_OF
                and doc[i - 2].lower_ in _LOCAL_BEFORE_OF) or (
                doc[i - 1].lower_ in _LOCAL_LIST
                and any(e == i - 1 for _s, e in found))  # "villages of Foua and Kefraya"
            if not cue or not doc[i].is_alpha \
                    or not doc[i].text[:1].isupper() or fold(doc[i].text) in self.given_names \
                    or any(s <= i < e for s, e in (*taken, *found)):
                continue
            for j in range(min(len(doc), i + LOCAL_MAX_NGRAM), i, -1):
                if any(s < j and i < e for s, e in (*taken, *found)) \
                        or not _clean_ngram(doc[i:j]) or not doc[j - 1].text[:1].isupper():
                    continue
                span = doc[i:j]
                if fold(span.text) in index.keys or not _plausible(span, index) \
                        or self._common_word(span):
                    continue  # a listed name the first pass kept or set aside (a person's)
                if j < len(doc) and doc[j].is_alpha and doc[j].text[:1].isupper():
                    continue  # "near Rami Abdel Rahman": a name goes on, a person's
                if j - i == 1 and _person_context(doc, i, j, index, self.adjectives):
                    continue
                # A close key only for names of two words or more: one word that is close
                # to a village's name is as often a person's ("Ekweremadu").
                if index.local_countries(span.text, translit=False) & countries \
                        or (_respellable(span.text, self.language) and (
                            index.local_countries(span.text, translit=True) & countries
                            or (j - i > 1 and any(index.close_key(span.text, cc)
                                                  for cc in countries)))):
                    found.append((i, j))
                    break
        return found

    def _given_name_context(self, doc: Doc, start: int, end: int) -> str | None:
        """For text no NER model has read: whether a one-word match belongs to a person's
        name by the given names around it. Returns None for no; else the surname it shows
        ("" when none): a given name before a capitalised word ("Laura Ingraham"), a word
        after a given name, an initial or a particle ("Charlie Chen", "Gino D. Bassett",
        "Mike de Kock"; a country after one too: "Michael Jordan"), or a given name standing
        alone ("Keith recalled"). A nationality or a name after "in"/"at" is never a given
        name ("French", "in Shelby"); a country's or a prominent place's own name is one only
        before another given name or a rare word that names no place ("Paul Francis Floyd",
        "Vladimir Putin"; not "America" alone, "Victoria Falls").
        """
        from wordfreq import zipf_frequency

        if end - start != 1:
            return None
        given = self.given_names
        word = doc[start]
        key = fold(word.text)

        def first_name(tok: Any) -> bool:
            k = fold(tok.text)
            return tok.is_alpha and tok.text[:1].isupper() and k in given \
                and k not in self.index.major and k not in self.adjectives

        # A word after a given name, skipping one initial or name particle.
        j = start - 1
        if j >= 1 and doc[j].text in ("-", "‐") and not doc[j - 1].whitespace_ \
                and doc[j - 1].text[:1].isupper():
            j -= 2  # a double-barrelled surname: "Mario Diaz-Balart"
        if j >= 0 and (_INITIAL.fullmatch(doc[j].text) or doc[j].lower_ in _NAME_PARTICLES):
            j -= 1
        if j >= 0 and first_name(doc[j]) and not word.text.isupper():
            return _surname_key(word.text)  # "Michael Jordan", "Charles Stanley" too
        if key not in given or key in self.adjectives or _after_locative(doc, start):
            return None  # "French"; "in Shelby", "at Trinidad"
        nxt = doc[start + 1] if start + 1 < len(doc) else None
        if nxt is not None and nxt.text == "," and start + 2 < len(doc) \
                and fold(doc[start + 2].text) in self.index.prominent:
            return None  # "Alvin, Texas"
        surname = nxt is not None and nxt.is_alpha and nxt.text[:1].isupper() \
            and nxt.lower_ not in _PLACE_WORDS and not nxt.is_stop
        if key in self.index.major or key in self.index.prominent_own:
            # A place's own name is a given name only before another given name or a rare
            # word that names no place: "Paul Francis Floyd", "Victoria Rowell", "Vladimir
            # Putin"; not "Georgia Tech", "Austin Police", "Victoria Falls", "America".
            nxt_key = fold(nxt.text) if surname else ""
            if surname and (nxt_key in given or (
                    nxt_key not in self.index.keys
                    and zipf_frequency(nxt.lower_, "en") < RARE_WORD_ZIPF)):
                return _surname_key(nxt.text)
            return None
        return _surname_key(nxt.text) if surname else ""

    def __call__(self, doc: Doc) -> Doc:
        spans: dict[tuple[int, int], str] = {}
        persons = [p for p in (_trim(e) for e in doc.ents
                               if e.label_ in ("PER", "PERSON", "ORG", "MISC", "NORP"))
                   if p is not None]
        ner_places = {(e.start, e.end) for e in doc.ents if e.label_ in NER_PLACE_LABELS}
        has_ner = doc.has_annotation("ENT_IOB")
        # Surnames of the document: the last word of a person's name, so that "Walsh" said
        # later is still the mayor, not Walsh, Colorado.
        surnames = {_surname_key(p[-1].text) for p in persons
                    if p.label_ in ("PER", "PERSON") and len(p) >= 2}
        kept = []
        for start, end in find_gazetteer_spans(doc, self.index):
            inside_name = any(p.start <= start and end <= p.end and (p.start, p.end) !=
                              (start, end) for p in persons)
            if inside_name and fold(doc[start:end].text) not in self.index.major:
                continue  # "Nancy Pelosi" is not Nancy; "l'Observatoire syrien" not a place
            if (start, end) not in ner_places:
                if self._common_word(doc[start:end]):
                    continue
                word_end = _without_possessive(doc, start, end)  # "Steele's" -> "Steele"
                if _person_context(doc, start, word_end, self.index, self.adjectives):
                    surnames.add(_surname_key(doc[start].text))
                    continue
                if not has_ner:
                    surname = self._given_name_context(doc, start, word_end)
                    if surname is not None:
                        if surname:
                            surnames.add(surname)
                        continue
            kept.append((start, end))
        for start, end in kept:
            if _without_possessive(doc, start, end) - start == 1 \
                    and (start, end) not in ner_places \
                    and not _after_locative(doc, start) \
                    and _surname_key(doc[start].text) in surnames \
                    and fold(doc[start].text) not in self.index.major:
                continue
            spans[(start, end)] = "gazetteer"
        for span in self._local_spans(doc, spans, persons):
            spans[span] = "gazetteer"
        for ent in doc.ents:
            if ent.label_ not in NER_PLACE_LABELS:
                continue
            ent = _trim(ent)
            if ent is None:
                continue
            overlapping = [k for k in spans if k[0] < ent.end and ent.start < k[1]]
            if not overlapping and not self._common_word(ent):
                spans[(ent.start, ent.end)] = "ner"
            elif (ent.start, ent.end) in spans:
                spans[(ent.start, ent.end)] = "both"
        doc.spans[SPAN_KEY] = [Span(doc, s, e, label=src) for (s, e), src in sorted(spans.items())]
        return doc


_HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "lady", "lord", "gen", "rev",
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


def _person_context(doc: Doc, start: int, end: int, index: SurfaceIndex,
                    adjectives: Container[str]) -> bool:
    """A name that reads as a person's: after a title ("Mr. Wang", "President Macron"),
    after a capitalised first name mid-sentence ("Mark Zuckerberg"), or the subject of a
    speech verb ("Chen said"). Only for single words that are no major place, and not after
    a country adjective ("Iraqi Kurdistan")."""
    if end - start != 1 or fold(doc[start].text) in index.major:
        return False
    prev = doc[start - 1] if start > 0 else None
    if prev is not None and prev.text.rstrip(".").lower() in _HONORIFICS:
        return True
    if prev is not None and prev.is_alpha and prev.text[:1].isupper() \
            and not _starts_sentence(prev) and not prev.is_stop \
            and prev.text.lower() not in _PLACE_WORDS and fold(prev.text) not in adjectives:
        return True
    # the text after the name (not doc.text: building it walks every token of the document)
    after = doc[start].whitespace_ + doc[start + 1:start + 12].text_with_ws
    return bool(_SPEECH_AFTER.match(after[:30]))


_LOCATIVE = {"in", "at", "near", "outside", "across", "around", "throughout", "from"}
_INITIAL = re.compile(r"[A-Z]\.")
_NAME_PARTICLES = {"de", "van", "von", "der", "den", "da", "di", "del", "du", "le", "bin",
                   "ibn", "al", "el", "mac", "ter"}


def _after_locative(doc: Doc, start: int) -> bool:
    """The token before ``start`` is a locative preposition ("in Shelby", "at Heathrow")."""
    return start > 0 and doc[start - 1].lower_ in _LOCATIVE


def _without_possessive(doc: Doc, start: int, end: int) -> int:
    """The end of a span without a trailing possessive "'s" token."""
    if end - start == 2 and doc[end - 1].text.replace("’", "'").lower() == "'s":
        return end - 1
    return end


def _surname_key(word: str) -> str:
    """A name's folded form without a possessive: "Steele's" -> "steele"."""
    return fold(re.sub(r"['’]s$", "", word))


_PLACE_WORDS = {"north", "south", "east", "west", "northern", "southern", "eastern", "western",
                "central", "upper", "lower", "new", "old", "greater", "saint", "st", "san",
                "santa", "lake", "mount", "port", "fort", "cape", "province", "state", "city"}


def _trim(ent: Span) -> Span | None:
    """Drop elided articles and trailing whitespace NER sometimes includes ("d'Irak")."""
    start, end = ent.start, ent.end
    doc = ent.doc
    while start < end and (doc[start].is_punct or doc[start].is_space
                           or doc[start].lower_ in ("d'", "l'", "d’", "l’", "the")):
        start += 1
    while end > start and (doc[end - 1].is_space or doc[end - 1].is_punct
                           or doc[end - 1].lower_ in ("n'", "n’", "qu'", "qu’")):
        end -= 1
    if end <= start or len(fold(doc[start:end].text)) < 3:
        return None
    return doc[start:end]


@Language.factory("conflict_atlas_places", default_config={"index_path": None,
                                                           "min_population": 1000})
def make_place_matcher(nlp: Language, name: str, index_path: str | None,
                       min_population: int) -> PlaceMatcher:
    from geodata.gazetteer import ensure_index

    path = ensure_index(Path(index_path) if index_path else None)
    return PlaceMatcher(path, nlp.lang, min_population)


def mentions_from_doc(doc: Doc) -> list[Mention]:
    ents = {(e.start, e.end): e.label_ for e in doc.ents}  # doc.ents walks every token
    return [Mention(s.start_char, s.end_char, s.text, s.label_, ents.get((s.start, s.end), ""))
            for s in doc.spans.get(SPAN_KEY, [])]


# --------------------------------------------------------------------------- resolving

FOCUS_WEIGHT = 4.0
HOME_WEIGHT = 2.0  # the source's country counts as this many mentions of it
# A known demonym reads as its country, whatever the document's focus ("Canadian" is
# Canada, not Canadian, Texas).
DEMONYM_MARGIN = 10.0
RESOLUTION_ROUNDS = 3  # decide, then decide again knowing what the others decided
# ``doc.user_data`` key of the countries a caller knows the text is about (ISO alpha-2),
# beside those its names and demonyms point to: villages are looked for there too
COUNTRY_HINT = "conflict_atlas.country_hint"
CONTAINMENT_REACH = 80  # characters between a place and the region said to contain it
# "London's Heathrow", "Paris' iconic Champs-Elysees": the second lies in the first.
_POSSESSIVE = re.compile(r"^['’]s?\s+(?:[a-z][\w-]*\s+){0,2}$")
# What may stand between a place and its container: "Qamichli, dans la province d'",
# "Al-Qaim, in Iraq's western ", "Samarra (", "سامراء بمحافظة".
_CONTAINS = re.compile(
    r"^[\s,(]*(?:(?:in|dans|en|within|at|au|aux|of|de|des|du|d['’]|la|le|les|l['’]|the|"
    r"province|provinces|governorate|gouvernorat|r[ée]gion|region|district|county|state|"
    r"north|south|east|west|northern|southern|eastern|western|central|northeast|northwest|"
    r"southeast|southwest|north-east|north-west|south-east|south-west|nord|sud|est|ouest|"
    r"centre|nord-est|nord-ouest|sud-est|sud-ouest|في|ب?محافظة|ب?منطقة|شمال|جنوب|شرق|غرب|"
    r"و|،)\s*[-,]?\s*)*$", re.IGNORECASE)
CUE_BONUS = 3.0
# A name ending with the kind of unit it is ("Karak district"), and what asking for the bare
# name costs against an exact match.
_UNIT_SUFFIX = re.compile(r"\s+(districts?|county|province|governorate|gouvernorat|qadaa?|"
                          r"region|state|oblast)$", re.IGNORECASE)
UNIT_SUFFIX_PENALTY = 0.6
# Support of the other names' readings near or around a reading (extract.coherence): a
# fully supporting name adds COHERENCE_WEIGHT, the sum counts up to COHERENCE_CAP names.
COHERENCE_WEIGHT = 1.5
COHERENCE_CAP = 3.0
# How much a reading below the best of its name still counts as support: exp(-gap / T).
LIKELIHOOD_TEMPERATURE = 1.5
CANDIDATES = 25
# Reading a name by its spelling (ToponymResolver._respell): only capitalised names of this
# many letters or more, only in the document's main countries (up to this many, each with
# at least this share of the country evidence).
RESPELL_MIN_CHARS = 5
RESPELL_FOCUS_COUNTRIES = 3
RESPELL_FOCUS_SHARE = 0.2
# In running text a reading by spelling must be this alike ("Katioucha", the rocket, is
# 0.77 like Katūsh, a name of Kahlawsh in Iraq).
RESPELL_MIN_SIMILARITY = 0.8


def _respellable(name: str, language: str | None) -> bool:
    """A name that may be read by its spelling: capitalised, long enough, Latin or
    Cyrillic (Arabic script is matched exactly), and made of no frequent word of English or
    the text's language ("Air Balloon", "West Wing" are words, not another spelling of a
    place)."""
    from wordfreq import zipf_frequency

    letters = [ch for ch in name if ch.isalpha()]
    if len(letters) < RESPELL_MIN_CHARS or not name[:1].isupper() or _ARABIC.search(name):
        return False
    words = re.findall(r"[^\W\d_]{3,}", name.lower())
    # One word must be rare ("Kurdes" is a word, not a spelling of Kurdis, Syria).
    limit = RARE_WORD_ZIPF if len(words) == 1 else COMMON_WORD_ZIPF
    return not any(max(zipf_frequency(w, "en"), zipf_frequency(w, language or "en"))
                   >= limit for w in words)


def cue_classes(text: str, start: int, previous: Sequence[tuple[int, tuple[str, ...]]] = (),
                end: int | None = None) -> tuple[str, ...]:
    """Feature classes the words around a mention call for ("" when none): before it
    ("la province de X", "l'aéroport de X") or after it ("X province", "X airport").

    ``previous`` holds (end offset, classes) of earlier mentions, so that a list
    ("les provinces de Bagdad et Babil") carries its cue to every member.
    """
    before = text[max(0, start - 60):start]
    for pattern, classes in _CUES:
        if pattern.search(before):
            return classes
    if end is not None:
        for pattern, classes in _POST_CUES:
            if pattern.match(text, end):
                return classes
    if previous:
        end, classes = previous[-1]
        if classes and end <= start and _LIST_GLUE.match(text[end:start]):
            return classes
    return ()


def is_metonym(text: str, mention: Mention, candidates: Sequence[dict[str, Any]]) -> bool:
    """A capital, a country or a seat of government that speaks or acts: "Washington n'a
    pas caché", "The Pentagon said".

    ``candidates`` are the mention's best readings: if any is a country, a capital or one of
    the gazetteer's seats of government (buildings), the name can stand for a government.
    """
    if not any(c.get("feature_class") == "country" or c.get("feature_code") in ("PPLC", "BLDG")
               for c in candidates[:3]):
        return False
    if _METONYM_FOLLOWER.match(text[mention.end:mention.end + 40]):
        return True
    return bool(_METONYM_PRECEDER.search(text[max(0, mention.start - 25):mention.start]))


class ToponymResolver:
    """Resolves the mentions of one document together (see the module docstring)."""

    def __init__(self, geocoder: Any = None, demonyms: Any = None, *,
                 fallback: bool = True) -> None:
        if geocoder is None:
            from geodata import GazetteerGeocoder

            geocoder = GazetteerGeocoder()
        self.geocoder = geocoder
        if demonyms is None:
            from geodata.demonyms import DemonymTable

            demonyms = DemonymTable.load(geocoder)
        self.demonyms = demonyms
        # Unknown names: try the places named inside them, then the document's nearest.
        self.fallback = fallback

    def _respell(self, text: str, mentions: Sequence[Mention],
                 cues: Sequence[tuple[str, ...]],
                 cands: dict[tuple[str, tuple[str, ...]], list[tuple[float, dict[str, Any]]]],
                 language: str | None, home: str) -> None:
        """Names read by their spelling where that is safe: a capitalised name of at least
        RESPELL_MIN_CHARS letters that no place of the document's focus countries has
        exactly (the countries its other names, demonyms and source point to) is also
        looked up in those countries under its transliteration key ("Kourakhove" in a
        Ukraine story), and, when no place anywhere has it exactly, by a close key. These
        readings score below exact ones (see geodata.geocoder) and never come without a
        focus country."""
        focus: Counter[str] = Counter(self.demonyms.countries_in(text))
        if home:
            focus[home] += HOME_WEIGHT
        for options in cands.values():
            country, weight = self._evidence(options)
            if country:
                focus[country] += weight
        total = sum(focus.values())
        countries = {c for c, w in focus.most_common(RESPELL_FOCUS_COUNTRIES)
                     if total and w / total >= RESPELL_FOCUS_SHARE}
        if not countries:
            return
        for mention, cue in zip(mentions, cues, strict=True):
            key = (fold(mention.text), cue)
            name = mention.text
            if not _respellable(name, language) or any(row.get("country_code") in countries
                                             for _s, row in cands[key]):
                continue
            spelling = "translit" if cands[key] else "fuzzy"
            found = self._candidates(name, language, cue, spelling=spelling,
                                     countries=sorted(countries))
            found = [(s, row) for s, row in found if row.get("match") != "exact"
                     and row.get("similarity", 0.0) >= RESPELL_MIN_SIMILARITY]
            if found:
                cands[key] = sorted([*cands[key], *found], key=lambda sr: -sr[0])

    def _candidates(self, name: str, language: str | None, classes: tuple[str, ...],
                    spelling: str = "exact", countries: Sequence[str] | None = None
                    ) -> list[tuple[float, dict[str, Any]]]:
        out: dict[str, tuple[float, dict[str, Any]]] = {}
        unit = _UNIT_SUFFIX.search(name)
        units: tuple[str, ...] = ()
        if unit and unit.start() >= 3:
            units = ("admin2", "admin1") if unit.group(1).lower().startswith(
                ("district", "county", "qada")) else ("admin1", "admin2")
        queries = [(name, None, classes or units, 0.0)]
        if classes:
            queries.append((name, list(classes), classes, 0.0))
        if units:
            # "Karak district", "Anbar province": the unit may go by another kind or none
            # in the gazetteer (Karak governorate), so the bare name is asked for units too.
            queries.append((name[:unit.start()], list(units), units, UNIT_SUFFIX_PENALTY))
        acronym = name.isupper() and len(re.sub(r"\W", "", name)) <= 3
        for query, fclasses, wanted, penalty in queries:
            for score, hit in self.geocoder.candidates(
                    query, language=language, feature_classes=fclasses, spelling=spelling,
                    country_codes=countries)[:CANDIDATES]:
                if acronym and not hit.matched.isupper():
                    continue  # "SA", "OAS" are acronyms, not the village of Siá or Oas
                row = self.geocoder.describe(hit.place)
                row.update(match=hit.match, similarity=hit.similarity)
                bonus = -penalty
                if wanted and row["feature_class"] in wanted:
                    bonus += CUE_BONUS / (1 + wanted.index(row["feature_class"]))
                best = out.get(row["id"])
                if best is None or score + bonus > best[0]:
                    out[row["id"]] = (score + bonus, row)
        country = self.demonyms.country_of(name)
        if country is not None:  # "Canadian", "européennes": the country, not a namesake
            row = self.geocoder.describe(country)
            best = max((sc for sc, _row in out.values()), default=0.0)
            out[row["id"]] = (best + DEMONYM_MARGIN, row)
        return sorted(out.values(), key=lambda sr: -sr[0])

    def _province_named_after(self, city: dict[str, Any], key: str) -> dict[str, Any] | None:
        """"la province d'Idleb": the province of the town named, when the town is its seat
        or shares its name (Idlib, Kirkuk, Al-Hasakah)."""
        unit = self.geocoder.gazetteer.admin1(city.get("admin1_code", ""))
        if unit is None:
            return None
        seat = self.geocoder.gazetteer.nearest(unit.lat, unit.lon, max_km=1e9)
        names = {strip_article(fold(unit.name)), strip_article(key)}
        if strip_article(fold(city["name"])) in names or (seat and seat[0].id == city["id"]) \
                or city.get("population", 0) >= 0.3 * max(unit.population, 1):
            return self.geocoder.describe(unit)
        return None

    @staticmethod
    def _containment(text: str, mentions: Sequence[Mention],
                     keys: Sequence[tuple[str, tuple[str, ...]]],
                     decided: dict[tuple[str, tuple[str, ...]], tuple],
                     ranked: dict[tuple[str, tuple[str, ...]], list[tuple[float, dict]]]
                     ) -> None:
        """"Al-Qaim, in Iraq's western Anbar province", "London, Ontario", "Albany, New
        York": a place followed closely by a region or country is read inside it, the two
        names choosing their readings together (the best-scoring pair where the second
        holds the first, unless it scores far below the separate choices)."""
        for i, mention in enumerate(mentions):
            for j in range(i + 1, len(mentions)):
                nxt = mentions[j]
                between = text[mention.end:nxt.start]
                possessive = bool(_POSSESSIVE.match(between))
                if nxt.start - mention.end > CONTAINMENT_REACH \
                        or not (possessive or _CONTAINS.match(between)):
                    break
                # "London, Ontario": the second holds the first; "London's Heathrow": the
                # first holds the second (a town holds what lies within CITY_HOLD_KM of it).
                inner, outer = (keys[j], keys[i]) if possessive else (keys[i], keys[j])
                if inner == outer or decided[inner][2] is None or decided[outer][2] is None:
                    break
                pair = _containing_pair(ranked[inner], ranked[outer], towns=possessive)
                if pair is None:
                    continue  # maybe the next name holds it: "Hit, Anbar, Iraq"
                score, x, y = pair
                current = ranked[inner][0][0] + ranked[outer][0][0]
                if score >= current - PAIR_SLACK:
                    for key, place in ((inner, x), (outer, y)):
                        best, confidence, old, options = decided[key]
                        if old["id"] != place["id"]:
                            decided[key] = (best, confidence, place,
                                            (place, *[o for o in options if o is not place]))
                break

    @staticmethod
    def _evidence(cands: list[tuple[float, dict[str, Any]]]) -> tuple[str, float]:
        """The country a mention's best reading points to, and how strongly."""
        if not cands or not cands[0][1].get("country_code"):
            return "", 0.0
        top_score, top = cands[0]
        margin = top_score - (cands[1][0] if len(cands) > 1 else 0.0)
        return top["country_code"], 1.0 if margin > 1.5 else 0.5

    def resolve(self, text: str, mentions: Sequence[Mention],
                language: str | None = None, home: str = "") -> list[Resolution]:
        """One :class:`Resolution` per mention, in the same order. ``home``: the country
        the source is from (ISO alpha-2, see :func:`geodata.tld.country_of_url`), counted
        as HOME_WEIGHT country mentions of evidence."""
        cues: list[tuple[str, ...]] = []
        previous: list[tuple[int, tuple[str, ...]]] = []
        for m in mentions:
            c = cue_classes(text, m.start, previous, m.end)
            cues.append(c)
            previous.append((m.end, c))
        cands: dict[tuple[str, tuple[str, ...]], list[tuple[float, dict[str, Any]]]] = {}
        sense_keys: list[tuple[str, tuple[str, ...]]] = []
        partial: set[int] = set()
        for mention, cue in zip(mentions, cues, strict=True):
            key = (fold(mention.text), cue)
            if key not in cands:  # one sense per document for a name in a given cue
                cands[key] = self._candidates(mention.text, language, cue)
        self._respell(text, mentions, cues, cands, language, home)
        for i, (mention, cue) in enumerate(zip(mentions, cues, strict=True)):
            key = (fold(mention.text), cue)
            if not cands[key] and self.fallback:
                part = self._part_name(mention.text, language)
                if part is not None:
                    key = (fold(part), cue)
                    if key not in cands:
                        cands[key] = self._candidates(part, language, cue)
                    partial.add(i)
            sense_keys.append(key)
        counts = Counter(sense_keys)
        nationalities: Counter[str] = Counter(self.demonyms.countries_in(text))
        demonym_focus = nationalities.copy()
        if home:
            demonym_focus[home] += HOME_WEIGHT
        evidence = {key: self._evidence(options) for key, options in cands.items()}
        decided: dict[tuple[str, tuple[str, ...]], tuple[float, float, dict | None, tuple]] = {}
        keys = list(cands)
        coherence = Coherence([[row for _s, row in cands[key]] for key in keys])
        current = {key: [s for s, _row in cands[key]] for key in keys}
        ranked: dict[tuple[str, tuple[str, ...]], list[tuple[float, dict[str, Any]]]] = {}
        for _round in range(RESOLUTION_ROUNDS):
            # Each name is read in the light of every *other* name of the document: the
            # countries they point to, and the readings that lie near or around its own.
            focus = demonym_focus.copy()
            voted = dict(evidence)  # each name's vote in this focus (it is rescored below)
            for key, (country, weight) in voted.items():
                if country:
                    focus[country] += weight * counts[key]
            support = coherence.support([_likelihoods(current[k]) for k in keys])
            for key, near in zip(keys, support, strict=True):
                options = cands[key]
                own_country, own_weight = evidence[key]
                others = focus.copy()
                if own_country:
                    others[own_country] -= own_weight * counts[key]
                others = +others
                total = sum(others.values()) or 1.0
                rescored = []
                # A reading in no country (an ocean, a continent, a world region) is neutral
                # to the focus: as favoured as the best of the name's other readings.
                lift = [FOCUS_WEIGHT * others.get(row.get("country_code") or "", 0.0) / total
                        for _score, row in options]
                neutral = max(lift, default=0.0)
                for (score, row), sp, up in zip(options, near, lift, strict=True):
                    s = score + (up if row.get("country_code") else neutral)
                    s += COHERENCE_WEIGHT * min(sp, COHERENCE_CAP)
                    rescored.append((s, row))
                current[key] = [s for s, _row in rescored]
                rescored.sort(key=lambda sr: -sr[0])
                ranked[key] = rescored
                if rescored and "admin1" in key[1] and rescored[0][1]["feature_class"] == "city":
                    province = self._province_named_after(rescored[0][1], key[0])
                    if province is not None:
                        rescored.insert(0, (rescored[0][0], province))
                if rescored:
                    best = rescored[0][0]
                    margin = best - rescored[1][0] if len(rescored) > 1 else 4.0
                    confidence = 1.0 / (1.0 + math.exp(-(margin - 0.5)))
                    decided[key] = (best, confidence, rescored[0][1],
                                    tuple(r for _s, r in rescored[:5]))
                    country = rescored[0][1].get("country_code", "")
                    evidence[key] = (country, 1.0 if margin > 1.5 else 0.5) if country \
                        else ("", 0.0)
                else:
                    decided[key] = (0.0, 0.0, None, ())
        self._containment(text, mentions, sense_keys, decided, ranked)
        out = []
        for i, (mention, key) in enumerate(zip(mentions, sense_keys, strict=True)):
            score, confidence, place, top = decided[key]
            if place is not None and mention.source == "gazetteer":
                others = focus.copy()  # the evidence of every other name in the document:
                country, weight = voted[key]  # take off the vote this name put in the focus
                others[country] -= weight * counts[key]
                # Nationalities alone make no place a stray: "Russian forces shelled
                # Kherson" is in Ukraine, "Turkish strikes on Afrin" in Syria.
                others.subtract(nationalities)
                if _stray(place, +others):
                    place, confidence = None, 0.0
            out.append(Resolution(mention, place, score, round(confidence, 3), key[1],
                                  is_metonym(text, mention, top), top,
                                  "part" if i in partial and place is not None else ""))
        return self._document_fallback(_drop_isolated(out)) if self.fallback else out

    def _part_name(self, name: str, language: str | None) -> str | None:
        """The most prominent place named inside a name the gazetteer does not know
        ("Colorado State University" -> Colorado, "Bank of Japan" -> Japan): capitalised
        runs of words; a single common word ("Center", "Royal") only when it names a major
        place; a nationality ("Russian Foreign Ministry") when nothing else is named."""
        from wordfreq import zipf_frequency

        words = re.findall(r"[^\W\d_][\w'’.-]*", name)
        best: tuple[float, str] | None = None
        for size in range(len(words) - 1, 0, -1):
            for i in range(len(words) - size + 1):
                run = words[i:i + size]
                part = " ".join(run)
                key = fold(part)
                acronym = part.isupper() and len(key) == 2  # "US Federal Reserve"
                if not run[0][:1].isupper() or fold(run[0]) in _NEVER_FIRST \
                        or (key in _STOP_SINGLE and not acronym) or key in _GENERIC_PARTS:
                    continue
                if len(key) < 3 and not acronym:
                    continue
                if self.demonyms.country_of(part) is not None:
                    score = PART_MIN_SCORE  # a nationality, after any place: "British
                    # Embassy Tokyo" is in Tokyo, the "Russian Foreign Ministry" in Russia
                else:
                    hits = self.geocoder.candidates(part, language=language)
                    score = hits[0][0] if hits else -math.inf
                    common = size == 1 and max(
                        word_zipf(part.lower(), language or "en"),
                        zipf_frequency(part.lower(), "en")) >= COMMON_WORD_ZIPF
                    if common and score < PART_COMMON_MIN_SCORE:
                        continue
                if score >= PART_MIN_SCORE and (best is None or score > best[0]):
                    best = (score, part)
        return None if best is None else best[1]

    @staticmethod
    def _document_fallback(resolutions: list[Resolution]) -> list[Resolution]:
        """A name no gazetteer entry fits (a street, a building, a stadium) is placed at the
        nearest place the text names around it, preferring towns to wider units."""
        placed = [r for r in resolutions if r.place is not None and not r.is_metonym
                  and not r.basis]
        if not placed:
            return resolutions
        local = [r for r in placed if r.place["feature_class"] not in AREA_CLASSES]
        out = []
        for r in resolutions:
            m = r.mention
            if r.place is None:
                near = min(local or placed,
                           key=lambda o: (abs(o.mention.start - m.start), o.mention.start))
            elif r.basis == "part" and r.place["feature_class"] in AREA_CLASSES:
                # "Stade de France", "University of Alberta": a town of that country or
                # province the document names says more than the whole unit.
                field = "country_code" if r.place["feature_class"] != "admin1" \
                    else "admin1_code"
                inside = [o for o in local if r.place.get(field)
                          and o.place.get(field) == r.place.get(field)]
                if not inside:
                    out.append(r)
                    continue
                near = min(inside, key=lambda o: (abs(o.mention.start - m.start),
                                                  o.mention.start))
            else:
                out.append(r)
                continue
            out.append(Resolution(m, near.place, 0.0,
                                  round(FALLBACK_CONFIDENCE * near.confidence, 3),
                                  r.cue_classes, False, (), "document"))
        return out


# A place named inside an unknown name must be prominent (a town of some 100,000 people,
# a province, a country): "Colorado State University" is in Colorado, but "Rogers Centre"
# is not in Rogers, Arkansas.
PART_MIN_SCORE = 5.0
PART_COMMON_MIN_SCORE = 7.0  # a common word names a place inside a name if that is major
# Words that name the kind of thing, never the place, inside a longer name.
_GENERIC_PARTS = frozenset({
    "centre", "center", "central", "western", "eastern", "northern", "southern", "north",
    "south", "east", "west", "royal", "national", "international", "federal", "state",
    "university", "college", "school", "hospital", "church", "cathedral", "street", "avenue",
    "road", "bank", "house", "hall", "park", "square", "court", "station", "airport",
    "stadium", "museum", "institute", "council", "ministry", "embassy", "hotel", "club",
    "market", "tower", "bridge", "island", "valley", "river", "lake", "mountains", "beach",
    "bay", "harbor", "harbour", "port", "city", "county", "district", "province", "region",
    "new", "old", "upper", "lower", "greater", "saint", "st"})
AREA_CLASSES = ("country", "continent", "region", "admin1")  # wider than a town
FALLBACK_CONFIDENCE = 0.3


_HOLDER_FIELD = {"country": "country_code", "admin1": "admin1_code",
                 "admin2": "admin2_code", "region": "country_code"}
PAIR_SLACK = 4.0  # how far below the separate choices a containing pair may score
CITY_HOLD_KM = 50.0  # "London's Heathrow": what a town holds
PAIR_DEPTH = 8  # readings of each name tried for a containing pair


def _holds(y: dict[str, Any], x: dict[str, Any], towns: bool) -> bool:
    """Whether reading ``y`` holds reading ``x``: a country, region or admin unit by its
    code; with ``towns``, also a town whatever lies within CITY_HOLD_KM of it."""
    if y["id"] == x["id"]:
        return False
    field = _HOLDER_FIELD.get(y["feature_class"])
    if field is not None:
        return bool(y.get(field)) and y.get(field) == x.get(field)
    return towns and y["feature_class"] == "city" and x["feature_class"] != "city" \
        and haversine_km(y["lat"], y["lon"], x["lat"], x["lon"]) <= CITY_HOLD_KM


def _containing_pair(inner: Sequence[tuple[float, dict[str, Any]]],
                     outer: Sequence[tuple[float, dict[str, Any]]], *, towns: bool = False
                     ) -> tuple[float, dict[str, Any], dict[str, Any]] | None:
    """The best (score, x, y) with reading y of the outer name holding reading x of the
    inner one (a country holds nothing but its places; nothing holds a country)."""
    best = None
    for sx, x in inner[:PAIR_DEPTH]:
        if x["feature_class"] in ("country", "continent"):
            continue
        for sy, y in outer[:PAIR_DEPTH]:
            if not _holds(y, x, towns):
                continue
            if best is None or sx + sy > best[0]:
                best = (sx + sy, x, y)
    return best


ISOLATED_MAX_POPULATION = 20_000
ISOLATED_KM = 500.0
# A reading chosen instead of an isolated one is uncertain at best.
ISOLATED_CONFIDENCE = 0.5


def _drop_isolated(resolutions: list[Resolution]) -> list[Resolution]:
    """Re-read a small town (under ISOLATED_MAX_POPULATION people) or an airport read far
    (over ISOLATED_KM) from every other local place of a document that places at least two:
    as the name's next reading near half of them ("Heathrow" in a London story is the
    airport, not Heathrow, Florida), else as nothing (in an article about New Orleans,
    "Bourbon" is the street, not Bourbon, Missouri). A town found inside a longer name far
    from every other place is unplaced too (Haifa Street in a Baghdad story). The document
    fallback then places what is unplaced."""
    local = [r for r in resolutions if r.place is not None and not r.basis
             and r.place["feature_class"] not in AREA_CLASSES]
    out = []
    for r in resolutions:
        place = r.place
        small = not r.basis and place is not None and place["feature_class"] in (
            "city", "airport") \
            and place.get("population", 0) < ISOLATED_MAX_POPULATION
        # A town named inside a longer name is as suspect: Haifa Street is in Baghdad.
        inner = r.basis == "part" and place is not None \
            and place["feature_class"] not in AREA_CLASSES
        if small or inner:
            key = fold(r.mention.text)
            others = [o.place for o in local
                      if o.place["id"] != place["id"] and fold(o.mention.text) != key]
            if len(others) >= (2 if small else 1) and _distance_to(place, others) > ISOLATED_KM:
                # The next reading of the name near the document's places, if any ("at
                # Heathrow" in a London story: the airport, not Heathrow, Florida).
                nearer = next((c for c in r.candidates[1:] if small and 2 * sum(
                    haversine_km(c["lat"], c["lon"], o["lat"], o["lon"]) <= ISOLATED_KM
                    for o in others) >= max(len(others), 4)), None)
                r = Resolution(r.mention, nearer, r.score if nearer else 0.0,
                               min(r.confidence, ISOLATED_CONFIDENCE) if nearer else 0.0,
                               r.cue_classes, False, r.candidates)
        out.append(r)
    return out


def _distance_to(place: dict[str, Any], others: Sequence[dict[str, Any]]) -> float:
    """Kilometres from ``place`` to the nearest of ``others``."""
    return min(haversine_km(place["lat"], place["lon"], o["lat"], o["lon"]) for o in others)


def _likelihoods(scores: Sequence[float]) -> list[float]:
    """How likely each reading of a name is next to its best one (1.0 for the best)."""
    if not scores:
        return []
    top = max(scores)
    return [math.exp((s - top) / LIKELIHOOD_TEMPERATURE) for s in scores]


def _stray(place: dict[str, Any], focus: Counter[str]) -> bool:
    """A place outside every country the rest of the document is about, found only by the
    name list: in an article about Syria, "Observatoire" is not Paris 14e, "Aïn" not the
    French département. Big cities (over a million people) are kept."""
    total = sum(focus.values())
    if not total or max(focus.values()) / total < STRAY_FOCUS:
        return False
    if place["feature_class"] in ("country", "continent"):
        return False
    if focus.get(place.get("country_code", ""), 0.0) > 0:
        return False
    if place["feature_class"] != "city":
        return True
    return place.get("population", 0) < STRAY_MAX_POPULATION


STRAY_FOCUS = 0.4  # the document's main country has at least this share of the evidence
STRAY_MAX_POPULATION = 1_000_000


# --------------------------------------------------------------------------- adapters


class _SpanResolver:
    """The harness's ``Resolver`` protocol over :class:`ToponymResolver`."""

    def __init__(self, resolver: ToponymResolver) -> None:
        self.resolver = resolver

    def resolve(self, text: str, spans: Sequence[tuple[int, int, str]], url: str = ""
                ) -> list[tuple[float, float, str] | None]:
        mentions = [Mention(s, e, name, "gold") for s, e, name in spans]
        return [None if r.place is None else (r.place["lat"], r.place["lon"], r.place["id"])
                for r in self.resolver.resolve(text, mentions, home=country_of_url(url))]


class _Finder:
    """The harness's ``ToponymFinder`` protocol: spaCy + gazetteer, then the resolver, both
    for ``language`` (the language of ``nlp``)."""

    def __init__(self, resolver: ToponymResolver, nlp: Language, language: str = "en") -> None:
        self.resolver = resolver
        self.nlp = nlp
        self.language = language

    def find(self, text: str, url: str = ""
             ) -> list[tuple[int, int, str, float | None, float | None]]:
        doc = self.nlp(text)
        mentions = mentions_from_doc(doc)
        # Geoparsing corpora count country adjectives as toponyms ("a Russian official").
        taken = [(m.start, m.end) for m in mentions]
        for start, end, word in self.resolver.demonyms.spans(text):
            if word[:1].isupper() and not any(s < end and start < e for s, e in taken):
                mentions.append(Mention(start, end, word, "demonym"))
        mentions.sort(key=lambda m: m.start)
        out = []
        for r in self.resolver.resolve(text, mentions, language=self.language,
                                       home=country_of_url(url)):
            lat, lon = r.latlon if r.latlon else (None, None)
            out.append((r.mention.start, r.mention.end, r.mention.text, lat, lon))
        return out


def default_resolver() -> _SpanResolver:
    return _SpanResolver(ToponymResolver())


def default_finder(language: str = "en") -> _Finder:
    from extract.nlp import NlpRegistry

    return _Finder(ToponymResolver(), NlpRegistry().get(language), language)
