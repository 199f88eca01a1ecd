"""The ``surface`` table: the names the place matcher matches in running text, answered once
when the index is built, and the same answers from an index built without it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from geodata.build import _SCHEMA
from geodata.surface import read_surface, write_surface

# rid, name, feature_class, feature_code, country, population, source, prior
PLACES = [
    (1, "Syria", "country", "PCLI", "SY", 20_000_000, "geonames", 3.0),
    (2, "Aleppo", "city", "PPLA", "SY", 2_000_000, "geonames", 2.0),
    (3, "Tripoli", "city", "PPLC", "LY", 1_100_000, "geonames", 2.0),
    (4, "Tripoli", "city", "PPLA", "LB", 230_000, "geonames", 1.0),
    (5, "Hatla", "city", "PPL", "SY", 0, "wof", 0.0),  # a village: no population
    (6, "Kafr Nabl", "city", "PPL", "SY", 500, "geonames", 0.0),
    (7, "Euphrates", "natural", "STM", "", 0, "natural_earth", 2.5),
    (8, "Snake", "natural", "STM", "", 0, "natural_earth", 1.0),
    (9, "Kentucky", "admin1", "ADM1", "US", 4_500_000, "geonames", 2.0),
    (10, "Idlib", "admin1", "ADM1", "SY", 400_000, "geonames", 2.0),
]
# key, rid, kind (0 main, 1 alternate, 2 variant, 3 generic), lang, name
NAMES = [
    ("syria", 1, 0, "en", "Syria"), ("syrie", 1, 1, "fr", "Syrie"),
    ("aleppo", 2, 0, "en", "Aleppo"), ("alep", 2, 1, "fr", "Alep"),
    ("tripoli", 3, 0, "en", "Tripoli"), ("tripoli", 4, 0, "en", "Tripoli"),
    ("hatla", 5, 0, "en", "Hatla"), ("kafr nabl", 6, 0, "en", "Kafr Nabl"),
    ("kafranbel", 6, 1, "en", "Kafranbel"), ("euphrates", 7, 0, "en", "Euphrates"),
    ("snake", 8, 0, "en", "Snake"), ("kentucky", 9, 0, "en", "Kentucky"),
    ("ky.", 9, 1, "en", "Ky."), ("idlib", 10, 0, "en", "Idlib"),
    ("sy", 1, 3, "en", "SY"),
]


def _index(path: Path, *, with_surface: bool) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.executescript(_SCHEMA)
    conn.executemany("INSERT INTO places VALUES (?,?,?,?,?,?,'','',?,0,0,?,?,'')",
                     [(rid, f"t:{rid}", name, fc, code, cc, pop, src, prior)
                      for rid, name, fc, code, cc, pop, src, prior in PLACES])
    conn.executemany("INSERT INTO names VALUES (?,?,?,?,?)", NAMES)
    if with_surface:
        write_surface(conn)
    conn.commit()
    conn.close()
    return sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)


def test_the_surface_answers(tmp_path: Path) -> None:
    facts = read_surface(_index(tmp_path / "g.sqlite", with_surface=True), min_population=1000)
    assert {"syria", "syrie", "aleppo", "alep", "tripoli", "kentucky", "idlib"} <= facts.keys
    assert "hatla" not in facts.keys  # a village only after a locative, in its country
    assert "kafr nabl" in facts.keys  # a town's main name whatever its population
    assert "kafranbel" not in facts.keys  # but another name only from min_population
    assert "sy" not in facts.keys  # generic names and short keys never
    assert facts.natural == {"euphrates"}  # prominent features only
    assert facts.major >= {"syria", "syrie", "aleppo", "tripoli", "kentucky"} and \
        "idlib" not in facts.major
    assert facts.abbreviations == {"ky."}
    assert facts.country_of["alep"] == "SY" and facts.country_of["idlib"] == "SY"
    assert "tripoli" not in facts.country_of  # Libya's and Lebanon's
    assert "alep" in facts.prominent and "alep" not in facts.prominent_own
    assert "aleppo" in facts.prominent_own and "hatla" not in facts.prominent
    lower = read_surface(_index(tmp_path / "h.sqlite", with_surface=True), min_population=100)
    assert "kafranbel" in lower.keys


def test_an_index_without_the_table_gives_the_same_answers(tmp_path: Path) -> None:
    built = read_surface(_index(tmp_path / "a.sqlite", with_surface=True))
    conn = _index(tmp_path / "b.sqlite", with_surface=False)
    assert read_surface(conn) == built
    assert read_surface(conn) == built  # computed once per connection


def test_min_population_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        read_surface(_index(tmp_path / "g.sqlite", with_surface=True), min_population=0)
