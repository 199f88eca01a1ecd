"""What the readers hand on (:class:`Article`, :class:`Rejected`), the formats they know
(``SUPPORTED_EXTENSIONS``), article metadata (dates, languages, sidecars) and the reading
context shared by the format readers (:class:`Meta`, :class:`Ctx`, :class:`Blob`)."""

from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import Any

from extract.readers.decode import decode_bytes, fix_text
from extract.readers.exclusions import find_excluded_spans
from extract.textnorm import normalize_text

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Article:
    """One article, with normalised text and provenance.

    `excluded_spans` are ``(start, end, label)`` character ranges of `text` (end exclusive) that
    are not reporting of events; labels are those of `EXCLUSION_RULES`.
    """

    article_id: str
    text: str
    title: str | None
    url: str | None
    published: date | None
    source: str
    language: str | None
    path: str
    format: str
    excluded_spans: tuple[tuple[int, int, str], ...] = ()

    def excluded_label(self, start: int, end: int) -> str | None:
        """Label of the excluded span covering most of ``text[start:end]``, or None.

        A range counts as excluded when at least half of its non-space characters fall inside
        one excluded span, so a sentence with trailing whitespace or a newline is still caught.
        """
        chunk = self.text[start:end]
        length = len(chunk.strip())
        if length == 0:
            return None
        for s, e, label in self.excluded_spans:
            lo, hi = max(s, start), min(e, end)
            if hi > lo and len(self.text[lo:hi].strip()) * 2 >= length:
                return label
        return None


@dataclass(frozen=True)
class Rejected:
    """Something that could not be read: `path` (display path) and a clear human `reason`."""

    path: str
    reason: str


#: extension -> reader format. "feed" covers RSS 2.0, RSS 1.0 (RDF) and Atom.
SUPPORTED_EXTENSIONS: Mapping[str, str] = MappingProxyType(
    {
        ".txt": "txt",
        ".text": "txt",
        ".html": "html",
        ".htm": "html",
        ".xhtml": "html",
        ".jsonl": "jsonl",
        ".ndjson": "jsonl",
        ".json": "json",
        ".csv": "csv",
        ".xml": "feed",
        ".rss": "feed",
        ".atom": "feed",
        ".zip": "zip",
    }
)
SIDECAR_SUFFIX = ".meta.json"
SIDECAR_MAX_BYTES = 1_000_000


def make_article_id(text: str, url: str | None = None, published: date | None = None,
                    language: str | None = None) -> str:
    """Stable id of an article's content: sha256 of its text with whitespace folded, its URL
    when it has one, and the metadata its coding depends on (publication date, language);
    16 hex digits. The file name plays no part, and neither do line breaks: the same text
    read again under another name, or re-wrapped, is the same article.
    """
    folded = " ".join(text.split())
    key = f"{url or ''}\n{published or ''}\n{language or ''}\n{folded}"
    return hashlib.sha256(key.encode("utf-8", errors="surrogatepass")).hexdigest()[:16]


_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")


def parse_published(value: Any, language: str | None = None) -> date | None:
    """A date from metadata: ISO 8601, RFC 822 (feeds), a datetime/date, or an absolute date that
    dateparser understands ('14/01/2021', '14 janvier 2021'). Relative expressions ('yesterday')
    and empty values give None. Raises nothing. `language`: the article's, when known: dateparser
    reads the value in it and `DATE_LANGUAGES` first, then in the other languages the project
    identifies (`extract.langid.DEFAULT_LANGUAGES`)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    s = value.strip()
    if not s:
        return None
    m = _ISO_DATE.match(s)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    try:
        parsed = email.utils.parsedate_to_datetime(s)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is not None:
        return parsed.date()
    return _dateparser_absolute(s, language)


#: The languages dateparser reads a metadata date in before it guesses one: naming them
#: spares it loading every locale it knows on its first call.
DATE_LANGUAGES = ("fr", "en", "ar")


def _dateparser_absolute(s: str, language: str | None = None) -> date | None:
    import dateparser  # slow import, only for unusual date strings

    settings = {
        "PARSERS": ["custom-formats", "absolute-time"],
        "REQUIRE_PARTS": ["day", "month", "year"],
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": "past",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    from extract.langid import DEFAULT_LANGUAGES

    likely = list(dict.fromkeys([language, *DATE_LANGUAGES] if language else DATE_LANGUAGES))
    # then the languages the project reads (not every locale dateparser has: 3 s for a value
    # that is no date at all)
    for languages in (likely, [lang for lang in DEFAULT_LANGUAGES if lang not in likely]):
        try:
            parsed = dateparser.parse(s, settings=settings, languages=languages)
        except (ValueError, TypeError, OverflowError) as exc:
            logger.debug("dateparser failed on %r (%s): %s", s, languages, exc)
            continue
        if parsed:
            return parsed.date()
    return None


_LANG_TAG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][A-Za-z0-9]+)*$")


def norm_language(value: Any) -> str | None:
    """'fr', 'fr-FR', 'FR', 'en_US' -> primary subtag in lower case; anything else -> None."""
    if not isinstance(value, str):
        return None
    m = _LANG_TAG.match(value.strip())
    return m.group(1).lower() if m else None


def one_line(value: Any) -> str | None:
    if value is None:
        return None
    s = " ".join(normalize_text(str(value)).split())
    return s or None


@dataclass(frozen=True)
class Meta:
    title: str | None = None
    url: str | None = None
    published: date | None = None
    source: str | None = None
    language: str | None = None

    def over(self, fallback: Meta) -> Meta:
        """This metadata, with gaps filled from `fallback`."""
        return Meta(
            title=self.title or fallback.title,
            url=self.url or fallback.url,
            published=self.published or fallback.published,
            source=self.source or fallback.source,
            language=self.language or fallback.language,
        )


def meta_from_sidecar(data: bytes, where: str) -> Meta:
    try:
        obj = json.loads(decode_bytes(data, where))
    except json.JSONDecodeError as exc:
        logger.warning("%s: sidecar is not valid JSON (%s); ignored", where, exc)
        return Meta()
    if not isinstance(obj, dict):
        logger.warning("%s: sidecar is not a JSON object; ignored", where)
        return Meta()
    published = parse_published(obj.get("published"), norm_language(obj.get("language")))
    if obj.get("published") and published is None:
        logger.warning("%s: sidecar 'published' %r is not a date; ignored", where,
                       obj.get("published"))
    return Meta(
        title=one_line(obj.get("title")),
        url=one_line(obj.get("url")),
        published=published,
        source=one_line(obj.get("source")),
        language=norm_language(obj.get("language")),
    )


def sidecar_names(name: str) -> tuple[str, ...]:
    """Candidate sidecar file names for article file `name`: 'a.txt.meta.json', 'a.meta.json'."""
    stem = PurePosixPath(name).stem
    names = [name + SIDECAR_SUFFIX]
    if stem and stem != name:
        names.append(stem + SIDECAR_SUFFIX)
    return tuple(names)


@dataclass
class Budget:
    """Remaining uncompressed bytes for one top-level archive (shared with nested zips)."""

    remaining: int


@dataclass(frozen=True)
class Ctx:
    defaults: Meta
    max_bytes: int


@dataclass(frozen=True)
class Blob:
    """Bytes of one file (on disk or in an archive) with where it came from."""

    data: bytes
    name: str  # file name, e.g. 'b.txt' (default source)
    display: str  # e.g. 'corpus.zip!a/b.txt'
    sidecar: Meta = field(default_factory=Meta)


def supported_list() -> str:
    return ", ".join(sorted(SUPPORTED_EXTENSIONS))


def format_for(name: str) -> str | None:
    suffix = PurePosixPath(name).suffix.lower()
    return SUPPORTED_EXTENSIONS.get(suffix)


def make_article(raw_text: str, meta: Meta, blob_name: str, display: str,
                  fmt: str) -> Article | Rejected:
    text = fix_text(raw_text)
    if not text:
        return Rejected(display, "no text left after normalisation (empty or whitespace only)")
    source = meta.source or blob_name
    return Article(
        article_id=make_article_id(text, meta.url, meta.published, meta.language),
        text=text,
        title=one_line(meta.title),
        url=one_line(meta.url),
        published=meta.published,
        source=source,
        language=meta.language,
        path=display,
        format=fmt,
        excluded_spans=find_excluded_spans(text),
    )
