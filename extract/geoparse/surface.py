"""The surface index: the folded gazetteer names worth matching in running text, and the
lookups the matcher makes in the index (the country a prominent name stands for, villages
and transliteration keys of a country)."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from extract.geoparse.words import RARE_WORD_ZIPF
from geodata.names import MIN_TRANSLIT_KEY, fold, translit_key

logger = logging.getLogger(__name__)

PROMINENT_POPULATION = 100_000
# Natural features found in running text by name: those at least this prominent (Natural
# Earth scale rank 7 or better, see geodata.build.natural_prior); minor reefs and peaks only
# through NER or gold spans.
NATURAL_TEXT_PRIOR = 1.8
LOCAL_FUZZY_RATIO = 90.0
LOCAL_FUZZY_MIN_KEY = 7


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
