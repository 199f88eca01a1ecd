"""Sentence-level event coding: triggers, event types, actors, dates, fatalities.

A sentence reports an event when it holds a trigger (French, English or Arabic: "pris pour
cible", "bombe en bordure de route", "tirs de roquettes", "frappe de drone", "affrontements",
"manifestation", "attack", "roadside bomb", "clashes", "هجوم", "عبوة ناسفة", ...) and at least
one resolved place below country level that is not a metonym. ACLED style: one event per
place ("Bagdad et Babil" gives two events).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from extract.dates import DateMention, find_dates
from extract.schema import (
    EventType as E,
)
from extract.schema import (
    GeoPrecision,
    TimePrecision,
)
from extract.schema import (
    SubEventType as S,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Trigger:
    pattern: re.Pattern[str]
    event_type: E
    sub_event_type: S
    rank: int  # lower wins when a sentence has several triggers
    violent: bool = True


def _t(pattern: str, event_type: E, sub: S, rank: int, violent: bool = True) -> Trigger:
    return Trigger(re.compile(pattern, re.IGNORECASE), event_type, sub, rank, violent)


# Ordered from the most specific to the most generic.
TRIGGERS: tuple[Trigger, ...] = (
    _t(r"\b(intercept[ée]e?s?|interceptions?|intercept(ed|s)?|abattu (un|deux|trois|des|"
       r"plusieurs) (drones?|missiles?|roquettes?)|shot down|d[ée]fense anti-?a[ée]rienne|"
       r"air defen[cs]es?|d[ée]samorc[ée]e?s?|defused|d[ée]min[ée]e?s?)\b|اعتراض|أسقطت|أسقط",
       E.STRATEGIC_DEVELOPMENTS, S.DISRUPTED_WEAPONS_USE, 0, violent=False),
    _t(r"\b(attentats?[- ]suicides?|kamikazes?|suicide (bomb|attack|car bomb)\w*|"
       r"suicide bombers?)\b|انتحاري|انتحارية", E.EXPLOSIONS, S.SUICIDE_BOMB, 1),
    _t(r"\b(armes? chimiques?|chemical (weapon|attack)s?|gaz sarin|chlore)\b",
       E.EXPLOSIONS, S.CHEMICAL_WEAPON, 2),
    _t(r"\b(bombes?( artisanales?)?( \w+)? en bordure de route|engins? explosifs?|EEI|IED|"
       r"roadside bombs?|improvised explosive|landmines?|mines? terrestres?|voiture piégée|"
       r"car bomb|explosive device|attaques? à la bombe|bomb attacks?|bombings?)\b|"
       r"عبوة ناسفة|عبوات ناسفة|سيارة مفخخة|لغم|ألغام", E.EXPLOSIONS, S.REMOTE_EXPLOSIVE, 3),
    _t(r"\b(frappes?( a[ée]riennes?)?( \w+)? de drones?|frappes? a[ée]riennes?|raids? a[ée]riens?|"
       r"drones?|air ?strikes?|drone strikes?|air raids?|warplanes?|avions? de (guerre|combat)|"
       r"bombardements? a[ée]riens?)\b|غارة|غارات|طائرة مسيرة|طائرة مسيّرة|مسيرة",
       E.EXPLOSIONS, S.AIR_DRONE_STRIKE, 4),
    _t(r"\b(tirs? de (roquettes?|missiles?|mortiers?|obus|katioucha)|roquettes?|missiles?|"
       r"obus|mortiers?|bombardements?|pilonnages?|rocket (fire|attacks?)|rockets?|"
       r"mortar (fire|rounds?|shells?)|shelling|artillery|katyusha)\b|قصف\w*|صاروخ\w*|"
       r"صواريخ|قذائف|مدفعي\w*",
       E.EXPLOSIONS, S.SHELLING_ARTILLERY_MISSILE, 5),
    _t(r"\b(grenades?)\b|قنبلة يدوية", E.EXPLOSIONS, S.GRENADE, 6),
    _t(r"\b(affrontements?|combats?|accrochages?|[ée]changes? de tirs|heurts? arm[ée]s|"
       r"clash(es|ed)?|fighting|gunfight|firefight|battles?)\b|اشتب\w*|معارك|مواجهات",
       E.BATTLES, S.ARMED_CLASH, 7),
    _t(r"\b(enl[eè]vements?|enlev[ée]e?s?|kidnapp\w*|rapts?|pris en otages?|abduct\w*)\b|"
       r"اختطاف|اختطف\w*|خطف\w*", E.VIOLENCE_AGAINST_CIVILIANS, S.ABDUCTION, 8),
    _t(r"\b(manifestations?|manifestants?|rassemblements?|sit-in|protestations?|"
       r"manifest[ée]\w*|manifestai?ent|protest(s|ers|ed|ing)?|rall(y|ies|ied)|"
       r"demonstrat(ion|ions|ors|ed))\b|تظاهر\w*|مظاهر\w*|احتجاج\w*|احتجوا|محتج\w*|"
       r"متظاهر\w*|اعتصام", E.PROTESTS, S.PEACEFUL_PROTEST, 9, violent=False),
    _t(r"\b([ée]meutes?|[ée]meutiers?|riots?|rioters?)\b|شغب", E.RIOTS,
       S.VIOLENT_DEMONSTRATION, 10, violent=False),
    _t(r"\b(arrestations?|arr[êe]t[ée]s|interpell[ée]s|arrest(s|ed)?|detain(ed)?)\b|"
       r"اعتقال|اعتقل\w*|القبض على", E.STRATEGIC_DEVELOPMENTS, S.ARRESTS, 11, violent=False),
    _t(r"\b(assassinats?( cibl[ée]s?)?|assassin[ée]s?|abattus?|tu[ée]s? par balles|"
       r"assassinat\w*|gunned down|shot dead)\b|اغتيال", E.VIOLENCE_AGAINST_CIVILIANS,
       S.ATTACK, 12),
    _t(r"\b(attaques?|attaqu[ée]e?s?|attaquai?ent|pris(es)? pour cibles?|cibl[ée]e?s?|"
       r"vis[ée]e?s?|touch[ée]e?s?|frapp[ée]e?s?|hit|struck|"
       r"embuscades?|assauts?|attack(s|ed)?|ambush(ed)?|targeted|came under fire|"
       r"opened fire|ouvert le feu)\b|هجوم|هاجم\w*|استهدف\w*|استهداف",
       E.BATTLES, S.ARMED_CLASH, 13),
)

# Habitual or hypothetical statements are not reports of one event.
_NOT_AN_EVENT = re.compile(
    r"(^\W*(depuis|since)\b)|\b(sporadi\w+|reste le th[ée][âa]tre|remains? the scene|"
    r"has long been|have long been|depuis longtemps|depuis des "
    r"ann[ée]es|for years|for decades|chaque (jour|semaine|mois)|every (day|week|month)|"
    r"[àa] plusieurs reprises|au cours de ces derniers mois|ces derniers mois|"
    r"r[ée]guli[èe]rement|repeatedly|in recent months|regularly|menac\w+ de|threaten\w* to|"
    r"pourrai(t|ent)|could|would|si jamais|if they)\b", re.IGNORECASE)
_PASSIVE = re.compile(
    r"\b(ont|a|avait|avaient|auraient|aurait) (été|fait l['’]objet)\b|\b(were|was|been|came under)\b|"
    r"\bla cible\b", re.IGNORECASE)
_AGENT = re.compile(r"\b(par|by)\s+(un|une|des|les|le|la|l['’]|a|an|the)?\s*$", re.IGNORECASE)
_NEAR = re.compile(r"\b(près d[eu']|pr[eè]s de l['’]|aux abords d|non loin d|à proximité d|"
                   r"near|outside|close to|north of|south of|east of|west of|"
                   r"au (nord|sud|est|ouest) d|قرب|بالقرب من)", re.IGNORECASE)
BACKGROUND_DAYS = 30  # an event this long before publication is one the article recalls
_VIOLENT_PROTEST = re.compile(
    r"\b(burn(ed|t|ing)? tyres|burn(ed|t|ing)? tires|set fire|torch(ed)?|stormed|threw stones|"
    r"hurled stones|pelted|vandali[sz]ed|br[ûu]l[ée]\w* des pneus|pneus (br[ûu]l[ée]s|en feu)|"
    r"incendi[ée]\w*|mis le feu|jets? de pierres|lanc[ée]\w* des pierres|pris d['’]assaut|"
    r"saccag\w*)\b|حرق|أحرق|إطارات", re.IGNORECASE)
_RECALL = re.compile(r"\b(rappel\w*|l['’]an dernier|l['’]ann[ée]e derni[èe]re|"
                     r"last year|recalled|anniversary|anniversaire)\b", re.IGNORECASE)
_NATIONAL_FORCE = re.compile(
    r"\b(drones?|frappes?|forces?|arm[ée]es?|troupes|soldats|avions?|army|troops|forces|"
    r"military|warplanes?|jets?)\s+(?P<adj>[^\W\d_]+)", re.IGNORECASE)

_TARGET_MARK = re.compile(r"\b(pour|contre|against|on|targeting|visant|sur|toward|vers)\s+"
                          r"(l['’]|les?|la|des|the)?\s*$", re.IGNORECASE)
_NUMBER_WORDS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "quinze": 15, "vingt": 20,
    "trente": 30, "cinquante": 50, "cent": 100, "one": 1, "two": 2, "three": 3, "four": 4,
    "five": 5, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
    "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "fifty": 50, "hundred": 100,
    "dozen": 12, "dozens": 24,
}
_NUM = r"(\d+|" + "|".join(_NUMBER_WORDS) + r")"
_FATALITIES = (
    re.compile(rf"\b{_NUM}\s+(\w+\s+){{0,3}}?(ont été |ont |sont |have been |were |been )?"
               r"(tu[ée]s|tu[ée]es|morts?|killed|dead)\b", re.IGNORECASE),
    re.compile(rf"\b(tuant|killing|faisant|leaving)\s+(au moins |at least )?{_NUM}\b", re.IGNORECASE),
    re.compile(rf"\b(mort|death|décès) de\s+{_NUM}\b", re.IGNORECASE),
    re.compile(r"(مقتل|قتل)\s+(\d+)"),
)


@dataclass(frozen=True)
class ActorHit:
    start: int
    end: int
    canonical: str
    inter_code: int


@dataclass(frozen=True)
class SentenceEvent:
    """What a sentence says happened, before it is placed (one per place)."""

    event_type: E
    sub_event_type: S
    actor1: str
    actor2: str
    assoc_actor_1: str
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

    def date_near(self, offset: int) -> SentenceEvent:
        """This event dated by the sentence's date phrase closest before ``offset`` (a place
        mention): "neuf interpellés jeudi à X, et cinq autres vendredi près de Y"."""
        before = [d for d in self.dates if d.start <= offset]
        if len(self.dates) < 2 or not before:
            return self
        d = before[-1]
        return replace(self, date=d.date, time_precision=d.precision, date_explicit=d.explicit)


def find_trigger(sentence: str) -> tuple[Trigger, re.Match[str]] | None:
    best = None
    for trigger in TRIGGERS:
        m = trigger.pattern.search(sentence)
        if m and (best is None or trigger.rank < best[0].rank):
            best = (trigger, m)
    return best


def find_fatalities(sentence: str) -> int | None:
    values = []
    for pattern in _FATALITIES:
        for m in pattern.finditer(sentence):
            token = next((g for g in m.groups() if g and (g.isdigit() or
                                                         g.lower() in _NUMBER_WORDS)), None)
            if token is None:
                continue
            values.append(int(token) if token.isdigit() else _NUMBER_WORDS[token.lower()])
    return max(values) if values else None


def _unidentified(violent: bool, event_type: E) -> str:
    if event_type is E.PROTESTS:
        return "Protesters"
    if event_type is E.RIOTS:
        return "Rioters"
    return "Unidentified Armed Group" if violent else ""


def assign_actors(sentence: str, trigger_match: re.Match[str], actors: Sequence[ActorHit],
                  trigger: Trigger, national_force: str = "") -> tuple[str, str, str]:
    """(actor1, actor2, assoc_actor_1): actor1 the perpetrator, actor2 the target."""
    t0 = trigger_match.start()
    agents = [a for a in actors if _AGENT.search(sentence[max(0, a.start - 12):a.start])
              and a.start >= t0 - 5]
    before = [a for a in actors if a.end <= t0 and a not in agents]
    after = [a for a in actors if a.start >= trigger_match.end() and a not in agents]
    passive = bool(_PASSIVE.search(sentence[max(0, t0 - 40):trigger_match.end()]))
    actor1 = actor2 = ""
    if agents:
        actor1 = agents[0].canonical
    if passive:
        actor2 = before[0].canonical if before else (after[0].canonical if after else "")
    else:
        if not actor1 and before:
            actor1 = before[0].canonical
        rest = [a for a in after if a.canonical != actor1]
        actor2 = rest[0].canonical if rest else ""
    if not actor1 and national_force:
        actor1 = national_force
    if not actor1:
        actor1 = _unidentified(trigger.violent, trigger.event_type)
    if actor2 == actor1:
        actor2 = ""
    return actor1, actor2, ""


def refine_type(trigger: Trigger, sentence: str, actor2_inter: int | None,
                fatalities: int | None) -> tuple[E, S]:
    """ACLED's rules on top of the trigger: who was attacked, what force was used."""
    et, sub = trigger.event_type, trigger.sub_event_type
    if sub is S.ATTACK and re.search(r"\bdrones?\b|مسيرة", sentence, re.IGNORECASE):
        return E.EXPLOSIONS, S.AIR_DRONE_STRIKE
    if et is E.BATTLES and actor2_inter == 7:  # a one-sided attack on civilians
        return E.VIOLENCE_AGAINST_CIVILIANS, S.ATTACK
    if et is E.PROTESTS and _VIOLENT_PROTEST.search(sentence):
        return E.RIOTS, S.VIOLENT_DEMONSTRATION
    if et is E.PROTESTS:
        if fatalities:
            return E.PROTESTS, S.EXCESSIVE_FORCE
        if re.search(r"dispers|gaz lacrymog|tear ?gas|water cannon|canons? à eau", sentence,
                     re.IGNORECASE):
            return E.PROTESTS, S.PROTEST_WITH_INTERVENTION
    return et, sub


def code_sentence(sentence: str, published: dt.date | None, actors: Sequence[ActorHit],
                  previous_date: DateMention | None = None,
                  national_force_of: Callable[[str], str] | None = None,
                  dates: Sequence[DateMention] | None = None) -> SentenceEvent | None:
    """The event a sentence reports, or ``None`` (no trigger, or habitual/hypothetical)."""
    found = find_trigger(sentence)
    if found is None:
        return None
    trigger, match = found
    if _NOT_AN_EVENT.search(sentence):
        return None
    national = ""
    if national_force_of is not None:
        for m in _NATIONAL_FORCE.finditer(sentence):
            if _TARGET_MARK.search(sentence[max(0, m.start() - 15):m.start()]):
                continue  # "du matériel pour l'armée américaine": the target, not the agent
            national = national_force_of(m.group("adj"))
            if national:
                break
    actor1, actor2, assoc = assign_actors(sentence, match, actors, trigger, national)
    target_inter = next((a.inter_code for a in actors if a.canonical == actor2), None)
    fatalities = find_fatalities(sentence)
    event_type, sub = refine_type(trigger, sentence, target_inter, fatalities)
    if dates is None:
        dates = find_dates(sentence, published)
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
    strength = 1.0 - 0.04 * trigger.rank
    return SentenceEvent(event_type, sub, actor1, actor2, assoc, date, precision, is_explicit,
                         background, fatalities, match.group(0), strength, source,
                         generic=trigger is TRIGGERS[-1],
                         dates=tuple(d for d in dates if d.date is not None))


def continue_event(pending: SentenceEvent, coded: SentenceEvent | None) -> SentenceEvent:
    """A sentence that places an event the previous sentence reported without a place:
    "Deux convois ont été pris pour cible lundi. Le premier a été visé près d'Abou Ghraib"."""
    if coded is None:
        return pending
    date_from_sentence = coded.date_source == "sentence"
    return replace(
        coded,
        event_type=pending.event_type, sub_event_type=pending.sub_event_type,
        actor1=pending.actor1 if coded.actor1.startswith("Unidentified") else coded.actor1,
        actor2=coded.actor2 or pending.actor2,
        date=coded.date if date_from_sentence else pending.date,
        time_precision=coded.time_precision if date_from_sentence else pending.time_precision,
        date_explicit=coded.date_explicit if date_from_sentence else pending.date_explicit,
        is_background=coded.is_background if date_from_sentence else pending.is_background,
        fatalities=coded.fatalities if coded.fatalities is not None else None,
        strength=max(coded.strength, pending.strength - 0.1), generic=False,
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
    """1 a named place, 2 near a place, 3 only a region (coded at its centroid)."""
    if place["feature_class"] in ("admin1", "admin2", "country", "continent"):
        return GeoPrecision.REGION
    if _NEAR.search(sentence[max(0, mention_start - 40):mention_start]):
        return GeoPrecision.NEAR_PLACE
    return GeoPrecision.NAMED_PLACE
