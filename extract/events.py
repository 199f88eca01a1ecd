"""Sentence-level event coding: what a sentence reports, when, by and to whom, how many died.

:func:`code_sentence` reads a sentence (:func:`extract.codebook.read_sentence`: cues and
parties), asks an :class:`~extract.codebook.EventClassifier` whether it reports an event and
of which ACLED type, and adds the date (:mod:`extract.dates`) and the fatalities
(:mod:`extract.fatalities`). The pipeline then places it: one event per place, ACLED style
("Bagdad et Babil" gives two events), at the most precise level the article allows.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from extract.codebook import (
    CodebookClassifier,
    Coding,
    DemonymLookup,
    EventClassifier,
    Party,
    read_sentence,
)
from extract.cues import CueLexicon
from extract.dates import DateMention, find_dates
from extract.fatalities import find_fatalities
from extract.schema import EventType as E
from extract.schema import GeoPrecision, TimePrecision
from extract.schema import SubEventType as S

logger = logging.getLogger(__name__)

_UNIDENTIFIED = re.compile(r"\b(?:unidentified|unknown|unclaimed|non identifi[ée]e?s?|"
                           r"inconnue?s?|non revendiqu[ée]e?)\b|مجهول", re.IGNORECASE)
BACKGROUND_DAYS = 30  # an event this long before publication is one the article recalls
_RECALL = re.compile(r"\b(rappel\w*|l['’]an dernier|l['’]ann[ée]e derni[èe]re|"
                     r"last year|recalled|anniversary|anniversaire|commemorat\w+)\b",
                     re.IGNORECASE)
_NEAR = re.compile(r"\b(près d[eu']|pr[eè]s de l['’]|aux abords d|non loin d|à proximité d|"
                   r"near|outside|close to|north of|south of|east of|west of|on the outskirts"
                   r" of|outskirts of|in the vicinity of|between|"
                   r"au (nord|sud|est|ouest) d|قرب|بالقرب من|أطراف|محيط|ريف)", re.IGNORECASE)


@dataclass(frozen=True)
class ActorHit:
    """A named actor of the alias table found in the text, with every reading of its alias
    (:meth:`extract.actors.ActorMention.reading_for` picks one by the event's country)."""

    start: int
    end: int
    canonical: str
    inter_code: int
    readings: tuple[Any, ...] = ()


@dataclass(frozen=True)
class SentenceEvent:
    """What a sentence says happened, before it is placed (one per place)."""

    event_type: E
    sub_event_type: S
    actor1: Party | None
    actor2: Party | None
    date: dt.date | None
    time_precision: TimePrecision
    date_explicit: bool
    is_background: bool
    fatalities: int | None
    trigger: str
    strength: float
    date_source: str = "sentence"  # sentence | context | published | none
    generic: bool = False  # only a generic attack word ("attaque", "visé", "targeted")
    dates: tuple[DateMention, ...] = ()  # the sentence's own resolved dates
    outcome_only: bool = False  # only who died or was hurt ("3 soldiers were killed")
    anaphoric: bool = False  # the act named as one already told ("the fighting erupted")
    unidentified: bool = False  # the text says the perpetrator is unknown

    def continues(self, earlier: SentenceEvent) -> bool:
        """Whether this sentence tells on the ``earlier`` event rather than a new one: it
        only names the act ("the attack", "the strike") or its outcome ("3 soldiers were
        killed"), and gives no other day."""
        same_day = self.date_source != "sentence" or self.date == earlier.date
        return same_day and (self.generic or self.outcome_only or (
            self.anaphoric and self.event_type is earlier.event_type))

    def date_near(self, offset: int) -> SentenceEvent:
        """This event dated by the sentence's date phrase closest before ``offset`` (a place
        mention): "neuf interpellés jeudi à X, et cinq autres vendredi près de Y"."""
        before = [d for d in self.dates if d.start <= offset]
        if len(self.dates) < 2 or not before:
            return self
        d = before[-1]
        return replace(self, date=d.date, time_precision=d.precision, date_explicit=d.explicit)


class SentenceCoder:
    """Codes sentences: the cue lexicon, a classifier and the demonym lookup, loaded once."""

    def __init__(self, classifier: EventClassifier | None = None,
                 lexicon: CueLexicon | None = None,
                 demonym_country: DemonymLookup | None = None) -> None:
        self.lexicon = lexicon or CueLexicon.load()
        self.classifier = classifier or CodebookClassifier()
        self.demonym_country = demonym_country

    def code(self, sentence: str, published: dt.date | None, actors: Sequence[ActorHit],
             language: str, previous_date: DateMention | None = None,
             dates: Sequence[DateMention] | None = None) -> SentenceEvent | None:
        """The event ``sentence`` reports, or ``None``."""
        named = [Party(a.start, a.end, "named", a.inter_code, a.canonical, "",
                       sentence[a.start:a.end], a.readings) for a in actors]
        reading = read_sentence(sentence, language, self.lexicon, named,
                                self.demonym_country)
        coding = self.classifier.classify(reading)
        if coding is None:
            return None
        return _dated(coding, sentence, published, previous_date,
                      find_dates(sentence, published) if dates is None else dates)


def _dated(coding: Coding, sentence: str, published: dt.date | None,
           previous_date: DateMention | None, dates: Sequence[DateMention]) -> SentenceEvent:
    explicit = next((d for d in dates if d.explicit and d.date), None)
    own = explicit or next((d for d in dates if d.date), None)
    chosen = own or previous_date
    if chosen is not None and chosen.date is not None:
        date, precision, is_explicit = chosen.date, chosen.precision, chosen.explicit
        source = "sentence" if own is not None else "context"
    elif published is not None:
        date, precision, is_explicit, source = published, TimePrecision.WEEK, False, "published"
    else:
        date, precision, is_explicit, source = None, TimePrecision.MONTH, False, "none"
    background = bool(
        date is not None and published is not None
        and (published - date).days > BACKGROUND_DAYS
    ) or (bool(_RECALL.search(sentence)) and explicit is not None)
    return SentenceEvent(
        coding.event_type, coding.sub_event_type, coding.actor1, coding.actor2, date,
        precision, is_explicit, background, find_fatalities(sentence), coding.trigger.text,
        coding.score, source, generic=coding.generic,
        dates=tuple(d for d in dates if d.date is not None),
        outcome_only=coding.outcome_only, anaphoric=coding.anaphoric,
        unidentified=bool(_UNIDENTIFIED.search(sentence)))


def continue_event(pending: SentenceEvent, coded: SentenceEvent | None) -> SentenceEvent:
    """A sentence that places an event the previous sentence reported without a place:
    "Deux convois ont été pris pour cible lundi. Le premier a été visé près d'Abou Ghraib".
    The event keeps the earlier sentence's type and actors where this one has none, and
    its fatalities when this sentence gives none."""
    if coded is None:
        return replace(pending, generic=False, anaphoric=False)
    date_from_sentence = coded.date_source == "sentence"
    unidentified = coded.actor1 is None or coded.actor1.role == "armed"
    return replace(
        coded,
        event_type=pending.event_type, sub_event_type=pending.sub_event_type,
        actor1=pending.actor1 if unidentified and pending.actor1 else coded.actor1,
        actor2=coded.actor2 or pending.actor2,
        date=coded.date if date_from_sentence else pending.date,
        time_precision=coded.time_precision if date_from_sentence else pending.time_precision,
        date_explicit=coded.date_explicit if date_from_sentence else pending.date_explicit,
        is_background=coded.is_background if date_from_sentence else pending.is_background,
        fatalities=coded.fatalities if coded.fatalities is not None else pending.fatalities,
        strength=max(coded.strength, pending.strength - 0.1), generic=False, anaphoric=False,
    )


_DATELINE = re.compile(
    r"^(?:[A-ZÀ-Ý][\w'’.-]*(?:[ -][A-ZÀ-Ý][\w'’.-]*){0,3}|[\u0600-\u06ff]+(?: [\u0600-\u06ff]+)?)"
    r"(?:\s*\([^)\n]{1,30}\))?(?:[,،][^\n—–]{0,60}?)?(?:\s*\([^)\n]{1,60}\))?"
    r"\s*(?:—|–|--| - )\s*", re.MULTILINE)


def dateline_spans(text: str) -> list[tuple[int, int]]:
    """Datelines ("BAGDAD, 9 janvier 2024 (Agence) — "): where and when the report was
    filed, not where or when the event happened."""
    return [(m.start(), m.end()) for m in _DATELINE.finditer(text)]


def geo_precision(sentence: str, mention_start: int, place: dict[str, Any]) -> GeoPrecision:
    """ACLED's spatial precision: 1 the named place, 2 near it or in a part of a district
    (coded at a town of it), 3 only a province or a country (coded at its point)."""
    if place["feature_class"] in ("admin1", "country", "continent", "region"):
        return GeoPrecision.REGION
    if place["feature_class"] == "admin2":
        return GeoPrecision.NEAR_PLACE
    if _NEAR.search(sentence[max(0, mention_start - 40):mention_start]):
        return GeoPrecision.NEAR_PLACE
    return GeoPrecision.NAMED_PLACE
