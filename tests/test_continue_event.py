"""A sentence that places an event the previous one reported without a place keeps that
event's fatalities when it gives none (issue #14: the conditional once returned the later
sentence's own value either way)."""

from __future__ import annotations

import datetime as dt

from extract.events import SentenceEvent, continue_event
from extract.schema import EventType as E
from extract.schema import SubEventType as S
from extract.schema import TimePrecision


def _event(fatalities: int | None, trigger: str) -> SentenceEvent:
    return SentenceEvent(E.EXPLOSIONS, S.REMOTE_EXPLOSIVE, None,
                         None, dt.date(2024, 3, 4), TimePrecision.DAY, True, False, fatalities,
                         trigger, 0.9)


def test_the_pending_sentences_fatalities_are_carried():
    pending = _event(3, "bombe")  # "Une bombe a tué trois soldats lundi."
    later = _event(None, "visé")  # "Le convoi a été visé près d'Abou Ghraib."
    assert continue_event(pending, later).fatalities == 3


def test_the_later_sentences_own_count_wins():
    assert continue_event(_event(3, "bombe"), _event(5, "visé")).fatalities == 5
    assert continue_event(_event(3, "bombe"), _event(0, "visé")).fatalities == 0


def test_no_later_sentence_keeps_the_pending_event():
    assert continue_event(_event(2, "bombe"), None).fatalities == 2
