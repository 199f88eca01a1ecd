"""Short dispatches (a wire alert, a coder's note): one paragraph, no title. Self-written
examples of shapes real reporting has; quality on real reporting is measured by
`conflict-atlas eval events --gold` (bench/RESULTS.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from extract.pipeline import Extractor
from extract.readers import Article


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def _events(extractor: Extractor, text: str) -> list:
    article = Article(article_id="d", text=text, title=None, url=None,
                      published=dt.date(2024, 12, 31), source="test", language=None,
                      path="d.txt", format="txt")
    return extractor.extract(article)


def test_a_toll_told_after_the_event_is_its_toll(extractor):
    for toll, figure in (("15 fatalities reported.", 15), ("1 fatality.", 1),
                         ("Fatalities: 6.", 6)):
        events = _events(extractor, "On 9 September 2024, the army and RSF fighters clashed "
                                    f"in El Fasher (North Darfur). {toll}")
        assert [e.fatalities for e in events] == [figure], toll


def test_a_parenthesis_says_where_a_place_is(extractor):
    events = _events(extractor, "On 2 July 2024, JNIM militants attacked soldiers in Boni "
                                "(Douentza, Mopti). 5 soldiers were killed.")
    assert [(e.location, e.admin1) for e in events] == [("Boni", "Mopti")]
    events = _events(extractor, "On 8 June 2024, M23 rebels and the army clashed in Kibumba "
                                "(Nyiragongo, Nord-Kivu).")
    assert [e.location for e in events] == ["Kibumba"]


def test_an_actor_named_like_a_village_does_not_move_the_place(extractor):
    # "Taliban" is also a village name: as the actor's whole name it is no place, and no
    # evidence that the story is elsewhere than Kandahar
    events = _events(extractor, "On 12 January 2024, the Taliban arrested three men in "
                                "Kandahar.")
    assert len(events) == 1
    event = events[0]
    assert (event.country, event.sub_event_type.value) == ("Afghanistan", "Arrests")
    assert event.actor1 == "Taliban"


def test_party_followers_and_a_league_by_its_name(extractor):
    events = _events(extractor, "On 5 August 2024, members of the Bangladesh Chhatra League "
                                "attacked BNP supporters in Sylhet, injuring 10.")
    assert len(events) == 1
    assert events[0].location == "Sylhet"
    assert events[0].actor1 == "Bangladesh Chhatra League"
    assert events[0].actor2 == "Supporters of Bangladesh Nationalist Party"


def test_communities_fighting_are_communal_militias(extractor):
    events = _events(extractor, "On 27 May 2024, herders and farmers clashed in Bokkos "
                                "(Plateau), leaving 8 dead.")
    assert [(e.sub_event_type.value, e.actor1, e.actor2, e.fatalities) for e in events] == [
        ("Armed clash", "Unidentified Communal Militia (Nigeria)",
         "Unidentified Communal Militia (Nigeria)", 8)]


def test_an_arabic_note_places_a_town_its_news_names_often(extractor):
    # "درعا" (Daraa) is a frequent word of Arabic news: still the town, where "مدينة" (city)
    # is a word
    events = _events(extractor, "في 5 يونيو 2024، قتل مسلحون مجهولون ثلاثة مدنيين في درعا.")
    assert [(e.location, e.country, e.fatalities) for e in events] == [("Dar‘ā", "Syria", 3)] \
        or [(e.country, e.fatalities) for e in events] == [("Syria", 3)]
