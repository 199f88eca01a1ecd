"""HTML to text: pages by trafilatura (boilerplate dropped, metadata kept), HTML fragments
(feed items, HTML-ish fields) by lxml."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import date

from extract.readers.decode import decode_bytes
from extract.readers.model import (
    Article,
    Blob,
    Ctx,
    Meta,
    Rejected,
    make_article,
    norm_language,
    parse_published,
)

logger = logging.getLogger(__name__)


LOOKS_HTML = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9]*\b[^>]*|/[a-zA-Z][a-zA-Z0-9]*\s*)>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_BLOCK_TAGS = (
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "tr", "table", "section", "article", "pre", "hr", "dd", "dt",
)
_DROP_TAGS = (
    "head", "title", "script", "style", "noscript", "template", "nav", "aside", "form", "button",
    "figure", "figcaption", "iframe", "svg", "header", "footer",
)
_TAG_RE = re.compile(r"<[^>]*>")


def html_to_text(markup: str, *, whole_page: bool = False) -> str:
    """Visible text of an HTML fragment or page, one block element per line."""
    import html as html_mod

    from lxml import etree
    from lxml import html as lxml_html

    markup = XML_DECL.sub("", markup)
    if not markup.strip():
        return ""
    try:
        if whole_page:
            root = lxml_html.document_fromstring(markup)
        else:
            root = lxml_html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError) as exc:
        logger.debug("lxml could not parse HTML (%s); stripping tags", exc)
        return html_mod.unescape(_TAG_RE.sub(" ", markup))
    for el in list(root.iter(*_DROP_TAGS)):
        parent = el.getparent()
        if parent is not None:
            el.drop_tree()
    for el in root.iter(*_BLOCK_TAGS):
        el.tail = "\n" + (el.tail or "")
        if el.tag != "br":
            el.text = "\n" + (el.text or "")
    return root.text_content()


_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)",
                        re.IGNORECASE)


def read_html(blob: Blob, ctx: Ctx) -> Iterator[Article | Rejected]:
    m = _META_CHARSET.search(blob.data[:8192])
    declared = m.group(1).decode("ascii", errors="ignore") if m else None
    markup = decode_bytes(blob.data, blob.display, declared=declared)
    lang_match = _HTML_LANG.search(markup[:20000])
    page = Meta(language=norm_language(lang_match.group(1)) if lang_match else None)
    text = ""
    try:
        import trafilatura

        doc = trafilatura.bare_extraction(
            markup,
            with_metadata=True,
            include_comments=False,
            include_images=False,
            date_extraction_params={
                "original_date": True,
                "extensive_search": False,  # metadata/markup dates only, not dates in the text
                "max_date": date.today().isoformat(),
            },
        )
    except Exception as exc:  # noqa: BLE001 - third-party parser on untrusted markup
        logger.warning("%s: trafilatura failed (%s: %s); using plain HTML text", blob.display,
                       type(exc).__name__, exc)
        doc = None
    if doc is not None:
        text = getattr(doc, "text", None) or ""
        page = Meta(
            title=getattr(doc, "title", None),
            url=getattr(doc, "url", None),
            published=parse_published(getattr(doc, "date", None)),
            source=getattr(doc, "sitename", None),
            language=page.language,
        )
    if not text.strip():
        text = html_to_text(markup, whole_page=True)
    if not text.strip():
        yield Rejected(blob.display, "HTML page has no extractable text")
        return
    meta = page.over(blob.sidecar).over(ctx.defaults)
    yield make_article(text, meta, blob.name, blob.display, "html")
