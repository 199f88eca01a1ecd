"""Fallbacks for a name no gazetteer entry fits: a prominent place named inside it
("Colorado State University" -> Colorado, :func:`part_name`), else the nearest place the
document names (a street, a building: :func:`document_fallback`). Each says so in
:attr:`~extract.geoparse.model.Resolution.basis`."""

from __future__ import annotations

import math
import re
from typing import Any

from extract.geoparse.model import Resolution
from extract.geoparse.words import (
    COMMON_WORD_ZIPF,
    GENERIC_PARTS,
    NEVER_FIRST,
    STOP_SINGLE,
    word_zipf,
)
from geodata.names import fold

# A place named inside an unknown name must be prominent (a town of some 100,000 people,
# a province, a country): "Colorado State University" is in Colorado, but "Rogers Centre"
# is not in Rogers, Arkansas.
PART_MIN_SCORE = 5.0
PART_COMMON_MIN_SCORE = 7.0  # a common word names a place inside a name if that is major
AREA_CLASSES = ("country", "continent", "region", "admin1")  # wider than a town
# What a name placed at another name of the document keeps of that one's confidence.
FALLBACK_CONFIDENCE = 0.3


def part_name(geocoder: Any, demonyms: Any, name: str, language: str | None, *,
              min_score: float = PART_MIN_SCORE,
              common_min_score: float = PART_COMMON_MIN_SCORE) -> str | None:
    """The most prominent place named inside a name the gazetteer does not know
    ("Colorado State University" -> Colorado, "Bank of Japan" -> Japan): capitalised
    runs of words; a single common word ("Center", "Royal") only when it names a major
    place (a geocoder score of ``common_min_score``, else ``min_score``); a nationality
    ("Russian Foreign Ministry") when nothing else is named."""
    from wordfreq import zipf_frequency

    words = re.findall(r"[^\W\d_][\w'’.-]*", name)
    best: tuple[float, str] | None = None
    for size in range(len(words) - 1, 0, -1):
        for i in range(len(words) - size + 1):
            run = words[i:i + size]
            part = " ".join(run)
            key = fold(part)
            acronym = part.isupper() and len(key) == 2  # "US Federal Reserve"
            if not run[0][:1].isupper() or fold(run[0]) in NEVER_FIRST \
                    or (key in STOP_SINGLE and not acronym) or key in GENERIC_PARTS:
                continue
            if len(key) < 3 and not acronym:
                continue
            if demonyms.country_of(part) is not None:
                score = min_score  # a nationality, after any place: "British
                # Embassy Tokyo" is in Tokyo, the "Russian Foreign Ministry" in Russia
            else:
                hits = geocoder.candidates(part, language=language)
                score = hits[0][0] if hits else -math.inf
                common = size == 1 and max(
                    word_zipf(part.lower(), language or "en"),
                    zipf_frequency(part.lower(), "en")) >= COMMON_WORD_ZIPF
                if common and score < common_min_score:
                    continue
            if score >= min_score and (best is None or score > best[0]):
                best = (score, part)
    return None if best is None else best[1]


def document_fallback(resolutions: list[Resolution], *,
                      confidence: float = FALLBACK_CONFIDENCE) -> list[Resolution]:
    """A name no gazetteer entry fits (a street, a building, a stadium) is placed at the
    nearest place the text names around it, preferring towns to wider units, with
    ``confidence`` times that place's confidence."""
    placed = [r for r in resolutions if r.place is not None and not r.is_metonym
              and not r.basis]
    if not placed:
        return resolutions
    local = [r for r in placed if _place_of(r)["feature_class"] not in AREA_CLASSES]
    out = []
    for r in resolutions:
        m = r.mention
        if r.place is None:
            near = min(local or placed,
                       key=lambda o: (abs(o.mention.start - m.start), o.mention.start))
        elif r.basis == "part" and r.place["feature_class"] in AREA_CLASSES:
            # "Stade de France", "University of Alberta": a town of that country or
            # province the document names says more than the whole unit.
            field = "country_code" if r.place["feature_class"] != "admin1" \
                else "admin1_code"
            inside = [o for o in local if r.place.get(field)
                      and _place_of(o).get(field) == r.place.get(field)]
            if not inside:
                out.append(r)
                continue
            near = min(inside, key=lambda o: (abs(o.mention.start - m.start),
                                              o.mention.start))
        else:
            out.append(r)
            continue
        out.append(Resolution(m, near.place, 0.0,
                              round(confidence * near.confidence, 3),
                              r.cue_classes, False, (), "document"))
    return out


def _place_of(resolution: Resolution) -> dict[str, Any]:
    """The place of a resolution known to have one."""
    if resolution.place is None:
        raise ValueError(f"{resolution.mention.text!r} has no place")
    return resolution.place
