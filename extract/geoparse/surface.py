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
from geodata.surface import SurfaceFacts, read_surface

logger = logging.getLogger(__name__)

LOCAL_FUZZY_RATIO = 90.0
LOCAL_FUZZY_MIN_KEY = 7


class SurfaceIndex:
    """The folded names worth matching in running text, loaded once from the gazetteer.

    Cities below ``min_population`` count only by their main name; facility names only in
    full; keys shorter than three characters never.
    """

    def __init__(self, keys: set[str] | frozenset[str], major: set[str] | frozenset[str],
                 abbreviations: set[str] | frozenset[str] | None = None,
                 prominent: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset()),
                 country_of: dict[str, str] | None = None,
                 path: str | Path | None = None) -> None:
        self.abbreviations = frozenset(abbreviations or ())  # "Ky.", "B.C.", "U.S.": folded
        self.keys = frozenset(keys) | self.abbreviations
        self.major = frozenset(major)  # names of countries, capitals and cities over a million
        # names of countries, provinces, regions and towns over PROMINENT_POPULATION people,
        # and those that are such a place's own (main) name: "Mary" is a city in
        # Turkmenistan, but "Liz" only another language's name for one
        self.prominent, self.prominent_own = prominent
        self._country_of = country_of or {}
        self._path = path
        # First words of the names of two words or more.
        self.first_tokens = {k.split(" ", 1)[0] for k in keys if " " in k}
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

    @classmethod
    def load(cls, index_path: str | Path, min_population: int = 1000) -> SurfaceIndex:
        """The index's names worth matching (its ``surface`` table, see
        :mod:`geodata.surface`)."""
        conn = sqlite3.connect(f"file:{index_path}?mode=ro&immutable=1", uri=True)
        try:
            facts = read_surface(conn, min_population)
        finally:
            conn.close()
        keys = set(facts.keys) | _natural_keys(facts)
        keys |= {k for k in facts.major if len(k) == 2}  # US, UK, EU: country acronyms
        logger.info("surface index: %d names", len(keys))
        return cls(keys, facts.major, facts.abbreviations,
                   (facts.prominent, facts.prominent_own), facts.country_of, path=index_path)


def _natural_keys(facts: SurfaceFacts) -> set[str]:
    """Names of prominent natural features worth matching in running text: of two words or
    more or a rare word ("Euphrates", "Lake Chad"; not Natural Earth's rivers "Copper" or
    "Snake")."""
    from wordfreq import zipf_frequency

    return {key for key in facts.natural if " " in key or max(
        zipf_frequency(key, "en"), zipf_frequency(key, "fr")) < RARE_WORD_ZIPF}
