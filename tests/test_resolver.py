"""Resolving place names in context: spatial coherence, containment pairs, names inside
names, the document fallback, source country, regions and the name-finding guards."""

from __future__ import annotations

import numpy as np
import pytest

from extract.geoparse.coherence import UNIT_FROM_MEMBER, similarity, support
from extract.geoparse.model import Mention
from extract.geoparse.resolver import ToponymResolver
from geodata import GazetteerGeocoder
from geodata.distance import haversine_km
from geodata.tld import country_of_url


@pytest.fixture(scope="module")
def resolver() -> ToponymResolver:
    return ToponymResolver()


def mentions(text: str, *names: str) -> list[Mention]:
    """One mention per name, at its first occurrence after the previous one."""
    out, pos = [], 0
    for name in names:
        start = text.index(name, pos)
        out.append(Mention(start, start + len(name), name, "gold"))
        pos = start + len(name)
    return out


def resolve(resolver: ToponymResolver, text: str, *names: str, **kwargs):
    return resolver.resolve(text, mentions(text, *names), **kwargs)


def row(name, lat, lon, cls="city", cc="US", a1="", a2="", code=""):
    return {"name": name, "lat": lat, "lon": lon, "feature_class": cls,
            "feature_code": code, "country_code": cc, "admin1_code": a1, "admin2_code": a2}


# ------------------------------------------------------------------------- coherence

def test_similarity_decays_with_distance_and_counts_containment():
    town = row("Paris", 39.48, -92.0, a1="US.MO", a2="US.MO.137")
    county = row("Monroe County", 39.5, -93.0, "admin2", a1="US.MO", a2="US.MO.137")
    far = row("Paris", 33.66, -95.56, a1="US.TX")
    near = row("Holliday", 39.49, -92.13, a1="US.MO")
    sim = similarity([town, county, far, near])
    assert sim[0, 1] == 1.0  # the named county holds the town
    assert sim[1, 0] == UNIT_FROM_MEMBER  # a town says less about its county
    assert 0.9 < sim[0, 3] < 1.0  # 11 km apart
    assert sim[3, 1] < 0.5  # 75 km from the county's point, in no unit the county holds
    assert sim[2, 3] < 0.01  # Texas is 700 km away
    assert np.allclose(np.diag(sim), 1.0)


def test_support_sums_the_best_reading_of_each_other_name_and_wide_readings_are_neutral():
    paris = [row("Paris", 48.85, 2.35, cc="FR"), row("Paris", 39.48, -92.0, a1="US.MO")]
    holliday = [row("Holliday", 39.49, -92.13, a1="US.MO")]
    mexico = [row("Mexico", 23.0, -102.0, "country", cc="MX"), row("Mexico", 39.17, -91.88)]
    out = support([paris, holliday, mexico], [[1.0, 0.2], [1.0], [1.0, 0.1]])
    assert out[0][1] > out[0][0]  # Paris, Missouri has Holliday and Mexico, Missouri near
    assert out[2][0] == max(out[2])  # the country is as supported as its best namesake
    assert support([], []) == []


def test_support_by_blocks_equals_the_whole_matrix(monkeypatch):
    from extract.geoparse import coherence

    rng = np.random.default_rng(7)
    groups = [[row(f"p{g}{i}", float(rng.uniform(30, 40)), float(rng.uniform(40, 50)),
                   a1=f"IQ.{rng.integers(1, 4):02d}") for i in range(int(rng.integers(1, 5)))]
              for g in range(9)]
    weights = [[float(x) for x in rng.uniform(0, 1, len(g))] for g in groups]
    whole = support(groups, weights)
    monkeypatch.setattr(coherence, "BLOCK", 4)
    assert coherence.Coherence(groups).matrix is None
    assert np.allclose(np.concatenate(support(groups, weights)), np.concatenate(whole))


# ------------------------------------------------------------------------- resolving

def test_neighbours_pick_the_small_namesakes(resolver):
    text = ("PARIS, Mo. - Crews worked through the night in Monroe County after the storm. "
            "Residents of Holliday and Paris said the creek rose fast.")
    res = resolve(resolver, text, "PARIS", "Mo.", "Monroe County", "Holliday", "Paris")
    assert all(r.place["admin1_code"] == "US.MO" for r in res), [r.place for r in res]
    assert res[0].place["feature_class"] == "city" and res[0].place["population"] < 20_000


def test_a_place_and_its_region_choose_together(resolver):
    res = resolve(resolver, "The rally in London, Ontario drew 200 people.",
                  "London", "Ontario")
    assert res[0].place["country_code"] == "CA"
    assert res[1].place["feature_class"] == "admin1"
    res = resolve(resolver, "Lawmakers met in Albany, New York on Monday.", "Albany",
                  "New York")
    assert res[1].place["feature_class"] == "admin1"  # the state, not the city
    res = resolve(resolver, "The deal includes Mexico, the US, and Canada.", "Mexico", "US",
                  "Canada")
    assert res[0].place["feature_class"] == "country"  # a country is inside no country


def test_a_possessive_places_the_second_name_in_the_first(resolver):
    res = resolve(resolver, "Cabin crew work out of London's Heathrow, a busy hub.", "London",
                  "Heathrow")
    assert res[1].place["country_code"] == "GB"
    assert res[1].place["feature_class"] == "airport"


def test_a_governor_belongs_to_a_state(resolver):
    (res,) = resolve(resolver, "Former New York Gov. Mario Cuomo died.", "New York")
    assert res.place["feature_class"] == "admin1"
    (res,) = resolve(resolver, "Tourists crowded New York on Friday.", "New York")
    assert res.place["feature_class"] == "city"


def test_a_unit_named_with_another_kind_is_found(resolver):
    text = ("Gunmen attacked police in the Jordanian town of Karak. Jordan said the town of "
            "Qatraneh in the Karak district was also hit.")
    res = resolve(resolver, text, "Jordanian", "Karak", "Jordan", "Qatraneh", "Karak district")
    assert res[1].place["country_code"] == "JO"
    assert res[4].place["country_code"] == "JO"  # Karak governorate, not Karak District, PK
    assert res[4].place["feature_class"] in ("admin1", "admin2")


def test_unknown_name_falls_back_to_a_place_named_inside_it(resolver):
    text = "Students at Colorado State University protested on Friday."
    (res,) = resolve(resolver, text, "Colorado State University")
    assert res.basis == "part" and res.place["name"] == "Colorado"
    (res,) = resolve(resolver, "A vigil outside the British Embassy Tokyo.",
                     "British Embassy Tokyo")
    assert res.place["name"] == "Tokyo"  # a place before a nationality


def test_unknown_name_falls_back_to_the_nearest_place_of_the_document(resolver):
    text = ("New Orleans police closed Royal Street after the parade. "
            "Bars on Bourbon stayed open until dawn, and Baton Rouge sent officers.")
    res = resolve(resolver, text, "New Orleans", "Royal Street", "Bourbon", "Baton Rouge")
    orleans = res[0].place
    assert orleans["name"] == "New Orleans"
    assert res[1].basis == "document" and res[1].place["id"] == orleans["id"]
    # A small town of that name 1,300 km away is the street, not Bourbon, Missouri.
    assert res[2].basis == "document"
    assert haversine_km(res[2].place["lat"], res[2].place["lon"], orleans["lat"],
                        orleans["lon"]) < 150
    assert 0 < res[1].confidence < res[0].confidence


def test_an_isolated_reading_gives_way_to_the_next_one_near_the_document(resolver):
    text = ("British officials in London said the flight from Manchester landed at Heathrow "
            "on Monday.")
    res = resolve(resolver, text, "British", "London", "Manchester", "Heathrow")
    heathrow = res[3]
    assert heathrow.place["feature_class"] == "airport"
    assert heathrow.place["country_code"] == "GB" and not heathrow.basis
    assert heathrow.confidence <= 0.5


def test_no_fallback_when_asked(resolver):
    strict = ToponymResolver(resolver.geocoder, resolver.demonyms, fallback=False)
    res = resolve(strict, "New Orleans police closed Royal Street.", "New Orleans",
                  "Royal Street")
    assert res[1].place is None and res[1].basis == ""


def test_a_short_acronym_is_no_village(resolver):
    text = "Rustenburg mines in SA hired 300 workers; the OAS met in Washington."
    res = resolve(resolver, text, "Rustenburg", "SA", "OAS", "Washington")
    assert res[1].basis == "document" and res[1].place["country_code"] == "ZA"
    assert res[2].basis == "document"  # placed by the document, not at Oas, Philippines
    (uae,) = resolve(resolver, "Flights from the UAE resumed.", "UAE")
    assert uae.place["country_code"] == "AE" and uae.basis == ""


def test_demonym_is_its_country_whatever_the_focus(resolver):
    text = "Texas and Oklahoma officials met Canadian investors in Dallas."
    res = resolve(resolver, text, "Texas", "Oklahoma", "Canadian", "Dallas")
    assert res[2].place["feature_class"] == "country" and res[2].place["country_code"] == "CA"


def test_source_country_is_a_prior(resolver):
    text = "Rough sleepers can shelter in a church in Edmonton this winter."
    (plain,) = resolve(resolver, text, "Edmonton")
    (home,) = resolve(resolver, text, "Edmonton", home="GB")
    assert plain.place["country_code"] == "CA"
    assert home.place["country_code"] == "GB"


@pytest.mark.parametrize("url, code", [
    ("https://www.cbc.ca/news/canada", "CA"), ("http://www.bbc.co.uk/news", "GB"),
    ("www.abc.net.au/news", "AU"), ("https://www.bbc.com/news", ""), ("https://x.tv/", ""),
    ("", ""), (None, ""), ("http://[broken", ""),
])
def test_country_of_url(url, code):
    assert country_of_url(url) == code


# ------------------------------------------------------------------------- gazetteer

@pytest.fixture(scope="module")
def geocoder() -> GazetteerGeocoder:
    return GazetteerGeocoder()


@pytest.mark.parametrize("query, name", [
    ("EU", "European Union"), ("Union européenne", "European Union"),
    ("Middle East", "Middle East"), ("Moyen-Orient", "Middle East"),
    ("Eastern Ghouta", "Eastern Ghouta"), ("Sahel", "Sahel"), ("Balkans", "Balkans"),
])
def test_regions(geocoder, query, name):
    loc = geocoder.geocode(query)
    assert loc.raw["feature_class"] == "region" and loc.raw["name"] == name


def test_region_points_are_computed(geocoder):
    korea = geocoder.geocode("Korean Peninsula")
    seoul, pyongyang = geocoder.geocode("Seoul"), geocoder.geocode("Pyongyang")
    assert pyongyang.latitude > korea.latitude - 2 and korea.latitude > seoul.latitude - 2
    ghouta, damascus = geocoder.geocode("Eastern Ghouta"), geocoder.geocode("Damascus")
    assert haversine_km(ghouta.latitude, ghouta.longitude, damascus.latitude,
                        damascus.longitude) < 30
    assert geocoder.geocode("Middle East").raw["population"] > 300_000_000


@pytest.mark.parametrize("query, country, cls", [
    ("White House", "US", "landmark"),  # before a translation of Casablanca's name
    ("Minnesota", "US", "admin1"),  # Minneota (1,400 people) does not shadow the state
    ("Montana", "US", "admin1"),
    ("the Gulf", "", "natural"),  # the Persian Gulf before Gulf Province
])
def test_own_names_before_alternate_names(geocoder, query, country, cls):
    loc = geocoder.geocode(query)
    assert (loc.raw["country_code"], loc.raw["feature_class"]) == (country, cls), loc.raw


def test_a_towns_short_name_is_no_rival_alternate(geocoder):
    # "Newcastle" is the first word of Newcastle upon Tyne's own name, not another place's
    # name for it: the city (300,000 people) before Newcastle, County Down (7,000).
    loc = geocoder.geocode("Newcastle", country_codes=["GB"])
    assert loc.raw["name"] == "Newcastle upon Tyne"


# ------------------------------------------------------------------------- finding

@pytest.fixture(scope="module")
def finder():
    from evaluation.adapters import default_finder

    return default_finder("en")


def found(finder, text: str) -> list[str]:
    return [name for _s, _e, name, _lat, _lon in finder.find(text)]


def test_abbreviations_and_acronyms_are_found(finder):
    names = found(finder, "GEORGETOWN, Ky. (AP) - The U.S. Army and US officials met "
                          "B.C. leaders; the UK sent envoys. Let us go.")
    assert {"Ky.", "U.S.", "US", "B.C.", "UK"} <= set(names)
    assert "us" not in names


def test_a_surname_is_not_a_place_later_in_the_text(finder):
    names = found(finder, "In Boston, Mayor Marty Walsh opened the shelter. "
                          "Walsh said the city would add beds. Walsh's office agreed.")
    assert "Boston" in names  # a frequent word, but a prominent place mid-sentence
    assert not any(n.startswith("Walsh") for n in names)


@pytest.mark.parametrize("text, places, persons", [
    ("Charlie Chen, 48, was charged in Boston. Chen lived in Lexington, Massachusetts.",
     {"Boston", "Lexington", "Massachusetts"}, {"Chen"}),
    ("Laura Ingraham spoke in Dallas on Monday.", {"Dallas"}, {"Laura"}),
    (("Keith recalled the drive to Houston. Police say Gino D. Bassett ran away. Bassett "
      "was held. The horse trained by Mike de Kock won."),
     {"Houston"}, {"Keith", "Bassett", "Kock"}),
    ("Photo: Adrian Walker, director of the clinic in Pittsburgh.", {"Pittsburgh"},
     {"Adrian", "Walker"}),
    ("She told CTV Winnipeg about the rescue. The dog was treated in Winnipeg.", {"Winnipeg"},
     set()),
    (("Officers arrested Paul Francis Floyd, said the Toronto Police Services Board. He "
      "studied at King Juan Carlos University in Madrid."), {"Toronto", "Madrid"},
     {"Paul", "King"}),
    ("The pair are from Alvin, Texas. The prison in Shelby closed; Julia, his wife, left.",
     {"Alvin", "Texas", "Shelby"}, {"Julia"}),
    (("Congressman Mario Diaz-Balart (Florida) met Attorney Wang Quanzhang. Wang's case and "
      "Christopher Steele's firm in London came up. Steele's sources spoke."),
     {"Florida", "London"}, {"Balart", "Wang", "Wang's", "Steele's"}),
])
def test_given_names_mark_persons_in_text_without_ner(finder, text, places, persons):
    names = set(found(finder, text))
    assert places <= names
    assert not persons & names


def test_sentence_openings_titles_and_clitics_are_no_places(finder):
    text = ('Floods hit the city.\n\n   Most of the deaths occurred downtown. "Some roads '
            'are shut," I\'ve heard Sen. Rubio say. US officials flew to Paris.')
    names = found(finder, text)
    assert {"US", "Paris"} <= set(names)
    assert not {"Most", "Some", "I've", "Sen."} & set(names)


def test_datelines_and_hyphenated_abbreviations_are_found(finder):
    names = found(finder, "AUSTIN, Texas (AP) - Officers from the U.S.-led coalition and "
                          "Saudi-led forces met.")
    assert {"AUSTIN", "Texas", "U.S.", "Saudi"} <= set(names)


def test_a_name_with_its_article_opens_a_sentence(finder):
    assert "The Hague" in found(finder, "Talks stalled.\nThe Hague said nothing new.")


def test_a_seat_of_government_that_speaks_is_a_metonym(resolver):
    text = "The Pentagon said the strike near Baghdad was in self-defence."
    pentagon, baghdad = resolve(resolver, text, "Pentagon", "Baghdad")
    assert pentagon.place["feature_code"] == "BLDG" and pentagon.is_metonym
    assert not baghdad.is_metonym


def test_given_names_come_folded_from_the_installed_lists(caplog):
    from extract.geoparse.persons import load_given_names

    names = load_given_names(("en_US", "fr_FR", "xx_NOPE"))
    assert {"laura", "keith", "helene"} <= names
    assert all(n == n.lower() and " " not in n for n in names)
    assert "xx_NOPE" in caplog.text


def test_an_event_is_not_coded_at_a_document_fallback():
    from extract.pipeline import Extractor

    article_text = ("Baghdad, 3 March 2024 (fictional dispatch) - A roadside bomb exploded "
                    "on Haifa Street on Monday, killing two people.\n")
    extractor = Extractor()
    resolutions = extractor.resolver.resolve(
        article_text, mentions(article_text, "Baghdad", "Haifa Street"), language="en")
    assert resolutions[1].basis == "document"
    places = extractor._event_places(resolutions, 0, len(article_text), [], [])
    assert [r.mention.text for r in places] == ["Baghdad"]


def test_region_points_from_members_or_anchor(tmp_path):
    from geodata.build import MAIN, Place, read_regions

    def town(name, cc, lat, lon, pop):
        place = Place(f"gn:{name}", name, "city", "PPL", cc, lat, lon, pop)
        place.add_name(name, kind=MAIN)
        return place

    shapes = [{"iso_a2": "AA", "main_lat": 10.0, "main_lon": 20.0, "area": 3.0},
              {"iso_a2": "BB", "main_lat": 14.0, "main_lon": 24.0, "area": 1.0}]
    countries = [Place("gn:1", "Aland", "country", "PCLI", "AA", 10, 20, 1000),
                 Place("gn:2", "Beland", "country", "PCLI", "BB", 14, 24, 500)]
    cities = [town("Capital", "AA", 10.0, 20.0, 700), town("Suburb", "AA", 10.2, 20.0, 300),
              town("Faraway", "AA", 12.0, 20.0, 5000)]
    header = "id\tname\tmembers\tanchor\tnames\tnote\n"
    path = tmp_path / "regions.tsv"
    path.write_text(header + "reg:ab\tAB lands\tAA BB\t\ten:ABL|fr:Terres AB\t\n"
                    "reg:cap\tCapital area\t\tAA:Capital\t\t\n", encoding="utf-8")
    ab, cap = read_regions(path, shapes, countries, cities)
    assert (ab.lat, ab.lon, ab.population) == (11.0, 21.0, 1500)  # area-weighted, summed
    assert (ab.feature_class, ab.country_code) == ("region", "")
    assert ("Terres AB", "fr", 1) in ab.names
    assert (cap.lat, cap.lon, cap.country_code) == (10.0, 20.0, "AA")
    assert cap.population == 1000  # the towns within 50 km, not Faraway
    path.write_text(header + "reg:x\tX\tAA ZZ\t\t\t\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown countries"):
        read_regions(path, shapes, countries, cities)
    path.write_text(header + "reg:y\tY\t\tAA:Nowhere\t\t\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no gazetteer town"):
        read_regions(path, shapes, countries, cities)


class _RecordingResolver(ToponymResolver):
    """The real resolver, noting the language it is asked to resolve in."""

    def resolve(self, text, mentions, language=None, home=""):  # type: ignore[override]
        self.languages = [*getattr(self, "languages", []), language]
        return super().resolve(text, mentions, language=language, home=home)


def test_a_finder_resolves_in_its_own_language():
    from evaluation.adapters import Finder
    from extract.geoparse.nlp import NlpRegistry

    resolver = _RecordingResolver()
    finder = Finder(resolver, NlpRegistry().get("fr"), "fr")
    names = [n for _s, _e, n, _lat, _lon in finder.find("Des frappes ont visé Bagdad mardi.")]
    assert names == ["Bagdad"] and resolver.languages == ["fr"]  # was always "en"


@pytest.mark.parametrize("town", ["Akcakale", "Elbeyli", "Reyhanli"])
def test_a_names_own_vote_does_not_keep_it_in_its_country(resolver, town):
    # The stray rule asks whether the *other* names point to a place's country. The vote to
    # take off is the one the name put in the focus (rescored), not that of its raw
    # candidates: Akcakale's and Elbeyli's differ, so their own vote kept them in Turkey
    # while a one-reading name such as Reyhanli was judged by the other names alone.
    text = ("Shelling hit Aleppo, Azaz, Afrin and Jarablus in northern Syria on Monday, "
            f"and a shell landed in {town}.")
    names = ["Aleppo", "Azaz", "Afrin", "Jarablus", "Syria", town]
    found = mentions(text, *names)
    res = resolver.resolve(text, [Mention(m.start, m.end, m.text, "gazetteer")
                                  for m in found], language="en")
    last = res[-1]
    assert last.basis == "document" and last.place["country_code"] == "SY", last.place


def test_a_name_is_read_by_its_spelling_in_the_documents_country(resolver):
    """"Kourakhovo" is no place's recorded spelling; in a story about Ukraine it is read by
    its transliteration key as Kurakhove, and says so."""
    text = ("Les forces russes ont pilonné Kourakhovo, à l'ouest de Donetsk, en Ukraine, "
            "a indiqué l'armée ukrainienne.")
    res = resolver.resolve(text, mentions(text, "Kourakhovo", "Donetsk", "Ukraine"),
                           language="fr")
    place = res[0].place
    assert place["country_code"] == "UA" and place["match"] == "translit"
    assert haversine_km(place["lat"], place["lon"], 47.99, 37.28) < 25
    assert 0.8 <= place["similarity"] < 1 and res[2].place["match"] == "exact"


def test_no_reading_by_spelling_for_words_or_without_a_focus(resolver):
    text = "The Air Balloon roundabout near Birchfield will close, the county said."
    res = resolver.resolve(text, mentions(text, "Air Balloon", "Birchfield"), language="en")
    assert all(r.place is None or r.place.get("match", "exact") == "exact" for r in res)
    lone = "Kourakhovo"
    assert resolver.resolve(lone, mentions(lone, "Kourakhovo"))[0].place is None
    # A word ("les Kurdes") or a spelling only loosely like a name ("Katioucha", the rocket,
    # and Katūsh, Iraq) is not read by spelling in a story about Syria or Iraq.
    text = ("Les forces dominées par les Kurdes ont tiré des roquettes Katioucha près de "
            "Hassaké, en Syrie, non loin de l'Irak.")
    res = resolver.resolve(text, mentions(text, "Kurdes", "Katioucha", "Hassaké", "Syrie",
                                          "Irak"), language="fr")
    assert all(r.place is None or r.place.get("match", "exact") == "exact" for r in res[:2])


def test_finder_finds_villages_only_in_the_documents_countries(finder):
    """Robotyne is a Who's On First village that the name list leaves out: found after a
    locative word in a story about Ukraine, in another romanisation too, never elsewhere."""
    for village in ("Robotyne", "Robotino"):
        text = (f"Ukrainian troops advanced near {village}, in the Zaporizhzhia region of "
                "Ukraine, the general staff said.")
        found = {t: (lat, lon) for _s, _e, t, lat, lon in finder.find(text)}
        assert village in found, found
        assert haversine_km(*found[village], 47.45, 35.84) < 25
    text = "Fans gathered near Robotyne before the game in Toronto, Canada, on Sunday."
    assert "Robotyne" not in {t for _s, _e, t, _la, _lo in finder.find(text)}
