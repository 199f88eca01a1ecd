"""A geopy-compatible geocoder over the offline gazetteer.

``GazetteerGeocoder().geocode("Bagdad")`` returns a :class:`geopy.location.Location` whose
``.raw`` is the gazetteer row plus the ranking score; ``exactly_one=False`` returns the
ranked candidates; no match returns ``None`` (never a guess at 0,0).

Ranking (:func:`score_hit`) is a sum of log-scale priors, each documented below: population,
feature class (a country beats a town of the same name; a city beats the admin unit named
after it), how the name matched, the language of the matched name, and distance to ``near``.
``country_codes`` and ``feature_classes`` filter.

Spelling (``spelling=``): a name is looked up as written (folded, :func:`geodata.names.fold`);
when no place has it, under its transliteration key (:func:`geodata.names.translit_key`:
"Kourakhove" finds Kurakhove, "Tchassiv Iar" Chasiv Yar; the default); with
``spelling="fuzzy"``, when no place has that either, by a close key (rapidfuzz's normalised
Indel ratio over the index's keys, or one country's keys with ``country_codes``). A reading by key loses TRANSLIT_PENALTY, a fuzzy one
FUZZY_PENALTY more, and both lose SIMILARITY_WEIGHT per unit of dissimilarity of the two
spellings; since they are only asked when the exact name finds nothing, a fuzzy reading
never beats an exact one. ``.raw["match"]`` says which ("exact", "translit", "fuzzy") and
``.raw["similarity"]`` how close the spellings are.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from geopy.exc import GeocoderQueryError
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from conflict_atlas_core.errors import ConflictAtlasError
from geodata.build import ALT, GENERIC, MAIN, VARIANT
from geodata.distance import haversine_km
from geodata.gazetteer import FEATURE_CLASSES, Gazetteer, NameHit, PlaceRow
from geodata.names import fold, query_keys, query_readings, romanised, spelled, strip_article


class GeocoderInputError(ConflictAtlasError, GeocoderQueryError, ValueError):
    """A query the geocoder refuses (malformed coordinates, an unknown country code,
    spelling or feature class): geopy's ``GeocoderQueryError``, as a geopy geocoder raises
    for a bad query, and a ``ValueError``, as it always was."""


# Prior of each feature class, added to log10(population + 1).
CLASS_PRIOR = {
    "continent": 3.0, "country": 3.0, "region": 1.0, "admin1": 1.0, "admin2": 0.3, "city": 0.0,
    "landmark": 0.5, "natural": 0.0, "airport": -0.5, "military_base": -0.5,
}
CAPITAL_BONUS = 2.0
# Features without a population that news names for their prominence: oceans and seas, and
# the curated seats of government and landmarks of the overlay.
FEATURE_CODE_PRIOR = {"OCN": 7.0, "SEA": 6.0, "GULF": 5.5, "BLDG": 4.5, "SQR": 3.0}
KIND_PENALTY = {MAIN: 0.0, ALT: 0.25, VARIANT: 0.6, GENERIC: 1.5}
LANGUAGE_BONUS = 0.3
# Distance to ``near``: -NEAR_WEIGHT * log10(1 + km / NEAR_SCALE_KM).
NEAR_WEIGHT = 2.5
NEAR_SCALE_KM = 50.0
# An admin unit named like a city inside it ranks just below that city.
SHADOW_MARGIN = 0.5
# ... when the city holds a real share of the unit's people: Minneota (1,400 people, which
# some list as "Minnesota") does not shadow the state.
SHADOW_MIN_SHARE = 0.05
# A place that has a name only as an alternate loses this much when the name is another
# place's own (main) name: "Venice" is Venezia before a nickname of Venice, Florida, and
# Harare's colonial name "Salisbury" drops closer to the English town (Harare's population
# and capital bonus still keep it ahead without context). Countries, regions and seas keep
# their other names ("Allemagne", "EU", "the Gulf"), and a town its short name ("Newcastle"
# for Newcastle upon Tyne).
RIVAL_MAIN_PENALTY = 1.5
WIDE_CLASSES = ("country", "continent", "region")

FACILITY_CLASSES = {"airport", "military_base"}
FACILITY_RADIUS_KM = 40.0
FACILITY_DISTANCE_WEIGHT = 1.5  # an airport 10 km out of town loses 0.45

_ISO3_CACHE_SIZE = 512

SPELLINGS = ("exact", "translit", "fuzzy")
TRANSLIT_PENALTY = 1.0
FUZZY_PENALTY = 1.0
# A reading whose spelling is 90% like the query's loses 2.4: among readings by key, the
# closer spelling outweighs a town a hundred times the size (bench/bench_translit.py, dev).
SIMILARITY_WEIGHT = 24.0
# A fuzzy match: keys of at least FUZZY_MIN_KEY characters, FUZZY_MIN_RATIO (0-100) alike,
# the FUZZY_LIMIT closest keys.
FUZZY_MIN_KEY = 6
FUZZY_MIN_RATIO = 85.0
FUZZY_LIMIT = 5
# A reading by key whose spelling is less alike than this is a collision of the lossy key
# ("Cauvery" and "Kovur"), not another romanisation: dropped.
MIN_SIMILARITY = 0.7
# Keys this short are looked up only within countries.
MIN_GLOBAL_KEY = 4


@dataclass(frozen=True, slots=True)
class Hints:
    language: str | None = None
    near: tuple[float, float] | None = None


def score_hit(hit: NameHit, hints: Hints) -> float:
    """The ranking score of one name hit (higher is better)."""
    place = hit.place
    score = math.log10(max(place.population, 0) + 1) + place.prior
    score += CLASS_PRIOR.get(place.feature_class, 0.0)
    if place.feature_code == "PPLC":
        score += CAPITAL_BONUS
    score += FEATURE_CODE_PRIOR.get(place.feature_code, 0.0)
    score -= KIND_PENALTY.get(hit.kind, 1.0)
    if hints.language and hit.lang == hints.language:
        score += LANGUAGE_BONUS
    if hints.near is not None:
        km = haversine_km(hints.near[0], hints.near[1], place.lat, place.lon)
        score -= NEAR_WEIGHT * math.log10(1.0 + km / NEAR_SCALE_KM)
    if hit.match != "exact":
        score -= TRANSLIT_PENALTY + SIMILARITY_WEIGHT * (1.0 - hit.similarity)
        if hit.match == "fuzzy":
            score -= FUZZY_PENALTY
    return score


def spelling_similarity(query: str, name: str) -> float:
    """How alike a queried spelling is to a place's name (0..1, rapidfuzz's normalised
    Indel ratio): folded and in Latin letters, or, better, with the consonant spellings of
    the query's readings met ("Kiwerzi" read in German is "kivertsi", as Kivertsi is)."""
    from rapidfuzz import fuzz

    best = fuzz.ratio(_romanised(query), _romanised(name))
    target = _spelled(name, "default")
    for reading in query_readings(query):
        best = max(best, fuzz.ratio(_spelled(query, reading), target))
    return best / 100.0


# The same names are compared again and again (a place's spellings, a document's names).
_romanised = lru_cache(maxsize=65536)(romanised)
_spelled = lru_cache(maxsize=65536)(spelled)


class FuzzyKeys:
    """The transliteration keys of the index, loaded on first use (all of them, or one
    country's), for a fuzzy match of a query's key. rapidfuzz scans a list of keys in C++
    with an early length cut-off: a country's keys in about a millisecond, the whole
    index's in about 0.1 s (bench/RESULTS.md), without an extra index on disk."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._keys: dict[str | None, list[str]] = {}

    def keys(self, country_code: str | None = None) -> list[str]:
        if country_code not in self._keys:
            self._keys[country_code] = self.gazetteer.translit_keys(country_code)
        return self._keys[country_code]

    def closest(self, key: str, countries: Iterable[str] | None = None) -> list[str]:
        """The keys closest to ``key`` (at least FUZZY_MIN_RATIO alike), best first."""
        from rapidfuzz import fuzz, process

        if len(key) < FUZZY_MIN_KEY:
            return []
        found: dict[str, float] = {}
        for cc in (sorted(countries) if countries is not None else [None]):
            for choice, score, _i in process.extract(
                    key, self.keys(cc), scorer=fuzz.ratio, score_cutoff=FUZZY_MIN_RATIO,
                    limit=FUZZY_LIMIT):
                if choice != key:
                    found[choice] = max(score, found.get(choice, 0.0))
        return sorted(found, key=lambda k: -found[k])[:FUZZY_LIMIT]


def _shadow_admin_units(scored: dict[int, tuple[float, NameHit]]) -> None:
    """Rank an admin unit just below a same-named town inside it ("Baghdad", "Idlib"), or a
    site whose own name it is ("Babylon": the ancient city, not Babylon governorate)."""
    cities = [(s, h.place) for s, h in scored.values()
              if (h.place.feature_class == "city" and h.place.population > 0)
              or (h.place.feature_class == "landmark" and h.kind == MAIN)]
    if not cities:
        return
    for rid, (score, hit) in list(scored.items()):
        unit = hit.place
        if unit.feature_class == "country" and hit.kind != MAIN:
            # "Tunis" is Tunisia in some languages, but first the capital so named.
            capitals = [s for s, h in scored.values() if h.place.feature_code == "PPLC"
                        and h.kind == MAIN and h.place.country_code == unit.country_code]
            if capitals:
                scored[rid] = (min(score, max(capitals) - SHADOW_MARGIN), hit)
            continue
        if unit.feature_class not in ("admin1", "admin2"):
            continue
        field = "admin1_code" if unit.feature_class == "admin1" else "admin2_code"
        inside = [s for s, city in cities if getattr(city, field) == getattr(unit, field)
                  and (city.feature_class == "landmark"
                       or city.population >= SHADOW_MIN_SHARE * unit.population)]
        if inside:
            scored[rid] = (min(score, max(inside) - SHADOW_MARGIN), hit)


def _prefer_main_names(scored: dict[int, tuple[float, NameHit]]) -> None:
    """Lower the alternate-name hits when another place has the name as its main one (an
    admin unit holding the place does not count: "New York" is the city before the state).
    """
    rivals = [h.place for _s, h in scored.values() if h.kind == MAIN]
    if not rivals:
        return
    for rid, (score, hit) in list(scored.items()):
        place = hit.place
        if hit.kind not in (ALT, VARIANT) or place.feature_class in WIDE_CLASSES \
                or place.feature_code in FEATURE_CODE_PRIOR:
            continue  # "EU", "Atlantic", "the Gulf": wide places go by their short names
        if place.feature_class == "city" \
                and fold(place.name).startswith(fold(hit.matched) + " "):
            continue  # a town's short name: "Newcastle" (upon Tyne)
        if any(not _holds(rival, place) for rival in rivals):
            scored[rid] = (score - RIVAL_MAIN_PENALTY, hit)


def _holds(unit: PlaceRow, place: PlaceRow) -> bool:
    """Whether admin unit ``unit`` contains ``place`` (by GeoNames admin codes)."""
    if unit.feature_class == "admin1":
        return bool(unit.admin1_code) and unit.admin1_code == place.admin1_code
    if unit.feature_class == "admin2":
        return bool(unit.admin2_code) and unit.admin2_code == place.admin2_code
    return False


def _normalise_country_codes(codes: str | Iterable[str] | None,
                             gazetteer: Gazetteer) -> set[str] | None:
    if codes is None:
        return None
    if isinstance(codes, str):
        codes = [codes]
    out = set()
    for code in codes:
        code = code.strip().upper()
        if len(code) == 3:
            match = next((c.country_code for c in gazetteer.countries()
                          if _iso3(c.country_code) == code), None)
            if match is None:
                raise GeocoderInputError(f"unknown ISO 3166-1 alpha-3 country code {code!r}")
            code = match
        elif len(code) != 2:
            raise GeocoderInputError(f"country codes are ISO 3166-1 alpha-2 or alpha-3, got {code!r}")
        out.add(code)
    return out


@lru_cache(maxsize=_ISO3_CACHE_SIZE)
def _iso3(alpha2: str) -> str:
    import pycountry

    country = pycountry.countries.get(alpha_2=alpha2)
    return country.alpha_3 if country is not None else ""


class GazetteerGeocoder(Geocoder):
    """Offline geocoder over the gazetteer index; follows geopy's ``Geocoder`` contract.

    :param path: the index file (default: the user cache, see :mod:`geodata.paths`).
    :param build_if_missing: build the index on first use when it does not exist.
    :param boundaries: a :class:`geodata.boundaries.Boundaries` for ``reverse``; loaded
        lazily from the committed files when omitted.
    """

    def __init__(self, path: str | Path | None = None, *, build_if_missing: bool = True,
                 boundaries: Any = None, cache_size: int = 65536,
                 online_fallback: Any = None) -> None:
        super().__init__()
        self.gazetteer = Gazetteer(path, build_if_missing=build_if_missing)
        self._boundaries = boundaries
        # Asked only when the gazetteer knows no place of that name; None by default.
        # E.g. geodata.online.CachedOnlineGeocoder.nominatim(user_agent=...).
        self.online_fallback = online_fallback
        self._hits = lru_cache(maxsize=cache_size)(self._hits_uncached)
        self._translit = lru_cache(maxsize=cache_size)(self._translit_uncached)
        self._fuzzy = lru_cache(maxsize=cache_size)(self._fuzzy_uncached)
        self.fuzzy_keys = FuzzyKeys(self.gazetteer)

    # ------------------------------------------------------------------ geocode

    def _hits_uncached(self, key: str) -> tuple[NameHit, ...]:
        hits = {h.place.rid: h for h in self.gazetteer.hits(key)}
        bare = strip_article(key)
        if bare != key:
            for h in self.gazetteer.hits(bare):
                if h.place.rid not in hits:
                    hits[h.place.rid] = NameHit(h.place, max(h.kind, VARIANT), h.lang, h.matched)
        return tuple(hits.values())

    def _key_hits(self, query: str, keys: Iterable[str], match: str,
                  countries: frozenset[str] | None) -> tuple[NameHit, ...]:
        hits: dict[int, NameHit] = {}
        for tkey in keys:
            if len(tkey) < MIN_GLOBAL_KEY and countries is None:
                continue  # a short key names thousands of places worldwide
            for place, kind, name in self.gazetteer.translit_hits(
                    tkey, sorted(countries) if countries is not None else None):
                similarity = spelling_similarity(query, name)
                if similarity < MIN_SIMILARITY:
                    continue
                old = hits.get(place.rid)
                if old is None or similarity > old.similarity:
                    hits[place.rid] = NameHit(place, max(kind, ALT), "", name, match,
                                              round(similarity, 3))
        return tuple(hits.values())

    def _translit_uncached(self, query: str, countries: frozenset[str] | None
                           ) -> tuple[NameHit, ...]:
        return self._key_hits(query, query_keys(query), "translit", countries)

    def _fuzzy_uncached(self, query: str, countries: frozenset[str] | None
                        ) -> tuple[NameHit, ...]:
        keys = query_keys(query)
        close: list[str] = []
        for key in keys:
            close += [k for k in self.fuzzy_keys.closest(key, countries) if k not in close]
        return self._key_hits(query, close, "fuzzy", countries)

    def candidates(self, query: str, *, country_codes: str | Iterable[str] | None = None,
                   language: str | None = None,
                   feature_classes: str | Sequence[str] | None = None,
                   near: Any = None, spelling: str = "translit"
                   ) -> list[tuple[float, NameHit]]:
        """Scored name hits for ``query``, best first (the ranking behind ``geocode``).

        ``spelling``: "exact" (the folded name only), "translit" (else the transliteration
        key), "fuzzy" (else a close key); see the module docstring."""
        key = fold(query) if isinstance(query, str) else ""
        if not key:
            return []
        if spelling not in SPELLINGS:
            raise GeocoderInputError(f"unknown spelling {spelling!r}; use {', '.join(SPELLINGS)}")
        countries = _normalise_country_codes(country_codes, self.gazetteer)
        if isinstance(feature_classes, str):
            feature_classes = [feature_classes]
        classes = set(feature_classes) if feature_classes else None
        if classes and not classes <= set(FEATURE_CLASSES):
            raise GeocoderInputError(f"unknown feature classes {sorted(classes - set(FEATURE_CLASSES))};"
                             f" use {', '.join(FEATURE_CLASSES)}")
        hints = Hints(language=language, near=_coerce_near(near))
        hits = self._hits(key)
        if not hits and "," in query:
            return self._with_context(query, countries, language, classes, hints)

        def keep(found: Iterable[NameHit]) -> dict[int, tuple[float, NameHit]]:
            return {h.place.rid: (score_hit(h, hints), h) for h in found
                    if (countries is None or h.place.country_code in countries)
                    and (classes is None or h.place.feature_class in classes)}

        scored = keep(hits)
        if not scored and spelling != "exact":
            within = frozenset(countries) if countries is not None else None
            scored = keep(self._translit(query, within))
            if not scored and spelling == "fuzzy":
                scored = keep(self._fuzzy(query, within))
        _prefer_main_names(scored)
        _shadow_admin_units(scored)
        if classes and classes & FACILITY_CLASSES:
            self._add_facilities_near(scored, hits, countries, classes, hints)
        return sorted(scored.values(), key=lambda sh: (-sh[0], sh[1].place.rid))

    def _add_facilities_near(self, scored: dict[int, tuple[float, NameHit]],
                             hits: Sequence[NameHit], countries: set[str] | None,
                             classes: set[str], hints: Hints) -> None:
        """"Baghdad" asked as an airport: the airports and bases of the best town so named.

        Airports are named in many ways ("Baghdad International", "Bagdad airport"); the
        town they serve is named in every language, so the town's names find them too.
        """
        towns = sorted(
            ((score_hit(h, hints), h) for h in hits
             if h.place.feature_class in ("city", "admin2")
             and (countries is None or h.place.country_code in countries)),
            key=lambda sh: -sh[0])[:3]
        for town_score, town in towns:
            for place, km in self.gazetteer.within(town.place.lat, town.place.lon,
                                                   FACILITY_RADIUS_KM, sorted(classes)):
                score = (town_score + CLASS_PRIOR.get(place.feature_class, 0.0)
                         - KIND_PENALTY[GENERIC]
                         - FACILITY_DISTANCE_WEIGHT * math.log10(1 + km / 10.0))
                if place.rid in scored and scored[place.rid][0] >= score:
                    continue
                scored[place.rid] = (score, scored.get(place.rid, (0.0, NameHit(
                    place, GENERIC, town.lang, town.matched)))[1])

    def _with_context(self, query: str, countries: set[str] | None, language: str | None,
                      classes: set[str] | None, hints: Hints) -> list[tuple[float, NameHit]]:
        """"Tripoli, Lebanon": the parts after the first comma narrow the first part."""
        head, *context = [part.strip() for part in query.split(",")]
        admin1_codes: set[str] = set()
        for part in context:
            for _score, hit in self.candidates(part, feature_classes=["country", "admin1"])[:1]:
                if hit.place.feature_class == "country":
                    countries = (countries or {hit.place.country_code}) & {hit.place.country_code}
                else:
                    admin1_codes.add(hit.place.admin1_code)
        out = self.candidates(head, country_codes=countries, language=language,
                              feature_classes=sorted(classes) if classes else None,
                              near=hints.near)
        if admin1_codes:
            out = [sh for sh in out if sh[1].place.admin1_code in admin1_codes] or out
        return out

    def geocode(self, query: str, exactly_one: bool = True, country_codes: Any = None,
                language: str | None = None, feature_classes: Any = None, near: Any = None,
                limit: int | None = 10, timeout: Any = None, spelling: str = "translit"
                ) -> Location | list[Location] | None:
        """Places named ``query``; ``None`` when there is none.

        :param exactly_one: return the best :class:`Location` instead of a ranked list.
        :param country_codes: ISO 3166-1 alpha-2 or alpha-3 code(s) to restrict to.
        :param language: ISO 639-1 code of the text the name comes from (a small bonus to
            names recorded in that language).
        :param feature_classes: restrict to these classes (see ``FEATURE_CLASSES``).
        :param near: a point (``(lat, lon)``, ``"lat, lon"`` or ``geopy.Point``); closer
            places rank higher.
        :param limit: the longest list ``exactly_one=False`` returns (``None``: all).
        :param spelling: "exact", "translit" (default) or "fuzzy": how far a name may be
            from the query's spelling (see the module docstring). A fuzzy lookup without
            ``country_codes`` scans every key of the index (about 0.1 s, bench/RESULTS.md).
        """
        ranked = self.candidates(query, country_codes=country_codes, language=language,
                                 feature_classes=feature_classes, near=near, spelling=spelling)
        if not ranked:
            return self._ask_online(query, exactly_one, country_codes)
        if exactly_one:
            return self._location(*ranked[0])
        return [self._location(s, h) for s, h in ranked[:limit]]

    def _ask_online(self, query: Any, exactly_one: bool,
                    country_codes: Any) -> Location | list[Location] | None:
        if self.online_fallback is None or not isinstance(query, str) or not query.strip():
            return None
        kwargs = {"country_codes": country_codes} if country_codes else {}
        found = self.online_fallback.geocode(query, **kwargs)
        if found is None:
            return None
        return found if exactly_one else [found]

    def _location(self, score: float, hit: NameHit) -> Location:
        raw = self.describe(hit.place)
        raw.update(score=round(score, 4), matched_name=hit.matched, match_kind=hit.kind,
                   match_lang=hit.lang, match=hit.match, similarity=hit.similarity)
        return Location(raw["address"], (hit.place.lat, hit.place.lon, 0.0), raw)

    def describe(self, place: PlaceRow) -> dict[str, Any]:
        """The gazetteer row of ``place`` with country and admin names filled in."""
        country = self.gazetteer.country(place.country_code) if place.country_code else None
        admin1 = self.gazetteer.admin1(place.admin1_code) if place.admin1_code else None
        admin2 = self.gazetteer.admin2_name(place.admin2_code)
        parts = [place.name]
        if admin1 is not None and admin1.name != place.name:
            parts.append(admin1.name)
        if country is not None and country.name != place.name:
            parts.append(country.name)
        return {
            "id": place.id, "name": place.name, "feature_class": place.feature_class,
            "feature_code": place.feature_code, "country_code": place.country_code,
            "country_iso3": _iso3(place.country_code) if place.country_code else "",
            "country": country.name if country is not None else "",
            "admin1_code": place.admin1_code,
            "admin1": admin1.name if admin1 is not None else "",
            "admin2_code": place.admin2_code, "admin2": admin2,
            "population": place.population, "lat": place.lat, "lon": place.lon,
            "source": place.source, "point_source": place.point_source,
            "address": ", ".join(parts),
        }

    # ------------------------------------------------------------------ reverse

    @property
    def boundaries(self) -> Any:
        if self._boundaries is None:
            from geodata.boundaries import Boundaries

            self._boundaries = Boundaries()
        return self._boundaries

    def reverse(self, query: Any, exactly_one: bool = True, timeout: Any = None,
                max_km: float = 50.0) -> Location | list[Location] | None:
        """Country, admin-1 (by point in polygon) and admin-2 and nearest place of a point.

        Raises :class:`GeocoderInputError` (a ``ValueError``) for malformed coordinates; returns ``None`` for a point that is
        in no country and near no place.
        """
        lat, lon = parse_point(query)
        area = self.boundaries.reverse(lat, lon)
        near = self.gazetteer.nearest(lat, lon, max_km=max_km)
        if area is None and near is None:
            return None
        raw: dict[str, Any] = {"lat": lat, "lon": lon}
        if area is not None:
            admin1 = self.gazetteer.admin1(area.admin1_code) if area.admin1_code else None
            raw.update(country=area.country, country_code=area.iso_a2,
                       country_iso3=area.iso_a3, admin1=admin1.name if admin1 else area.admin1,
                       admin1_code=area.admin1_code, iso_3166_2=area.iso_3166_2)
        if near is not None:
            place, km = near
            described = self.describe(place)
            raw.update(place=described, distance_km=round(km, 3))
            for key in ("country", "country_code", "country_iso3", "admin1", "admin1_code"):
                raw.setdefault(key, described[key])
            same_admin1 = described["admin1_code"] == raw.get("admin1_code")
            raw["admin2"] = described["admin2"] if same_admin1 else ""
            raw["admin2_code"] = described["admin2_code"] if same_admin1 else ""
        parts = [p for p in (raw.get("place", {}).get("name"), raw.get("admin2"),
                             raw.get("admin1"), raw.get("country")) if p]
        address = ", ".join(dict.fromkeys(parts))
        location = Location(address, (lat, lon, 0.0), raw)
        return location if exactly_one else [location]


def parse_point(query: Any) -> tuple[float, float]:
    """(lat, lon) from a ``(lat, lon)`` pair, a ``"lat, lon"`` string or a geopy ``Point``.

    Raises :class:`GeocoderInputError` (a ``ValueError``) naming what is wrong: not numbers, not finite, or out of range
    (geopy would silently wrap an out-of-range latitude to another place).
    """
    if isinstance(query, (Point, Location)):
        pair: Sequence[Any] = (query.latitude, query.longitude)
    elif isinstance(query, str):
        pair = [p for p in query.replace(",", " ").split() if p]
    elif isinstance(query, Sequence):
        pair = query
    else:
        # ValueError, not TypeError: one exception for every malformed input, as documented.
        raise GeocoderInputError(
            f"malformed coordinates {query!r}: expected 'lat, lon' in degrees")
    if len(pair) != 2:
        raise GeocoderInputError(
            f"malformed coordinates {query!r}: expected two numbers, lat and lon")
    values = []
    for label, value in zip(("latitude", "longitude"), pair, strict=True):
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise GeocoderInputError(f"{label} {value!r} is not a number") from None
        if not math.isfinite(number):
            raise GeocoderInputError(f"{label} {value!r} is not a finite number")
        values.append(number)
    lat, lon = values
    if not -90.0 <= lat <= 90.0:
        raise GeocoderInputError(f"latitude {lat} is out of range (-90..90)")
    if not -180.0 <= lon <= 180.0:
        raise GeocoderInputError(f"longitude {lon} is out of range (-180..180)")
    return lat, lon


def _coerce_near(near: Any) -> tuple[float, float] | None:
    if near is None:
        return None
    if isinstance(near, Location):
        return (near.latitude, near.longitude)
    return parse_point(near)
