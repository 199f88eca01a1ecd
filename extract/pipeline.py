"""The extraction pipeline: articles in, a validated, geocoded event table out.

``Extractor`` holds everything that is expensive to load (spaCy pipelines, the gazetteer,
the resolver, the actor table, the language identifier) and codes one article at a time;
``run_pipeline`` reads paths, runs the extractor (in worker processes with ``jobs > 1``),
reports progress and collects rejects. One broken article is reported and skipped; the rest
are processed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

import pandas as pd

from extract.actors import find_organisations
from extract.codebook import NOT_AN_EVENT, Party
from extract.dates import DateMention, dateline_date, find_dates
from extract.events import (
    BACKGROUND_DAYS,
    ActorHit,
    SentenceCoder,
    SentenceEvent,
    continue_event,
    dateline_spans,
    geo_precision,
)
from extract.fatalities import find_fatalities
from extract.geoparse.matcher import COUNTRY_HINT, mentions_from_doc
from extract.geoparse.model import Mention, Resolution
from extract.geoparse.resolver import ToponymResolver
from extract.readers import Article, Rejected, iter_articles
from extract.schema import (
    PIPELINE_VERSION,
    Event,
    GeoPrecision,
    empty_events,
    events_frame,
    make_event_id,
)
from extract.schema import EventType as E
from extract.schema import SubEventType as S
from geodata.distance import haversine_km
from geodata.names import plain
from geodata.tld import country_of_url

logger = logging.getLogger(__name__)

EVENT_CLASSES = ("admin1", "admin2", "city", "airport", "military_base", "landmark",
                 "natural")
ProgressCallback = Callable[[int, int | None, str], None]


@dataclass
class PipelineResult:
    events: pd.DataFrame
    rejected: list[Rejected] = field(default_factory=list)
    n_articles: int = 0


WARM_LANGUAGES = ("fr", "en", "ar")
# one line per language that goes through every step (place, date, actor, event)
WARM_TEXTS = {
    "fr": "Le 3 mars 2024, une attaque de l'armée à Gao a fait 4 morts.",
    "en": "On 3 March 2024, an army attack in Mosul killed 4 people.",
    "ar": "في 3 مارس 2024 قتل 4 أشخاص في هجوم للجيش في الموصل.",
}


class Extractor:
    """Codes articles into events; build once, call :meth:`extract` per article.

    ``classifier`` types the events (default: :class:`extract.codebook.CodebookClassifier`;
    ``event_model`` loads a trained :class:`extract.learned.LearnedClassifier` instead).
    """

    def __init__(self, *, language: str = "auto", index_path: str | Path | None = None,
                 geocoder: Any = None, classifier: Any = None,
                 event_model: str | Path | None = None) -> None:
        from extract.actors import ActorTable, StateForces
        from extract.geoparse.nlp import NlpRegistry
        from extract.langid import LanguageIdentifier
        from geodata import GazetteerGeocoder

        self.language = language
        self.geocoder = geocoder or GazetteerGeocoder(index_path)
        self.nlp = NlpRegistry(index_path or self.geocoder.gazetteer.path)
        self.resolver = ToponymResolver(self.geocoder)
        self.actors = ActorTable.load()
        self.forces = StateForces.load()
        self.langid = LanguageIdentifier() if language == "auto" else None
        if classifier is None and event_model is not None:
            from extract.learned import LearnedClassifier

            classifier = LearnedClassifier.load(event_model)
        self.coder = SentenceCoder(classifier, demonym_country=self._demonym_country)

    def warm(self, languages: Sequence[str] = WARM_LANGUAGES) -> None:
        """Load now what the first article of each language would load (its spaCy pipeline,
        the gazetteer's shared name index, the geocoder's and coder's tables): about 30 s
        the first time. Workers call it before work arrives; the parent of forked workers
        calls it before forking, so they share what it loaded (copy-on-write)."""
        for language in languages:
            self.nlp.get(language)
            text = WARM_TEXTS.get(language)
            if text:
                self.extract_all(Article(article_id=f"warm-{language}", text=text, title=None,
                                         url=None, published=None, source="", format="txt",
                                         language=language, path=f"<warm-up {language}>"))

    def article_language(self, article: Article) -> str:
        if self.language != "auto":
            return self.language
        if article.language:
            return article.language
        if len(article.text) <= SHORT_TEXT_CHARS and (
                voted := self.coder.lexicon.vote(article.text)):
            return voted  # a note or a dispatch: its event words tell its language
        return (self.langid.detect(article.text) if self.langid else None) or "en"

    def _demonym_country(self, adjective: str) -> str:
        """ISO alpha-2 code of the country a demonym names ("Russian" -> "RU"), or ""."""
        code = self.resolver.demonyms.code_of(adjective)
        return code if code and len(code) == 2 else ""

    def _named_organisations(self, text: str, offset: int) -> list[ActorHit]:
        """Organisations named by the shape of their names (``find_organisations``), but
        not a state's forces ("Myanmar Army", "Somali National Army": state forces are
        named from the state-forces table)."""
        out = []
        for org in find_organisations(text):
            words = org.name.split(": ")[-1].split()
            if org.inter_code == ARMED_ORGANISATION_INTER and (
                    self._demonym_country(words[0]) or self.geocoder.geocode(
                        words[0], feature_classes=("country",), spelling="exact")):
                continue
            out.append(ActorHit(org.start + offset, org.end + offset, org.name,
                                org.inter_code))
        return out

    def _actors(self, text: str) -> list[ActorHit]:
        return [ActorHit(m.start, m.end, m.canonical, int(m.inter_code or 0), m.readings)
                for m in self.actors.find_actors(text)]

    @staticmethod
    def _within(actors: Sequence[ActorHit], start: int, end: int) -> list[ActorHit]:
        """The article's actor mentions inside ``[start, end)``, with offsets made relative."""
        return [replace(a, start=a.start - start, end=a.end - start)
                for a in actors if start <= a.start and a.end <= end]

    def language_runs(self, article: Article, language: str) -> list[tuple[int, int, str]]:
        """(start, end, language) stretches of the article: its language, except runs of
        paragraphs long enough to say they are in another one (a quoted statement, a
        bilingual wire)."""
        text = article.text
        if self.langid is None or article.language:
            return [(0, len(text), language)]
        runs: list[tuple[int, int, str]] = []
        for start, end, found in self.langid.paragraph_languages(text):
            lang = found if found and end - start >= MIXED_MIN_CHARS else language
            if runs and runs[-1][2] == lang:
                runs[-1] = (runs[-1][0], end, lang)
            else:
                runs.append((start, end, lang))
        if not runs:
            return [(0, len(text), language)]
        # Cover the whole text: each run reaches to the start of the next.
        bounds = [0] + [r[0] for r in runs[1:]] + [len(text)]
        return [(bounds[i], bounds[i + 1], run[2]) for i, run in enumerate(runs)]

    def extract(self, article: Article) -> list[Event]:
        return self.extract_all(article).events

    def extract_all(self, article: Article) -> ArticleEvents:
        """The article's events, and the events it reports that no place could hold."""
        if article.published is None and (filed := dateline_date(article.text)):
            article = replace(article, published=filed)  # "BAGDAD, 12 mars 2024 (AFP) —"
        language = self.article_language(article)
        runs = self.language_runs(article, language)
        # Actors: the curated alias table over the whole text (immune to sentence splits),
        # then (below) armed organisations the NER found that the table does not know.
        article_actors = self._actors(article.text)
        homes = self._actor_homes(article_actors)
        hint = [c for c, _w in homes.most_common()]
        mentions = []
        segments: list[tuple[int, int, str]] = []
        organisations: list[ActorHit] = []
        for run_start, run_end, run_language in runs:
            doc = parse_in_parts(self.nlp.get(run_language), article.text[run_start:run_end],
                                 country_hint=hint)
            mentions += [replace(m, start=m.start + run_start, end=m.end + run_start)
                         for m in mentions_from_doc(doc)]
            segments += [(s + run_start, e + run_start, run_language)
                         for s, e in _segments(doc)]
            organisations += [ActorHit(e.start_char + run_start, e.end_char + run_start,
                                       " ".join(e.text.split()), ARMED_ORGANISATION_INTER)
                              for e in doc.ents
                              if e.label_ in _ORG_LABELS and _ARMED.search(e.text)]
            if "ner" not in self.nlp.get(run_language).pipe_names:
                # no trained NER (English): organisations by the shape of their names
                organisations += self._named_organisations(
                    article.text[run_start:run_end], run_start)
        # The source's country, else the country whose state forces the text names ("Kenya
        # police", "SNA"), else where the groups it names operate ("M23"): a note that
        # names no country still tells where it is.
        home = country_of_url(article.url) or self._actors_country(article_actors) or (
            _leading(homes))
        # A name that is an actor's whole name is not a place, nor evidence of one: "the
        # Taliban" (a village in Pakistan) must not pull "Kandahar" out of Afghanistan.
        mentions = [m for m in mentions if not _actor_name(m, article_actors)]
        resolutions = self.resolver.resolve(article.text, mentions, language=language,
                                            home=home)
        datelines = dateline_spans(article.text)
        headline = _headline(article)
        segments = [seg for seg in segments if not article.excluded_label(seg[0], seg[1])]
        # A headline is only a headline when a body follows it: a one-line wire alert or
        # note is its own report.
        has_body = any(" ".join(article.text[s:e].split()) != headline for s, e, _ in segments)
        article_actors += [o for o in organisations
                           if not any(a.start < o.end and o.start < a.end
                                      for a in article_actors)]
        article_actors.sort(key=lambda a: a.start)
        outbreak = self._non_conflict_story(article.text, language)
        events: dict[str, Event] = {}
        headline_events: dict[str, Event] = {}
        unplaced: list[tuple[int, int, str, str, SentenceEvent]] = []
        pending: tuple[int, SentenceEvent, int, int, str, str] | None = None
        last_date: DateMention | None = None  # the story's current day, for undated sentences
        last_place: Resolution | None = None  # where the story last placed an event
        # the last placed sentence: its index, its events' keys, what it reported
        recent: tuple[int, list[str], SentenceEvent, list[Resolution]] | None = None
        for index, (start, end, segment_language) in enumerate(segments):
            is_headline = bool(headline) and has_body and (
                " ".join(article.text[start:end].split()) == headline)
            text = _mask(article.text, start, end, datelines)
            actors = self._within(article_actors, start, end)
            context = pending[1] if pending and index - pending[0] <= PENDING_REACH else None
            if pending and context is None:
                unplaced.append((*pending[2:], pending[1]))
                pending = None
            previous_date = _as_date_mention(context) or last_date
            dates = find_dates(text, article.published)
            own = [d for d in dates if d.date is not None]
            if own and (article.published is None or abs(
                    (article.published - cast(dt.date, own[-1].date)).days) <= BACKGROUND_DAYS):
                last_date = own[-1]
            coded = self.coder.code(text, article.published, actors, segment_language,
                                    previous_date, dates)
            if coded is not None and outbreak and not _armed_and_specific(coded):
                coded = None  # an epidemic or a flood story: only a dated armed act counts
            places = self._event_places(resolutions, start, end, article_actors, datelines,
                                        article.text)
            if context is not None and places and (coded is None or coded.generic) and not (
                    NOT_AN_EVENT.search(text)):  # what keeps happening there places nothing
                coded = continue_event(context, coded)
                pending = None
            if coded is None:
                if recent is not None and index - recent[0] <= PENDING_REACH and not places \
                        and not own:
                    # "... clashed in El Fasher. 15 fatalities reported.": a note's toll
                    _add_toll(events, recent[1], find_fatalities(text))
                continue
            # the event just coded, when this sentence tells it on
            told_on = recent if recent is not None and index - recent[0] <= PENDING_REACH \
                and coded.continues(recent[2]) else None
            if told_on is not None and not places:
                # "... attacked a base in Bulo Burto. 3 soldiers were killed.": the same
                # event, told on; what it adds (the dead) goes to the event just coded.
                _add_toll(events, told_on[1], coded.fatalities)
                continue
            if told_on is not None:
                # "four people were killed in the strike near Al-Qaim": the strike just told
                coded = continue_event(told_on[2], coded)
                told = _told_places(events, told_on[1], told_on[3], places)
                if told is not None:
                    # the same place or one holding it ("the demonstration ... Baghdad"
                    # after "Tahrir Square"): what the sentence adds goes to the event;
                    # a village near the town it was placed at ("near the village of
                    # Hatla") is where it was: the event moves there
                    _add_toll(events, told_on[1], coded.fatalities)
                    if not told:
                        continue
                    coded = replace(coded, fatalities=coded.fatalities if coded.fatalities
                                    is not None else events[told_on[1][0]].fatalities)
                    for key in told_on[1]:
                        events.pop(key, None)
                    places = told
            if not places:
                if pending is not None and pending[1] is not context:
                    unplaced.append((*pending[2:], pending[1]))
                pending = (index, coded, start, end, segment_language, text)
                continue
            pending = None
            places = [res for i, res in enumerate(places) if i == 0 or not (
                _REFERENCE.search(article.text[max(start, res.mention.start - 25):
                                               res.mention.start])
                or _second_of_between(article.text, places[i - 1], res))]
            target = headline_events if is_headline else events
            keys = []
            for res in places:
                event = self._event(article, segment_language, text, start, res,
                                    coded.date_near(res.mention.start - start))
                keys.append(_keep(target, event))
                if not is_headline:
                    last_place = res
            if not is_headline:
                recent = (index, keys, coded, places)
        if pending is not None:
            unplaced.append((*pending[2:], pending[1]))
        if not events:
            events = headline_events
        lost: list[str] = []
        short = len(segments) <= SHORT_TEXT_SEGMENTS
        for start, end, segment_language, text, coded in unplaced:
            if not (short or coded.date_source == "sentence" or coded.fatalities):
                # "the intensification of clashes between X and Y": no day, no toll, no
                # place: a general statement, not one event ACLED would code
                logger.debug("not an event (nothing specific): %s", text[:120])
                continue
            fallback = self._fallback_place(resolutions, start, end, last_place, coded,
                                            article_actors)
            if fallback is None:
                fallback = self._demonym_place(coded, start)
            if fallback is None:
                fallback = self._home_place(resolutions, start, end, home)
            if fallback is None:
                lost.append(" ".join(text.split())[:160])
                continue
            res, precision = fallback
            event = self._event(article, segment_language, text, start, res, coded,
                                precision=precision)
            _keep(events, event)
        return ArticleEvents(list(events.values()), lost)

    def _fallback_place(self, resolutions: Sequence[Resolution], start: int, end: int,
                        last_place: Resolution | None, coded: SentenceEvent,
                        actors: Sequence[ActorHit] = ()
                        ) -> tuple[Resolution, GeoPrecision] | None:
        """Where to code an event its sentence does not place, at the level ACLED would:
        a country or province the sentence names, else the place the story last coded
        (precision 2) unless the sentence's parties belong to another country, else the
        article's most named place or country (precision 3)."""
        own = [r for r in resolutions if start <= r.mention.start < end and r.place
               and not r.is_metonym and r.place["feature_class"] in _FALLBACK_CLASSES
               and not any(a.start <= r.mention.start < a.end for a in actors)]
        if own:
            return own[0], GeoPrecision.REGION
        countries = {c for c in (self._party_country(p) for p in (coded.actor1, coded.actor2))
                     if c}
        if last_place is not None and last_place.place and (
                not countries or last_place.place.get("country_code") in countries):
            return last_place, GeoPrecision.NEAR_PLACE
        if countries:
            return None  # another country's story: the demonym places it (_demonym_place)
        placed = [(r, r.place) for r in resolutions if r.place and not r.is_metonym
                  and r.basis != "document"
                  and r.place["feature_class"] in (*EVENT_CLASSES, *_FALLBACK_CLASSES)]
        if not placed:
            return None
        counts = Counter(place["id"] for _r, place in placed)
        rank = {fc: i for i, fc in enumerate(("city", "admin2", "admin1", "country"))}
        best, _place = max(placed, key=lambda rp: (counts[rp[1]["id"]],
                                                   -rank.get(rp[1]["feature_class"], 4),
                                                   -rp[0].mention.start))
        return best, GeoPrecision.REGION

    def _actor_homes(self, actors: Sequence[ActorHit]) -> Counter[str]:
        """Where the named actors are: a state's forces in their state (weight 1), a group
        in the countries it operates in (UCDP; 1/n each of its n countries, for groups of
        at most HOME_MAX_COUNTRIES countries: the Islamic State's 43 say nothing)."""
        weights: Counter[str] = Counter()  # of float weights
        for name in {(a.canonical, a.inter_code): a for a in actors}.values():
            if name.inter_code == 1:
                if country := self._state_country(name):
                    weights[country] += 1
                continue
            countries = self.actors.home_countries(name.canonical)
            if 0 < len(countries) <= HOME_MAX_COUNTRIES:
                for country in countries:
                    weights[country] += 1.0 / len(countries)  # type: ignore[assignment]
        return weights

    def _actors_country(self, actors: Sequence[ActorHit]) -> str:
        """The one country whose state forces the text's named actors are, or ""."""
        countries = {c for c in (self._state_country(a) for a in actors
                                 if a.inter_code == 1) if c}
        return countries.pop() if len(countries) == 1 else ""

    def _state_country(self, actor: ActorHit) -> str:
        """The country whose state forces a named actor is (ISO alpha-2), or ""."""
        return self._party_country(Party(0, 0, "named", actor.inter_code, actor.canonical, "",
                                         "", actor.readings))

    def _party_country(self, party: Party | None) -> str:
        """The country a party belongs to: its demonym ("Russian forces"), the country of a
        state's forces ("Military Forces of Iraq"), or the one country its alias is read in."""
        if party is None:
            return ""
        if party.country:
            return party.country
        if party.role == "named":
            if m := _STATE_FORCES.match(party.name):
                return self.forces.iso_of(m.group(1))
            scoped = {c for r in party.readings for c in r.countries}
            if len(scoped) == 1:
                return scoped.pop()
        return ""

    def _non_conflict_story(self, text: str, language: str) -> bool:
        """A story about an epidemic, a disaster or an accident rather than a conflict: its
        words of natural, medical or accidental causes outnumber twice over its words of
        weapons, attacks, fighting, protest and arrest. In such a story "the worst hit
        district" and "the death toll" are no events."""
        cues = self.coder.lexicon.find(text, language)
        hazard = sum(c.kind == "ctx.hazard" for c in cues)
        conflict = sum(c.strong and c.kind in _CONFLICT_KINDS for c in cues)
        return hazard >= OUTBREAK_MIN_CUES and hazard >= 2 * conflict

    def _demonym_place(self, coded: SentenceEvent, start: int
                       ) -> tuple[Resolution, GeoPrecision] | None:
        """The country a demonym of the sentence names ("hit an Iraqi military compound"),
        for an article that names no place at all: coded at the country, precision 3."""
        for party in (coded.actor2, coded.actor1):
            country = self._party_country(party)
            if not country or party is None:
                continue
            place = self._country_place(country)
            if place:
                mention = Mention(start + party.start, start + party.end, party.text,
                                  "demonym")
                return Resolution(mention, place, confidence=0.3), GeoPrecision.REGION
        return None

    def _country_place(self, country: str) -> dict[str, Any] | None:
        """The gazetteer's place of a country (ISO alpha-2), or None."""
        row = self.geocoder.gazetteer.country(country)
        if not row:
            return None
        location: Any = self.geocoder.geocode(row.name, country_codes=[country],
                                              feature_classes=["country"])
        return cast(dict[str, Any], location.raw) if location else None

    def _home_place(self, resolutions: Sequence[Resolution], start: int, end: int,
                    home: str) -> tuple[Resolution, GeoPrecision] | None:
        """The country of an event that nothing else places, as ACLED codes it (precision 3):
        a country the sentence names as an agent ("Iraq bombs ..."), else the article's
        home (its source's country, the state whose forces it names, where the groups it
        names operate: "Taliban militants killed in a strike")."""
        for res in resolutions:
            if start <= res.mention.start < end and res.is_metonym and res.place \
                    and res.place["feature_class"] == "country":
                return replace(res, confidence=min(res.confidence, 0.3)), GeoPrecision.REGION
        place = self._country_place(home) if home else None
        if place is None:
            return None
        return (Resolution(Mention(start, end, "", "home"), place, confidence=0.2),
                GeoPrecision.REGION)

    @staticmethod
    def _event_places(resolutions: Sequence[Resolution], start: int, end: int,
                      actors: Sequence[ActorHit], datelines: Sequence[tuple[int, int]],
                      text: str = "") -> list[Resolution]:
        """Resolved places of the sentence an event can be placed at."""
        out: list[Resolution] = []
        for res in resolutions:
            m = res.mention
            if not (start <= m.start < end) or res.place is None or res.is_metonym:
                continue
            if res.basis == "document":
                continue  # a street or building placed at the nearest town: not a location
            if any(s <= m.start < e for s, e in datelines):
                continue
            if res.place["feature_class"] not in EVENT_CLASSES:
                continue
            if any(a.start <= m.start < a.end for a in actors):
                continue  # "la coalition dirigée par les États-Unis" is an actor, not a place
            if any(o.place and o.place["id"] == res.place["id"] for o in out):
                continue
            if out and _in_parenthesis_after(text, out[-1], res):
                continue  # "in Boni (Douentza, Mopti)": where Boni is, not another place
            if out and _region_context(text, out, res):
                continue  # "near Tal Rifaat in the countryside of Aleppo": where Tal Rifaat is
            out.append(res)
        return _most_specific(out)

    def _event(self, article: Article, language: str, sentence: str, sent_start: int,
               res: Resolution, coded: SentenceEvent,
               precision: GeoPrecision | None = None) -> Event:
        place = res.place
        assert place is not None
        m = res.mention
        confidence = 0.3 + 0.35 * coded.strength + 0.25 * res.confidence + (
            0.1 if coded.date_explicit else 0.0)
        if precision is not None:
            confidence -= 0.1 * (precision - 1)
        feature = place["feature_class"]
        admin1 = plain(place.get("admin1") or (place["name"] if feature == "admin1" else ""))
        date = coded.date.isoformat() if coded.date else None
        iso2 = place.get("country_code") or ""
        country = plain(place.get("country", "") or (place["name"] if feature == "country"
                                                     else ""))
        actor1 = self._actor(coded.actor1, iso2, country, date)
        actor2 = self._actor(coded.actor2, iso2, country, date)
        if not actor1:
            actor1 = self._default_actor1(coded, iso2, country, date)
        if actor2 == actor1 and not (coded.actor2 is not None and coded.actor2.role in (
                "communal", "rioter")):
            actor2 = ""  # one party read twice; two communities or crowds may share a name
        geo = precision if precision is not None else GeoPrecision(max(
            geo_precision(sentence, m.start - sent_start, place), 2 if res.basis else 1))
        return Event(
            event_id=make_event_id(article.article_id, coded.date, coded.event_type.value,
                                   place["id"]),
            event_date=coded.date, time_precision=coded.time_precision,
            event_type=coded.event_type, sub_event_type=coded.sub_event_type,
            actor1=actor1, actor2=actor2, assoc_actor_1="",
            country=country, iso=place.get("country_iso3", ""),
            admin1=admin1, admin2=plain(place.get("admin2", "")), location=plain(place["name"]),
            latitude=place["lat"], longitude=place["lon"],
            # A place reached through another name (the town of a street) is approximate.
            geo_precision=geo,
            gazetteer_id=place["id"], fatalities=coded.fatalities,
            notes=_notes(coded, actor1, actor2, place, sentence),
            source=article.source or "", source_url=article.url or article.path,
            article_id=article.article_id, language=language, sentence=sentence.strip(),
            char_start=m.start, char_end=m.end,
            confidence=round(min(max(confidence, 0.0), 1.0), 3),
            is_background=coded.is_background, pipeline_version=PIPELINE_VERSION,
        )

    def _actor(self, party: Party | None, iso2: str, country: str,
               date: str | None) -> str:
        """An ACLED-style name for a party, placed in the event's country unless a demonym
        says otherwise ("Russian forces" in Ukraine are Russia's)."""
        from extract.actors import acled_actor_name, choose_reading

        if party is None:
            return ""
        if party.role == "named" and party.readings:
            reading = choose_reading(party.readings, iso2)
            if reading is not None:
                party = replace(party, name=reading.canonical, inter=reading.inter_code)
        own = party.country or iso2
        name_country = country
        if party.country and party.country != iso2:
            row = self.geocoder.gazetteer.country(party.country)
            name_country = plain(row.name) if row is not None else ""
        return acled_actor_name(party.role, party.name, own, name_country, date,
                                self.forces)

    def _default_actor1(self, coded: SentenceEvent, iso2: str, country: str,
                        date: str | None) -> str:
        """Who ACLED writes as actor 1 when the sentence names nobody: demonstrators,
        rioters, the state that arrests, an unidentified armed group otherwise."""
        from extract.actors import acled_actor_name

        role = {E.PROTESTS: "protester", E.RIOTS: "rioter"}.get(coded.event_type, "armed")
        if coded.sub_event_type in (S.ARRESTS, S.DISRUPTED_WEAPONS_USE):
            role = "police" if coded.sub_event_type is S.ARRESTS else "military"
        elif coded.sub_event_type is S.AIR_DRONE_STRIKE and not coded.unidentified:
            role = "military"  # an air force's strike, unless the text says who is unknown
        return acled_actor_name(role, "", iso2, country, date, self.forces)


@dataclass
class ArticleEvents:
    """What :meth:`Extractor.extract_all` found in one article."""

    events: list[Event]
    unplaced: list[str] = field(default_factory=list)  # sentences of events without a place


_STATE_FORCES = re.compile(r"^(?:Military|Police) Forces of (?:the )?(.+?)(?: \(.*)?$")
# Words that make a story one of conflict (against ctx.hazard: Extractor._non_conflict_story).
_CONFLICT_KINDS = frozenset({
    "weapon.air", "weapon.drone", "weapon.shell", "weapon.ied", "weapon.suicide",
    "weapon.grenade", "weapon.chemical", "weapon.gun", "act.attack", "act.clash",
    "act.abduct", "act.sexual", "act.protest", "act.riot", "act.arrest", "act.take",
    "act.regain", "agent.armed", "agent.protester", "agent.rioter"})
OUTBREAK_MIN_CUES = 3  # a story needs this many hazard words to be read as a non-conflict one


# "Boni (", "Kibumba (Nyiragongo, ": what stands between a place and a name in the
# parenthesis that follows it
_PARENTHESIS_AFTER = re.compile(r"^\s*\((?:[^()\n]{0,60}[,;/]\s*)?$")


def _in_parenthesis_after(text: str, previous: Resolution, res: Resolution) -> bool:
    """``res`` is named in a parenthesis right after the place ``previous`` and lies in the
    same country: it says where that place is ("Maru (Zamfara)", "Boni (Douentza, Mopti)"),
    it is not a second place of the event."""
    if not text or previous.place is None or res.place is None:
        return False
    between = text[previous.mention.end:res.mention.start]
    return bool(_PARENTHESIS_AFTER.match(between)) and (
        previous.place.get("country_code") == res.place.get("country_code"))


# Words that make the place after them the region a place named before it lies in.
_REGION_OF = re.compile(
    r"(?:\b(?:countryside|province|governorate|region|district|state|county|area) of"
    r"(?: the)?|\b(?:campagne|province|r[ée]gion|gouvernorat|wilaya|district|pr[ée]fecture|"
    r"cercle|zone) (?:de|du|des|d['’])|(?:ريف|محافظة|ولاية))\s*$", re.IGNORECASE)


def _region_context(text: str, placed: Sequence[Resolution], res: Resolution) -> bool:
    """``res`` follows a word of its region ("the countryside of Aleppo", "ريف حلب") after
    a place of the sentence that lies in it: it says where that place is."""
    if not text or res.place is None:
        return False
    if not _REGION_OF.search(text[max(0, res.mention.start - 30):res.mention.start]):
        return False
    region = res.place
    names = {plain(region.get("admin1", "")), plain(region.get("name", ""))} - {""}
    return any(p.place is not None and p.mention.end <= res.mention.start
               and p.place.get("country_code") == region.get("country_code")
               and plain(p.place.get("admin1", "")) in names for p in placed)


HOME_MAX_COUNTRIES = 5  # a group operating in more countries hints at none
HOME_MIN_WEIGHT = 0.5  # the weight of the actors' leading country to count as the home


def _leading(weights: Counter[str]) -> str:
    """The country that leads ``weights`` by a margin, with HOME_MIN_WEIGHT at least."""
    top = weights.most_common(2)
    if not top or top[0][1] < HOME_MIN_WEIGHT or (len(top) > 1 and top[1][1] >= top[0][1]):
        return ""
    return top[0][0]


def _actor_name(mention: Mention, actors: Sequence[ActorHit]) -> bool:
    """The mention spans (nearly) all of an actor's name ("Taliban", "Hamas"), rather than
    being the place inside one ("the Kenya Police", "Military Forces of Mali")."""
    for a in actors:
        if a.start <= mention.start and mention.end <= a.end and (
                (mention.end - mention.start) >= 0.8 * (a.end - a.start)):
            return True
    return False


#: How far a village a told-on sentence names may lie from the town the event was placed at
#: and still be where it happened: "clashed near Deir ez-Zor ... near the village of Hatla".
TOLD_PLACE_KM = 40.0
#: A square, a district or a site this close to a larger town it is told of is in that town.
TOWN_KM = 15.0
_AREA_CLASSES = ("admin1", "admin2", "country", "region", "continent")


def _told_places(events: dict[str, Event], keys: Sequence[str], placed: Sequence[Resolution],
                 places: Sequence[Resolution]) -> list[Resolution] | None:
    """Where a sentence that tells on the events ``keys`` (placed at ``placed``) places them:
    ``[]`` when its places are theirs or hold them (nothing new: "the demonstration" in
    Baghdad after Tahrir Square), ``[village]`` when it names one smaller town near the one
    town the event was placed at only roughly (geo_precision 2 or 3: the event moves there,
    "near the village of Hatla"), ``None`` when it names another place (another event of
    the same story)."""
    prior = [(events[k], res) for k, res in zip(keys, placed, strict=False) if k in events]
    if not prior:
        return None

    def population(place: dict[str, Any]) -> int:
        return int(place.get("population") or 0)

    def holds(res: Resolution, event: Event, at: Resolution) -> bool:
        place, where = res.place or {}, at.place or {}
        if place.get("id") == event.gazetteer_id:
            return True
        if place.get("feature_class") in _AREA_CLASSES:
            name = plain(place.get("name", ""))
            return bool(name) and name in (event.admin1, event.admin2, event.country)
        return place.get("feature_class") == "city" and population(place) > population(
            where) and haversine_km(place["lat"], place["lon"], event.latitude,
                                    event.longitude) <= TOWN_KM

    if all(any(holds(res, e, at) for e, at in prior) for res in places):
        return []
    if len(prior) == 1 and len(places) == 1 and (place := places[0].place):
        event, at = prior[0]
        if event.geo_precision >= 2 and place.get("feature_class") == "city" and plain(
                place.get("admin1", "")) == event.admin1 and population(place) < population(
                at.place or {}) and haversine_km(place["lat"], place["lon"], event.latitude,
                                                 event.longitude) <= TOLD_PLACE_KM:
            return list(places)
    return None


def _add_toll(events: dict[str, Event], keys: Sequence[str], toll: int | None) -> None:
    """A toll told after the event (the next sentence) goes to the events just coded that
    have none."""
    if toll is None:
        return
    for key in keys:
        if key in events and events[key].fatalities is None:
            events[key] = dataclasses.replace(events[key], fatalities=toll)


def _armed_and_specific(coded: SentenceEvent) -> bool:
    """An armed party acted, on a day the sentence gives or with a toll it reports."""
    armed = coded.actor1 is not None and coded.actor1.armed and not coded.actor1.weak
    return armed and (coded.date_source == "sentence" or coded.fatalities is not None)


def _keep(events: dict[str, Event], event: Event) -> str:
    """One event per day, place and type: the most confident reading wins. Returns the
    event's key."""
    key = f"{event.event_date}|{event.gazetteer_id}|{event.event_type.value}"
    if key not in events or events[key].confidence < event.confidence:
        events[key] = event
    return key


# A text of at most this many characters is a note, an alert or a dispatch: its language is
# told by its event words first (CueLexicon.vote).
SHORT_TEXT_CHARS = 800
# A text of at most this many sentences is a note or a dispatch: what it reports is one
# specific event even without a day or a toll ("Protesters blocked the road in Kitale").
SHORT_TEXT_SEGMENTS = 3
# An organisation the NER found and the table does not know: taken for a rebel group.
ARMED_ORGANISATION_INTER = 2
# Places an event may fall back to when its sentence names no town: what ACLED codes with
# precision 3 (a country or province named, coded at its point).
_FALLBACK_CLASSES = ("country", "admin1", "admin2", "region")


#: Characters given to spaCy at once. A longer text is parsed in parts cut at paragraph
#: breaks and joined back into one Doc: spaCy refuses texts over ``nlp.max_length``
#: (1,000,000) and its memory grows with the text; a 10 MB article is coded in parts.
PART_CHARS = 100_000


def parse_in_parts(nlp: Any, text: str, limit: int = PART_CHARS,
                   country_hint: Sequence[str] = ()) -> Any:
    """``nlp(text)`` for a text of any length: one Doc with the same text, tokens, sentences,
    entities and place spans as parsing it whole would give, paragraph by paragraph.
    ``country_hint``: countries the text is known to be about (the place matcher looks for
    their villages, see ``extract.geoparse.matcher.COUNTRY_HINT``)."""

    def hinted(part: str) -> Any:
        doc = nlp.make_doc(part)
        if country_hint:
            doc.user_data[COUNTRY_HINT] = tuple(country_hint)
        return doc

    if len(text) <= limit:
        return nlp(hinted(text))
    from spacy.tokens import Doc

    doc = Doc.from_docs(list(nlp.pipe(hinted(p) for p in _parts(text, limit))),
                        ensure_whitespace=False)
    if doc.text != text:  # from_docs only concatenates; a mismatch would shift every offset
        raise RuntimeError("parts of a long text did not join back into the same text")
    return doc


def _parts(text: str, limit: int) -> Iterable[str]:
    """``text`` in consecutive pieces of at most ``limit`` characters, cut after a paragraph
    break, else a line break, else a sentence end, else a space (else anywhere)."""
    start = 0
    while len(text) - start > limit:
        window = text[start:start + limit]
        cut = 0
        for sep in ("\n\n", "\n", ". ", " "):
            at = window.rfind(sep, limit // 2)
            if at >= 0:
                cut = at + len(sep)
                break
        cut = cut or limit
        yield text[start:start + cut]
        start += cut
    yield text[start:]


PENDING_REACH = 2  # sentences after an unplaced report that may still place it
MIXED_MIN_CHARS = 80  # a paragraph at least this long may switch the language
# An organisation the NER found is taken as an actor when its name says it bears arms
# (French models label many of them MISC).
_ORG_LABELS = ("ORG", "NORP", "MISC")
_ARMED = re.compile(
    r"\b(forces?|arm[ée]es?|army|militias?|milices?|brigades?|bataillons?|battalions?|"
    r"front|guards?|gardes?|police|gendarmerie|rebels?|rebelles|mouvement|movement|"
    r"hezbollah|hachd|hashd|jaish|jabhat|ansar|kata[ie]b|r[ée]giments?|divisions?|commandos?|"
    r"unit[ée]s|units|groupes? arm[ée]s?|armed groups?)\b", re.IGNORECASE)
_TERMINAL = re.compile(r"[.!?»\"]\s*$")


def _headline(article: Article) -> str:
    """The article's headline, whitespace-folded: its title, or a short first line without
    a full stop (a label line in brackets is skipped)."""
    if article.title:
        return " ".join(article.title.split())
    for line in article.text.splitlines():
        line = line.strip()
        if not line or (line.startswith("[") and line.endswith("]")):
            continue
        return line if len(line) <= 200 and not _TERMINAL.search(line) else ""
    return ""


_CONTAINER_FIELD = {"country": "country_code", "region": "country_code",
                    "admin1": "admin1_code", "admin2": "admin2_code"}
_REFERENCE = re.compile(
    r"(?:\b(?:north|south|east|west|northeast|northwest|southeast|southwest|north-east|"
    r"north-west|south-east|south-west)(?:ern)?\s+of|\b(?:au|à l['’])\s*(?:nord|sud|est|ouest|"
    r"nord-est|nord-ouest|sud-est|sud-ouest)\s+(?:de|d['’]|du)|شمال|جنوب|شرق|غرب|شمالي|جنوبي|"
    r"شرقي|غربي)\s*$", re.IGNORECASE)


def _most_specific(places: list[Resolution]) -> list[Resolution]:
    """ACLED codes where it happened: drop a region that contains another place of the
    sentence ("Mossoul ... province de Ninive") and a town named only as a reference
    ("près d'Abou Ghraib, à l'ouest de Bagdad")."""
    keep = []
    for res in places:
        place = res.place
        assert place is not None
        field = _CONTAINER_FIELD.get(place["feature_class"])
        others = [o.place for o in places if o is not res and o.place]
        if field and any(o.get(field) == place.get(field)
                         and o["feature_class"] not in _CONTAINER_FIELD for o in others):
            continue
        if place["feature_class"] == "city" and any(
                o["feature_class"] in _SITES
                and haversine_km(o["lat"], o["lon"], place["lat"], place["lon"]) <= SITE_KM
                for o in others):
            continue  # "the Green Zone in central Baghdad": the site, not the whole city
        keep.append(res)
    return keep


_BETWEEN = re.compile(r"(?:\bbetween|\bentre|بين)\s*$", re.IGNORECASE)
_AND = re.compile(r"^\s*(?:and|et|و)\s*$", re.IGNORECASE)


def _second_of_between(text: str, first: Resolution, second: Resolution) -> bool:
    """"on the road between Kirkuk and Daquq": one event, at the first place."""
    return bool(_AND.match(text[first.mention.end:second.mention.start])
                and _BETWEEN.search(text[max(0, first.mention.start - 12):
                                         first.mention.start]))


_SITES = ("landmark", "airport", "military_base")
SITE_KM = 25.0


def _mask(text: str, start: int, end: int, spans: Sequence[tuple[int, int]]) -> str:
    """``text[start:end]`` with the characters of ``spans`` blanked (offsets unchanged)."""
    chunk = list(text[start:end])
    for s, e in spans:
        for i in range(max(s, start), min(e, end)):
            chunk[i - start] = " "
    return "".join(chunk)


def _as_date_mention(event: SentenceEvent | None) -> DateMention | None:
    if event is None or event.date is None or event.date_source not in ("sentence", "context"):
        return None
    return DateMention(0, 0, "", event.date, event.time_precision, event.date_explicit)


def _segments(doc: Any) -> Iterable[tuple[int, int]]:
    """Sentence character ranges, also cut at line breaks: a caption or a "Lire aussi" line
    never runs into the paragraph after it."""
    text = doc.text
    pieces = []
    for sent in doc.sents:
        start = sent.start_char
        for m in _LINE_BREAK.finditer(text, sent.start_char, sent.end_char):
            pieces.append((start, m.start(), True))
            start = m.end()
        pieces.append((start, sent.end_char, False))
    # A statistical sentence splitter sometimes cuts mid-sentence ("Mardi" | ", une
    # manifestation..."): a piece without final punctuation is joined to the next one,
    # unless a line break ends it.
    start = None
    for s, e, at_break in pieces:
        if not text[s:e].strip():
            continue
        start = s if start is None else start
        if at_break or _SENTENCE_END.search(text[start:e]):
            yield start, e
            start = None
    if start is not None:
        yield start, len(text.rstrip())


_LINE_BREAK = re.compile(r"\s*\n\s*")
_SENTENCE_END = re.compile(r"[.!?…:;»\"”)\]؟।。]\s*$")


def _notes(coded: SentenceEvent, actor1: str, actor2: str, place: dict[str, Any],
           sentence: str) -> str:
    when = coded.date.isoformat() if coded.date else "an unknown date"
    who = actor1 + (f" against {actor2}" if actor2 else "")
    summary = f"On {when}, {coded.sub_event_type.value.lower()} by {who} in {place['name']}"
    if coded.fatalities:
        summary += f"; {coded.fatalities} reported killed"
    quote = " ".join(sentence.split())
    return f"{summary}. Source text: \"{quote[:300]}\""


# --------------------------------------------------------------------------- running

# The extractor the worker processes use. The parent loads it once and sets this slot just
# before forking, so workers share the loaded models (copy-on-write) instead of each loading
# its own; it is cleared when the pool closes. Where fork is unavailable, each worker loads
# one in its initializer.
_WORKER: dict[str, Extractor] = {}


def _worker_init(language: str, index_path: str | None, event_model: str | None) -> None:
    if "extractor" not in _WORKER:
        extractor = Extractor(language=language, index_path=index_path,
                              event_model=event_model)
        extractor.warm()
        _WORKER["extractor"] = extractor


def _worker_extract(article: Article) -> tuple[list[dict[str, Any]], str | None]:
    return _safe_extract(_WORKER["extractor"], article)


def _pool_context() -> Any:
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _safe_extract(extractor: Extractor, article: Article
                  ) -> tuple[list[dict[str, Any]], str | None]:
    """The article's event records, or (nothing, why): whatever goes wrong with one article
    is logged with its traceback and reported as a reject; the run goes on."""
    try:
        found = extractor.extract_all(article)
    except Exception as exc:  # one article's failure, whatever it is, must not stop the run
        logger.exception("article %s failed", article.path)
        return [], f"extraction failed: {type(exc).__name__}: {exc}"
    rows = [e.to_record() for e in found.events]
    if not found.unplaced:
        return rows, None
    quoted = "; ".join(f'"{s}"' for s in found.unplaced[:3])
    return rows, (f"coded {len(rows)} event(s); {len(found.unplaced)} more found in the text "
                  f"could not be placed, no place being named in the article: {quoted}")


def run_pipeline(paths: Iterable[str | os.PathLike[str]], *, published: dt.date | None = None,
                 language: str = "auto", jobs: int = 1,
                 progress: ProgressCallback | None = None,
                 index_path: str | Path | None = None,
                 extractor: Extractor | None = None,
                 event_model: str | Path | None = None) -> PipelineResult:
    """Read ``paths`` and code every article; never stops at a bad one. ``event_model`` is
    a trained event classifier (``conflict-atlas train events``) to type events with."""
    items = list(iter_articles([Path(p) for p in paths], published=published,
                               language=None if language == "auto" else language))
    articles = [a for a in items if isinstance(a, Article)]
    rejected = [r for r in items if isinstance(r, Rejected)]
    total = len(articles)
    records: list[dict[str, Any]] = []
    if progress:
        progress(0, total, "starting")

    def collect(done: int, article: Article, result: tuple[list[dict], str | None]) -> None:
        rows, error = result
        records.extend(rows)
        if error:
            rejected.append(Rejected(article.path, error))
        if progress:
            progress(done, total, article.path)

    if jobs > 1 and total > 1:
        context = _pool_context()
        if context.get_start_method() == "fork":
            if extractor is None:  # one made here is loaded here, shared by the forks
                extractor = Extractor(language=language, index_path=index_path,
                                      event_model=event_model)
                extractor.warm()
            _WORKER["extractor"] = extractor
        try:
            with ProcessPoolExecutor(max_workers=jobs, mp_context=context,
                                     initializer=_worker_init,
                                     initargs=(language,
                                               str(index_path) if index_path else None,
                                               str(event_model) if event_model else None)
                                     ) as pool:
                chunk = max(1, min(16, total // (jobs * 4)))
                for done, (article, result) in enumerate(
                        zip(articles, pool.map(_worker_extract, articles, chunksize=chunk),
                            strict=True), start=1):
                    collect(done, article, result)
        finally:
            _WORKER.clear()
    else:
        extractor = extractor or Extractor(language=language, index_path=index_path,
                                           event_model=event_model)
        for done, article in enumerate(articles, start=1):
            collect(done, article, _safe_extract(extractor, article))
    events = _frame(records)
    return PipelineResult(events=events, rejected=rejected, n_articles=total)


def _frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    # The same story read twice (two copies of one file, or one re-wrapped: the same article
    # id) is coded once: the events of its first copy are kept.
    first_copy: dict[str, str] = {}
    for r in records:
        first_copy.setdefault(r["article_id"], r["source_url"])
    unique = {r["event_id"]: r for r in records
              if first_copy[r["article_id"]] == r["source_url"]}
    if not unique:
        return empty_events()
    return events_frame(Event.from_record(r) for r in unique.values())

