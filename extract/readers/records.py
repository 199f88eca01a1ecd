"""Records: JSON Lines, JSON (an object, a list, ``{"articles": [...]}``) and CSV (the
dialect read by csv.Sniffer); one article per record."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterator
from typing import Any

from extract.readers.decode import decode_bytes
from extract.readers.html import LOOKS_HTML, html_to_text
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


_TEXT_KEYS = ("text", "content", "body", "article")


def _record_article(obj: Any, where: str, display: str, blob: Blob, ctx: Ctx,
                    fmt: str) -> Article | Rejected:
    """One JSON object / CSV row -> Article, or Rejected naming `where` ('line 3', 'row 2')."""
    if not isinstance(obj, dict):
        return Rejected(display, f"{where}: expected a JSON object, got {type(obj).__name__}")
    fields = {str(k).strip().lower(): v for k, v in obj.items() if k is not None}
    raw = next((fields[k] for k in _TEXT_KEYS if fields.get(k) not in (None, "")), None)
    if raw is None:
        return Rejected(display, f"{where}: no 'text' field (or it is empty)")
    if not isinstance(raw, str):
        return Rejected(display, f"{where}: 'text' must be a string, got {type(raw).__name__}")
    if LOOKS_HTML.search(raw):
        raw = html_to_text(raw)
    language = fields.get("language") or fields.get("lang")
    norm_lang = norm_language(language)
    given = fields.get("published") or fields.get("date")
    published = parse_published(given, norm_lang or ctx.defaults.language)
    if given not in (None, "") and published is None:
        return Rejected(display, f"{where}: 'published' value {str(given)[:60]!r} is not a date "
                                 "(use YYYY-MM-DD)")
    if language not in (None, "") and norm_lang is None:
        logger.warning("%s: %s: language %r is not an ISO 639 code; ignored", blob.display,
                       where, language)
    own = Meta(
        title=one_line(fields.get("title")),
        url=one_line(fields.get("url") or fields.get("link")),
        published=published,
        source=one_line(fields.get("source")),
        language=norm_lang,
    )
    return make_article(raw, own.over(blob.sidecar).over(ctx.defaults), blob.name, display, fmt)


#: One JSONL line (one article) at most this many characters: a longer one is rejected alone.
JSONL_MAX_LINE_CHARS = 2_000_000


def _loads(text: str) -> tuple[Any, str]:
    """(the parsed JSON value, "") or (None, why it cannot be parsed)."""
    try:
        return json.loads(text), ""
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
    except RecursionError:
        return None, "JSON nested too deeply"


def read_jsonl(blob: Blob, ctx: Ctx) -> Iterator[Article | Rejected]:
    text = decode_bytes(blob.data, blob.display)
    any_line = False
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        any_line = True
        display = f"{blob.display}#{lineno}"
        if len(line) > JSONL_MAX_LINE_CHARS:
            yield Rejected(display, f"line {lineno}: {len(line)} characters, over the "
                                    f"{JSONL_MAX_LINE_CHARS}-character limit of one record")
            continue
        obj, why = _loads(line)
        if why:
            yield Rejected(display, f"line {lineno}: {why}")
            continue
        yield _record_article(obj, f"line {lineno}", display, blob, ctx, "jsonl")
    if not any_line:
        yield Rejected(blob.display, "JSONL file has no records")


def read_json(blob: Blob, ctx: Ctx) -> Iterator[Article | Rejected]:
    obj, why = _loads(decode_bytes(blob.data, blob.display))
    if why:
        yield Rejected(blob.display, why)
        return
    if isinstance(obj, dict) and isinstance(obj.get("articles"), list):
        obj = obj["articles"]
    if isinstance(obj, dict):
        yield _record_article(obj, "object", blob.display, blob, ctx, "json")
        return
    if not isinstance(obj, list) or not obj:
        yield Rejected(blob.display, "JSON must be an object with 'text', a non-empty list of "
                                     "such objects, or {\"articles\": [...]}")
        return
    for i, item in enumerate(obj, start=1):
        yield _record_article(item, f"item {i}", f"{blob.display}#{i}", blob, ctx, "json")


CSV_SNIFF_CHARS = 64_000  # what csv.Sniffer reads to tell the dialect


def _csv_dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    """The CSV dialect (``,`` ``;`` or tab, quoting) csv.Sniffer reads from the start of
    `text`; Excel's when it cannot tell."""
    try:
        return csv.Sniffer().sniff(text[:CSV_SNIFF_CHARS], delimiters=",;\t")
    except csv.Error:
        return csv.excel


def read_csv(blob: Blob, ctx: Ctx) -> Iterator[Article | Rejected]:
    text = decode_bytes(blob.data, blob.display).lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), dialect=_csv_dialect(text))
    try:
        header = next(reader)
    except StopIteration:
        yield Rejected(blob.display, "CSV file has no header row")
        return
    except csv.Error as exc:
        yield Rejected(blob.display, f"CSV header cannot be parsed ({exc})")
        return
    columns = [h.strip().lower() for h in header]
    if not any(k in columns for k in _TEXT_KEYS):
        shown = ", ".join(repr(c) for c in columns[:20]) or "none"
        yield Rejected(blob.display, f"CSV has no 'text' column (columns: {shown})")
        return
    rownum = 0
    consecutive_errors = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            rownum += 1
            consecutive_errors += 1
            yield Rejected(f"{blob.display}#{rownum}",
                           f"row {rownum} (line {reader.line_num}): malformed CSV ({exc})")
            if consecutive_errors >= 20:
                yield Rejected(blob.display, "too many malformed CSV rows in a row; rest skipped")
                return
            continue
        consecutive_errors = 0
        if not any(cell.strip() for cell in row):
            continue
        rownum += 1
        if len(row) > len(columns):
            logger.warning("%s: row %d has %d cells for %d columns; extra cells ignored",
                           blob.display, rownum, len(row), len(columns))
        record = dict(zip(columns, row, strict=False))  # a short row: its first columns
        yield _record_article(record, f"row {rownum} (line {reader.line_num})",
                              f"{blob.display}#{rownum}", blob, ctx, "csv")
    if rownum == 0:
        yield Rejected(blob.display, "CSV file has a header but no rows")
