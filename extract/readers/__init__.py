"""Read news articles safely from many formats.

Entry point: `iter_articles(paths, published=..., language=..., max_bytes=...)` yields an
`Article` for every article it can read and a `Rejected` (with a human-readable reason) for every
file, archive member, row or feed item it cannot. It never raises for bad input and never writes
anything to disk.

Formats (by extension, with content sniffing for files without a known extension and for ``.txt``
files that are really HTML):

=================  ==========================================================================
``.txt``           plain text, any common encoding (see `decode_bytes`)
``.html`` ``.htm``  main text extracted with trafilatura (boilerplate dropped); title, date, url,
                   site name and ``<html lang>`` from the page metadata
``.jsonl``         one JSON object per line with ``text`` and optional ``title``, ``url``,
                   ``published``, ``source``, ``language``; one Article per line
``.json``          one such object, a list of them, or ``{"articles": [...]}``
``.csv``           header row with a ``text`` column (``,`` ``;`` or tab separated: the dialect
                   is read by csv.Sniffer), same optional columns; one Article per row
``.xml`` ``.rss``   RSS 0.9x/1.0 (RDF)/2.0 or Atom feeds, parsed with feedparser once defusedxml
``.atom``          has refused entity declarations and external references (never expanded);
                   one Article per item that has a description or content, HTML stripped
``.zip``           any of the above, read in memory (never extracted); nested zips one level
=================  ==========================================================================

Metadata precedence for ``published``/``title``/``url``/``source``/``language``: the article's own
metadata (row fields, HTML meta, feed item) > a sidecar ``NAME.meta.json`` (``a.txt.meta.json``
or ``a.meta.json`` beside ``a.txt``, also inside zips) > the `iter_articles` arguments. With no
date anywhere ``published`` is None (never today's date).

Excluded spans: line-level rules (`EXCLUSION_RULES`) mark character ranges of the text that are
not reporting of events (photo captions and credits, "Lire aussi"/"Read more" cross-links,
share buttons, source/copyright/tag footers). The text is kept whole so offsets stay valid;
downstream stages skip sentences inside these spans (`Article.excluded_label`).

Modules, in the order they depend on each other (no cycles): ``decode``, ``exclusions`` ->
``model`` -> ``html`` -> ``records``, ``feeds`` -> ``formats`` -> ``archive`` -> ``files``.
This package gathers the public names; import them from here.
"""

from extract.readers.decode import decode_bytes
from extract.readers.exclusions import EXCLUSION_RULES, ExclusionRule, find_excluded_spans
from extract.readers.files import InputFile, iter_articles, list_inputs, read_articles, read_inputs
from extract.readers.model import (
    SUPPORTED_EXTENSIONS,
    Article,
    Rejected,
    make_article_id,
    parse_published,
)
from extract.readers.records import JSONL_MAX_LINE_CHARS

__all__ = [
    "EXCLUSION_RULES",
    "JSONL_MAX_LINE_CHARS",
    "SUPPORTED_EXTENSIONS",
    "Article",
    "ExclusionRule",
    "InputFile",
    "Rejected",
    "decode_bytes",
    "find_excluded_spans",
    "iter_articles",
    "list_inputs",
    "make_article_id",
    "parse_published",
    "read_articles",
    "read_inputs",
]
