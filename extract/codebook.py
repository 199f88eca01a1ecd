"""ACLED's codebook as rules: what a sentence's cues make of it.

A sentence is first *read* (:func:`read_sentence`): its cues (:mod:`extract.cues`) and its
parties, the named actors of the alias table and the generic ones the cues name ("soldiers",
"gunmen", "villagers", "protesters"). An :class:`EventClassifier` then says whether the
sentence reports an event and codes it. :class:`CodebookClassifier` is the default: rules
that need no training data and follow the codebook's definitions and precedence:

- **Demonstrations** come first when demonstrators act: a protest ("Peaceful protest"), met
  with force ("Protest with intervention": dispersed, tear gas, arrests) or with lethal force
  ("Excessive force against protesters"); demonstrators who turn violent (stones, burning,
  vandalism, fighting the police) riot ("Violent demonstration"); a crowd that attacks
  someone is "Mob violence".
- **Sexual violence** and **abduction** are violence against civilians whatever the weapon.
- **Explosions/Remote violence**: a remote weapon decides, whoever the victims (an attack on
  civilians with an IED is a remote explosive, not an attack); chemical > suicide bomb > air
  or drone strike > shelling/artillery/missile > remote explosive/landmine/IED > grenade. A
  weapon that is defused, intercepted or seized is "Disrupted weapons use" instead.
- **Battles**: armed parties fight ("Armed clash"), or one takes ground: a state force
  retaking it ("Government regains territory") or a non-state one ("Non-state actor
  overtakes territory").
- **Violence against civilians**: an armed party attacks, kills or hurts people who are not
  fighting ("Attack").
- **Strategic developments**: looting or property destruction, arrests, agreements, changes
  to a group, a base set up, territory handed over without a fight, and other notable
  non-violent acts of armed or political actors.

A trigger is an event only with a conflict reading: an armed or political party, a weapon,
a demonstration, or a violent act against people. A word alone is not enough: "the worst hit
state", "the cyclone hit the coast" and "the city reported 327 deaths" code nothing, and a
natural, medical or accidental cause (``ctx.hazard``) with no armed party or weapon vetoes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from extract.cues import Cue, CueLexicon
from extract.schema import EventType as E
from extract.schema import SubEventType as S

ARMED_INTER = frozenset({1, 2, 3, 4, 8})
# The role of a generic party each agent cue names, and its ACLED inter code.
AGENT_ROLES: dict[str, tuple[str, int]] = {
    "agent.state": ("military", 1), "agent.police": ("police", 1),
    "agent.armed": ("armed", 2), "agent.civilian": ("civilian", 7),
    "agent.protester": ("protester", 6), "agent.rioter": ("rioter", 5),
}
_REMOTE_ORDER: tuple[tuple[str, S], ...] = (
    ("weapon.chemical", S.CHEMICAL_WEAPON), ("weapon.suicide", S.SUICIDE_BOMB),
    ("weapon.drone", S.AIR_DRONE_STRIKE), ("weapon.air", S.AIR_DRONE_STRIKE),
    ("weapon.shell", S.SHELLING_ARTILLERY_MISSILE), ("weapon.ied", S.REMOTE_EXPLOSIVE),
    ("weapon.grenade", S.GRENADE),
)
_VIOLENT_ACTS = ("act.attack", "act.clash", "act.kill", "act.harm")
# Weapons that only states field, so a demonym beside them names a state's forces.
_NATIONAL_WEAPONS = frozenset({"weapon.air", "weapon.drone", "weapon.shell"})
_NO_FIGHT = re.compile(r"\bwithout (?:a |any )?(?:fight|fighting|resistance|a shot|clashes)|"
                       r"\bsans (?:combat|combats|r[ée]sistance|affrontements?)", re.IGNORECASE)
# "by"/"par" before a party: it is the agent of a passive verb.
_AGENT_MARK = re.compile(r"(?:\b(?:by|par|de la part d[eu'])|من قبل|على يد|بيد)\s*"
                         r"(?:(?:the|a|an|des|les|le|la|l['’]|un|une|suspected|presumed|"
                         r"alleged|présumés?|suspected)\s+){0,2}$", re.IGNORECASE)
_PASSIVE = re.compile(r"\b(?:were|was|been|being|got|ont été|a été|avaient été|avait été|"
                      r"sont|est|été)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
# Habitual or hypothetical statements are no report of one event.
NOT_AN_EVENT = re.compile(
    r"(^\W*(depuis|since)\b)|\b(sporadi\w+|reste le th[ée][âa]tre|remains? the scene|"
    r"has long been|have long been|depuis longtemps|depuis des "
    r"ann[ée]es|for years|for decades|chaque (jour|semaine|mois)|every (day|week|month)|"
    r"[àa] plusieurs reprises|au cours de ces derniers mois|ces derniers mois|"
    r"r[ée]guli[èe]rement|repeatedly|in recent months|regularly|menac\w+ de|threaten\w* to|"
    r"pourrai(t|ent)|could|would|si jamais|if they|plan(?:ned|s|ning)? to|"
    r"call(?:ed|s)? for|warn(?:ed|s)? (?:of|that|against)|fear(?:ed|s)?|"
    r"vow(?:ed|s)? to|pledg(?:ed|es) to|promis\w* (?:to|de)|s['’]est engag[ée]e? [àa]|"
    r"chaque ann[ée]e|every year|each year|annually|tous les ans|frequent(?:ly)?|"
    r"fr[ée]quente?s?|often|souvent|for (?:nearly |almost |more than |over )?(?:a |two |"
    r"three |several |many )?(?:decades?|years|months)|pendant des (?:ann[ée]es|mois)|"
    r"since (?:mid-|early |late )?(?:january|february|march|april|may|june|july|august|"
    r"september|october|november|december|last year|the start|the beginning|\d{4})|"
    r"depuis (?:la mi-|le d[ée]but|janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|"
    r"septembre|octobre|novembre|d[ée]cembre|l['’]an|\d{4})|"
    # what keeps happening, or a state of things, is no one event: "has seen repeated
    # attacks in recent years", "where US troops are deployed", "هجمات متكررة"
    r"repeated|recurr\w+|r[ée]currente?s?|r[ée]p[ée]t[ée]e?s|periodic|p[ée]riodiques?|"
    r"routinely|in recent years|over the years|ces derni[èe]res ann[ée]es|"
    r"(?:are|is|remain|remains) (?:deployed|stationed|based)|"
    r"(?:sont|est|restent|reste) (?:d[ée]ploy|stationn|bas)[ée]e?s?|"
    r"متكرر\w*|عمليات دورية|بشكل دوري|بصورة دورية|بشكل متكرر|باستمرار|مرارا|"
    r"السنوات الأخيرة|الأشهر الأخيرة|منذ سنوات)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Party:
    """Someone a sentence names: a named actor of the alias table, or a generic one."""

    start: int
    end: int
    role: str  # military, police, armed, civilian, protester, rioter, or named
    inter: int  # ACLED inter code
    name: str = ""  # canonical name of a named actor
    country: str = ""  # ISO alpha-2 a demonym gives ("Russian forces")
    text: str = ""
    readings: tuple[Any, ...] = field(default=(), compare=False)  # a named actor's alias
    weak: bool = False  # named by a weak word ("supporters", "forces")

    @property
    def armed(self) -> bool:
        return self.inter in ARMED_INTER

    @property
    def state(self) -> bool:
        return self.role in ("military", "police") or (self.role == "named" and
                                                       self.inter == 1)


@dataclass(frozen=True)
class Reading:
    """What the coder reads in one sentence."""

    text: str
    language: str
    cues: tuple[Cue, ...]
    parties: tuple[Party, ...]

    def has(self, *kinds: str, strong: bool = False) -> bool:
        return any(c.kind in kinds and (c.strong or not strong) for c in self.cues)

    def of(self, *kinds: str) -> list[Cue]:
        return [c for c in self.cues if c.kind in kinds]


@dataclass(frozen=True)
class Coding:
    """An event type for a sentence, how sure the coder is, and who did what to whom."""

    event_type: E
    sub_event_type: S
    score: float  # 0..1
    trigger: Cue
    actor1: Party | None = None
    actor2: Party | None = None
    generic: bool = False  # only a weak attack word ("targeted", "visé")
    reasons: tuple[str, ...] = field(default=())
    # the trigger is named as an event already told: "the fighting erupted after ..."
    anaphoric: bool = False

    @property
    def outcome_only(self) -> bool:
        """The sentence only says who died or was hurt ("3 soldiers were killed"): it tells
        the outcome of an event, not a new one."""
        acts = [k for k in self.reasons if k.startswith(("act.", "weapon."))]
        return bool(acts) and all(k in ("act.kill", "act.harm") for k in acts)


class EventClassifier(Protocol):
    """Says whether a sentence reports an event, and codes it. Implementations: the default
    :class:`CodebookClassifier`, and :class:`extract.learned.LearnedClassifier`."""

    def classify(self, reading: Reading) -> Coding | None: ...


def read_sentence(text: str, language: str, lexicon: CueLexicon,
                  named: Sequence[Party] = (),
                  demonym_country: DemonymLookup | None = None) -> Reading:
    """The cues and parties of ``text``; ``named`` are the table's actors found in it
    (offsets relative to ``text``); ``demonym_country`` maps an adjective to an ISO code."""
    cues = tuple(lexicon.find(text, language))
    parties = list(named)
    for cue in cues:
        if cue.kind in _NATIONAL_WEAPONS and demonym_country is not None:
            # "Russian airstrikes", "Israeli drones", "frappes israéliennes": a state's forces
            if country := _demonym_near(text, cue.start, cue.end, demonym_country):
                parties.append(Party(cue.start, cue.end, "military", 1, "", country,
                                     cue.text))
            continue
        if cue.kind not in AGENT_ROLES:
            continue
        if any(p.start < cue.end and cue.start < p.end for p in named):
            continue  # "Syrian Democratic Forces" is one named actor, not "forces"
        if any(0 <= cue.start - p.end <= 2 and p.armed for p in named) and \
                cue.kind in ("agent.armed", "agent.state"):
            continue  # "Al Shabaab militants", "JNIM fighters": the named actor's noun
        role, inter = AGENT_ROLES[cue.kind]
        country = ""
        if demonym_country is not None and role in ("military", "police", "armed",
                                                    "civilian"):
            country = _demonym_near(text, cue.start, cue.end, demonym_country)
        parties.append(Party(cue.start, cue.end, role, inter, "", country, cue.text,
                             weak=not cue.strong))
    parties.sort(key=lambda p: p.start)
    return Reading(text, language, cues, tuple(parties))


class DemonymLookup(Protocol):
    def __call__(self, word: str, /) -> str: ...


_WORD_BEFORE = re.compile(r"([^\W\d_][\w'-]*)\s+(?:(?:armed|security|special|regular|"
                          r"government|military|state|federal|national)\s+)?$",
                          re.IGNORECASE)
_WORD_AFTER = re.compile(r"\s+([^\W\d_][\w'-]*)")


def _demonym_near(text: str, start: int, end: int, lookup: DemonymLookup) -> str:
    """The country of a demonym beside a party: "Russian forces", "Malian armed forces",
    or after it as in French, "l'armée malienne", "des soldats nigériens"."""
    before = _WORD_BEFORE.search(text[max(0, start - 40):start])
    if before and (code := lookup(before.group(1))):
        return code
    after = _WORD_AFTER.match(text[end:end + 40])
    if after and (code := lookup(after.group(1))):
        return code
    return ""


class CodebookClassifier:
    """The default classifier: the codebook's definitions and precedence as rules (module
    doc). Needs no training data."""

    def classify(self, reading: Reading) -> Coding | None:
        if not reading.cues or NOT_AN_EVENT.search(reading.text):
            return None
        r = reading
        parties = r.parties
        armed = [p for p in parties if p.armed]
        civilians = [p for p in parties if p.role == "civilian" or p.inter == 7]
        protesters = [p for p in parties if (p.role == "protester" and not p.weak)
                      or (p.role == "named" and p.inter == 6)]
        rioters = [p for p in parties if p.role == "rioter" or p.inter == 5]
        hazard = r.has("ctx.hazard")
        weapons = [c for c in r.of(*(k for k, _ in _REMOTE_ORDER)) if c.strong or _backed(r)]
        violent = [c for c in r.of(*_VIOLENT_ACTS)]
        kill = r.has("out.kill") or r.has("act.kill", strong=True)
        political = bool(armed) or bool(weapons) or r.has("weapon.gun") or (
            r.has("target.armed") and r.has(*_VIOLENT_ACTS, strong=True))
        if hazard and not political:
            return None  # "the cyclone hit the coast", "Ebola has killed 300 people"

        # Demonstrations: demonstrators are the ones acting.
        protest_cues = r.of("act.protest")
        # demonstrators acting: a protest word, or demonstrators named beside a protest word,
        # a word of police intervention, or nothing armed ("Protesters torched an office")
        # words of people moving or gathering, not of a speaker ("condemned", "demanded")
        moving = [c for c in protest_cues if not _STATEMENT.match(c.text)]
        strong_protest = any(c.strong for c in protest_cues) or len(moving) >= 2 or (
            bool(protesters) and (bool(protest_cues) or r.has("act.intervene")
                                  or not any(p.armed and not p.state for p in parties))) or (
            # "hundreds of women marched in Bamako against insecurity": a weak word of
            # people moving or gathering with what it is for, by people bearing no arms (an
            # official who "condemned the aggression" makes a statement, not a protest)
            bool(moving) and bool(_PROTEST_PURPOSE.search(r.text))
            and not any(p.armed for p in parties))
        riot = r.of("act.riot")
        if strong_protest and not riot:
            # demonstrators who burn, loot or fight riot ("protesters torched the office")
            riot = [c for c in r.of("act.destroy", "act.loot") if c.strong] + [
                c for c in r.of("act.clash", "act.attack") if c.strong and (
                    (a := self._agent(r, c)) is not None and a.role in ("protester",
                                                                         "rioter"))]
        mob = r.of("act.mob")
        if (strong_protest or rioters or r.has("act.riot", strong=True)) and not (
                weapons and armed and not protesters and not rioters):
            if mob and not strong_protest:
                return self._code(E.RIOTS, S.MOB_VIOLENCE, mob[0], r, actor1_role="rioter")
            if riot or rioters:
                trigger = riot[0] if riot else (protest_cues[0] if protest_cues else
                                                 _as_cue(rioters[0]))
                return self._code(E.RIOTS, S.VIOLENT_DEMONSTRATION, trigger, r,
                                  actor1_role="rioter")
            trigger = protest_cues[0] if protest_cues else _as_cue(protesters[0])
            if kill or (r.has("weapon.gun") and (r.has("out.injure") or any(
                    p.state for p in parties))):
                return self._code(E.PROTESTS, S.EXCESSIVE_FORCE, trigger, r,
                                  actor1_role="protester")
            if r.has("act.intervene") or r.has("act.arrest", strong=True) or (
                    r.has("weapon.gun") and any(p.state for p in parties)):
                return self._code(E.PROTESTS, S.PROTEST_WITH_INTERVENTION, trigger, r,
                                  actor1_role="protester")
            return self._code(E.PROTESTS, S.PEACEFUL_PROTEST, trigger, r,
                              actor1_role="protester")
        if mob and (violent or kill or r.has("act.destroy")):
            return self._code(E.RIOTS, S.MOB_VIOLENCE, mob[0], r, actor1_role="rioter")

        if r.has("act.sexual"):
            return self._code(E.VIOLENCE_AGAINST_CIVILIANS, S.SEXUAL_VIOLENCE,
                              r.of("act.sexual")[0], r, victim="civilian")

        disrupt = r.of("act.disrupt")
        if weapons:
            if disrupt and not kill and not r.has("out.injure") and (
                    any(c.strong for c in disrupt) or not violent):
                return self._code(E.STRATEGIC_DEVELOPMENTS, S.DISRUPTED_WEAPONS_USE,
                                  disrupt[0], r)
            kinds = {c.kind for c in weapons}
            sub = next(s for k, s in _REMOTE_ORDER if k in kinds)
            trigger = next(c for c in weapons if dict(_REMOTE_ORDER)[c.kind] is sub)
            return self._code(E.EXPLOSIONS, sub, trigger, r)

        if r.has("act.abduct"):
            return self._code(E.VIOLENCE_AGAINST_CIVILIANS, S.ABDUCTION,
                              r.of("act.abduct")[0], r, victim="civilian")

        take, regain = r.of("act.take"), r.of("act.regain")
        if _NO_FIGHT.search(r.text):  # "took the town without a fight": no battle
            violent = [c for c in violent if c.kind != "act.clash"]
        if (take or regain) and armed and not (take and not regain and not any(
                c.strong for c in take) and not violent):
            agent = self._agent(r, (regain or take)[0])
            state_agent = agent is not None and agent.state
            if regain and (state_agent or agent is None) or (take and state_agent):
                return self._code(E.BATTLES, S.GOVERNMENT_REGAINS_TERRITORY,
                                  (regain or take)[0], r)
            if r.has("act.withdraw") and not violent and not kill:
                return self._code(E.STRATEGIC_DEVELOPMENTS, S.NON_VIOLENT_TRANSFER,
                                  r.of("act.withdraw")[0], r)
            return self._code(E.BATTLES, S.NON_STATE_ACTOR_OVERTAKES_TERRITORY,
                              (take or regain)[0], r)

        if violent or r.has("act.kill"):
            strong_violent = [c for c in violent if c.strong]
            if not strong_violent and not kill and not self._weak_act_holds(r, violent):
                return None  # "hit", "struck", "wounded officers": no act of violence
            if not political and not civilians and not r.has("act.kill", "act.clash",
                                                             strong=True):
                return None
            if not political and r.has("act.harm") and not kill and not r.has(
                    "act.attack", "act.clash", strong=True):
                return None  # a beating with no armed party: no political violence
            trigger = (strong_violent or violent or r.of("act.kill"))[0]
            agent = self._agent(r, trigger)
            target = self._target(r, trigger, agent)
            clash = r.of("act.clash")
            sides = _communal_sides(r, parties)
            if sides is not None and any(c.strong for c in clash):
                # "herders and farmers clashed", "rival clans fought": communities fighting
                # each other; with deaths or guns as armed communal militias, else a brawl
                first, second = sides
                if kill or r.has("weapon.gun"):
                    return replace(self._code(E.BATTLES, S.ARMED_CLASH, clash[0], r),
                                   actor1=first, actor2=second)
                return self._code(E.RIOTS, S.MOB_VIOLENCE, clash[0], r, actor1_role="rioter")
            if self._mob(r, agent, armed, weapons):
                return self._code(E.RIOTS, S.MOB_VIOLENCE, trigger, r, actor1_role="rioter")
            # the target a party names decides; a checkpoint or a base is the place of an
            # attack on civilians there ("shot two civilians at a checkpoint")
            armed_target = target.armed if target is not None else r.has("target.armed")
            named_civilians = (target is not None and (target.role == "civilian"
                                                       or target.inter == 7)) or (
                not armed_target and bool(civilians))
            civilian_target = named_civilians or (not armed_target
                                                  and r.has("target.civilian"))
            # fighting "near the village of Hatla" is a battle: only people who are not
            # fighting, not the place words of a civilian target, make a clash one-sided
            if any(c.strong for c in clash) and not (named_civilians and not armed_target
                                                      and len(armed) < 2):
                return self._code(E.BATTLES, S.ARMED_CLASH, clash[0], r)
            if armed_target:
                return self._code(E.BATTLES, S.ARMED_CLASH, trigger, r)
            if civilian_target or (kill and not armed_target):
                return self._code(E.VIOLENCE_AGAINST_CIVILIANS, S.ATTACK, trigger, r,
                                  victim="civilian")
            return self._code(E.BATTLES, S.ARMED_CLASH, trigger, r,
                              generic=not strong_violent)

        crowd = next((p for p in parties if p.role in ("civilian", "rioter") and not p.weak
                      and _CROWD.match(p.text)), None)
        destroy = r.of("act.destroy")
        if crowd is not None and destroy and crowd.end <= destroy[0].start and not armed:
            # "residents burned a police station after a man died in custody"
            return self._code(E.RIOTS, S.VIOLENT_DEMONSTRATION, destroy[0], r,
                              actor1_role="rioter")
        if r.has("act.loot") or r.has("act.destroy", strong=True) or (
                r.has("act.destroy") and (armed or r.has("target.civilian"))):
            cue = (r.of("act.loot") or r.of("act.destroy"))[0]
            if political or civilians or r.has("target.civilian"):
                return self._code(E.STRATEGIC_DEVELOPMENTS, S.LOOTING, cue, r,
                                  victim="civilian")
        if r.has("act.arrest") and (parties or r.has("act.arrest", strong=True)):
            cue = r.of("act.arrest")[0]
            if cue.strong or any(p.state for p in parties):
                return self._code(E.STRATEGIC_DEVELOPMENTS, S.ARRESTS, cue, r,
                                  actor1_role="police")
        if disrupt and (any(c.strong for c in disrupt) or r.has("weapon.gun", "weapon.ied")):
            return self._code(E.STRATEGIC_DEVELOPMENTS, S.DISRUPTED_WEAPONS_USE, disrupt[0],
                              r, actor1_role="military")
        if r.has("act.agree", strong=True) and (armed or len(parties) >= 2 or any(
                c.text.lower() in ("ceasefire", "cease-fire", "truce", "cessez-le-feu",
                                   "trêve", "هدنة") for c in r.of("act.agree"))):
            return self._code(E.STRATEGIC_DEVELOPMENTS, S.AGREEMENT, r.of("act.agree")[0], r)
        if r.has("act.change") and armed and (r.has("act.change", strong=True)):
            return self._code(E.STRATEGIC_DEVELOPMENTS, S.CHANGE_TO_GROUP,
                              r.of("act.change")[0], r)
        if r.has("act.base", strong=True) and armed:
            return self._code(E.STRATEGIC_DEVELOPMENTS, S.HEADQUARTERS_ESTABLISHED,
                              r.of("act.base")[0], r)
        if r.has("act.withdraw", strong=True) and armed:
            return self._code(E.STRATEGIC_DEVELOPMENTS, S.NON_VIOLENT_TRANSFER,
                              r.of("act.withdraw")[0], r)
        if r.has("act.other", strong=True) and armed:
            return self._code(E.STRATEGIC_DEVELOPMENTS, S.OTHER, r.of("act.other")[0], r)
        return None

    @staticmethod
    def _mob(r: Reading, agent: Party | None, armed: Sequence[Party],
             weapons: Sequence[Cue]) -> bool:
        """Violence by people who bear no arms as an armed group does: residents who beat a
        man to death, villagers and herders fighting with machetes (ACLED's mob violence)."""
        if weapons or r.has("weapon.gun", strong=True) or any(
                p.armed and not p.weak and not (p.role == "named" and p.inter == 4)
                for p in armed):
            return False
        crowd = agent is not None and agent.role in ("civilian", "rioter") and not agent.weak
        return crowd or (r.has("act.clash") and any(
            p.role == "civilian" and not p.weak for p in r.parties) and r.has("weapon.blade"))

    def _weak_act_holds(self, r: Reading, weak: Sequence[Cue]) -> bool:
        """A weak attack word ("hit", "struck", "targeted") is an act of violence when an
        armed party does it to someone: "militants hit a checkpoint"."""
        for cue in weak:
            if cue.kind == "act.kill":  # "abattu deux civils": shot dead, when people follow
                if self._target(r, cue, self._agent(r, cue)) is not None:
                    return True
                continue
            if cue.kind != "act.attack":
                continue
            agent = self._agent(r, cue)
            if agent is not None and agent.armed and (
                    self._target(r, cue, agent) is not None or r.has("target.armed",
                                                                    "target.civilian")):
                return True
        return False

    # -- parties ----------------------------------------------------------------------------

    @staticmethod
    def _agent(r: Reading, trigger: Cue) -> Party | None:
        """Who did it: a party after "by"/"par" (passive), else the nearest armed party
        before the trigger, else the nearest party before it (not a victim of a passive)."""
        for p in r.parties:
            if _AGENT_MARK.search(r.text[max(0, p.start - 30):p.start]):
                return p
        # "a Turkish drone strike", "Russian shelling": the state the weapon's word names
        own = [p for p in r.parties if p.start < trigger.end and trigger.start < p.end
               and p.armed]
        if own:
            return next((p for p in own if p.role == "named"), own[0])
        before = [p for p in r.parties if p.end <= trigger.start]
        if _PASSIVE.search(r.text[max(0, trigger.start - 30):trigger.start]):
            return None  # "three soldiers were killed": the soldiers are the victims
        armed = [p for p in before if p.armed]
        if armed:
            return armed[-1]
        if r.language == "ar" and not before:
            # Arabic puts the verb first: "قصفت قوات النظام ..." (the regime forces shelled)
            after = [p for p in r.parties if p.start >= trigger.end]
            return after[0] if after else None
        if before and before[-1].role in ("protester", "rioter"):
            return before[-1]
        if before and before[-1].role == "civilian" and not before[-1].weak and \
                trigger.start - before[-1].end <= 12:
            return before[-1]  # "Residents beat a man to death": civilians who do it
        after = [p for p in r.parties if p.start >= trigger.end and p.armed]
        if after and not any(p.role == "civilian" for p in before):
            # "clashes between the army and rebels", "airstrikes by the army": first armed
            return after[0] if r.has("act.clash") else None
        return None

    @staticmethod
    def _target(r: Reading, trigger: Cue, agent: Party | None) -> Party | None:
        """Whom it was done to: in a passive, the party before the verb; else the nearest
        party after it that is not the agent."""
        if _PASSIVE.search(r.text[max(0, trigger.start - 30):trigger.start]):
            before = [p for p in r.parties if p.end <= trigger.start and p is not agent]
            if before:
                return before[-1]
        after = [p for p in r.parties if p.start >= trigger.end and p is not agent
                 and p.role not in ("protester",)]
        if after:
            return after[0]
        before = [p for p in r.parties if p.end <= trigger.start and p is not agent]
        return before[-1] if before and agent is None else None

    def _code(self, event_type: E, sub: S, trigger: Cue, r: Reading, *,
              actor1_role: str = "", victim: str = "", generic: bool = False) -> Coding:
        agent = self._agent(r, trigger)
        target = self._target(r, trigger, agent)
        if event_type in (E.PROTESTS, E.RIOTS):
            crowd = [p for p in r.parties if p.role == actor1_role]
            named = [p for p in r.parties if p.role == "named" and p.inter in (5, 6)]
            first = (named or crowd)[0] if (named or crowd) else None
            agent = first or Party(trigger.start, trigger.end, actor1_role,
                                   6 if actor1_role == "protester" else 5)
            if agent.role != "named":
                agent = Party(agent.start, agent.end, actor1_role,
                              6 if actor1_role == "protester" else 5, "", agent.country,
                              agent.text)
            others = [p for p in r.parties if p.state or (p.role == "civilian" and
                                                          sub is S.MOB_VIOLENCE)]
            target = others[0] if others else None
        elif event_type is E.STRATEGIC_DEVELOPMENTS and sub is S.ARRESTS:
            # who detains: the party acting (state forces, or a group holding the ground:
            # "the Taliban arrested three former soldiers"), else a state party named
            # before the verb, else the police
            state = [p for p in r.parties if p.state and p.end <= trigger.start]
            if agent is None or not (agent.state or agent.armed):
                agent = state[-1] if state else Party(trigger.start, trigger.end, "police", 1)
            arrested = [p for p in r.parties if p is not agent and p.start >= trigger.end]
            target = arrested[0] if arrested else next(
                (p for p in r.parties if p is not agent and not p.state), None)
        elif event_type is E.STRATEGIC_DEVELOPMENTS and sub is S.DISRUPTED_WEAPONS_USE:
            state = [p for p in r.parties if p.state]
            agent = agent or (state[0] if state else None)
        if victim == "civilian" and (target is None or target.armed):
            civilians = [p for p in r.parties if p.role == "civilian" or p.inter == 7]
            target = civilians[0] if civilians else Party(trigger.start, trigger.end,
                                                          "civilian", 7)
        if target is not None and agent is not None and target == agent:
            target = None
        if event_type is E.BATTLES and target is None:
            others = [p for p in r.parties if p.armed and p != agent]
            target = others[0] if others else None
        reasons = tuple(sorted({c.kind for c in r.cues}))
        return Coding(event_type, sub, _score(r, trigger, agent), trigger, agent, target,
                      generic or _generic(r, trigger), reasons,
                      anaphoric=_definite(r.text, trigger))


# What a demonstration is for: "against insecurity", "over fuel prices", "to demand"
_PROTEST_PURPOSE = re.compile(
    r"\b(?:against|over|to demand|demanding|to protest|in protest|calling for|to denounce|"
    r"denouncing|in support of|in solidarity|contre|pour (?:exiger|d[ée]noncer|protester|"
    r"r[ée]clamer|demander|soutenir)|en soutien|en solidarit[ée])\b"
    r"|احتجاجا|للمطالبة|تنديدا|رفضا", re.IGNORECASE)
# Weak protest words a speaker says as well as a crowd: they make a protest only with
# demonstrators or another protest word ("protesters ... demanded", "marched ... demanding")
_STATEMENT = re.compile(r"(?:condemn|denounc|demand|petition|d[ée]non[cç]|r[ée]clam|exig|"
                        r"revendiqu|ندد|طالب)", re.IGNORECASE)
# People who gather and riot as a crowd (not one person): "residents", "youths", "a mob"
_CROWD = re.compile(r"^(?:residents|villagers|youths|locals|crowds?|mob|angry|irate|"
                    r"habitants|villageois|jeunes|foule|أهالي|شبان|حشود)", re.IGNORECASE)
# Communities that fight each other as communal militias (ACLED inter 4): herders and
# farmers, villagers, clans, tribes
_COMMUNAL = re.compile(
    r"^(?:herders?|herdsmen|pastoralists?|farmers?|villagers?|communit(?:y|ies)|clans?|"
    r"clansmen|tribes?|tribesmen|youths?|residents?|[ée]leveurs?|agriculteurs?|"
    r"cultivateurs?|villageois|communaut[ée]s?|tribus?|عشائر|عشيرة|قبائل|قبيلة|"
    r"أهالي)$", re.IGNORECASE)
_RIVAL = re.compile(r"(?:\brival|\btwo|\bdeux|\bneighbouring|\bneighboring|\bopposing|"
                    r"\brivaux|\brivales|\bvoisin(?:e|es|s)?)\s+$", re.IGNORECASE)


def _communal_sides(r: Reading, parties: Sequence[Party]) -> tuple[Party, Party] | None:
    """The two sides of a fight between communities, as communal militias: two community
    words ("herders and farmers"), or one after "rival"/"two" ("rival clans"), when no
    state or other armed party takes part."""
    communal = [p for p in parties if (p.role == "civilian" and _COMMUNAL.match(p.text))
                or (p.role == "named" and p.inter == 4)]
    spans = {(p.start, p.end) for p in communal}
    if any((p.armed and not (p.weak and (p.start, p.end) in spans)
            and not (p.role == "named" and p.inter == 4)) or p.state for p in parties):
        return None
    distinct = list({(p.start, p.end): p for p in communal}.values())

    def militia(p: Party) -> Party:
        if p.role == "named":
            return p
        return Party(p.start, p.end, "communal", 4, "", p.country, p.text)

    if len(distinct) >= 2:
        return militia(distinct[0]), militia(distinct[1])
    if len(distinct) == 1 and _RIVAL.search(r.text[max(0, distinct[0].start - 14):
                                                    distinct[0].start]):
        return militia(distinct[0]), militia(distinct[0])
    return None


def _generic(r: Reading, trigger: Cue) -> bool:
    """Only a weak attack word names the act ("the strike", "l'attaque", "targeted"),
    beside at most its outcome, or the outcome of an act the sentence names as one already
    told ("four people were killed in the strike"): the sentence may tell on an event
    already reported."""
    acts = [c for c in r.cues if c.kind.startswith(("act.", "weapon."))
            and c.kind not in ("act.kill", "act.harm")]
    if r.has("out.kill", "out.injure", "act.kill", "act.harm") and acts and all(
            _definite(r.text, c) or _STATEMENT.match(c.text) for c in acts):
        return True
    if trigger.strong or trigger.kind != "act.attack":
        return False
    return not any(c.strong for c in acts)


# A determiner that makes an event word one already told: "the fighting", "cette attaque",
# "l'explosion"; in Arabic the article is part of the word ("التظاهرة", "الهجوم").
_DEFINITE = re.compile(r"(?:\b(?:the|this|that|these|those|le|la|les|ce|cet|cette|ces)\s+|"
                       r"\bl['’]\s*)$", re.IGNORECASE)


def _definite(text: str, cue: Cue) -> bool:
    """Whether the event word ``cue`` is named as one already told."""
    if not cue.kind.startswith(("act.", "weapon.")) or cue.kind == "act.kill":
        return False
    if re.match(r"[وفب]?ال", cue.text):
        return len(cue.text.split()) == 1
    return bool(_DEFINITE.search(text[max(0, cue.start - 8):cue.start]))


def _backed(r: Reading) -> bool:
    """A weak weapon word ("explosion", "bomb", "jets") counts with an outcome, an attack
    word or an armed party beside it."""
    return r.has("out.kill", "out.injure", "act.attack", "act.kill", "target.armed") or any(
        p.armed for p in r.parties)


def _as_cue(p: Party) -> Cue:
    return Cue(f"agent.{p.role}", 1.0, p.start, p.end, 0, 0, p.text)


def _score(r: Reading, trigger: Cue, agent: Party | None) -> float:
    """How sure the coder is, from the evidence it used (0.3..0.98)."""
    score = 0.45 + (0.2 if trigger.strong else 0.0)
    score += 0.1 if agent is not None else 0.0
    score += 0.1 if r.has("out.kill") else 0.0
    score += 0.05 if any(c.kind.startswith("weapon.") and c.strong for c in r.cues) else 0.0
    score += 0.05 if sum(c.kind.startswith("act.") for c in r.cues) >= 2 else 0.0
    return round(min(max(score, 0.3), 0.98), 3)
