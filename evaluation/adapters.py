"""The geoparsing harness's protocols over the product's geoparser (:mod:`extract.geoparse`).

``Resolver`` resolves gold spans; ``ToponymFinder`` finds and resolves. The finder also
counts country adjectives as toponyms ("a Russian official"), because the geoparsing corpora
annotate them: that is the corpora's convention, so it lives here and not in the product.
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.language import Language

from extract.geoparse.matcher import mentions_from_doc
from extract.geoparse.model import Mention
from extract.geoparse.nlp import NlpRegistry
from extract.geoparse.resolver import ToponymResolver
from geodata.tld import country_of_url


class SpanResolver:
    """The harness's ``Resolver`` protocol over :class:`ToponymResolver`."""

    def __init__(self, resolver: ToponymResolver) -> None:
        self.resolver = resolver

    def resolve(self, text: str, spans: Sequence[tuple[int, int, str]], url: str = ""
                ) -> list[tuple[float, float, str] | None]:
        mentions = [Mention(s, e, name, "gold") for s, e, name in spans]
        return [None if r.place is None else (r.place["lat"], r.place["lon"], r.place["id"])
                for r in self.resolver.resolve(text, mentions, home=country_of_url(url))]


class Finder:
    """The harness's ``ToponymFinder`` protocol: spaCy + gazetteer, then the resolver, both
    for ``language`` (the language of ``nlp``)."""

    def __init__(self, resolver: ToponymResolver, nlp: Language, language: str = "en") -> None:
        self.resolver = resolver
        self.nlp = nlp
        self.language = language

    def find(self, text: str, url: str = ""
             ) -> list[tuple[int, int, str, float | None, float | None]]:
        doc = self.nlp(text)
        mentions = mentions_from_doc(doc)
        # Geoparsing corpora count country adjectives as toponyms ("a Russian official").
        taken = [(m.start, m.end) for m in mentions]
        for start, end, word in self.resolver.demonyms.spans(text):
            if word[:1].isupper() and not any(s < end and start < e for s, e in taken):
                mentions.append(Mention(start, end, word, "demonym"))
        mentions.sort(key=lambda m: m.start)
        out = []
        for r in self.resolver.resolve(text, mentions, language=self.language,
                                       home=country_of_url(url)):
            lat, lon = r.latlon if r.latlon else (None, None)
            out.append((r.mention.start, r.mention.end, r.mention.text, lat, lon))
        return out


def default_resolver() -> SpanResolver:
    return SpanResolver(ToponymResolver())


def default_finder(language: str = "en") -> Finder:
    return Finder(ToponymResolver(), NlpRegistry().get(language), language)
