"""Event cues: the words of a sentence that say what was done, with what, by and to whom.

The lexicon (``extract/data/event_cues.tsv``, versioned in its header) lists, per language,
words and phrases of each *kind*: an instrument (``weapon.air``, ``weapon.ied``...), an act
(``act.attack``, ``act.protest``, ``act.arrest``...), an outcome (``out.kill``), a party
(``agent.state``, ``agent.armed``, ``agent.civilian``, ``agent.protester``...), a target
(``target.armed``, ``target.civilian``) or a non-conflict cause (``ctx.hazard``: a cyclone,
an epidemic, a road accident).

Matching is on lemmas, so "shelled", "shells" and "shelling" all meet "shell":

- a sentence is cut into folded word tokens (:func:`extract.actors.tokenize`: case, accents,
  apostrophes and hyphens fold away, offsets stay those of the text);
- each token is known by its folded surface form and its lemma. English and French lemmas
  come from simplemma (a maintained, dictionary-based lemmatiser of about 50 languages that
  needs no model, chosen over spaCy's lookup tables, a 98 MB package, and over the French
  model's rule lemmatiser, which needs the tagger this project does not load); French past
  participles are also known by their infinitive ("bombardé" -> "bombarder"). Arabic has
  no lemmatiser here: a token is also known without its proclitics (و ف ب ل ك, the article);
- a lexicon word matches a token when any of their keys agree (a word ending in ``*`` matches
  any key it begins); phrases match token after token;
- the leftmost longest phrase wins, so "suicide car bomb" is one suicide-bomb cue and not
  also a car, and "armed men" is an armed party, not civilians.

Only the sentence's own language is matched (English for languages the lexicon lacks): false
friends across languages ("car", "mine") stay apart.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from extract.actors import Token, proclitic_variants, tokenize
from geodata.names import strip_article

logger = logging.getLogger(__name__)

DEFAULT_LEXICON = Path(__file__).with_name("data") / "event_cues.tsv"
LEXICON_COLUMNS: tuple[str, ...] = ("kind", "language", "weight", "pattern")
LANGUAGES: tuple[str, ...] = ("en", "fr", "ar")
KINDS: frozenset[str] = frozenset({
    "weapon.air", "weapon.drone", "weapon.shell", "weapon.ied", "weapon.suicide",
    "weapon.grenade", "weapon.chemical", "weapon.gun", "weapon.blade",
    "act.attack", "act.clash", "act.kill", "act.harm", "act.abduct", "act.sexual", "act.loot",
    "act.destroy", "act.arrest", "act.protest", "act.riot", "act.mob", "act.intervene",
    "act.take", "act.regain", "act.withdraw", "act.agree", "act.base", "act.disrupt",
    "act.change", "act.other",
    "out.kill", "out.injure", "ctx.hazard",
    "agent.state", "agent.police", "agent.armed", "agent.civilian", "agent.protester",
    "agent.rioter", "target.armed", "target.civilian",
})
_FR_PARTICIPLE = re.compile(r"(?:e|ee|es|ees)$")


@dataclass(frozen=True, slots=True)
class Word:
    """A token of a sentence with the keys it is matched under."""

    text: str  # as written
    start: int
    end: int
    keys: frozenset[str]


@dataclass(frozen=True, slots=True)
class Cue:
    """A lexicon phrase found in a sentence: ``sentence[start:end]``, words ``first..last``."""

    kind: str
    weight: float
    start: int
    end: int
    first: int
    last: int
    text: str

    @property
    def strong(self) -> bool:
        return self.weight >= 1.0


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: str
    weight: float
    words: tuple[frozenset[str], ...]  # keys of each pattern word
    prefixes: tuple[str | None, ...]  # a word written "stem*": its stem


@lru_cache(maxsize=200_000)
def _lemma(word: str, language: str) -> str:
    import simplemma

    try:
        return simplemma.lemmatize(word, lang=language)
    except ValueError:  # a language simplemma does not know
        return word


def _keys(surface: str, folded: str, language: str, derive: bool = True) -> frozenset[str]:
    """The keys a word is matched under: folded form and lemma; for a text token
    (``derive``) also the infinitive of a French participle ("tuant", "bombardé")."""
    keys = {folded}
    if language == "ar":
        for bare, _ in proclitic_variants(folded):
            keys.add(bare)
        keys |= {strip_article(k) for k in list(keys)}
        return frozenset(k for k in keys if k)
    if language in ("en", "fr") and surface.isalpha():
        lemma = tokenize(_lemma(surface.lower(), language))
        if len(lemma) == 1:
            keys.add(lemma[0].text)
    if language == "fr" and derive:
        for key in list(keys):
            if len(key) > 4 and _FR_PARTICIPLE.search(key):
                keys.add(_FR_PARTICIPLE.sub("er", key))
            elif len(key) >= 5 and key.endswith("ant"):  # present participle: "tuant"
                keys.add(key[:-3] + "er")
    return frozenset(keys)


def words_of(text: str, language: str) -> list[Word]:
    """The tokens of ``text`` with their matching keys."""
    return [Word(text[t.start:t.end], t.start, t.end, _keys(text[t.start:t.end], t.text, language))
            for t in _tokens(text)]


def _tokens(text: str) -> list[Token]:
    return tokenize(text)


class CueLexicon:
    """The cue lexicon, indexed for matching. Build once (:meth:`load`), reuse."""

    def __init__(self, rows: Iterable[tuple[str, str, float, str]], version: str = "") -> None:
        self.version = version
        self._exact: dict[str, dict[str, list[_Entry]]] = {}
        self._prefix: dict[str, list[tuple[str, _Entry]]] = {}
        for kind, language, weight, pattern in rows:
            if kind not in KINDS:
                raise ValueError(f"unknown cue kind {kind!r} ({pattern!r})")
            words: list[frozenset[str]] = []
            prefixes: list[str | None] = []
            for raw in pattern.split():
                star = raw.endswith("*")
                tokens = _tokens(raw.rstrip("*"))
                if not tokens:
                    raise ValueError(f"pattern {pattern!r} has an empty word")
                for n, token in enumerate(tokens):
                    last = n == len(tokens) - 1
                    words.append(_keys(raw.rstrip("*") if len(tokens) == 1 else token.text,
                                       token.text, language, derive=False))
                    prefixes.append(token.text if star and last else None)
            entry = _Entry(kind, weight, tuple(words), tuple(prefixes))
            if entry.prefixes[0] is not None:
                self._prefix.setdefault(language, []).append((entry.prefixes[0], entry))
            else:
                index = self._exact.setdefault(language, {})
                for key in entry.words[0]:
                    index.setdefault(key, []).append(entry)

    @classmethod
    def load(cls, path: str | Path | None = None) -> CueLexicon:
        """Read a lexicon file (default: the bundled one). Raises ``ValueError`` naming the
        line of a malformed row."""
        path = Path(path) if path is not None else DEFAULT_LEXICON
        version = ""
        rows: list[tuple[str, str, float, str]] = []
        header_seen = False
        with path.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, start=1):
                if line.startswith("#"):
                    if m := re.match(r"#\s*version\s*:\s*(.+)", line):
                        version = m.group(1).strip()
                    continue
                if not line.strip():
                    continue
                cells = next(csv.reader([line.rstrip("\n")], delimiter="\t",
                                        quoting=csv.QUOTE_NONE))
                if not header_seen:
                    if tuple(c.strip() for c in cells) != LEXICON_COLUMNS:
                        raise ValueError(f"{path}:{lineno}: expected header "
                                         f"{'<TAB>'.join(LEXICON_COLUMNS)}")
                    header_seen = True
                    continue
                if len(cells) != 4:
                    raise ValueError(f"{path}:{lineno}: expected 4 tab-separated cells")
                kind, language, weight, pattern = (c.strip() for c in cells)
                try:
                    rows.append((kind, language, float(weight), pattern))
                except ValueError:
                    raise ValueError(f"{path}:{lineno}: weight {weight!r} is not a number"
                                     ) from None
        try:
            lexicon = cls(rows, version)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None
        logger.debug("cue lexicon %s (version %s): %d phrases", path, version, len(rows))
        return lexicon

    def vote(self, text: str) -> str | None:
        """The language (en, fr or ar) whose cue words a text uses when it clearly does: at
        least two cues, and twice as many as in either other language. A short conflict
        report full of foreign names ("Gunmen killed three villagers in Bokkos") is told
        more surely by its event words than by character statistics."""
        counts = sorted(((len(self.find(text, lang)), lang) for lang in LANGUAGES),
                        reverse=True)
        (best, language), (second, _) = counts[0], counts[1]
        return language if best >= 2 and best >= 2 * second else None

    def find(self, text: str, language: str | None) -> list[Cue]:
        """Every cue of ``text``, left to right, the longest phrase at each place (all kinds
        that share that phrase)."""
        language = language if language in LANGUAGES else "en"
        words = words_of(text, language)
        exact = self._exact.get(language, {})
        prefix = self._prefix.get(language, [])
        cues: list[Cue] = []
        i = 0
        while i < len(words):
            candidates: list[_Entry] = []
            for key in words[i].keys:
                candidates.extend(exact.get(key, ()))
            candidates.extend(e for stem, e in prefix
                              if any(k.startswith(stem) for k in words[i].keys))
            best: list[_Entry] = []
            best_len = 0
            for entry in candidates:
                n = len(entry.words)
                if n < best_len or i + n > len(words) or not _matches(entry, words, i):
                    continue
                if n > best_len:
                    best, best_len = [], n
                if all(b.kind != entry.kind for b in best):
                    best.append(entry)
            if not best:
                i += 1
                continue
            last = i + best_len - 1
            for entry in best:
                cues.append(Cue(entry.kind, entry.weight, words[i].start, words[last].end, i,
                                last, text[words[i].start:words[last].end]))
            i = last + 1
        return cues


def _matches(entry: _Entry, words: list[Word], i: int) -> bool:
    for n, (keys, stem) in enumerate(zip(entry.words, entry.prefixes, strict=True)):
        word = words[i + n]
        if stem is not None:
            if not any(k.startswith(stem) for k in word.keys):
                return False
        elif not keys & word.keys:
            return False
    return True
