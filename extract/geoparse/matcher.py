"""Finding place names in running text: :class:`PlaceMatcher`, the spaCy component
``conflict_atlas_places``.

N-grams of tokens whose folded form is a gazetteer name (:mod:`extract.geoparse.surface`),
merged with the NER's LOC/GPE/FAC entities. The gazetteer finds what NER misses or
mislabels (Balad, Erbil tagged PER); NER finds what is not in the match list (small places,
which the resolver then looks up in the full gazetteer). Villages, which the name list
leaves out, are found only in the document's main countries, after a locative word, by name
or transliteration key (:meth:`PlaceMatcher._local_spans`). Persons' names are told apart by
:mod:`extract.geoparse.persons`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Container, Sequence
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from extract.geoparse.cues import (
    LOCAL_BEFORE_OF,
    LOCAL_CUES,
    LOCAL_LIST,
    LOCAL_OF,
    PLACE_WORDS,
    after_locative,
)
from extract.geoparse.model import Mention
from extract.geoparse.persons import (
    HONORIFICS,
    INITIAL,
    NAME_PARTICLES,
    load_given_names,
    person_context,
    surname_key,
)
from extract.geoparse.surface import SurfaceIndex
from extract.geoparse.words import (
    ARABIC,
    ARABIC_GENERIC,
    ARTICLES,
    COMMON_WORD_ZIPF,
    GENERIC_PARTS,
    NEVER_FIRST,
    RARE_WORD_ZIPF,
    STOP_SINGLE,
    respellable,
    starts_sentence,
    word_zipf,
)
from geodata.names import fold

MAX_NGRAM = 6
NER_PLACE_LABELS = {"LOC", "GPE", "FAC"}
SPAN_KEY = "places"
_ARABIC_PROCLITICS = ("وب", "ول", "وال", "بال", "لل", "فال", "و", "ب", "ل", "ف", "ك")
_NAME_PUNCT = {"-", "'", "’", ".", "‑"}
# Villages in running text (PlaceMatcher._local_spans): in the document's main countries (up
# to LOCAL_COUNTRIES, each with LOCAL_FOCUS_SHARE of the names and demonyms that point to a
# country), after a locative word, by name, transliteration key, or a key this alike
# (rapidfuzz ratio, keys of LOCAL_FUZZY_MIN_KEY characters or more).
LOCAL_COUNTRIES = 3
LOCAL_FOCUS_SHARE = 0.2
# ``doc.user_data`` key of the countries a caller knows the text is about (ISO alpha-2),
# beside those its names and demonyms point to: villages are looked for there too
COUNTRY_HINT = "conflict_atlas.country_hint"
LOCAL_MAX_NGRAM = 4


def _token_keys(text: str) -> list[str]:
    """Folded keys to try for one token string (Arabic proclitics stripped)."""
    key = fold(text)
    keys = [key]
    if key.startswith(("d ", "l ")):  # French elision kept inside a token: d'Erbil
        keys.append(key[2:])
    if ARABIC.search(text):
        for clitic in _ARABIC_PROCLITICS:
            if key.startswith(clitic) and len(key) - len(clitic) >= 3:
                keys.append(key[len(clitic):])
    return keys


def find_gazetteer_spans(doc: Doc, index: SurfaceIndex) -> list[tuple[int, int]]:
    """Token spans (start, end) whose text is a gazetteer name, longest first, no overlaps."""
    found: list[tuple[int, int]] = []
    tokens = list(doc)
    n = len(tokens)
    i = 0
    while i < n:
        tok = tokens[i]
        if tok.is_space or tok.is_punct:
            i += 1
            continue
        best = None
        first_keys = _token_keys(tok.text)
        # Longer names only when some name starts with this word; then the word itself.
        if any(k.split(" ", 1)[0] in index.first_tokens for k in first_keys if k):
            for j in range(min(n, i + MAX_NGRAM), i + 1, -1):
                if _clean_ngram(tokens[i:j]) and fold(doc[i:j].text) in index.keys:
                    best = (i, j)
                    break
        if best is None and any(k in index.keys for k in first_keys):
            best = (i, i + 1)
        if best is not None and _plausible(doc[best[0]:best[1]], index):
            found.append(best)
            i = best[1]
        else:
            i += 1
    return found


_CLITICS = {"'ve", "'ll", "'re", "'m", "'d", "n't"}


def _dateline(span: Span) -> bool:
    """An upper-case name opening a line and followed by a comma, a bracket or a dash: the
    dateline of a dispatch ("AUSTIN, Texas", "DETROIT (AP) -", "BAGHDAD -")."""
    doc = span.doc
    if not span.text.isupper() or len(span.text) < 3 or span.end >= len(doc):
        return False
    before = doc[span.start - 1] if span.start > 0 else None
    return (before is None or "\n" in before.text_with_ws) \
        and doc[span.end].text in (",", "(", "-", "–", "—")


def _clean_ngram(tokens: Sequence[Any] | Span) -> bool:
    """No line break, no punctuation at the edges, only name-internal punctuation inside."""
    last = tokens[-1]
    if last.is_punct or last.is_space or any(t.is_space or "\n" in t.text_with_ws.rstrip(" ")
                                             for t in tokens[:-1]):
        return False
    return all(not t.is_punct or t.text in _NAME_PUNCT for t in tokens[1:-1])


def _plausible(span: Span, index: SurfaceIndex) -> bool:
    """Case and stop-word checks for a gazetteer match in running text."""
    first = span[0]
    text = span.text
    if ARABIC.search(text):
        return len(fold(text)) >= 3
    if not any(ch.isupper() for ch in first.text[:3]):
        return False  # place names are capitalised in Latin, Cyrillic and Greek scripts
    if len(span) > 1 and first.lower_ in ARTICLES and span[1].is_alpha \
            and span[1].text.islower():
        return False  # "Les attaques" is not Les Attaques (but "Les Cayes", "La Paz" are)
    first_key = fold(first.text)
    country_acronym = first.text.isupper() and first_key in index.major  # "US", not "us"
    article_name = len(span) > 1 and first.lower_ in ARTICLES  # "The Hague", "Les Cayes"
    if first_key in NEVER_FIRST or (starts_sentence(first) and not country_acronym
                                     and not article_name
                                     and (first.is_stop or first_key in STOP_SINGLE)):
        return False  # "A la suite", "Most of", "Some" at the start of a sentence
    if any(t.text.replace("’", "'").lower() in _CLITICS for t in span):
        return False  # "I've", "We're": a pronoun and a clitic, not Ive or Were
    if len(span) == 1:
        key = fold(text)
        nxt = span.doc[span.end] if span.end < len(span.doc) else None
        if text.rstrip(".").lower() in HONORIFICS and (text.endswith(".") or (
                nxt is not None and nxt.is_alpha and nxt.text[:1].isupper())):
            return False  # "Sen.", "Gov."; "King Juan Carlos": a title
        if ("." in text and key in index.abbreviations) \
                or (text.isupper() and len(key) == 2 and key in index.major):
            return True  # "Ky.", "B.C.", "U.S."; "US", "UK" (not the pronoun "us")
        if key in STOP_SINGLE:
            return False
        if text.isupper() and len(text) <= 4 and key not in index.major:
            return False  # acronyms (FDS, EI, ONU), unless a country's (US, UK, RDC)
    return True


class PlaceMatcher:
    """spaCy component: sets ``doc.spans["places"]`` to the place names of the text.

    The name list loads on first use from ``index_path``, unless the owner of several
    pipelines hands them one shared :class:`SurfaceIndex` (``matcher.index = ...``).
    """

    def __init__(self, index_path: Path, language: str, min_population: int = 1000) -> None:
        self.index_path = index_path
        self.language = language
        self.min_population = min_population
        self._index: SurfaceIndex | None = None
        self._adjectives: Container[str] | None = None
        self._given_names: Container[str] | None = None
        self._demonyms: Any = None

    @property
    def adjectives(self) -> Container[str]:
        """Folded country adjectives ("iraqi", "syrienne")."""
        if self._adjectives is None:
            from geodata.demonyms import DemonymTable

            self._adjectives = frozenset(DemonymTable.load().forms)
        return self._adjectives

    @property
    def given_names(self) -> Container[str]:
        """Folded given names ("laura", "charlie"), for text no NER model has read."""
        if self._given_names is None:
            self._given_names = load_given_names()
        return self._given_names

    @property
    def index(self) -> SurfaceIndex:
        if self._index is None:
            self._index = SurfaceIndex.load(self.index_path, self.min_population)
        return self._index

    @index.setter
    def index(self, value: SurfaceIndex) -> None:
        self._index = value

    def _common_word(self, span: Span) -> bool:
        """A frequent word of the language rather than a place ("East", "Lire"). Outside
        English, a major place name counts as a word inside a longer name, unless it is an
        acronym ("US Central Command" still names the US). In English a prominent place
        inside a longer name stays a place ("the Toronto Police Services Board", "Kentucky
        Department of Education"): it says where the organisation is, and the geoparsing
        corpora count it as a toponym."""
        from wordfreq import zipf_frequency

        if len(span) > 1:
            return False
        doc = span.doc
        nxt = doc[span.end] if span.end < len(doc) else None
        if _dateline(span):
            return False  # "AUSTIN, Texas", "DETROIT (AP) -"
        in_longer_name = nxt is not None and nxt.is_alpha and nxt.text[:1].isupper()
        key = fold(span.text)
        if key in self.index.major and (not in_longer_name or span.text.isupper()):
            return False
        word = span.text.lower()
        if max(word_zipf(word, self.language), zipf_frequency(word, "en")) \
                < COMMON_WORD_ZIPF:
            return False
        # In English, where capitals mark names, a frequent word capitalised mid-sentence
        # that names a prominent place is that place ("Boston", "Liverpool", "California");
        # at a sentence start, or a word that names a kind of place ("Central"), it is a
        # word. (French capitalises "l'Observatoire" syrien; Arabic has no capitals.)
        if self.language == "ar":
            # Arabic has no capitals, and its news makes its towns frequent words (درعا,
            # حلب): a prominent place's name is the place, unless it is a word of places
            return key in ARABIC_GENERIC or span.text in ARABIC_GENERIC \
                or key not in self.index.prominent
        return self.language != "en" or starts_sentence(span[0]) or key in GENERIC_PARTS \
            or key not in self.index.prominent

    @property
    def demonyms(self) -> Any:
        if self._demonyms is None:
            from geodata.demonyms import DemonymTable

            self._demonyms = DemonymTable.load()
        return self._demonyms

    def _local_spans(self, doc: Doc, spans: dict[tuple[int, int], str],
                     persons: Sequence[Span]) -> list[tuple[int, int]]:
        """Villages and other small places of the countries the document is about, which
        the name list leaves out: capitalised names after a locative word ("in", "near",
        "à", "de", "village"), not inside a found name or a person's, found by their name,
        their transliteration key, or a close key ("près de Kourakhove" in a story about
        Ukraine). The document's countries: those its found names and demonyms point to
        (LOCAL_COUNTRIES at most, each with LOCAL_FOCUS_SHARE of the evidence)."""
        index = self.index
        focus: Counter[str] = Counter(self.demonyms.countries_in(doc.text))
        for start, end in spans:
            country = index.country_of(fold(doc[start:end].text))
            if country:
                focus[country] += 1
        total = sum(focus.values())
        countries = {c for c, n in focus.most_common(LOCAL_COUNTRIES)
                     if total and n / total >= LOCAL_FOCUS_SHARE}
        # the caller's hint: where the actors the text names operate ("M23", "ISWAP")
        countries |= set(doc.user_data.get(COUNTRY_HINT, ()))
        if not countries:
            return []
        taken = [*spans, *((p.start, p.end) for p in persons),
                 *((e.start, e.end) for e in doc.ents)]
        found: list[tuple[int, int]] = []
        for i in range(1, len(doc)):
            cue = doc[i - 1].lower_ in LOCAL_CUES or (
                i >= 2 and doc[i - 1].lower_ in LOCAL_OF
                and doc[i - 2].lower_ in LOCAL_BEFORE_OF) or (
                doc[i - 1].lower_ in LOCAL_LIST
                and any(e == i - 1 for _s, e in found))  # "villages of Foua and Kefraya"
            if not cue or not doc[i].is_alpha \
                    or not doc[i].text[:1].isupper() or fold(doc[i].text) in self.given_names \
                    or any(s <= i < e for s, e in (*taken, *found)):
                continue
            for j in range(min(len(doc), i + LOCAL_MAX_NGRAM), i, -1):
                if any(s < j and i < e for s, e in (*taken, *found)) \
                        or not _clean_ngram(doc[i:j]) or not doc[j - 1].text[:1].isupper():
                    continue
                span = doc[i:j]
                if fold(span.text) in index.keys or not _plausible(span, index) \
                        or self._common_word(span):
                    continue  # a listed name the first pass kept or set aside (a person's)
                if j < len(doc) and doc[j].is_alpha and doc[j].text[:1].isupper():
                    continue  # "near Rami Abdel Rahman": a name goes on, a person's
                if j - i == 1 and person_context(doc, i, j, index, self.adjectives):
                    continue
                # A close key only for names of two words or more: one word that is close
                # to a village's name is as often a person's ("Ekweremadu").
                if index.local_countries(span.text, translit=False) & countries \
                        or (respellable(span.text, self.language) and (
                            index.local_countries(span.text, translit=True) & countries
                            or (j - i > 1 and any(index.close_key(span.text, cc)
                                                  for cc in countries)))):
                    found.append((i, j))
                    break
        return found

    def _given_name_context(self, doc: Doc, start: int, end: int) -> str | None:
        """For text no NER model has read: whether a one-word match belongs to a person's
        name by the given names around it. Returns None for no; else the surname it shows
        ("" when none): a given name before a capitalised word ("Laura Ingraham"), a word
        after a given name, an initial or a particle ("Charlie Chen", "Gino D. Bassett",
        "Mike de Kock"; a country after one too: "Michael Jordan"), or a given name standing
        alone ("Keith recalled"). A nationality or a name after "in"/"at" is never a given
        name ("French", "in Shelby"); a country's or a prominent place's own name is one only
        before another given name or a rare word that names no place ("Paul Francis Floyd",
        "Vladimir Putin"; not "America" alone, "Victoria Falls").
        """
        from wordfreq import zipf_frequency

        if end - start != 1:
            return None
        given = self.given_names
        word = doc[start]
        key = fold(word.text)

        def first_name(tok: Any) -> bool:
            k = fold(tok.text)
            return tok.is_alpha and tok.text[:1].isupper() and k in given \
                and k not in self.index.major and k not in self.adjectives

        # A word after a given name, skipping one initial or name particle.
        j = start - 1
        if j >= 1 and doc[j].text in ("-", "‐") and not doc[j - 1].whitespace_ \
                and doc[j - 1].text[:1].isupper():
            j -= 2  # a double-barrelled surname: "Mario Diaz-Balart"
        if j >= 0 and (INITIAL.fullmatch(doc[j].text) or doc[j].lower_ in NAME_PARTICLES):
            j -= 1
        if j >= 0 and first_name(doc[j]) and not word.text.isupper():
            return surname_key(word.text)  # "Michael Jordan", "Charles Stanley" too
        if key not in given or key in self.adjectives or after_locative(doc, start):
            return None  # "French"; "in Shelby", "at Trinidad"
        nxt = doc[start + 1] if start + 1 < len(doc) else None
        if nxt is not None and nxt.text == "," and start + 2 < len(doc) \
                and fold(doc[start + 2].text) in self.index.prominent:
            return None  # "Alvin, Texas"
        surname = nxt is not None and nxt.is_alpha and nxt.text[:1].isupper() \
            and nxt.lower_ not in PLACE_WORDS and not nxt.is_stop
        if key in self.index.major or key in self.index.prominent_own:
            # A place's own name is a given name only before another given name or a rare
            # word that names no place: "Paul Francis Floyd", "Victoria Rowell", "Vladimir
            # Putin"; not "Georgia Tech", "Austin Police", "Victoria Falls", "America".
            nxt_key = fold(nxt.text) if surname and nxt is not None else ""
            if surname and nxt is not None and (nxt_key in given or (
                    nxt_key not in self.index.keys
                    and zipf_frequency(nxt.lower_, "en") < RARE_WORD_ZIPF)):
                return surname_key(nxt.text)
            return None
        return surname_key(nxt.text) if surname and nxt is not None else ""

    def __call__(self, doc: Doc) -> Doc:
        spans: dict[tuple[int, int], str] = {}
        persons = [p for p in (_trim(e) for e in doc.ents
                               if e.label_ in ("PER", "PERSON", "ORG", "MISC", "NORP"))
                   if p is not None]
        ner_places = {(e.start, e.end) for e in doc.ents if e.label_ in NER_PLACE_LABELS}
        has_ner = doc.has_annotation("ENT_IOB")
        # Surnames of the document: the last word of a person's name, so that "Walsh" said
        # later is still the mayor, not Walsh, Colorado.
        surnames = {surname_key(p[-1].text) for p in persons
                    if p.label_ in ("PER", "PERSON") and len(p) >= 2}
        kept = []
        for start, end in find_gazetteer_spans(doc, self.index):
            inside_name = any(p.start <= start and end <= p.end and (p.start, p.end) !=
                              (start, end) for p in persons)
            if inside_name and fold(doc[start:end].text) not in self.index.major:
                continue  # "Nancy Pelosi" is not Nancy; "l'Observatoire syrien" not a place
            if (start, end) not in ner_places:
                if self._common_word(doc[start:end]):
                    continue
                word_end = _without_possessive(doc, start, end)  # "Steele's" -> "Steele"
                if person_context(doc, start, word_end, self.index, self.adjectives):
                    surnames.add(surname_key(doc[start].text))
                    continue
                if not has_ner:
                    surname = self._given_name_context(doc, start, word_end)
                    if surname is not None:
                        if surname:
                            surnames.add(surname)
                        continue
            kept.append((start, end))
        for start, end in kept:
            if _without_possessive(doc, start, end) - start == 1 \
                    and (start, end) not in ner_places \
                    and not after_locative(doc, start) \
                    and surname_key(doc[start].text) in surnames \
                    and fold(doc[start].text) not in self.index.major:
                continue
            spans[(start, end)] = "gazetteer"
        for span in self._local_spans(doc, spans, persons):
            spans[span] = "gazetteer"
        for ent in doc.ents:
            if ent.label_ not in NER_PLACE_LABELS:
                continue
            place = _trim(ent)
            if place is None:
                continue
            overlapping = [k for k in spans if k[0] < place.end and place.start < k[1]]
            if not overlapping and not self._common_word(place):
                spans[(place.start, place.end)] = "ner"
            elif (place.start, place.end) in spans:
                spans[(place.start, place.end)] = "both"
        doc.spans[SPAN_KEY] = [Span(doc, s, e, label=src) for (s, e), src in sorted(spans.items())]
        return doc


def _without_possessive(doc: Doc, start: int, end: int) -> int:
    """The end of a span without a trailing possessive "'s" token."""
    if end - start == 2 and doc[end - 1].text.replace("’", "'").lower() == "'s":
        return end - 1
    return end


def _trim(ent: Span) -> Span | None:
    """Drop elided articles and trailing whitespace NER sometimes includes ("d'Irak")."""
    start, end = ent.start, ent.end
    doc = ent.doc
    while start < end and (doc[start].is_punct or doc[start].is_space
                           or doc[start].lower_ in ("d'", "l'", "d’", "l’", "the")):
        start += 1
    while end > start and (doc[end - 1].is_space or doc[end - 1].is_punct
                           or doc[end - 1].lower_ in ("n'", "n’", "qu'", "qu’")):
        end -= 1
    if end <= start or len(fold(doc[start:end].text)) < 3:
        return None
    return doc[start:end]


@Language.factory("conflict_atlas_places", assigns=["doc.spans"],
                  default_config={"index_path": None, "min_population": 1000})
def make_place_matcher(nlp: Language, name: str, index_path: str | None,
                       min_population: int) -> PlaceMatcher:
    from geodata.gazetteer import ensure_index

    path = ensure_index(Path(index_path) if index_path else None)
    return PlaceMatcher(path, nlp.lang or "xx", min_population)


def mentions_from_doc(doc: Doc) -> list[Mention]:
    ents = {(e.start, e.end): e.label_ for e in doc.ents}  # doc.ents walks every token
    return [Mention(s.start_char, s.end_char, s.text, s.label_, ents.get((s.start, s.end), ""))
            for s in doc.spans.get(SPAN_KEY, [])]
