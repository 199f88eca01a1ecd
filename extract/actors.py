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
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from geodata.names import fold_char

logger = logging.getLogger(__name__)

DEFAULT_TABLE = Path(__file__).with_name("data") / "actors.tsv"
TABLE_COLUMNS: tuple[str, ...] = ("canonical", "inter_code", "language", "alias")
INTER_CODES: Mapping[int, str] = MappingProxyType({
    1: "State forces", 2: "Rebel groups", 3: "Political militias", 4: "Identity militias",
    5: "Rioters", 6: "Protesters", 7: "Civilians", 8: "External/Other forces",
})
MAX_ACRONYM = 6

_ACRONYM = re.compile(rf"^[A-Z]{{2,{MAX_ACRONYM}}}$")
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


def _proclitic_variants(word: str) -> list[tuple[str, int]]:
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
    """One alias of the table."""

    canonical: str
    inter_code: int
    language: str
    alias: str
    case_sensitive: bool


@dataclass(frozen=True, slots=True)
class ActorMention:
    """An actor found in a text: ``text[start:end]`` is the mention."""

    start: int
    end: int
    canonical: str
    alias: str
    inter_code: int


class ActorTable:
    """The alias table and its token trie. Build once (``load``), reuse for many texts."""

    def __init__(self, entries: Iterable[ActorEntry], version: str = "") -> None:
        self.version = version
        self._entries: tuple[ActorEntry, ...] = tuple(entries)
        trie: dict[str, dict] = {}
        seen: dict[tuple[str, ...], ActorEntry] = {}
        for entry in self._entries:
            key = fold_alias(entry.alias)
            if not key:
                raise ValueError(f"alias {entry.alias!r} has no letters")
            other = seen.get(key)
            if other is not None and other.case_sensitive == entry.case_sensitive:
                if other.canonical != entry.canonical:
                    raise ValueError(f"alias {entry.alias!r} names both {other.canonical!r} "
                                     f"and {entry.canonical!r}")
                continue
            seen.setdefault(key, entry)
            node = trie
            for word in key:
                node = node.setdefault(word, {})
            node.setdefault("", []).append(entry)  # "" never is a folded word
        self._trie = trie
        self._canonical = MappingProxyType({e.canonical: e.inter_code for e in self._entries})

    # -- loading ----------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path | None = None) -> ActorTable:
        """Read a table (default: the bundled ``extract/data/actors.tsv``).

        Raises ``ValueError`` naming the line for a malformed row.
        """
        path = Path(path) if path is not None else DEFAULT_TABLE
        version = ""
        rows: list[str] = []
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("#"):
                    m = re.match(r"#\s*version\s*:\s*(.+)", line)
                    if m:
                        version = m.group(1).strip()
                    rows.append("")  # keep line numbers
                else:
                    rows.append(line)
        return cls(_parse_rows(rows, path), version)

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
            n_tokens, cut, entry = best
            first = tokens[i]
            start = first.origins[cut] if cut else first.start
            mentions.append(ActorMention(start, tokens[i + n_tokens - 1].end, entry.canonical,
                                         entry.alias, entry.inter_code))
            i += n_tokens
        return mentions

    def _longest_at(self, text: str, tokens: list[Token],
                    i: int) -> tuple[int, int, ActorEntry] | None:
        first = tokens[i].text
        best: tuple[int, int, ActorEntry] | None = None
        for word, cut in ((first, 0), *_proclitic_variants(first)):
            node = self._trie.get(word)
            j = i + 1
            while node is not None:
                for entry in node.get("", ()):
                    if entry.case_sensitive and (
                            cut or text[tokens[i].start:tokens[j - 1].end] != entry.alias):
                        continue
                    if best is None or j - i > best[0]:
                        best = (j - i, cut, entry)
                    break
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
        try:
            inter = int(code)
        except ValueError:
            raise ValueError(f"{path}:{lineno}: inter_code {code!r} is not a number") from None
        if inter not in INTER_CODES:
            raise ValueError(f"{path}:{lineno}: inter_code {inter} is not an ACLED code (1-8)")
        entries.append(ActorEntry(canonical, inter, language, alias,
                                  bool(_ACRONYM.match(alias))))
    if not header_seen:
        raise ValueError(f"{path}: no header row")
    return entries
