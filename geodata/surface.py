"""What running text may name: one row per folded name of the index with the facts the
place matcher asks of it (the ``surface`` table).

Finding places in text starts from the names worth matching, the major ones, the country a
prominent name stands for. Each is a question over all 2.8 million names joined to their
places, about 30 s of random lookups in the index; the build answers them once
(:func:`write_surface`), and :func:`read_surface` reads one table of about a million rows in
about a second. An index built before the table existed gets it computed into a temporary
table when it is opened (slow, but the same answers).
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass

logger = logging.getLogger(__name__)

# A place this populous (or a country or province) is prominent: news names it without a
# locative, and a name that only one country's prominent places bear stands for it.
PROMINENT_POPULATION = 100_000
MAJOR_POPULATION = 1_000_000
# Natural features found in running text by name: those at least this prominent (Natural
# Earth scale rank 7 or better, see geodata.build.natural_prior); minor reefs and peaks only
# through NER or gold spans.
NATURAL_TEXT_PRIOR = 1.8

_COLUMNS = """
    key TEXT PRIMARY KEY,
    text_always INTEGER NOT NULL,
    text_population INTEGER NOT NULL,
    natural INTEGER NOT NULL,
    major INTEGER NOT NULL,
    abbreviation INTEGER NOT NULL,
    prominent INTEGER NOT NULL,
    country TEXT NOT NULL
"""
# - text_always: a name (of three characters or more, not a generic one) matched in running
#   text whatever the place's population: not a city, natural feature or district, or a
#   city's main name from a source other than Who's On First's villages, or a district's
#   main or alternate name, or an overlay place;
# - text_population: the largest population of a place with such a name, else -1 (a city
#   counts by population above the matcher's ``min_population``);
# - natural: the name of a prominent natural feature (text or word frequency decide later);
# - major: a country's, continent's or region's name, a capital's or a city's of a million;
# - abbreviation: "Ky.", "B.C.": a country's or province's dotted short name;
# - prominent: 2 when the main name, 1 when another name, of a prominent place, else 0;
# - country: the one country whose prominent places (countries, provinces, towns over
#   PROMINENT_POPULATION) bear the name, else ''.
_PROMINENT_COUNTRY = (f"n.kind <= 1 AND p.country_code != '' AND (p.population >= "
                      f"{PROMINENT_POPULATION} OR p.feature_class IN ('country', 'admin1'))")
_TEXT = "n.kind <= 2 AND length(n.key) >= 3"
_SELECT = f"""
SELECT n.key,
  MAX(CASE WHEN {_TEXT} AND (p.feature_class NOT IN ('city', 'natural', 'admin2')
      OR (n.kind = 0 AND p.feature_class = 'city' AND p.source != 'wof')
      OR (p.feature_class = 'admin2' AND n.kind <= 1) OR p.source = 'overlay')
      THEN 1 ELSE 0 END) AS text_always,
  COALESCE(MAX(CASE WHEN {_TEXT} THEN p.population END), -1) AS text_population,
  MAX(CASE WHEN {_TEXT} AND p.feature_class = 'natural'
      AND (p.prior >= {NATURAL_TEXT_PRIOR} OR p.source = 'overlay') THEN 1 ELSE 0 END)
      AS natural,
  MAX(CASE WHEN (n.kind <= 1 AND p.feature_class IN ('country', 'continent', 'region'))
      OR (n.kind = 0 AND (p.feature_code = 'PPLC' OR p.population >= {MAJOR_POPULATION}))
      THEN 1 ELSE 0 END) AS major,
  MAX(CASE WHEN n.kind <= 1 AND n.name LIKE '%.' AND length(n.name) <= 6
      AND p.feature_class IN ('country', 'admin1') THEN 1 ELSE 0 END) AS abbreviation,
  MAX(CASE WHEN n.kind <= 1 AND (p.population >= {PROMINENT_POPULATION}
      OR p.feature_class IN ('country', 'continent', 'region', 'admin1'))
      THEN (CASE WHEN n.kind = 0 THEN 2 ELSE 1 END) ELSE 0 END) AS prominent,
  CASE WHEN COUNT(DISTINCT CASE WHEN {_PROMINENT_COUNTRY} THEN p.country_code END) = 1
      THEN MAX(CASE WHEN {_PROMINENT_COUNTRY} THEN p.country_code END) ELSE '' END
      AS country
FROM names n JOIN places p ON p.rid = n.rid
GROUP BY n.key
HAVING text_always OR text_population >= 1 OR natural OR major OR abbreviation
    OR prominent OR country != ''
"""


@dataclass(frozen=True)
class SurfaceFacts:
    """The answers of the ``surface`` table for one ``min_population`` (folded keys)."""

    keys: frozenset[str]  # worth matching in running text (before natural features)
    natural: frozenset[str]  # prominent natural features' names
    major: frozenset[str]
    abbreviations: frozenset[str]
    prominent: frozenset[str]
    prominent_own: frozenset[str]
    country_of: dict[str, str]


def write_surface(conn: sqlite3.Connection) -> int:
    """Create and fill the ``surface`` table of an index being built; its row count."""
    conn.execute(f"CREATE TABLE surface ({_COLUMNS}) WITHOUT ROWID")
    conn.execute(f"INSERT INTO surface {_SELECT}")
    return int(conn.execute("SELECT count(*) FROM surface").fetchone()[0])


def read_surface(conn: sqlite3.Connection, min_population: int = 1000) -> SurfaceFacts:
    """The surface facts of the index open on ``conn`` (read-only is enough). Cities count
    by population from ``min_population`` (at least 1: villages without one never do)."""
    if min_population < 1:
        raise ValueError(f"min_population must be at least 1, not {min_population}")
    table = "surface"
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                        "name = 'surface'").fetchone():
        table = "temp.surface_facts"
        if not conn.execute("SELECT 1 FROM sqlite_temp_master WHERE type = 'table' AND "
                            "name = 'surface_facts'").fetchone():
            logger.warning("the gazetteer index has no surface table (built by an older "
                           "version): computing it, about half a minute; `conflict-atlas "
                           "geodata build --force` rebuilds the index with it")
            conn.execute(f"CREATE TEMP TABLE surface_facts ({_COLUMNS}) WITHOUT ROWID")
            conn.execute(f"INSERT INTO surface_facts {_SELECT}")
    keys, natural, major, abbreviations, prominent, own = (set() for _ in range(6))
    country_of: dict[str, str] = {}
    for key, always, population, nat, maj, abbr, prom, country in conn.execute(
            f"SELECT key, text_always, text_population, natural, major, abbreviation, "
            f"prominent, country FROM {table}"):
        if always or population >= min_population:
            keys.add(key)
        if nat:
            natural.add(key)
        if maj:
            major.add(key)
        if abbr:
            abbreviations.add(key)
        if prom:
            prominent.add(key)
            if prom == 2:
                own.add(key)
        if country:
            country_of[key] = country
    return SurfaceFacts(frozenset(keys), frozenset(natural), frozenset(major),
                        frozenset(abbreviations), frozenset(prominent), frozenset(own),
                        country_of)
