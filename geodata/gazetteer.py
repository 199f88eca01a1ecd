"""Read access to the built gazetteer index (see :mod:`geodata.build`).

The index is a read-only SQLite file: opening it costs milliseconds and a few MB, lookups go
through the ``names`` table's primary key (folded name, place).
"""

from __future__ import annotations

import logging
import math
import os
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from conflict_atlas_core.errors import ConflictAtlasError
from geodata.distance import haversine_km
from geodata.paths import INDEX_VERSION, default_index_path

logger = logging.getLogger(__name__)

FEATURE_CLASSES = ("continent", "country", "region", "admin1", "admin2", "city", "airport",
                   "military_base", "landmark", "natural")


class GazetteerMissing(ConflictAtlasError, FileNotFoundError):
    """The index has not been built (run ``conflict-atlas geodata build``)."""


@dataclass(frozen=True, slots=True)
class PlaceRow:
    rid: int
    id: str
    name: str
    feature_class: str
    feature_code: str
    country_code: str
    admin1_code: str
    admin2_code: str
    population: int
    lat: float
    lon: float
    source: str
    prior: float = 0.0  # prominence prior of places without a population (natural features)
    point_source: str = ""  # where the point comes from: "geonames", "wof:ID", ...


@dataclass(frozen=True, slots=True)
class NameHit:
    place: PlaceRow
    kind: int  # geodata.build.MAIN / ALT / VARIANT / GENERIC
    lang: str
    matched: str  # the spelling that matched
    # How: "exact" (the folded name), "translit" (the transliteration key,
    # geodata.names.translit_key) or "fuzzy" (a close transliteration key); ``similarity``
    # (0..1) of the query's and the matched spelling's folded forms.
    match: str = "exact"
    similarity: float = 1.0


_COLUMNS = ("rid", "id", "name", "feature_class", "feature_code", "country_code",
            "admin1_code", "admin2_code", "population", "lat", "lon", "source", "prior",
            "point_source")
_PLACE_COLS = ", ".join(_COLUMNS)
_P_COLS = ", ".join(f"p.{c}" for c in _COLUMNS)


def ensure_index(path: Path | None = None, *, build_if_missing: bool = True) -> Path:
    """The index path, building the index first when it is missing and allowed to."""
    path = Path(path) if path is not None else default_index_path()
    if path.exists():
        return path
    if not build_if_missing:
        raise GazetteerMissing(
            f"no gazetteer index at {path}: run `conflict-atlas geodata build` first")
    missing = missing_sources()
    if missing:
        raise GazetteerMissing(
            f"no gazetteer index at {path}, and building it needs {', '.join(missing)}: "
            "pip install 'conflict-atlas[build]', then run `conflict-atlas geodata build`")
    from geodata.build import build_index

    logger.warning("gazetteer index missing at %s: building it now (about 30 s)", path)
    build_index(path)
    return path


def missing_sources() -> list[str]:
    """The gazetteer's source packages that are not installed (the ``build`` extra)."""
    from importlib.util import find_spec

    from geodata.paths import SOURCE_PACKAGES

    return [p for p in SOURCE_PACKAGES if find_spec(p) is None]


class Gazetteer:
    """The place and name tables of a built index."""

    def __init__(self, path: str | Path | None = None, *, build_if_missing: bool = True) -> None:
        self.path = ensure_index(Path(path) if path else None, build_if_missing=build_if_missing)
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._conn = self._connect()
        version = self._scalar("SELECT v FROM meta WHERE k = 'index_version'")
        if version != INDEX_VERSION:
            raise GazetteerMissing(
                f"gazetteer index {self.path} has version {version}, expected {INDEX_VERSION}: "
                "rebuild it with `conflict-atlas geodata build --force`")
        self._countries: dict[str, PlaceRow] = {}
        self._admin1: dict[str, PlaceRow] = {}
        self._admin2_names: dict[str, str] = dict(self._query(
            "SELECT admin2_code, name FROM places WHERE feature_class = 'admin2'"
            " AND admin2_code != ''"))
        for row in self._query(f"SELECT {_PLACE_COLS} FROM places "
                               "WHERE feature_class IN ('country', 'admin1')"):
            place = PlaceRow(*row)
            if place.feature_class == "country":
                self._countries[place.country_code] = place
            else:
                self._admin1.setdefault(place.admin1_code, place)

    def _connect(self) -> sqlite3.Connection:
        uri = f"file:{self.path}?mode=ro&immutable=1"
        return sqlite3.connect(uri, uri=True, check_same_thread=False)

    def close(self) -> None:
        self._conn.close()

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        with self._lock:
            if os.getpid() != self._pid:  # a forked worker: SQLite handles do not cross fork
                self._pid = os.getpid()
                self._conn = self._connect()
            return self._conn.execute(sql, params).fetchall()

    def _scalar(self, sql: str, params: Sequence[object] = ()) -> object:
        rows = self._query(sql, params)
        return rows[0][0] if rows else None

    # ---------------------------------------------------------------- lookups

    def hits(self, key: str) -> list[NameHit]:
        """Every place with a name that folds to ``key``."""
        rows = self._query(
            f"SELECT n.kind, n.lang, n.name, {_P_COLS} "
            "FROM names n JOIN places p ON p.rid = n.rid WHERE n.key = ?", (key,))
        return [NameHit(PlaceRow(*row[3:]), row[0], row[1], row[2]) for row in rows]

    def translit_hits(self, tkey: str, countries: Sequence[str] | None = None
                      ) -> list[tuple[PlaceRow, int, str]]:
        """Every place (of ``countries``, when given) with a name whose transliteration key
        is ``tkey``: (place, name kind, the name)."""
        where = ""
        if countries is not None:
            where = f" AND p.country_code IN ({','.join('?' * len(countries))})"
        rows = self._query(
            f"SELECT t.kind, t.name, {_P_COLS} "
            f"FROM tnames t JOIN places p ON p.rid = t.rid WHERE t.tkey = ?{where}",
            (tkey, *(countries or ())))
        return [(PlaceRow(*row[2:]), row[0], row[1]) for row in rows]

    def translit_keys(self, country_code: str | None = None) -> list[str]:
        """The distinct transliteration keys of the index, or of one country's places (the
        choices of a fuzzy match)."""
        if country_code is None:
            rows = self._query("SELECT DISTINCT tkey FROM tnames")
        else:
            rows = self._query("SELECT tkey FROM ckeys WHERE country_code = ?",
                               (country_code,))
        return [r[0] for r in rows]

    def get(self, place_id: str) -> PlaceRow | None:
        rows = self._query(f"SELECT {_PLACE_COLS} FROM places WHERE id = ?", (place_id,))
        return PlaceRow(*rows[0]) if rows else None

    def country(self, country_code: str) -> PlaceRow | None:
        return self._countries.get(country_code.upper())

    def countries(self) -> list[PlaceRow]:
        return list(self._countries.values())

    def admin1(self, admin1_code: str) -> PlaceRow | None:
        return self._admin1.get(admin1_code)

    def admin2_name(self, admin2_code: str) -> str:
        """The name of the district with that code; "" for none (a place of no district:
        the districts with no code must not lend one of theirs to it)."""
        return self._admin2_names.get(admin2_code, "") if admin2_code else ""

    def nearest(self, lat: float, lon: float, *, feature_classes: Sequence[str] = ("city",),
                max_km: float = 100.0) -> tuple[PlaceRow, float] | None:
        """The closest place of the given classes within ``max_km``, with its distance."""
        radius = min(10.0, max_km)
        while True:
            found = self.within(lat, lon, radius, feature_classes)
            if found or radius >= max_km:
                return found[0] if found else None
            radius = min(radius * 3.5, max_km)

    def within(self, lat: float, lon: float, km: float,
               feature_classes: Sequence[str]) -> list[tuple[PlaceRow, float]]:
        """Places of the given classes within ``km`` of a point, closest first."""
        dlat = km / 111.0
        dlon = dlat / max(math.cos(math.radians(lat)), 0.05)
        marks = ",".join("?" * len(feature_classes))
        rows = self._query(
            # CROSS JOIN keeps SQLite from scanning the class index before the R*Tree.
            f"SELECT {_P_COLS} FROM places_rtree r CROSS JOIN places p ON p.rid = r.rid "
            "WHERE r.min_lat >= ? AND r.max_lat <= ? AND r.min_lon >= ? AND r.max_lon <= ? "
            f"AND p.feature_class IN ({marks})",
            (lat - dlat, lat + dlat, lon - dlon, lon + dlon, *feature_classes))
        found = [(p, haversine_km(lat, lon, p.lat, p.lon)) for p in (PlaceRow(*r) for r in rows)]
        return sorted((pk for pk in found if pk[1] <= km), key=lambda pk: pk[1])
