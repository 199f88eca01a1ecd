"""A story tells its event once and then tells on it: the later sentences that name it again
("the fighting", "the demonstration", "killed in the strike"), that say where it lies ("in the
countryside of Aleppo") or what keeps happening there ("repeated attacks") are no new events.
Self-written news paragraphs of shapes real reporting has; quality on real reporting is
measured by `conflict-atlas eval events --gold` (bench/RESULTS.md)."""

from __future__ import annotations

import datetime as dt

from extract.readers import Article


def _events(extractor, text: str) -> list:
    article = Article(article_id="t", text=text, title=None, url=None,
                      published=dt.date(2024, 5, 14), source="test", language=None,
                      path="t.txt", format="txt")
    return extractor.extract(article)


def test_the_fighting_named_again_moves_the_clash_to_the_village(extractor):
    events = _events(extractor,
                     "Syrian army troops clashed with SDF fighters on Monday near the city "
                     "of Deir ez-Zor, killing four fighters, a war monitor said. The monitor "
                     "said the fighting erupted after government forces tried to cross the "
                     "river near the village of Hatla, east of the city.")
    assert [(e.event_type.value, e.location, e.fatalities) for e in events] == [
        ("Battles", "Hatla", 4)]


def test_a_toll_of_the_strike_just_told_is_its_toll(extractor):
    events = _events(extractor,
                     "US forces carried out air strikes on Friday against sites used by armed "
                     "groups near Al-Qaim, in Anbar province. An Iraqi government spokesman "
                     "said four people were killed in the strike near Al-Qaim and condemned "
                     "what he called an aggression against Iraqi sovereignty.")
    assert [(e.sub_event_type.value, e.fatalities) for e in events] == [
        ("Air/drone strike", 4)]


def test_the_demonstration_named_again_in_its_city_is_the_same(extractor):
    events = _events(extractor,
                     "Hundreds of protesters rallied on Sunday in Tahrir Square in central "
                     "Baghdad to demand the withdrawal of foreign troops. The demonstration "
                     "comes as Baghdad negotiates the future of the coalition.")
    assert [(e.event_type.value, e.location) for e in events] == [
        ("Protests", "Tahrir Square")]


def test_a_region_after_its_village_says_where_the_village_is(extractor):
    events = _events(extractor,
                     "Turkish forces shelled villages near Tal Rifaat in the northern "
                     "countryside of Aleppo on Sunday, wounding three civilians.")
    assert [e.location for e in events] == ["Tall Rifat"]


def test_what_keeps_happening_is_no_event(extractor):
    for text in (("The Tarmiyah district, north of Baghdad, has seen repeated hit-and-run "
                 "attacks on security forces in recent years."),
                 "The Euphrates divides Deir ez-Zor province, where US troops are deployed.",
                 ("وتشهد مناطق سيطرة قوات سوريا الديمقراطية في ريف دير الزور هجمات متكررة "
                 "بالعبوات الناسفة.")):
        assert _events(extractor, text) == [], text


def test_an_official_who_condemns_is_no_protest(extractor):
    events = _events(extractor, "In Baghdad, a government spokesman on Monday condemned "
                                "the strike against Iraqi sovereignty.")
    assert all(e.event_type.value != "Protests" for e in events)


def test_an_event_nothing_places_is_coded_at_the_country_of_the_forces_it_names(extractor):
    """A one-line dispatch that names no place: ACLED codes it at the country (precision
    3) that the state forces it names belong to, rather than losing it."""
    (event,) = _events(extractor, "Iraqi forces say they killed 45 Islamic State fighters.")
    assert (event.country, event.location, int(event.geo_precision)) == ("Iraq", "Iraq", 3)
    assert event.fatalities == 45


def test_a_country_named_as_an_agent_places_an_event_nothing_else_places(extractor):
    """"Iraq bombs ..." names a government, not a place, but it says where the event is."""
    (event,) = _events(extractor, "Iraq bombs targeting pilgrims kill 17.")
    assert (event.country, int(event.geo_precision)) == ("Iraq", 3)


def test_an_article_without_country_or_place_still_codes_nothing(extractor):
    assert _events(extractor, "Gunmen killed 7 villagers yesterday.") == []
