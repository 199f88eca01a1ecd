"""Actor names in running text, from the curated alias table ``extract/data/actors.tsv``.

``ActorTable.load()`` reads the table (see its header for the format and the version) and builds
a token trie of folded aliases; ``table.find_actors(text)`` returns every mention, leftmost
first, the longest alias winning where aliases overlap::

    >>> table = ActorTable.load()
    >>> [m.canonical for m in table.find_actors("la coalition internationale dirigée par les "
    ...                                           "États-Unis et les FDS")]
    ['US-led Coalition', 'SDF: Syrian Democratic Forces']

Matching rules:

- text and aliases are folded the same way: Unicode compatibility forms, case, accents and
  other combining marks (Arabic short vowels too), Arabic hamza seats, ta marbuta, alef
  maksura and tatweel; apostrophes, hyphens and punctuation separate words
  ("l'armée" -> ``l armee``, "al-Chaabi" -> ``al chaabi``);
- aliases match whole words only (never inside a word);
- an alias written in capitals, of at most 6 letters (EI, SDF, FDS, ISIS, PKK), matches only
  when the text has it in capitals too, so "ei" or "is" in running text are not actors;
- an Arabic word may carry attached proclitics before the alias (و ف ب ل ك, "لل" for "ل+ال"):
  "والتحالف الدولي" and "لداعش" match; the mention then starts after the proclitic.

Offsets are character offsets in the text given (no normalisation is applied to it).
"""

from __future__ import annotations

import csv
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from geodata.names import fold, fold_char

logger = logging.getLogger(__name__)

DEFAULT_TABLE = Path(__file__).with_name("data") / "actors.tsv"
UCDP_TABLE = Path(__file__).with_name("data") / "actors_ucdp.tsv"  # derived, see its header
HOMES_TABLE = Path(__file__).with_name("data") / "actor_homes.tsv"  # derived, see its header
HOMES_CURATED = Path(__file__).with_name("data") / "actor_homes_curated.tsv"
TABLE_COLUMNS: tuple[str, ...] = ("canonical", "inter_code", "language", "alias")
INTER_CODES: Mapping[int, str] = MappingProxyType({
    1: "State forces", 2: "Rebel groups", 3: "Political militias", 4: "Identity militias",
    5: "Rioters", 6: "Protesters", 7: "Civilians", 8: "External/Other forces",
})
MAX_ACRONYM = 6

_ACRONYM = re.compile(rf"^[A-Z]{{2,{MAX_ACRONYM}}}$")
_FOLLOWERS_OF = re.compile(r"^Supporters of (?:the )?(.+)$")
_FOLLOWER_NOUNS = ("supporters", "activists", "members", "workers", "cadres", "loyalists")
_ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")
# Proclitics that attach to an Arabic word: conjunction, then preposition.
_CONJ = ("\u0648", "\u0641")  # wa, fa
_PREP = ("\u0628", "\u0644", "\u0643")  # bi, li, ka
_AL = "\u0627\u0644"
_LAM = "\u0644"


@dataclass(frozen=True, slots=True)
class Token:
    """A folded word and its span in the original text."""

    text: str
    start: int
    end: int
    # where each folded character comes from, to cut a proclitic off the span
    origins: tuple[int, ...]


def tokenize(text: str) -> list[Token]:
    """Folded word tokens of ``text`` with their original character spans."""
    tokens: list[Token] = []
    chars: list[str] = []
    origins: list[int] = []
    start = end = 0

    def flush() -> None:
        if chars:
            tokens.append(Token("".join(chars), start, end, tuple(origins)))
            chars.clear()
            origins.clear()

    for i, ch in enumerate(text):
        folded = fold_char(ch)
        if not folded:
            if chars and (unicodedata.combining(ch) or unicodedata.category(ch) == "Cf"):
                end = i + 1  # a mark or joiner inside a word stays in it
            continue
        for c in folded:
            if c.isalnum():
                if not chars:
                    start = i
                chars.append(c)
                origins.append(i)
                end = i + 1
            else:
                flush()
    flush()
    return tokens


def fold_alias(alias: str) -> tuple[str, ...]:
    """The folded words of an alias (the key it is matched under)."""
    return tuple(t.text for t in tokenize(alias))


def proclitic_variants(word: str) -> list[tuple[str, int]]:
    """``(bare word, length of the stripped proclitic)`` for an Arabic word, longest cut last."""
    if not _ARABIC_LETTER.match(word):
        return []
    out: list[tuple[str, int]] = []
    for conj in ("", *_CONJ):
        if conj and not word.startswith(conj):
            continue
        rest = word[len(conj):]
        if conj and len(rest) >= 2:
            out.append((rest, len(conj)))
        if rest.startswith(_LAM + _LAM) and len(rest) > 3:  # lil- = li + al-
            out.append((_AL + rest[2:], len(conj) + 1))
        for prep in _PREP:
            if rest.startswith(prep) and len(rest) - 1 >= 2:
                out.append((rest[1:], len(conj) + 1))
    return out


@dataclass(frozen=True, slots=True)
class ActorEntry:
    """One alias of the table. ``countries`` (ISO alpha-2) limit where this reading of the
    alias holds: "SNA" is Somalia's army in Somalia and the Syrian National Army in Syria."""

    canonical: str
    inter_code: int
    language: str
    alias: str
    case_sensitive: bool
    countries: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ActorMention:
    """An actor found in a text: ``text[start:end]`` is the mention; ``readings`` are every
    entry of the alias (the first without a country restriction, if any, first)."""

    start: int
    end: int
    canonical: str
    alias: str
    inter_code: int
    readings: tuple[ActorEntry, ...] = ()

    def reading_for(self, country: str) -> ActorEntry | None:
        """The reading of the alias in an event located in ``country`` (ISO alpha-2)."""
        return choose_reading(self.readings, country)


def choose_reading(readings: Sequence[ActorEntry], country: str) -> ActorEntry | None:
    """The entry whose countries hold ``country``, else one without a country restriction,
    else the first."""
    for entry in readings:
        if country and country.upper() in entry.countries:
            return entry
    return next((e for e in readings if not e.countries), readings[0] if readings else None)


class ActorTable:
    """The alias table and its token trie. Build once (``load``), reuse for many texts."""

    def __init__(self, entries: Iterable[ActorEntry], version: str = "",
                 homes: Mapping[str, tuple[str, ...]] | None = None) -> None:
        self.version = version
        self._homes = MappingProxyType(dict(homes or {}))
        self._entries: tuple[ActorEntry, ...] = tuple(entries)
        trie: dict[str, dict] = {}
        seen: dict[tuple[str, ...], list[ActorEntry]] = {}
        for entry in self._entries:
            key = fold_alias(entry.alias)
            if not key:
                raise ValueError(f"alias {entry.alias!r} has no letters")
            others = seen.setdefault(key, [])
            clash = next((o for o in others if o.case_sensitive == entry.case_sensitive
                          and _same_scope(o, entry)), None)
            if clash is not None:
                if clash.canonical != entry.canonical:
                    raise ValueError(f"alias {entry.alias!r} names both {clash.canonical!r} "
                                     f"and {entry.canonical!r}")
                continue
            others.append(entry)
            node: dict[str, Any] = trie
            for word in key:
                node = node.setdefault(word, {})
            node.setdefault("", []).append(entry)  # "" never is a folded word
        self._trie = trie
        self._canonical = MappingProxyType({e.canonical: e.inter_code for e in self._entries})

    # -- loading ----------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path | None = None) -> ActorTable:
        """Read a table; by default the bundled curated ``extract/data/actors.tsv`` and,
        after it, the aliases derived from UCDP's actor list (``actors_ucdp.tsv``: the
        curated table wins where both have an alias).

        Raises ``ValueError`` naming the line for a malformed row.
        """
        paths = [Path(path)] if path is not None else [DEFAULT_TABLE, UCDP_TABLE]
        entries: list[ActorEntry] = []
        versions = []
        for p in paths:
            version, rows = _read_table(p)
            entries += _parse_rows(rows, p)
            versions.append(version)
        homes = {} if path is not None else {
            **_read_homes(HOMES_TABLE), **_read_homes(HOMES_CURATED)}
        return cls(entries, " + ".join(v for v in versions if v), homes)

    # -- queries ----------------------------------------------------------------------------

    @property
    def entries(self) -> tuple[ActorEntry, ...]:
        return self._entries

    @property
    def canonical_names(self) -> tuple[str, ...]:
        return tuple(self._canonical)

    def inter_code(self, canonical: str) -> int | None:
        """ACLED interaction code of a canonical actor name, or None if unknown."""
        return self._canonical.get(canonical)

    def home_countries(self, canonical: str) -> tuple[str, ...]:
        """ISO alpha-2 codes of the countries where the actor operates (UCDP's
        ``Location``), or () when unknown."""
        return self._homes.get(canonical, ())

    def find_actors(self, text: str) -> list[ActorMention]:
        """Every actor mention in ``text``, left to right, longest alias first, no overlaps."""
        tokens = tokenize(text)
        mentions: list[ActorMention] = []
        i = 0
        while i < len(tokens):
            best = self._longest_at(text, tokens, i)
            if best is None:
                i += 1
                continue
            n_tokens, cut, entry, readings = best
            first = tokens[i]
            start = first.origins[cut] if cut else first.start
            mentions.append(ActorMention(start, tokens[i + n_tokens - 1].end, entry.canonical,
                                         entry.alias, entry.inter_code, readings))
            i += n_tokens
        return mentions

    def _longest_at(self, text: str, tokens: list[Token], i: int
                    ) -> tuple[int, int, ActorEntry, tuple[ActorEntry, ...]] | None:
        first = tokens[i].text
        best: tuple[int, int, ActorEntry, tuple[ActorEntry, ...]] | None = None
        for word, cut in ((first, 0), *proclitic_variants(first)):
            node = self._trie.get(word)
            j = i + 1
            while node is not None:
                readings = tuple(
                    e for e in node.get("", ()) if not e.case_sensitive or (
                        not cut and text[tokens[i].start:tokens[j - 1].end] == e.alias))
                if readings and (best is None or j - i > best[0]):
                    readings = tuple(sorted(readings, key=lambda e: bool(e.countries)))
                    best = (j - i, cut, readings[0], readings)
                if j >= len(tokens):
                    break
                node = node.get(tokens[j].text)
                j += 1
        return best

    def iter_canonical(self, text: str) -> Iterator[str]:
        """Canonical names mentioned in ``text``, each once, in order of first mention."""
        seen: set[str] = set()
        for m in self.find_actors(text):
            if m.canonical not in seen:
                seen.add(m.canonical)
                yield m.canonical


def _read_table(path: Path) -> tuple[str, list[str]]:
    """The version a table's header gives, and its lines (comments blanked, so that line
    numbers in errors stay right)."""
    version = ""
    rows: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                m = re.match(r"#\s*version\s*:\s*([^;]+)", line)
                if m and not version:
                    version = m.group(1).strip()
                rows.append("")
            else:
                rows.append(line)
    return version, rows


def _read_homes(path: Path) -> dict[str, tuple[str, ...]]:
    """``actor_homes.tsv``: canonical name -> countries of operation."""
    _version, lines = _read_table(path)
    out: dict[str, tuple[str, ...]] = {}
    for row in csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        if len(row) < 2 or row[0] == "canonical":
            continue
        out[row[0]] = tuple(c for c in row[1].split(",") if len(c) == 2)
    return out


def _same_scope(a: ActorEntry, b: ActorEntry) -> bool:
    """Whether two readings of one alias would hold in one country: both unrestricted, or
    restricted to overlapping countries (an unrestricted reading gives way to a restricted
    one where the restriction holds)."""
    if not a.countries and not b.countries:
        return True
    return bool(set(a.countries) & set(b.countries))


def _parse_rows(lines: list[str], path: Path) -> list[ActorEntry]:
    reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    entries: list[ActorEntry] = []
    header_seen = False
    for lineno, row in enumerate(reader, start=1):
        if not row or not any(cell.strip() for cell in row):
            continue
        cells = [c.strip() for c in row]
        if not header_seen:
            if tuple(cells[:4]) != TABLE_COLUMNS:
                raise ValueError(f"{path}:{lineno}: expected header "
                                 f"{'<TAB>'.join(TABLE_COLUMNS)}, got {row!r}")
            header_seen = True
            continue
        if len(cells) < 4 or not cells[0] or not cells[3]:
            raise ValueError(f"{path}:{lineno}: expected 4 tab-separated cells, got {row!r}")
        canonical, code, language, alias = cells[:4]
        countries = tuple(c.strip().upper() for c in (cells[4] if len(cells) > 4 else "")
                          .split(",") if c.strip())
        if any(len(c) != 2 or not c.isalpha() for c in countries):
            raise ValueError(f"{path}:{lineno}: countries {cells[4]!r} are not ISO alpha-2 "
                             f"codes")
        try:
            inter = int(code)
        except ValueError:
            raise ValueError(f"{path}:{lineno}: inter_code {code!r} is not a number") from None
        if inter not in INTER_CODES:
            raise ValueError(f"{path}:{lineno}: inter_code {inter} is not an ACLED code (1-8)")
        entries.append(ActorEntry(canonical, inter, language, alias,
                                  bool(_ACRONYM.match(alias)), countries))
        if language in ("en", "*") and (follower := _FOLLOWERS_OF.match(alias)):
            # "Supporters of BNP" is written "BNP supporters", "BNP activists" as often
            for noun in _FOLLOWER_NOUNS:
                entries.append(ActorEntry(canonical, inter, language,
                                          f"{follower.group(1)} {noun}", False, countries))
    if not header_seen:
        raise ValueError(f"{path}: no header row")
    return entries


# --------------------------------------------------------------------------------------------
# ACLED-style names of generic actors

DEFAULT_STATE_FORCES = Path(__file__).with_name("data") / "state_forces.tsv"
STATE_FORCES_COLUMNS: tuple[str, ...] = ("iso2", "country", "since", "period")
# Countries written with "the" in actor names ("Military Forces of the United States").
_THE_COUNTRIES = ("United ", "Netherlands", "Philippines", "Democratic Republic",
                  "Central African", "Gambia", "Bahamas", "Republic of ", "Czech Republic")


@dataclass(frozen=True)
class StateForces:
    """How ACLED names each country and the government periods of its state forces
    (``extract/data/state_forces.tsv``)."""

    countries: Mapping[str, str]
    periods: Mapping[str, tuple[tuple[str, str], ...]]  # iso2 -> ((since, period), ...)

    @classmethod
    def load(cls, path: str | Path | None = None) -> StateForces:
        path = Path(path) if path is not None else DEFAULT_STATE_FORCES
        countries: dict[str, str] = {}
        periods: dict[str, list[tuple[str, str]]] = {}
        lines = [line for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip() and not line.startswith("#")]
        rows = list(csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
        if not rows or tuple(rows[0]) != STATE_FORCES_COLUMNS:
            raise ValueError(f"{path}: expected header {'<TAB>'.join(STATE_FORCES_COLUMNS)}")
        for n, row in enumerate(rows[1:], start=2):
            row = [*row, "", "", ""][:4]
            iso2, country, since, period = (c.strip() for c in row)
            if len(iso2) != 2 or not country:
                raise ValueError(f"{path}: row {n}: expected an ISO alpha-2 code and a name")
            countries[iso2.upper()] = country
            if since:
                periods.setdefault(iso2.upper(), []).append((since, period))
        return cls(MappingProxyType(countries),
                   MappingProxyType({k: tuple(sorted(v)) for k, v in periods.items()}))

    def iso_of(self, country: str) -> str:
        """The ISO alpha-2 code of a country named as in the table ("Nigeria"), or ""."""
        key = fold(country.removeprefix("the ").removeprefix("The "))
        for iso2, name in self.countries.items():
            if fold(name) == key:
                return iso2
        return ""

    def country_name(self, iso2: str, default: str = "") -> str:
        return self.countries.get(iso2.upper(), default) if iso2 else default

    def period(self, iso2: str, date: str | None) -> str:
        """The government period on ``date`` (ISO, or the latest when unknown), or ""."""
        spans = self.periods.get(iso2.upper(), ()) if iso2 else ()
        if not spans:
            return ""
        if not date:
            return spans[-1][1]
        current = ""
        for since, period in spans:
            if since <= date:
                current = period
        return current

    def forces(self, kind: str, iso2: str, country: str, date: str | None) -> str:
        """"Military Forces of Nigeria (2023-)", "Police Forces of the United States
        (2021-2025)"."""
        name = self.country_name(iso2, country)
        the = "the " if name.startswith(_THE_COUNTRIES) else ""
        period = self.period(iso2, date)
        return f"{kind} Forces of {the}{name}" + (f" ({period})" if period else "")


GENERIC_ACTORS: Mapping[str, str] = MappingProxyType({
    "armed": "Unidentified Armed Group", "civilian": "Civilians", "protester": "Protesters",
    "rioter": "Rioters", "communal": "Unidentified Communal Militia",
})


_STATE_NAME = re.compile(r"^(Military|Police) Forces of (?:the )?(.+?)$")


def render_canonical(canonical: str, iso2: str, country: str, date: str | None,
                     forces: StateForces) -> str:
    """A table name as written in an event: a state's forces get their period ("Military
    Forces of Iraq" -> "Military Forces of Iraq (2022-)"), ``{country}`` and the generic
    names (Protesters, Rioters, Civilians, Unidentified Armed Group) the event's country."""
    if m := _STATE_NAME.match(canonical):
        own = forces.iso_of(m.group(2))
        return forces.forces(m.group(1), own, m.group(2), date) if own else canonical
    country_name = forces.country_name(iso2, country)
    if "{country}" in canonical:
        return canonical.replace("{country}", country_name) if country_name else \
            canonical.replace(" ({country})", "").replace("{country}", "").strip()
    if canonical in GENERIC_ACTORS.values() and country_name:
        return f"{canonical} ({country_name})"
    return canonical


def acled_actor_name(role: str, name: str, iso2: str, country: str, date: str | None,
                     forces: StateForces) -> str:
    """The ACLED-style name of a party: a named actor keeps its canonical name; generic ones
    carry the country ("Protesters (Kenya)", "Unidentified Armed Group (Mali)",
    "Military Forces of Mali (2021-)")."""
    if role == "named":
        return render_canonical(name, iso2, country, date, forces)
    country_name = forces.country_name(iso2, country)
    if role == "military":
        return forces.forces("Military", iso2, country, date) if country_name else \
            "Unidentified Military Forces"
    if role == "police":
        return forces.forces("Police", iso2, country, date) if country_name else \
            "Unidentified Police Forces"
    base = GENERIC_ACTORS.get(role, "")
    return f"{base} ({country_name})" if base and country_name else base


# --------------------------------------------------------------------------------------------
# Organisations by the shape of their names, for texts read without a trained NER model
# (English has none on the package index)

_ARMED_HEADS = ("Army", "Armies", "Front", "Fronts", "Movement", "Brigade", "Brigades",
                "Battalion", "Battalions", "Militia", "Militias", "Forces", "Force", "Guard",
                "Guards", "Group", "Mujahideen")
_PARTY_HEADS = ("League", "Party", "Union", "Congress", "Alliance", "Council", "Councils",
                "Coalition", "Committee", "Committees")
# bodies that do not fight: "the United Nations Security Council", "the African Union"
_NOT_A_BELLIGERENT = re.compile(
    r"\b(?:United Nations|UN|European|African Union|Security Council|Human Rights|Red Cross|"
    r"Red Crescent|Amnesty|Watch|Doctors|Health|Humanitarian|Refugees?|Relief|Football|"
    r"Olympic|Chamber|Bar|Medical|Peace|Electoral|Election|Students'? Union|Trade)\b")
# words that open a sentence or stand in a phrase without naming anything
_NOT_A_NAME = frozenset({"The", "A", "An", "On", "In", "At", "By", "For", "From", "After",
                         "Before", "During", "When", "While", "Both", "Local", "Security",
                         "Government", "State", "Federal", "National", "Police", "Military",
                         "Armed", "Rebel", "Opposition", "Ruling", "Several", "Some", "Many",
                         "Unidentified", "Unknown", "Suspected", "Alleged", "Pro", "Amid",
                         "Amidst", "Despite", "Following", "As", "With", "Under", "Over",
                         "Against", "Between", "Among", "Meanwhile", "Near", "Later"})
_NAME_WORD = r"(?:[A-Z][\w'’.-]*|al-[A-Z][\w'’-]*)"
_ORGANISATION = re.compile(
    rf"\b(?P<name>(?:{_NAME_WORD}\s+(?:(?:of|for|and|the|de|al|el|ul)\s+)?){{1,5}}"
    rf"(?P<head>{'|'.join(_ARMED_HEADS + _PARTY_HEADS)}))\b"
    r"(?:\s+\((?P<abbr>[A-Z][A-Za-z-]{1,9})\))?")


def _title_case(text: str) -> bool:
    """A headline in title case, where every word is capitalised: more than half of the
    words of four letters or more (of the words that are not organisation names)."""
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", text) if len(w) >= 4]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) > 0.5 * len(words)


@dataclass(frozen=True, slots=True)
class NamedOrganisation:
    """An organisation named in a text by the shape of its name: ``text[start:end]``."""

    start: int
    end: int
    name: str
    inter_code: int  # 2: an armed group by its name; 3: a party or league (political militia)


def find_organisations(text: str) -> list[NamedOrganisation]:
    """Organisations a text names by a capitalised name ending in an organisation's noun:
    "the Bangladesh Chhatra League", "the Arakan Army (AA)", "Popular Resistance
    Committee". Armed names (army, front, brigade...) are armed groups (ACLED inter 2),
    party names (party, league, union...) political militias (3) when they act. A name
    made of words that name nothing ("Security Forces", "the National Army") is not one."""
    if _title_case(_ORGANISATION.sub(" ", text)):
        return []  # "Junta Troops Killed in Four Days of Resistance Attacks": no shapes
    out = []
    for match in _ORGANISATION.finditer(text):
        words = match.group("name").split()
        while words and words[0] in _NOT_A_NAME:
            words = words[1:]
        if len(words) < 2 or all(w in _NOT_A_NAME or w[0].islower() for w in words[:-1]):
            continue
        name = " ".join(words)
        if _NOT_A_BELLIGERENT.search(name):
            continue
        start = match.start("name") + match.group("name").index(words[0])
        end = match.end()
        abbr = match.group("abbr")
        label = f"{abbr}: {name}" if abbr else name
        inter = 3 if match.group("head") in _PARTY_HEADS else 2
        out.append(NamedOrganisation(start, end, label, inter))
    return out
