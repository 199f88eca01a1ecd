"""Resolving the place names of one document together (:class:`ToponymResolver`).

Each mention's candidates come from the geocoder and are re-ranked with document context:
the cue around the name (:mod:`extract.geoparse.cues`: "les provinces de" -> admin-1,
"l'aéroport de" -> airport, "New York Gov." -> state), the document's country focus
(country names and demonyms mentioned, the source site's country), the spatial coherence of
all readings (:mod:`extract.geoparse.coherence`: places named together lie together or
inside one another), places read with the region that follows them ("London, Ontario"), and
one sense per document. A name no place of the document's focus countries has exactly is
read there by its spelling (transliteration key, then a close key). A name no entry fits
falls back to a prominent place named inside it or to the nearest place of the document
(:mod:`extract.geoparse.fallbacks`). The resolver's scoring and the rules that re-rank after
it live in this one module.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from extract.geoparse.coherence import Coherence
from extract.geoparse.cues import cue_classes, is_metonym
from extract.geoparse.fallbacks import AREA_CLASSES, document_fallback, part_name
from extract.geoparse.model import Mention, Resolution
from extract.geoparse.words import respellable
from geodata.distance import haversine_km
from geodata.names import fold, strip_article

FOCUS_WEIGHT = 4.0
HOME_WEIGHT = 2.0  # the source's country counts as this many mentions of it
# A known demonym reads as its country, whatever the document's focus ("Canadian" is
# Canada, not Canadian, Texas).
DEMONYM_MARGIN = 10.0
RESOLUTION_ROUNDS = 3  # decide, then decide again knowing what the others decided
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
# Support of the other names' readings near or around a reading (extract.geoparse.coherence): a
# fully supporting name adds COHERENCE_WEIGHT, the sum counts up to COHERENCE_CAP names.
COHERENCE_WEIGHT = 1.5
COHERENCE_CAP = 3.0
# How much a reading below the best of its name still counts as support: exp(-gap / T).
LIKELIHOOD_TEMPERATURE = 1.5
CANDIDATES = 25
RESPELL_FOCUS_COUNTRIES = 3
RESPELL_FOCUS_SHARE = 0.2
# In running text a reading by spelling must be this alike ("Katioucha", the rocket, is
# 0.77 like Katūsh, a name of Kahlawsh in Iraq).
RESPELL_MIN_SIMILARITY = 0.8


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
            if not respellable(name, language) or any(row.get("country_code") in countries
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
                part = part_name(self.geocoder, self.demonyms, mention.text, language)
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
        return document_fallback(_drop_isolated(out)) if self.fallback else out



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
