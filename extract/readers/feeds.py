"""RSS 0.9x/1.0 (RDF)/2.0 and Atom feeds, parsed by feedparser once defusedxml has refused
entity declarations and external references; one article per item with a description or
content."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

from extract.readers.decode import decode_bytes
from extract.readers.html import LOOKS_HTML, XML_DECL, html_to_text
from extract.readers.model import (
    Article,
    Blob,
    Ctx,
    Meta,
    Rejected,
    make_article,
    norm_language,
    one_line,
    parse_published,
)

logger = logging.getLogger(__name__)


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _parse_xml(data: bytes, where: str) -> Any:
    """Parse untrusted XML with defusedxml; returns the root element or a str reason."""
    from xml.etree.ElementTree import ParseError

    import defusedxml.ElementTree as DET
    from defusedxml import DefusedXmlException

    try:
        return DET.fromstring(data)
    except DefusedXmlException as exc:
        return ("XML declares entities or external references "
                f"({type(exc).__name__}): refused without expanding them "
                "(possible entity-expansion bomb or external entity attack)")
    except (ValueError, LookupError) as exc:
        return f"XML cannot be decoded ({exc})"
    except ParseError as exc:
        first_error = exc
    try:
        data.decode("utf-8")
        return f"not well-formed XML ({first_error})"
    except UnicodeDecodeError:
        pass
    # Mislabelled encoding (e.g. Windows-1252 bytes in a feed that claims UTF-8): decode it our
    # way and parse the text, still through defusedxml.
    text = XML_DECL.sub("", decode_bytes(data, where))
    try:
        return DET.fromstring(text)
    except DefusedXmlException as exc:
        return ("XML declares entities or external references "
                f"({type(exc).__name__}): refused without expanding them "
                "(possible entity-expansion bomb or external entity attack)")
    except (ParseError, ValueError, LookupError):
        return f"not well-formed XML ({first_error})"


_FEED_ROOTS = {"rss": "rss", "rdf": "rss", "feed": "atom"}


def read_feed(blob: Blob, ctx: Ctx) -> Iterator[Article | Rejected]:
    """RSS 0.9x/1.0/2.0 and Atom, parsed by feedparser once defusedxml has refused entity
    declarations and external references (feedparser's own parser would expand them)."""
    import feedparser

    root = _parse_xml(blob.data, blob.display)
    if isinstance(root, str):
        yield Rejected(blob.display, root)
        return
    kind = _local(root.tag)
    fmt = _FEED_ROOTS.get(kind)
    if fmt is None:
        yield Rejected(blob.display, f"XML is not an RSS or Atom feed (root element <{kind}>)")
        return
    # a stream, never a str: feedparser opens a str that names a file or a URL
    parsed = feedparser.parse(io.BytesIO(blob.data), resolve_relative_uris=False,
                              sanitize_html=True)
    feed = parsed.get("feed", {})
    feed_meta = Meta(source=one_line(feed.get("title")),
                      language=norm_language(feed.get("language")))
    if not parsed.entries:
        yield Rejected(blob.display, f"{fmt.upper()} feed has no items")
        return
    for i, entry in enumerate(parsed.entries, start=1):
        display = f"{blob.display}#{i}"
        bodies = [c.get("value", "") for c in entry.get("content", [])]
        body = next((b.strip() for b in [*bodies, entry.get("summary", "")] if b and b.strip()),
                    "")
        if not body:
            yield Rejected(display, f"item {i}: no description or content")
            continue
        if LOOKS_HTML.search(body):
            body = html_to_text(body)
        details = [*entry.get("content", []), entry.get("summary_detail") or {},
                   entry.get("title_detail") or {}]
        # the date as written (feedparser's parsed dates are in UTC: a day off near midnight)
        date_raw = (entry.get("published") or entry.get("updated") or "").strip()
        language = next((lang for d in details if (lang := norm_language(d.get("language")))),
                        feed_meta.language)
        published = parse_published(date_raw, language) if date_raw else None
        if date_raw and published is None:
            logger.warning("%s: item %d date %r not understood; using sidecar/argument date",
                           blob.display, i, date_raw)
        own = Meta(
            title=one_line(html_to_text(entry["title"])) if entry.get("title") else None,
            url=(entry.get("link") or "").strip() or None,
            published=published,
            source=one_line((entry.get("source") or {}).get("title")),
            language=language,
        )
        meta = own.over(feed_meta).over(blob.sidecar).over(ctx.defaults)
        yield make_article(body, meta, blob.name, display, fmt)
