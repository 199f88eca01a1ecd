"""News that reports no armed conflict codes (almost) nothing: epidemics, floods, accidents
(self-written texts of the shapes real outbreak and disaster reports take; measured on real
reporting in bench/RESULTS.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from extract.pipeline import Extractor
from extract.readers import Article

OUTBREAK = """Cholera - Democratic Republic of the Congo

On 12 March 2024, the Ministry of Health notified WHO of an increase in suspected cholera
cases in North Kivu province. Between 1 January and 10 March, 4,212 suspected cases,
including 87 deaths (case fatality ratio 2.1%), were reported from 14 health zones. The
worst hit health zone is Nyiragongo, where 1,950 cases were recorded. The city of Goma
reported 327 deaths since the start of the outbreak.

The outbreak is occurring in a context of insecurity and population displacement, with
attacks by armed groups hampering access to some health zones. Displacement camps around
Goma are overcrowded and lack safe water.

Response: the Ministry, with WHO and partners, deployed rapid response teams, set up
cholera treatment centres and launched an oral vaccination campaign targeting 1.2 million
people. WHO assesses the national risk as high.
"""

FLOOD = """Floods hit Beira as cyclone makes landfall

BEIRA, 14 March 2024 - Cyclone Freddy hit the coast of central Mozambique on Monday,
killing at least 21 people and destroying thousands of homes, officials said. The storm
struck Beira with winds of 150 km/h, and floods cut the road to Dondo.

More than 50,000 people were evacuated and aid agencies warned of a cholera outbreak as
water sources were contaminated. The national disaster agency said the death toll could rise.
"""

ACCIDENT = """Bus crash kills 14 on the Nairobi-Mombasa highway

NAIROBI, 3 June 2024 - Fourteen people were killed and 30 injured when a bus collided with a
lorry near Mtito Andei on Sunday night, police said. The driver lost control after a tyre
burst, a police commander said. The injured were taken to hospitals in Voi and Makindu.
"""

CONFLICT = """Gunmen kill 12 villagers in Plateau

JOS, 4 June 2024 - Gunmen attacked the village of Mushu in Bokkos on Sunday, killing 12
villagers and burning houses, police said. The attack came as a cholera outbreak spread in
the area.
"""


# `extractor`: the session's (tests/conftest.py)


def _events(extractor: Extractor, text: str, published: dt.date | None = None):
    article = Article("x", text, None, None, published, "test", None, "x.txt", "txt")
    return extractor.extract(article)


@pytest.mark.parametrize("text", [OUTBREAK, FLOOD, ACCIDENT], ids=["outbreak", "flood",
                                                                  "accident"])
def test_no_event_in_news_of_no_conflict(extractor, text):
    assert _events(extractor, text, dt.date(2024, 3, 15)) == []


def test_a_conflict_story_in_an_outbreak_area_still_codes(extractor):
    events = _events(extractor, CONFLICT)
    assert events and events[0].event_type.value == "Violence against civilians"
    assert events[0].fatalities == 12
