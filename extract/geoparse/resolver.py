"""Resolving the place names of one document together (:class:`ToponymResolver`).

Each mention's readings (:class:`Candidate`) come from the geocoder, each with its
:class:`~extract.geoparse.features.CandidateFeatures`, and are scored by a weighted sum of
them (:class:`~extract.geoparse.scorer.Scorer`, weights chosen by :class:`ResolverConfig`):
the geocoder's score and its parts, the cue around the name (:mod:`extract.geoparse.cues`:
"les provinces de" -> admin-1, "l'aéroport de" -> airport, "New York Gov." -> state), the
document's country focus (country names and demonyms mentioned, the source site's country),
the spatial coherence of all readings (:mod:`extract.geoparse.coherence`: places named
together lie together or inside one another), containment, the distance to the other names'
places. The scores are recomputed over RESOLUTION_ROUNDS rounds, each name read in the light
of what the others were read as; one sense per document (one :class:`Decision` per name
and cue).

What a per-reading score cannot say stays a rule, each named here and in the config:

- a known demonym reads as its country ("Canadian" is Canada), DEMONYM_MARGIN above the
  best reading of the word;
- "la province d'Idleb": the province of the town read, when the town is its seat or shares
  its name (:meth:`ToponymResolver._province_named_after`);
- a place followed closely by the region holding it ("London, Ontario") is read with it, the
  two names choosing their readings together (:func:`_containing_pair`); the *feature*
  ``contained`` tells the scorer which readings such a pair could use;
- a reading outside every country the rest of the document is about is dropped
  (:func:`_stray`), and a small town far from every other place is read again or dropped
  (:func:`_drop_isolated`): both choose *no* place, which no score of a place can; their
  tests are also features (``stray``, ``isolated``);
- a name read by its spelling in the focus countries (transliteration key, then a close key)
  when no place of those countries has it exactly (:meth:`ToponymResolver._respell`);
- a name no entry fits falls back to a prominent place named inside it or to the nearest
  place of the document (:mod:`extract.geoparse.fallbacks`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from extract.geoparse.coherence import Coherence
from extract.geoparse.cues import cue_classes, is_metonym
from extract.geoparse.fallbacks import (
    AREA_CLASSES,
    FALLBACK_CONFIDENCE,
    PART_COMMON_MIN_SCORE,
    PART_MIN_SCORE,
    document_fallback,
    part_name,
)
from extract.geoparse.features import CandidateFeatures, demonym_features, lexical_features
from extract.geoparse.model import Mention, Resolution
from extract.geoparse.scorer import Scorer, Weights, load_weights
from extract.geoparse.words import respellable
from geodata.distance import haversine_km
from geodata.names import fold, strip_article

#: A name and the classes its cue asks for: one sense per document for each.
SenseKey = tuple[str, tuple[str, ...]]

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
# A name ending with the kind of unit it is ("Karak district").
_UNIT_SUFFIX = re.compile(r"\s+(districts?|county|province|governorate|gouvernorat|qadaa?|"
                          r"region|state|oblast)$", re.IGNORECASE)
_HOLDER_FIELD = {"country": "country_code", "admin1": "admin1_code",
                 "admin2": "admin2_code", "region": "country_code"}


@dataclass(frozen=True)
class ResolverConfig:
    """Every constant of the resolver, named. The weights of the score are a table
    (:mod:`extract.geoparse.scorer`): ``weights`` is ``"hand"`` (today's constants),
    ``"fitted"`` (the committed fit on the dev split) or a weights file's path."""

    weights: str = "hand"
    # the country focus
    home_weight: float = 2.0  # the source's country counts as this many mentions of it
    strong_vote_margin: float = 1.5  # a name's best reading this far ahead votes fully...
    weak_vote: float = 0.5  # ...else with this weight
    # A known demonym reads as its country, whatever the document's focus ("Canadian" is
    # Canada, not Canadian, Texas).
    demonym_margin: float = 10.0
    resolution_rounds: int = 3  # decide, then decide again knowing what the others decided
    candidates: int = 25  # readings asked of the geocoder per query
    decision_depth: int = 5  # readings handed on with a resolution
    sole_margin: float = 4.0  # the margin of a name with a single reading
    confidence_midpoint: float = 0.5  # confidence = logistic(margin - this)
    # Support of the other names' readings (extract.geoparse.coherence): the sum counts up
    # to COHERENCE_CAP names; a reading below the best of its name still counts as support
    # by exp(-gap / T).
    coherence_cap: float = 3.0
    likelihood_temperature: float = 1.5
    # reading by spelling in the focus countries
    respell_focus_countries: int = 3
    respell_focus_share: float = 0.2
    # In running text a reading by spelling must be this alike ("Katioucha", the rocket, is
    # 0.77 like Katūsh, a name of Kahlawsh in Iraq).
    respell_min_similarity: float = 0.8
    # "la province d'Idleb": a town of this share of its province's people names it
    province_town_share: float = 0.3
    # containment ("London, Ontario")
    containment_reach: int = 80  # characters between a place and the region containing it
    pair_slack: float = 4.0  # how far below the separate choices a containing pair may score
    city_hold_km: float = 50.0  # "London's Heathrow": what a town holds
    pair_depth: int = 8  # readings of each name tried for a containing pair
    # isolated small towns (a street or a building far from the document's places)
    isolated_max_population: int = 20_000
    isolated_km: float = 500.0
    isolated_confidence: float = 0.5  # a reading chosen instead of an isolated one
    # strays
    stray_focus: float = 0.4  # the document's main country has this share of the evidence
    stray_max_population: int = 1_000_000  # bigger cities are never strays
    # fallbacks (extract.geoparse.fallbacks)
    part_min_score: float = PART_MIN_SCORE
    part_common_min_score: float = PART_COMMON_MIN_SCORE
    fallback_confidence: float = FALLBACK_CONFIDENCE

    def load_weights(self) -> Weights:
        return load_weights(self.weights)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


@dataclass(frozen=True, slots=True)
class Candidate:
    """One reading of a name: the place, its features and its score. ``rule`` says when a
    rule rather than the score put it where it is ("demonym", "province")."""

    place: dict[str, Any]
    features: CandidateFeatures
    score: float
    rule: str = ""


@dataclass(frozen=True, slots=True)
class Decision:
    """What a name (in its cue) was read as: the place (``None``: nothing fits), its score
    and confidence, the readings handed on, the ranking it came from, and the rule that
    changed the scorer's choice, if any ("province", "containment")."""

    score: float
    confidence: float
    place: dict[str, Any] | None
    top: tuple[dict[str, Any], ...] = ()
    ranked: tuple[Candidate, ...] = field(default=(), repr=False)
    rule: str = ""


NO_DECISION = Decision(0.0, 0.0, None)


class ToponymResolver:
    """Resolves the mentions of one document together (see the module docstring)."""

    def __init__(self, geocoder: Any = None, demonyms: Any = None, *,
                 fallback: bool = True, config: ResolverConfig | None = None) -> None:
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
        self.config = config or ResolverConfig()
        self.scorer = Scorer(self.config.load_weights())

    def _respell(self, text: str, mentions: Sequence[Mention],
                 cues: Sequence[tuple[str, ...]], cands: dict[SenseKey, list[Candidate]],
                 language: str | None, home: str) -> None:
        """Names read by their spelling where that is safe: a capitalised name of at least
        RESPELL_MIN_CHARS letters that no place of the document's focus countries has
        exactly (the countries its other names, demonyms and source point to) is also
        looked up in those countries under its transliteration key ("Kourakhove" in a
        Ukraine story), and, when no place anywhere has it exactly, by a close key. These
        readings score below exact ones (see geodata.geocoder) and never come without a
        focus country."""
        cfg = self.config
        focus: Counter[str] = Counter(self.demonyms.countries_in(text))
        if home:
            focus[home] += cfg.home_weight  # type: ignore[assignment]  # float weights
        for options in cands.values():
            country, weight = self._evidence(options)
            if country:
                focus[country] += weight  # type: ignore[assignment]
        total = sum(focus.values())
        countries = {c for c, w in focus.most_common(cfg.respell_focus_countries)
                     if total and w / total >= cfg.respell_focus_share}
        if not countries:
            return
        for mention, cue in zip(mentions, cues, strict=True):
            key = (fold(mention.text), cue)
            name = mention.text
            if not respellable(name, language) or any(c.place.get("country_code") in countries
                                                      for c in cands[key]):
                continue
            spelling = "translit" if cands[key] else "fuzzy"
            found = self._candidates(name, language, cue, spelling=spelling,
                                     countries=sorted(countries))
            found = [c for c in found if c.place.get("match") != "exact"
                     and c.place.get("similarity", 0.0) >= cfg.respell_min_similarity]
            if found:
                cands[key] = sorted([*cands[key], *found], key=lambda c: -c.score)

    def _candidates(self, name: str, language: str | None, classes: tuple[str, ...],
                    spelling: str = "exact", countries: Sequence[str] | None = None,
                    part: bool = False) -> list[Candidate]:
        """The readings of a name, best lexical score first: the name as it is, in the
        classes its cue asks for, and, for "X district", "X" as a unit; the demonym's
        country above them all."""
        out: dict[str, Candidate] = {}
        unit = _UNIT_SUFFIX.search(name)
        units: tuple[str, ...] = ()
        if unit and unit.start() >= 3:
            units = ("admin2", "admin1") if unit.group(1).lower().startswith(
                ("district", "county", "qada")) else ("admin1", "admin2")
        queries: list[tuple[str, list[str] | None, tuple[str, ...], bool]] = [
            (name, None, classes or units, False)]
        if classes:
            queries.append((name, list(classes), classes, False))
        if unit is not None and units:
            # "Karak district", "Anbar province": the unit may go by another kind or none
            # in the gazetteer (Karak governorate), so the bare name is asked for units too.
            queries.append((name[:unit.start()], list(units), units, True))
        acronym = name.isupper() and len(re.sub(r"\W", "", name)) <= 3
        for query, fclasses, wanted, bare in queries:
            for score, hit in self.geocoder.candidates(
                    query, language=language, feature_classes=fclasses, spelling=spelling,
                    country_codes=countries)[:self.config.candidates]:
                if acronym and not hit.matched.isupper():
                    continue  # "SA", "OAS" are acronyms, not the village of Siá or Oas
                row = self.geocoder.describe(hit.place)
                row.update(match=hit.match, similarity=hit.similarity)
                fc = row["feature_class"]
                cue = 1 / (1 + wanted.index(fc)) if wanted and fc in wanted else 0.0
                features = lexical_features(score, hit, language, cue=cue, unit_suffix=bare)
                if part:
                    features = replace(features, part=True)
                lexical = self.scorer.lexical(features)
                best = out.get(row["id"])
                if best is None or lexical > best.score:
                    out[row["id"]] = Candidate(row, features, lexical)
        country = self.demonyms.country_of(name)
        if country is not None:  # "Canadian", "européennes": the country, not a namesake
            row = self.geocoder.describe(country)
            best_score = max((c.score for c in out.values()), default=0.0)
            out[row["id"]] = Candidate(row, demonym_features(row, best_score),
                                       best_score + self.config.demonym_margin, "demonym")
        return sorted(out.values(), key=lambda c: -c.score)

    def _province_named_after(self, city: dict[str, Any], key: str) -> dict[str, Any] | None:
        """"la province d'Idleb": the province of the town named, when the town is its seat
        or shares its name (Idlib, Kirkuk, Al-Hasakah)."""
        unit = self.geocoder.gazetteer.admin1(city.get("admin1_code", ""))
        if unit is None:
            return None
        seat = self.geocoder.gazetteer.nearest(unit.lat, unit.lon, max_km=1e9)
        names = {strip_article(fold(unit.name)), strip_article(key)}
        if strip_article(fold(city["name"])) in names or (seat and seat[0].id == city["id"]) \
                or city.get("population", 0) >= \
                self.config.province_town_share * max(unit.population, 1):
            return self.geocoder.describe(unit)
        return None

    def _containment(self, text: str, mentions: Sequence[Mention], keys: Sequence[SenseKey],
                     decided: dict[SenseKey, Decision], ranked: dict[SenseKey, list[Candidate]]
                     ) -> None:
        """"Al-Qaim, in Iraq's western Anbar province", "London, Ontario", "Albany, New
        York": a place followed closely by a region or country is read inside it, the two
        names choosing their readings together (the best-scoring pair where the second
        holds the first, unless it scores far below the separate choices)."""
        cfg = self.config
        for i, mention in enumerate(mentions):
            for j in range(i + 1, len(mentions)):
                nxt = mentions[j]
                between = text[mention.end:nxt.start]
                possessive = bool(_POSSESSIVE.match(between))
                if nxt.start - mention.end > cfg.containment_reach \
                        or not (possessive or _CONTAINS.match(between)):
                    break
                # "London, Ontario": the second holds the first; "London's Heathrow": the
                # first holds the second (a town holds what lies within CITY_HOLD_KM of it).
                inner, outer = (keys[j], keys[i]) if possessive else (keys[i], keys[j])
                if inner == outer or decided[inner].place is None \
                        or decided[outer].place is None:
                    break
                pair = _containing_pair(ranked[inner], ranked[outer], cfg, towns=possessive)
                if pair is None:
                    continue  # maybe the next name holds it: "Hit, Anbar, Iraq"
                score, x, y = pair
                current = ranked[inner][0].score + ranked[outer][0].score
                if score >= current - cfg.pair_slack:
                    for key, place in ((inner, x), (outer, y)):
                        old = decided[key]
                        if old.place is not None and old.place["id"] != place["id"]:
                            decided[key] = replace(
                                old, place=place, rule="containment",
                                top=(place, *[o for o in old.top if o is not place]))
                break

    def _evidence(self, cands: Sequence[Candidate]) -> tuple[str, float]:
        """The country a mention's best reading points to, and how strongly."""
        if not cands or not cands[0].place.get("country_code"):
            return "", 0.0
        margin = cands[0].score - (cands[1].score if len(cands) > 1 else 0.0)
        return cands[0].place["country_code"], self._vote(margin)

    def _vote(self, margin: float) -> float:
        return 1.0 if margin > self.config.strong_vote_margin else self.config.weak_vote

    def resolve(self, text: str, mentions: Sequence[Mention],
                language: str | None = None, home: str = "") -> list[Resolution]:
        """One :class:`Resolution` per mention, in the same order. ``home``: the country
        the source is from (ISO alpha-2, see :func:`geodata.tld.country_of_url`), counted
        as HOME_WEIGHT country mentions of evidence."""
        return self.decide(text, mentions, language, home)[0]

    def decide(self, text: str, mentions: Sequence[Mention], language: str | None = None,
               home: str = "") -> tuple[list[Resolution], dict[SenseKey, Decision],
                                        list[SenseKey]]:
        """:meth:`resolve`, with the :class:`Decision` of each sense key (name and cue) and
        the sense key of each mention (the fitting script reads the ranked candidates and
        their features there)."""
        cfg = self.config
        cues: list[tuple[str, ...]] = []
        previous: list[tuple[int, tuple[str, ...]]] = []
        for m in mentions:
            c = cue_classes(text, m.start, previous, m.end)
            cues.append(c)
            previous.append((m.end, c))
        cands: dict[SenseKey, list[Candidate]] = {}
        sense_keys: list[SenseKey] = []
        partial: set[int] = set()
        for mention, cue in zip(mentions, cues, strict=True):
            key = (fold(mention.text), cue)
            if key not in cands:  # one sense per document for a name in a given cue
                cands[key] = self._candidates(mention.text, language, cue)
        self._respell(text, mentions, cues, cands, language, home)
        for i, (mention, cue) in enumerate(zip(mentions, cues, strict=True)):
            key = (fold(mention.text), cue)
            if not cands[key] and self.fallback:
                part = part_name(self.geocoder, self.demonyms, mention.text, language,
                                 min_score=cfg.part_min_score,
                                 common_min_score=cfg.part_common_min_score)
                if part is not None:
                    key = (fold(part), cue)
                    if key not in cands:
                        cands[key] = self._candidates(part, language, cue, part=True)
                    partial.add(i)
            sense_keys.append(key)
        counts = Counter(sense_keys)
        nationalities: Counter[str] = Counter(self.demonyms.countries_in(text))
        demonym_focus = nationalities.copy()
        if home:
            demonym_focus[home] += cfg.home_weight  # type: ignore[assignment]  # float weights
        evidence = {key: self._evidence(options) for key, options in cands.items()}
        decided: dict[SenseKey, Decision] = {}
        keys = list(cands)
        coherence = Coherence([[c.place for c in cands[key]] for key in keys])
        contained = _contained(text, mentions, sense_keys, cands, cfg)
        chosen = {key: options[0].place for key, options in cands.items() if options}
        current = {key: [c.score for c in cands[key]] for key in keys}
        ranked: dict[SenseKey, list[Candidate]] = {}
        focus: Counter[str] = Counter()
        voted: dict[SenseKey, tuple[str, float]] = {}
        for _round in range(cfg.resolution_rounds):
            # Each name is read in the light of every *other* name of the document: the
            # countries they point to, and the readings that lie near or around its own.
            focus = demonym_focus.copy()
            voted = dict(evidence)  # each name's vote in this focus (it is rescored below)
            for key, (country, weight) in voted.items():
                if country:
                    focus[country] += weight * counts[key]  # type: ignore[assignment]
            support = coherence.support([_likelihoods(current[k], cfg) for k in keys])
            for key, near in zip(keys, support, strict=True):
                options = cands[key]
                own_country, own_weight = evidence[key]
                others = focus.copy()
                if own_country:
                    others[own_country] -= own_weight * counts[key]  # type: ignore[assignment]
                others = +others
                total = sum(others.values()) or 1.0
                # A reading in no country (an ocean, a continent, a world region) is neutral
                # to the focus: as favoured as the best of the name's other readings.
                shares = [others.get(c.place.get("country_code") or "", 0.0) / total
                          for c in options]
                neutral = max(shares, default=0.0)
                local = [p for k, p in chosen.items()
                         if k != key and p["feature_class"] not in AREA_CLASSES]
                distances = _distances(options, local)
                strays = +(others - nationalities)
                rescored = []
                for cand, sp, share, near_km in zip(options, near, shares, distances,
                                                    strict=True):
                    reading = cand.place
                    f = cand.features.in_context(
                        focus_share=share if reading.get("country_code") else neutral,
                        coherence=min(sp, cfg.coherence_cap),
                        contained=reading["id"] in contained.get(key, ()),
                        near_km=near_km,
                        isolated=_small(reading, cfg) and len(local) >= 2
                        and near_km > cfg.isolated_km,
                        stray=_stray(reading, strays, cfg))
                    score = self.scorer.contextual(cand.score, f)
                    rescored.append(Candidate(reading, f, score, cand.rule))
                current[key] = [c.score for c in rescored]
                rescored.sort(key=lambda c: -c.score)
                rule = ""
                if rescored and "admin1" in key[1] \
                        and rescored[0].place["feature_class"] == "city":
                    province = self._province_named_after(rescored[0].place, key[0])
                    if province is not None:
                        rescored.insert(0, Candidate(province, rescored[0].features,
                                                     rescored[0].score, "province"))
                        rule = "province"
                ranked[key] = rescored
                if rescored:
                    best = rescored[0].score
                    margin = best - rescored[1].score if len(rescored) > 1 \
                        else cfg.sole_margin
                    confidence = 1.0 / (1.0 + math.exp(-(margin - cfg.confidence_midpoint)))
                    decided[key] = Decision(best, confidence, rescored[0].place,
                                            tuple(c.place for c in
                                                  rescored[:cfg.decision_depth]),
                                            tuple(rescored), rule)
                    chosen[key] = rescored[0].place
                    country = rescored[0].place.get("country_code", "")
                    evidence[key] = (country, self._vote(margin)) if country else ("", 0.0)
                else:
                    decided[key] = NO_DECISION
        self._containment(text, mentions, sense_keys, decided, ranked)
        out = []
        for i, (mention, key) in enumerate(zip(mentions, sense_keys, strict=True)):
            d = decided[key]
            place, confidence = d.place, d.confidence
            if place is not None and mention.source == "gazetteer":
                others = focus.copy()  # the evidence of every other name in the document:
                country, weight = voted[key]  # take off the vote this name put in the focus
                others[country] -= weight * counts[key]  # type: ignore[assignment]
                # Nationalities alone make no place a stray: "Russian forces shelled
                # Kherson" is in Ukraine, "Turkish strikes on Afrin" in Syria.
                others.subtract(nationalities)
                if _stray(place, +others, cfg):
                    place, confidence = None, 0.0
            out.append(Resolution(mention, place, d.score, round(confidence, 3), key[1],
                                  is_metonym(text, mention, d.top), d.top,
                                  "part" if i in partial and place is not None else ""))
        if self.fallback:
            out = document_fallback(_drop_isolated(out, cfg),
                                    confidence=cfg.fallback_confidence)
        return out, decided, sense_keys


def _neighbours(text: str, mentions: Sequence[Mention], reach: int
                ) -> list[tuple[int, int, bool]]:
    """The pairs of mentions ``(i, j, possessive)`` close enough, with only a preposition,
    a unit word or a comma between them, for the second to hold the first ("London,
    Ontario") or, possessive, the first the second ("London's Heathrow")."""
    out = []
    for i, mention in enumerate(mentions):
        for j in range(i + 1, len(mentions)):
            nxt = mentions[j]
            between = text[mention.end:nxt.start]
            possessive = bool(_POSSESSIVE.match(between))
            if nxt.start - mention.end > reach or not (possessive or _CONTAINS.match(between)):
                break
            out.append((i, j, possessive))
    return out


def _contained(text: str, mentions: Sequence[Mention], keys: Sequence[SenseKey],
               cands: dict[SenseKey, list[Candidate]], cfg: ResolverConfig
               ) -> dict[SenseKey, set[str]]:
    """For each name, the ids of its readings that hold, or are held by, a reading of a
    neighbouring name (the ``contained`` feature)."""
    out: dict[SenseKey, set[str]] = {}
    for i, j, possessive in _neighbours(text, mentions, cfg.containment_reach):
        inner, outer = (keys[j], keys[i]) if possessive else (keys[i], keys[j])
        if inner == outer:
            continue
        for x in cands.get(inner, ()):
            if x.place["feature_class"] in ("country", "continent"):
                continue
            for y in cands.get(outer, ()):
                if _holds(y.place, x.place, cfg, possessive):
                    out.setdefault(inner, set()).add(x.place["id"])
                    out.setdefault(outer, set()).add(y.place["id"])
    return out


def _distances(options: Sequence[Candidate], local: Sequence[dict[str, Any]]) -> list[float]:
    """Kilometres from each reading to the nearest of ``local`` (-1 when there is none)."""
    if not local or not options:
        return [-1.0] * len(options)
    import numpy as np

    lat = np.array([c.place["lat"] for c in options], dtype=float)[:, None]
    lon = np.array([c.place["lon"] for c in options], dtype=float)[:, None]
    olat = np.array([p["lat"] for p in local], dtype=float)[None, :]
    olon = np.array([p["lon"] for p in local], dtype=float)[None, :]
    return haversine_km(lat, lon, olat, olon).min(axis=1).tolist()


def _small(place: dict[str, Any], cfg: ResolverConfig) -> bool:
    """A town or airport small enough to be a street's or a building's namesake."""
    return place["feature_class"] in ("city", "airport") \
        and place.get("population", 0) < cfg.isolated_max_population


def _holds(y: dict[str, Any], x: dict[str, Any], cfg: ResolverConfig, towns: bool) -> bool:
    """Whether reading ``y`` holds reading ``x``: a country, region or admin unit by its
    code; with ``towns``, also a town whatever lies within CITY_HOLD_KM of it."""
    if y["id"] == x["id"]:
        return False
    code = _HOLDER_FIELD.get(y["feature_class"])
    if code is not None:
        return bool(y.get(code)) and y.get(code) == x.get(code)
    return towns and y["feature_class"] == "city" and x["feature_class"] != "city" \
        and haversine_km(y["lat"], y["lon"], x["lat"], x["lon"]) <= cfg.city_hold_km


def _containing_pair(inner: Sequence[Candidate], outer: Sequence[Candidate],
                     cfg: ResolverConfig, *, towns: bool = False
                     ) -> tuple[float, dict[str, Any], dict[str, Any]] | None:
    """The best (score, x, y) with reading y of the outer name holding reading x of the
    inner one (a country holds nothing but its places; nothing holds a country)."""
    best = None
    for cx in inner[:cfg.pair_depth]:
        x = cx.place
        if x["feature_class"] in ("country", "continent"):
            continue
        for cy in outer[:cfg.pair_depth]:
            if not _holds(cy.place, x, cfg, towns):
                continue
            if best is None or cx.score + cy.score > best[0]:
                best = (cx.score + cy.score, x, cy.place)
    return best


def _drop_isolated(resolutions: list[Resolution], cfg: ResolverConfig) -> list[Resolution]:
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
        small = not r.basis and place is not None and _small(place, cfg)
        # A town named inside a longer name is as suspect: Haifa Street is in Baghdad.
        inner = r.basis == "part" and place is not None \
            and place["feature_class"] not in AREA_CLASSES
        if (small or inner) and place is not None:
            key = fold(r.mention.text)
            others = [o.place for o in local if o.place is not None  # (local: placed)
                      and o.place["id"] != place["id"] and fold(o.mention.text) != key]
            if len(others) >= (2 if small else 1) \
                    and _distance_to(place, others) > cfg.isolated_km:
                # The next reading of the name near the document's places, if any ("at
                # Heathrow" in a London story: the airport, not Heathrow, Florida).
                nearer = next((c for c in r.candidates[1:] if small and 2 * sum(
                    haversine_km(c["lat"], c["lon"], o["lat"], o["lon"]) <= cfg.isolated_km
                    for o in others) >= max(len(others), 4)), None)
                r = Resolution(r.mention, nearer, r.score if nearer else 0.0,
                               min(r.confidence, cfg.isolated_confidence) if nearer else 0.0,
                               r.cue_classes, False, r.candidates)
        out.append(r)
    return out


def _distance_to(place: dict[str, Any], others: Sequence[dict[str, Any]]) -> float:
    """Kilometres from ``place`` to the nearest of ``others``."""
    return min(haversine_km(place["lat"], place["lon"], o["lat"], o["lon"]) for o in others)


def _likelihoods(scores: Sequence[float], cfg: ResolverConfig) -> list[float]:
    """How likely each reading of a name is next to its best one (1.0 for the best)."""
    if not scores:
        return []
    top = max(scores)
    return [math.exp((s - top) / cfg.likelihood_temperature) for s in scores]


def _stray(place: dict[str, Any], focus: Counter[str], cfg: ResolverConfig) -> bool:
    """A place outside every country the rest of the document is about, found only by the
    name list: in an article about Syria, "Observatoire" is not Paris 14e, "Aïn" not the
    French département. Big cities (over STRAY_MAX_POPULATION people) are kept."""
    total = sum(focus.values())
    if not total or max(focus.values()) / total < cfg.stray_focus:
        return False
    if place["feature_class"] in ("country", "continent"):
        return False
    if focus.get(place.get("country_code", ""), 0.0) > 0:
        return False
    if place["feature_class"] != "city":
        return True
    return place.get("population", 0) < cfg.stray_max_population
