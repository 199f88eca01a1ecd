"""Country adjectives and demonyms ("irakiennes", "Iraqi", "العراقية" -> IQ).

They tell the resolver which country an article is about, and let a geoparser place an
adjective used as a toponym ("a Turkish policeman" -> Turkey), as the evaluation corpora do.
The table is curated (``geodata/data/demonyms.tsv``); French plural and feminine forms are
derived from it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geodata.names import fold
from geodata.paths import PACKAGE_DATA

_WORD = re.compile(r"[^\W\d_][\w'’.-]*", re.UNICODE)


def _inflections(form: str) -> set[str]:
    key = fold(form)
    out = {key}
    if key.endswith(("ien", "ain", "ais", "ois", "an", "e")):
        for suffix in ("e", "s", "es", "ne", "nes"):
            out.add(key + suffix)
    return out


@dataclass(frozen=True)
class DemonymTable:
    forms: dict[str, str]  # folded form -> ISO alpha-2
    geocoder: Any = None

    @classmethod
    def load(cls, geocoder: Any = None, path: Path | None = None) -> DemonymTable:
        path = path or PACKAGE_DATA / "demonyms.tsv"
        forms: dict[str, str] = {}
        with path.open(encoding="utf-8", newline="") as fh:
            rows = csv.DictReader((line for line in fh if not line.startswith("#")),
                                  delimiter="\t")
            for row in rows:
                for form in row["forms"].split("|"):
                    for key in _inflections(form):
                        forms.setdefault(key, row["country_code"])
        return cls(forms, geocoder)

    def code_of(self, word: str) -> str | None:
        return self.forms.get(fold(word))

    def country_of(self, word: str) -> Any:
        """The gazetteer row of the country (or continent: "European") ``word`` is an
        adjective of (needs a geocoder)."""
        code = self.code_of(word)
        if code is None or self.geocoder is None:
            return None
        if code.startswith("gn:"):
            return self.geocoder.gazetteer.get(code)
        return self.geocoder.gazetteer.country(code)

    def spans(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, word) of every demonym in ``text`` (country and continent ones)."""
        for match in _WORD.finditer(text):
            word = match.group(0).rstrip(".'’")
            if fold(word) in self.forms:
                yield match.start(), match.start() + len(word), word

    def countries_in(self, text: str) -> Iterator[str]:
        """Country codes of the demonyms in ``text``, in order (one per occurrence)."""
        for match in _WORD.finditer(text):
            word = match.group(0)
            if len(word) <= 3 and word.isupper() and word not in ("US",):
                continue
            code = self.forms.get(fold(word))
            if code is not None and not code.startswith("gn:"):
                yield code
