"""One file's bytes to articles: checked (empty, binary), then dispatched by format
(plain text here; HTML, records and feeds in their modules)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from extract.readers.decode import binary_reason, decode_bytes, sniff
from extract.readers.feeds import read_feed
from extract.readers.html import read_html
from extract.readers.model import Article, Blob, Ctx, Rejected, make_article
from extract.readers.records import read_csv, read_json, read_jsonl

logger = logging.getLogger(__name__)


def _read_txt(blob: Blob, ctx: Ctx) -> Iterator[Article | Rejected]:
    text = decode_bytes(blob.data, blob.display)
    yield make_article(text, blob.sidecar.over(ctx.defaults), blob.name, blob.display, "txt")


_READERS = {
    "txt": _read_txt,
    "html": read_html,
    "jsonl": read_jsonl,
    "json": read_json,
    "csv": read_csv,
    "feed": read_feed,
}


def read_blob(blob: Blob, fmt: str | None, ctx: Ctx) -> Iterator[Article | Rejected]:
    """Check and dispatch one file's bytes (not zips: see `read_zip`)."""
    if not blob.data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        yield Rejected(blob.display, "empty file")
        return
    sniffed = sniff(blob.data)
    if fmt is None:
        fmt = sniffed
    elif fmt == "txt" and sniffed == "html":
        logger.info("%s: .txt file holds HTML; reading it as HTML", blob.display)
        fmt = "html"
    problem = binary_reason(blob.data)
    if problem is not None:
        yield Rejected(blob.display, problem)
        return
    reader = _READERS.get(fmt or "")
    if reader is None:
        yield Rejected(blob.display, f"unsupported format {fmt!r}")
        return
    yield from reader(blob, ctx)
