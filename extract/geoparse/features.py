"""What the resolver knows about one reading of a mention: :class:`CandidateFeatures`.

A *reading* is one gazetteer place a mention may name. Its features fall in two groups:

- **lexical** (what the name and the place say, fixed for the document): the geocoder's
  score and its parts (population, the place's prior, feature class, capital, name kind and
  language, exact / transliterated / fuzzy match and similarity, and what the geocoder's
  own re-ranking rules -- a place's own name before another's alternate name, a town
  shadowing its admin unit, airports near a town -- changed), the cue around the mention
  ("la province de" asks for admin-1), a unit suffix asked without its kind ("Karak
  district" -> Karak), a demonym read as its country, a place named inside an unknown name;
- **contextual** (what the rest of the document says, recomputed every resolution round):
  the share of the document's country evidence that points to the reading's country (focus
  share), the spatial support of the other names' readings (coherence), whether a reading
  of a neighbouring name holds it or is held by it ("London, Ontario": containment), the
  distance to the nearest place decided for another name, whether the reading would be an
  isolated small town (the isolation rule's test) or a stray outside every country the rest
  of the document is about (the stray rule's test).

:func:`vector` lays the features out as numbers in :data:`FEATURE_NAMES` order, the columns
of the weight table of :mod:`extract.geoparse.scorer` and of the fitting script
(``evaluation/fit_resolver.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

#: Feature classes with their own indicator column (the others share none: city is the base).
CLASSES = ("country", "continent", "region", "admin1", "admin2", "airport", "military_base",
           "landmark", "natural")
#: Name kinds of the gazetteer (geodata.build MAIN / ALT / VARIANT / GENERIC).
NAME_KINDS = ("main", "alt", "variant", "generic")


@dataclass(frozen=True, slots=True)
class CandidateFeatures:
    """Everything the scorer weighs about one reading of one mention."""

    # lexical: the geocoder
    geocoder_score: float  # the geocoder's ranking score (geodata.geocoder.score_hit + rules)
    log_population: float  # log10(population + 1)
    place_prior: float  # the gazetteer's own prior of the place (sources, importance)
    feature_class: str
    capital: bool  # a national capital (PPLC)
    name_kind: str  # main | alt | variant | generic: which of the place's names matched
    language_match: bool  # the name matched is in the document's language
    match: str  # exact | translit | fuzzy
    similarity: float  # of the query and the matched spelling (1.0 for exact)
    geocoder_rewrite: float  # what the geocoder's re-ranking rules added to score_hit
    # lexical: the resolver's query
    cue: float  # 1 / (1 + rank) of the class among those the cue asks for, else 0
    unit_suffix: bool  # found by the bare name of "X district" / "X province"
    demonym: bool  # the country of a known demonym ("Canadian")
    part: bool  # read from a place named inside an unknown name ("Colorado State University")
    # contextual (per resolution round)
    focus_share: float = 0.0  # share of the other names' country evidence for its country
    coherence: float = 0.0  # support of the other names' readings, capped
    contained: bool = False  # holds or is held by a reading of a neighbouring name
    near_km: float = -1.0  # to the nearest place decided for another name (-1: none)
    isolated: bool = False  # a small town or airport over ISOLATED_KM from the others
    stray: bool = False  # outside every country the rest of the document is about

    def in_context(self, **context: Any) -> CandidateFeatures:
        """These features with the contextual ones of a round."""
        return replace(self, **context)


_NUMERIC = ("geocoder_score", "log_population", "place_prior", "capital", "language_match",
            "similarity", "geocoder_rewrite", "cue", "unit_suffix", "demonym", "part",
            "focus_share", "coherence", "contained", "isolated", "stray")
#: The columns of :func:`vector`.
FEATURE_NAMES: tuple[str, ...] = (
    *_NUMERIC,
    *(f"class_{c}" for c in CLASSES),
    *(f"kind_{k}" for k in NAME_KINDS[1:]),
    "match_translit", "match_fuzzy",
    "log_near_km", "near_unknown",
)


def vector(f: CandidateFeatures) -> list[float]:
    """The features as numbers, in :data:`FEATURE_NAMES` order."""
    out = [float(getattr(f, name)) for name in _NUMERIC]
    out += [float(f.feature_class == c) for c in CLASSES]
    out += [float(f.name_kind == k) for k in NAME_KINDS[1:]]
    out += [float(f.match == "translit"), float(f.match == "fuzzy")]
    out += [math.log1p(f.near_km) if f.near_km >= 0 else 0.0, float(f.near_km < 0)]
    return out


def lexical_features(score: float, hit: Any, language: str | None, *, cue: float,
                     unit_suffix: bool) -> CandidateFeatures:
    """The lexical features of a geocoder hit (``geodata.gazetteer.NameHit``) scored
    ``score`` by the geocoder."""
    from geodata.geocoder import Hints, score_hit

    place = hit.place
    kind = NAME_KINDS[hit.kind] if 0 <= hit.kind < len(NAME_KINDS) else "generic"
    return CandidateFeatures(
        geocoder_score=score,
        log_population=math.log10(max(place.population, 0) + 1),
        place_prior=float(place.prior),
        feature_class=place.feature_class,
        capital=place.feature_code == "PPLC",
        name_kind=kind,
        language_match=bool(language) and hit.lang == language,
        match=hit.match,
        similarity=float(hit.similarity),
        geocoder_rewrite=score - score_hit(hit, Hints(language=language)),
        cue=cue,
        unit_suffix=unit_suffix,
        demonym=False,
        part=False,
    )


def demonym_features(row: dict[str, Any], best: float) -> CandidateFeatures:
    """The features of a demonym's country ("Canadian" -> Canada), ``best``: the best
    geocoder score among the name's other readings (the country is read above them)."""
    return CandidateFeatures(
        geocoder_score=best, log_population=math.log10(max(row.get("population", 0), 0) + 1),
        place_prior=0.0, feature_class=row["feature_class"], capital=False, name_kind="main",
        language_match=False, match="exact", similarity=1.0, geocoder_rewrite=0.0, cue=0.0,
        unit_suffix=False, demonym=True, part=False)
