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
"""

from __future__ import annotations

import csv
import email.utils
import hashlib
import io
import json
import logging
import os
import re
import stat
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any

from extract.textnorm import normalize_text

logger = logging.getLogger(__name__)

__all__ = [
    "EXCLUSION_RULES",
    "SUPPORTED_EXTENSIONS",
    "Article",
    "ExclusionRule",
    "Rejected",
    "decode_bytes",
    "find_excluded_spans",
    "iter_articles",
    "make_article_id",
    "parse_published",
    "read_articles",
]

# --------------------------------------------------------------------------------------------
# Public data types
# --------------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class ExclusionRule:
    """A line-level pattern: a line of the text matching `pattern` is excluded as `label`."""

    label: str
    pattern: re.Pattern[str]
    description: str


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
#: Zip-bomb guards (on top of the per-member ``max_bytes``).
ZIP_MAX_TOTAL_BYTES = 500_000_000  # total uncompressed bytes read from one archive (+ nested)
ZIP_MAX_RATIO = 100  # uncompressed/compressed size, checked for members over ZIP_RATIO_MIN_BYTES
ZIP_RATIO_MIN_BYTES = 100_000
ZIP_MAX_MEMBERS = 20_000
ZIP_MAX_DEPTH = 1  # a zip inside a zip is read; a zip inside that is rejected

# Legacy single-byte encodings tried (by charset-normalizer) when bytes are not UTF-8. cp1250 is
# left out on purpose: it wins over cp1252 on French text and mangles è, ù and friends.
LEGACY_ENCODINGS: tuple[str, ...] = (
    "cp1252", "cp1251", "cp1256", "cp1254", "koi8_r", "iso8859_6", "cp1255", "iso8859_7",
)

# --------------------------------------------------------------------------------------------
# Excluded-span rules
# --------------------------------------------------------------------------------------------

_I = re.IGNORECASE
_SEP = r"\s*(?:[:：>»|\-–—]|$)"  # what follows a cross-link keyword: a separator or end of line
_AGENCIES = (
    r"AFP|Reuters|REUTERS|AP|EPA|Getty\s+Images|Getty|Anadolu|AA|Xinhua|SANA|IRNA|Tasnim|ANSA"
    r"|DPA|dpa|Sipa|SIPA|Belga|Mehr|Fars|WANA|Press\s+TV|PressTV|Al\s+Jazeera|Shutterstock|MaxPPP"
)


def _rule(label: str, regex: str, description: str, flags: int = _I) -> ExclusionRule:
    return ExclusionRule(label, re.compile(regex, flags), description)


#: The rules, tried in order on each line (stripped of surrounding spaces); first match wins.
EXCLUSION_RULES: tuple[ExclusionRule, ...] = (
    _rule(
        "cross_link",
        r"^(?:[àa]\s+lire\s+(?:aussi|[ée]galement|ailleurs)?|lire\s+(?:aussi|[ée]galement|la\s+suite)"
        r"|voir\s+aussi|sur\s+le\s+m[êe]me\s+sujet|dans\s+la\s+m[êe]me\s+rubrique"
        r"|read\s+(?:more|also|next)|also\s+read|see\s+also|more\s+on\s+this(?:\s+story)?"
        r"|related(?:\s+(?:articles?|stories|news|content|coverage))?"
        r"|اقرأ\s+(?:أيضا|أيضاً|ايضا|ايضاً|المزيد)|إقرأ\s+(?:أيضا|أيضاً)|مواضيع\s+ذات\s+صلة)" + _SEP,
        "cross-link to another article: 'Lire aussi : ...', 'À lire aussi', 'Read more: ...', "
        "'Related: ...', 'See also', 'Sur le même sujet', 'اقرأ أيضاً: ...'",
    ),
    _rule(
        "photo_credit",
        r"^(?:photos?|images?|illustration|cr[ée]dits?(?:\s+photos?)?|photo\s+credits?"
        r"|picture|pictures|source\s+(?:photo|image))\s*[:：©]"
        r"|^©|^\(?(?:photo|image)\s+(?:d'illustration|d'archives?|fournie|de\s+couverture)\)?"
        r"|^(?:file|handout)\s+photo\b",
        "photo credit line: 'Photo: Reuters', 'Crédit photo : AFP', '© AFP', "
        "'Photo d'illustration', 'File photo ...'",
    ),
    _rule(
        "caption",
        r"\((?:[^()]{0,80}\b)?(?:photos?|illustration|image|archives?|file|screenshot|screengrab"
        r"|capture\s+d'[ée]cran|via\s+getty\s+images|صورة|صور)\b[^()]{0,80}\)\s*\.?$",
        "photo caption: a line ending with a parenthesised photo credit such as '(AFP photo)', "
        "'(Illustration)', '(Photo: Reuters)', '(archives)', '(Photo by X/AFP via Getty Images)'",
    ),
    _rule(
        "caption",
        r"(?:\((?:" + _AGENCIES + r")(?:\s*/[^()]{0,60})?\)|\b(?:AFP|REUTERS|AP|EPA|ANADOLU|XINHUA"
        r"|SIPA|MAXPPP)\s*/\s*[\w.'’ -]{2,60})\s*\.?$",
        "photo caption ending with an agency credit: '... (Reuters)', '... (AFP/Getty)', "
        "'... REUTERS/Ahmed Saad' (case-sensitive agency names)",
        flags=0,
    ),
    _rule(
        "share",
        r"^(?:(?:partager|partagez|share|sharing|imprimer|print|tweet|tweeter|envoyer|e-?mail"
        r"|facebook|twitter|x|whatsapp|linkedin|telegram|reddit|copier\s+le\s+lien|copy\s+link"
        r"|cet\s+article|this\s+article|this\s+story|sur|on|par|by)"
        r"[\s|,•·/:!.]*)+$",
        "share/print buttons: 'Partager Cet Article', 'Share this article', "
        "'Facebook Twitter WhatsApp Email'",
    ),
    _rule(
        "footer",
        r"^(?:sources?|المصدر)\s*:\s*\S.{0,100}$",
        "source footer: 'SOURCE: FRENCH PRESS TV'",
    ),
    _rule(
        "footer",
        r"^(?:©|\(c\)\s|copyright\b|tous\s+droits\s+r[ée]serv[ée]s|all\s+rights\s+reserved).{0,160}$",
        "copyright footer",
    ),
    _rule(
        "footer",
        r"^(?:tags?|mots[- ]cl[ée]s?|keywords|th[èe]mes?|topics?)\s*:.{0,300}$",
        "tag/keyword list",
    ),
    _rule(
        "footer",
        r"^(?:suivez[- ]nous|follow\s+us|abonnez[- ]vous|subscribe|inscrivez[- ]vous"
        r"|sign\s+up\s+for|newsletter)\b.{0,150}$",
        "follow/subscribe call to action",
    ),
)

_LINE = re.compile(r"[^\n]+")


def find_excluded_spans(
    text: str, rules: Iterable[ExclusionRule] = EXCLUSION_RULES
) -> tuple[tuple[int, int, str], ...]:
    """``(start, end, label)`` for each line of `text` matched by a rule (first match wins).

    The span covers the line without its surrounding spaces and without the newline.
    """
    rules = tuple(rules)
    spans: list[tuple[int, int, str]] = []
    for match in _LINE.finditer(text):
        line = match.group()
        stripped = line.strip()
        if not stripped:
            continue
        for rule in rules:
            if rule.pattern.search(stripped):
                start = match.start() + len(line) - len(line.lstrip())
                spans.append((start, start + len(stripped), rule.label))
                break
    return tuple(spans)


# --------------------------------------------------------------------------------------------
# Small pure helpers
# --------------------------------------------------------------------------------------------


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


def _norm_language(value: Any) -> str | None:
    """'fr', 'fr-FR', 'FR', 'en_US' -> primary subtag in lower case; anything else -> None."""
    if not isinstance(value, str):
        return None
    m = _LANG_TAG.match(value.strip())
    return m.group(1).lower() if m else None


def _one_line(value: Any) -> str | None:
    if value is None:
        return None
    s = " ".join(normalize_text(str(value)).split())
    return s or None


# --------------------------------------------------------------------------------------------
# Bytes -> text
# --------------------------------------------------------------------------------------------

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\x7fELF", "an executable"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"PK\x03\x04", "a zip archive"),
    (b"\xd0\xcf\x11\xe0", "an MS Office document"),
)
# C0 controls other than tab, LF, VT, FF, CR and ESC, plus DEL: rare in text, common in binaries.
_CONTROL_BYTES = bytes([*range(9), 14, 15, *range(16, 27), 28, 29, 30, 31, 127])
_SURROGATE = re.compile("[\udc80-\udcff]")
_GOOD_NON_ASCII = re.compile("[^\x00-\x7f\udc80-\udcff]")


def _bom(data: bytes) -> str | None:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc
    return None


def binary_reason(data: bytes) -> str | None:
    """Why `data` looks like binary rather than text (None when it looks like text)."""
    for sig, what in _MAGIC:
        if data.startswith(sig):
            return f"binary content ({what}), not text"
    if _bom(data) in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
        return None
    sample = data[:65536]
    nul = sample.count(b"\x00")
    if nul > max(2, len(sample) // 1000):
        return f"binary content ({nul} NUL bytes in the first {len(sample)} bytes), not text"
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if sample and controls * 10 > len(sample):
        return "binary content (too many control characters), not text"
    # Text in a legacy encoding has next to no control bytes; random bytes have one in ten.
    if sample and controls * 100 > len(sample) and not _utf8_prefix(sample):
        return ("binary content (not UTF-8, and control bytes where legacy-encoded text has "
                "none), not text")
    return None


def _utf8_prefix(sample: bytes) -> bool:
    """`sample` (possibly cut inside a character) is valid UTF-8."""
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(sample) - 3 and exc.reason == "unexpected end of data"
    return True


def decode_bytes(data: bytes, where: str = "", declared: str | None = None) -> str:
    """Decode `data` to str, never raising.

    Order: a BOM (UTF-8/16/32) > the `declared` charset if it decodes cleanly > strict UTF-8 >
    line by line when the text is UTF-8 but for some lines (`_decode_mixed`) > for text with
    no valid UTF-8 at all: UTF-8 with a few invalid bytes replaced by U+FFFD when it is mostly
    UTF-8, else charset-normalizer restricted to `LEGACY_ENCODINGS` (Windows-1252, -1251,
    -1256, ...) > UTF-8 with replacement. Anything other than clean UTF-8/BOM/declared logs a
    warning. The caller repairs mojibake afterwards (ftfy).
    """
    label = where or "input"
    enc = _bom(data)
    if enc is not None:
        bom_len = 4 if enc.startswith("utf-32") else (3 if enc == "utf-8" else 2)
        text = data[bom_len:].decode(enc, errors="replace")
        if "\ufffd" in text and "\ufffd".encode(enc) not in data:
            logger.warning("%s: invalid %s bytes replaced with U+FFFD", label, enc)
        return text
    if declared:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            logger.debug("%s: declared charset %r does not decode it", label, declared)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    mixed = _decode_mixed(data, label)
    if mixed is not None:
        return mixed
    if _mostly_utf8(data):
        logger.warning("%s: not valid UTF-8 (invalid bytes among mostly UTF-8 text); "
                       "invalid bytes replaced with U+FFFD", label)
        return data.decode("utf-8", errors="replace")
    best = _legacy(data)
    if best is not None:
        logger.warning("%s: not valid UTF-8; decoded as %s (detected)", label, best[0])
        return best[1]
    logger.warning("%s: not valid UTF-8 and no encoding detected; invalid bytes replaced", label)
    return data.decode("utf-8", errors="replace")


def _mostly_utf8(data: bytes) -> bool:
    """More valid non-ASCII UTF-8 characters than invalid bytes."""
    escaped = data.decode("utf-8", errors="surrogateescape")
    good = len(_GOOD_NON_ASCII.findall(escaped))
    return good > 0 and good >= len(_SURROGATE.findall(escaped))


def _legacy(data: bytes) -> tuple[str, str] | None:
    """(encoding, text) charset-normalizer finds among `LEGACY_ENCODINGS`, if any."""
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS)).best()
    if best is None or not best.encoding:
        return None
    return best.encoding, str(best)


def _scripts(text: str) -> set[str]:
    """The scripts (LATIN, CYRILLIC, ARABIC...) of the letters of `text`."""
    out = set()
    for ch in set(text):
        if ch.isalpha():
            out.add("LATIN" if ord(ch) < 128 else unicodedata.name(ch, "?").split(" ", 1)[0])
    return out


def _decode_mixed(data: bytes, label: str) -> str | None:
    """Text that is UTF-8 except for some lines (a pasted legacy paragraph, a few corrupt
    bytes), decoded line by line; None when no valid line holds non-ASCII UTF-8.

    Valid UTF-8 lines are kept as they are. A bad line that is mostly UTF-8 gets U+FFFD for
    its invalid bytes; another is read in a legacy encoding only when that gives letters of
    the scripts the UTF-8 lines use (a Windows-1252 paragraph in a French article), else its
    invalid bytes are replaced: four stray bytes never turn into Cyrillic.
    """
    lines = data.split(b"\n")
    decoded: list[str | None] = []
    for line in lines:
        try:
            decoded.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            decoded.append(None)
    valid = "".join(d for d in decoded if d)
    if valid.isascii():
        return None  # no evidence of UTF-8: a text in one legacy encoding
    scripts = _scripts(valid)
    bad = [i for i, d in enumerate(decoded) if d is None]
    found = _legacy(b"\n".join(lines[i] for i in bad))
    candidates = ([found[0]] if found else []) + [e for e in LEGACY_ENCODINGS
                                                   if not found or e != found[0]]
    how: dict[str, int] = {}
    for i in bad:
        text, used = None, "replacement"
        if not _mostly_utf8(lines[i]):
            for encoding in candidates:
                try:
                    attempt = lines[i].decode(encoding)
                except UnicodeDecodeError:
                    continue
                if _scripts(attempt) <= scripts and not _C1.search(attempt):
                    text, used = attempt, encoding
                    break
        decoded[i] = text if text is not None else lines[i].decode("utf-8", errors="replace")
        how[used] = how.get(used, 0) + 1
    logger.warning("%s: not valid UTF-8 in %d of %d lines; read them as %s", label, len(bad),
                   len(lines), ", ".join(f"{e} ({n})" for e, n in sorted(how.items())))
    return "\n".join(d or "" for d in decoded)


_C1 = re.compile("[\x80-\x9f]")


def _fix_text(s: str) -> str:
    """Repair mojibake (ftfy) then normalise.

    ftfy works line by line (at ``\n``); a line of printable ASCII, tabs and line ends holds
    nothing it would change, so only the others go through it (a 2 MB English text: 0.9 s
    instead of 2.4 s). Control characters are not skipped: ftfy removes some that
    `normalize_text` turns into line breaks.
    """
    import ftfy

    lines = _LINES_WITH_ENDS.findall(s)  # as ftfy cuts them: each with its "\n"
    fixed = "".join(line if not _NOT_PLAIN_ASCII.search(line)
                    else ftfy.fix_text(line, unescape_html=False) for line in lines)
    return normalize_text(fixed)


_LINES_WITH_ENDS = re.compile(r"[^\n]*\n|[^\n]+\Z")
_NOT_PLAIN_ASCII = re.compile(r"[^\t\r\n\x20-\x7e]")


# --------------------------------------------------------------------------------------------
# HTML -> text (used for feed items, HTML-ish fields and as a fallback for pages)
# --------------------------------------------------------------------------------------------

_LOOKS_HTML = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9]*\b[^>]*|/[a-zA-Z][a-zA-Z0-9]*\s*)>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_BLOCK_TAGS = (
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "tr", "table", "section", "article", "pre", "hr", "dd", "dt",
)
_DROP_TAGS = (
    "head", "title", "script", "style", "noscript", "template", "nav", "aside", "form", "button",
    "figure", "figcaption", "iframe", "svg", "header", "footer",
)
_TAG_RE = re.compile(r"<[^>]*>")


def _html_to_text(markup: str, *, whole_page: bool = False) -> str:
    """Visible text of an HTML fragment or page, one block element per line."""
    import html as html_mod

    from lxml import etree
    from lxml import html as lxml_html

    markup = _XML_DECL.sub("", markup)
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


# --------------------------------------------------------------------------------------------
# Metadata (sidecar, defaults)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Meta:
    title: str | None = None
    url: str | None = None
    published: date | None = None
    source: str | None = None
    language: str | None = None

    def over(self, fallback: _Meta) -> _Meta:
        """This metadata, with gaps filled from `fallback`."""
        return _Meta(
            title=self.title or fallback.title,
            url=self.url or fallback.url,
            published=self.published or fallback.published,
            source=self.source or fallback.source,
            language=self.language or fallback.language,
        )


def _meta_from_sidecar(data: bytes, where: str) -> _Meta:
    try:
        obj = json.loads(decode_bytes(data, where))
    except json.JSONDecodeError as exc:
        logger.warning("%s: sidecar is not valid JSON (%s); ignored", where, exc)
        return _Meta()
    if not isinstance(obj, dict):
        logger.warning("%s: sidecar is not a JSON object; ignored", where)
        return _Meta()
    published = parse_published(obj.get("published"), _norm_language(obj.get("language")))
    if obj.get("published") and published is None:
        logger.warning("%s: sidecar 'published' %r is not a date; ignored", where,
                       obj.get("published"))
    return _Meta(
        title=_one_line(obj.get("title")),
        url=_one_line(obj.get("url")),
        published=published,
        source=_one_line(obj.get("source")),
        language=_norm_language(obj.get("language")),
    )


def _sidecar_names(name: str) -> tuple[str, ...]:
    """Candidate sidecar file names for article file `name`: 'a.txt.meta.json', 'a.meta.json'."""
    stem = PurePosixPath(name).stem
    names = [name + SIDECAR_SUFFIX]
    if stem and stem != name:
        names.append(stem + SIDECAR_SUFFIX)
    return tuple(names)


def _fs_sidecar(path: Path, root: Path | None = None) -> _Meta:
    for candidate in _sidecar_names(path.name):
        side = path.with_name(candidate)
        if not side.exists():
            continue
        fh, why = _open_regular(side, root if root is not None else path.parent)
        if fh is None:
            logger.warning("%s: sidecar ignored: %s", side, why)
            return _Meta()
        with fh:
            try:
                data = fh.read(SIDECAR_MAX_BYTES + 1)
            except OSError as exc:
                logger.warning("%s: cannot read sidecar (%s); ignored", side, exc)
                return _Meta()
        if len(data) > SIDECAR_MAX_BYTES:
            logger.warning("%s: sidecar larger than %d bytes; ignored", side, SIDECAR_MAX_BYTES)
            return _Meta()
        return _meta_from_sidecar(data, str(side))
    return _Meta()


# --------------------------------------------------------------------------------------------
# Reading context
# --------------------------------------------------------------------------------------------


@dataclass
class _Budget:
    """Remaining uncompressed bytes for one top-level archive (shared with nested zips)."""

    remaining: int


@dataclass(frozen=True)
class _Ctx:
    defaults: _Meta
    max_bytes: int


@dataclass(frozen=True)
class _Blob:
    """Bytes of one file (on disk or in an archive) with where it came from."""

    data: bytes
    name: str  # file name, e.g. 'b.txt' (default source)
    display: str  # e.g. 'corpus.zip!a/b.txt'
    sidecar: _Meta = field(default_factory=_Meta)


def _supported_list() -> str:
    return ", ".join(sorted(SUPPORTED_EXTENSIONS))


def _format_for(name: str) -> str | None:
    suffix = PurePosixPath(name).suffix.lower()
    return SUPPORTED_EXTENSIONS.get(suffix)


def _sniff(data: bytes) -> str | None:
    """Guess a format from content, for files without a known extension."""
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    enc = _bom(data)
    head_bytes = data[:4096]
    head = head_bytes.decode(enc or "utf-8", errors="ignore").lstrip("\ufeff \t\r\n").lower()
    if head.startswith(("<?xml", "<rss", "<feed", "<rdf:rdf")):
        if "<html" in head and not re.search(r"<(?:rss|feed|rdf:rdf)\b", head):
            return "html"
        return "feed"  # the feed reader explains what kind of XML it is if not a feed
    if head.startswith(("<!doctype html", "<html")) or \
            re.match(r"<(?:head|body|meta|title)\b", head):
        return "html"
    if head.startswith(("{", "[")):
        first_line = head.split("\n", 1)[0].strip()
        return "jsonl" if first_line.endswith("}") and head.startswith("{") else "json"
    return "txt"


def _make_article(raw_text: str, meta: _Meta, blob_name: str, display: str,
                  fmt: str) -> Article | Rejected:
    text = _fix_text(raw_text)
    if not text:
        return Rejected(display, "no text left after normalisation (empty or whitespace only)")
    source = meta.source or blob_name
    return Article(
        article_id=make_article_id(text, meta.url, meta.published, meta.language),
        text=text,
        title=_one_line(meta.title),
        url=_one_line(meta.url),
        published=meta.published,
        source=source,
        language=meta.language,
        path=display,
        format=fmt,
        excluded_spans=find_excluded_spans(text),
    )


# --------------------------------------------------------------------------------------------
# Format readers: each yields Article | Rejected for one blob
# --------------------------------------------------------------------------------------------


def _read_txt(blob: _Blob, ctx: _Ctx) -> Iterator[Article | Rejected]:
    text = decode_bytes(blob.data, blob.display)
    yield _make_article(text, blob.sidecar.over(ctx.defaults), blob.name, blob.display, "txt")


_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)",
                        re.IGNORECASE)


def _read_html(blob: _Blob, ctx: _Ctx) -> Iterator[Article | Rejected]:
    m = _META_CHARSET.search(blob.data[:8192])
    declared = m.group(1).decode("ascii", errors="ignore") if m else None
    markup = decode_bytes(blob.data, blob.display, declared=declared)
    lang_match = _HTML_LANG.search(markup[:20000])
    page = _Meta(language=_norm_language(lang_match.group(1)) if lang_match else None)
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
        page = _Meta(
            title=getattr(doc, "title", None),
            url=getattr(doc, "url", None),
            published=parse_published(getattr(doc, "date", None)),
            source=getattr(doc, "sitename", None),
            language=page.language,
        )
    if not text.strip():
        text = _html_to_text(markup, whole_page=True)
    if not text.strip():
        yield Rejected(blob.display, "HTML page has no extractable text")
        return
    meta = page.over(blob.sidecar).over(ctx.defaults)
    yield _make_article(text, meta, blob.name, blob.display, "html")


_TEXT_KEYS = ("text", "content", "body", "article")


def _record_article(obj: Any, where: str, display: str, blob: _Blob, ctx: _Ctx,
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
    if _LOOKS_HTML.search(raw):
        raw = _html_to_text(raw)
    language = fields.get("language") or fields.get("lang")
    norm_lang = _norm_language(language)
    given = fields.get("published") or fields.get("date")
    published = parse_published(given, norm_lang or ctx.defaults.language)
    if given not in (None, "") and published is None:
        return Rejected(display, f"{where}: 'published' value {str(given)[:60]!r} is not a date "
                                 "(use YYYY-MM-DD)")
    if language not in (None, "") and norm_lang is None:
        logger.warning("%s: %s: language %r is not an ISO 639 code; ignored", blob.display,
                       where, language)
    own = _Meta(
        title=_one_line(fields.get("title")),
        url=_one_line(fields.get("url") or fields.get("link")),
        published=published,
        source=_one_line(fields.get("source")),
        language=norm_lang,
    )
    return _make_article(raw, own.over(blob.sidecar).over(ctx.defaults), blob.name, display, fmt)


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


def _read_jsonl(blob: _Blob, ctx: _Ctx) -> Iterator[Article | Rejected]:
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


def _read_json(blob: _Blob, ctx: _Ctx) -> Iterator[Article | Rejected]:
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


def _read_csv(blob: _Blob, ctx: _Ctx) -> Iterator[Article | Rejected]:
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
        record = dict(zip(columns, row))
        yield _record_article(record, f"row {rownum} (line {reader.line_num})",
                              f"{blob.display}#{rownum}", blob, ctx, "csv")
    if rownum == 0:
        yield Rejected(blob.display, "CSV file has a header but no rows")


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
    text = _XML_DECL.sub("", decode_bytes(data, where))
    try:
        return DET.fromstring(text)
    except DefusedXmlException as exc:
        return ("XML declares entities or external references "
                f"({type(exc).__name__}): refused without expanding them "
                "(possible entity-expansion bomb or external entity attack)")
    except (ParseError, ValueError, LookupError):
        return f"not well-formed XML ({first_error})"


_FEED_ROOTS = {"rss": "rss", "rdf": "rss", "feed": "atom"}


def _read_feed(blob: _Blob, ctx: _Ctx) -> Iterator[Article | Rejected]:
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
    feed_meta = _Meta(source=_one_line(feed.get("title")),
                      language=_norm_language(feed.get("language")))
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
        if _LOOKS_HTML.search(body):
            body = _html_to_text(body)
        details = [*entry.get("content", []), entry.get("summary_detail") or {},
                   entry.get("title_detail") or {}]
        # the date as written (feedparser's parsed dates are in UTC: a day off near midnight)
        date_raw = (entry.get("published") or entry.get("updated") or "").strip()
        language = next((lang for d in details if (lang := _norm_language(d.get("language")))),
                        feed_meta.language)
        published = parse_published(date_raw, language) if date_raw else None
        if date_raw and published is None:
            logger.warning("%s: item %d date %r not understood; using sidecar/argument date",
                           blob.display, i, date_raw)
        own = _Meta(
            title=_one_line(_html_to_text(entry["title"])) if entry.get("title") else None,
            url=(entry.get("link") or "").strip() or None,
            published=published,
            source=_one_line((entry.get("source") or {}).get("title")),
            language=language,
        )
        meta = own.over(feed_meta).over(blob.sidecar).over(ctx.defaults)
        yield _make_article(body, meta, blob.name, display, fmt)


_READERS = {
    "txt": _read_txt,
    "html": _read_html,
    "jsonl": _read_jsonl,
    "json": _read_json,
    "csv": _read_csv,
    "feed": _read_feed,
}


def _read_blob(blob: _Blob, fmt: str | None, ctx: _Ctx) -> Iterator[Article | Rejected]:
    """Check and dispatch one file's bytes (not zips: see `_read_zip`)."""
    if not blob.data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        yield Rejected(blob.display, "empty file")
        return
    sniffed = _sniff(blob.data)
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


# --------------------------------------------------------------------------------------------
# Zip archives
# --------------------------------------------------------------------------------------------


def _unsafe_member(name: str) -> str | None:
    n = name.replace("\\", "/")
    if n.startswith("/") or re.match(r"^[A-Za-z]:", n):
        return "absolute path"
    if ".." in n.split("/"):
        return "'..' path component"
    if "\x00" in n:
        return "NUL byte in name"
    return None


def _is_noise_member(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return parts[0] == "__MACOSX" or any(p.startswith(".") for p in parts if p)


def _read_zip(source: io.BufferedReader | bytes, display: str, ctx: _Ctx, depth: int,
              budget: _Budget) -> Iterator[Article | Rejected]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        yield Rejected(display, f"not a readable zip archive ({exc})")
        return
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > ZIP_MAX_MEMBERS:
            yield Rejected(display, f"zip has {len(infos)} members, over the limit of "
                                    f"{ZIP_MAX_MEMBERS}; not read")
            return
        names = {i.filename for i in infos}
        for info in sorted(infos, key=lambda i: i.filename):
            yield from _read_zip_member(zf, info, names, display, ctx, depth, budget)


def _read_zip_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, names: set[str],
                     display: str, ctx: _Ctx, depth: int,
                     budget: _Budget) -> Iterator[Article | Rejected]:
    name = info.filename
    where = f"{display}!{name}"
    unsafe = _unsafe_member(name)
    if unsafe is not None:
        yield Rejected(where, f"unsafe member path in zip ({unsafe}); not read")
        return
    base = PurePosixPath(name.replace("\\", "/")).name
    if _is_noise_member(name) or base.endswith(SIDECAR_SUFFIX):
        return
    if stat.S_ISLNK(info.external_attr >> 16):
        yield Rejected(where, "zip member is a symbolic link; not read")
        return
    if info.flag_bits & 0x1:
        yield Rejected(where, "zip member is encrypted; not read")
        return
    fmt = _format_for(base)
    if fmt is None and PurePosixPath(base).suffix:
        yield Rejected(where, f"unsupported file type {PurePosixPath(base).suffix!r}; "
                              f"supported: {_supported_list()}")
        return
    if info.file_size > ctx.max_bytes:
        yield Rejected(where, f"member is {info.file_size} bytes uncompressed, over the "
                              f"{ctx.max_bytes}-byte limit")
        return
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > ZIP_RATIO_MIN_BYTES and ratio > ZIP_MAX_RATIO:
        yield Rejected(where, f"compression ratio {ratio:.0f}:1 exceeds {ZIP_MAX_RATIO}:1 "
                              "(possible zip bomb); not read")
        return
    if info.file_size > budget.remaining:
        yield Rejected(where, f"archive exceeds the total uncompressed limit of "
                              f"{ZIP_MAX_TOTAL_BYTES} bytes (possible zip bomb); not read")
        return
    try:
        with zf.open(info) as fh:
            data = fh.read(ctx.max_bytes + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
            RuntimeError, ValueError) as exc:
        yield Rejected(where, f"zip member cannot be read ({exc})")
        return
    if len(data) > ctx.max_bytes:
        yield Rejected(where, f"member is over the {ctx.max_bytes}-byte limit")
        return
    budget.remaining -= len(data)
    if fmt == "zip" or (fmt is None and data.startswith(b"PK\x03\x04")):
        if depth >= ZIP_MAX_DEPTH:
            yield Rejected(where, f"zip nested more than {ZIP_MAX_DEPTH} level deep; not read")
            return
        yield from _read_zip(data, where, ctx, depth + 1, budget)
        return
    sidecar = _Meta()
    parent = str(PurePosixPath(name).parent)
    for candidate in _sidecar_names(base):
        full = candidate if parent in ("", ".") else f"{parent}/{candidate}"
        if full in names:
            side_info = zf.getinfo(full)
            if side_info.file_size <= SIDECAR_MAX_BYTES:
                try:
                    with zf.open(side_info) as fh:
                        sidecar = _meta_from_sidecar(fh.read(SIDECAR_MAX_BYTES),
                                                     f"{display}!{full}")
                except (zipfile.BadZipFile, zlib.error, EOFError, OSError,
                        NotImplementedError, RuntimeError, ValueError) as exc:
                    logger.warning("%s!%s: cannot read sidecar (%s); ignored", display, full, exc)
            break
    yield from _read_blob(_Blob(data, base, where, sidecar), fmt, ctx)


# --------------------------------------------------------------------------------------------
# Files and directories
# --------------------------------------------------------------------------------------------


def _walk(directory: Path) -> Iterator[Path | Rejected]:
    """Entries under `directory`, recursively, sorted by name at each level; skips hidden
    entries and sidecars. A symlinked directory is not followed (reported)."""
    try:
        entries = sorted(directory.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        yield Rejected(str(directory), f"cannot list directory ({exc.strerror or exc})")
        return
    for entry in entries:
        if entry.name.startswith(".") or entry.name.endswith(SIDECAR_SUFFIX):
            continue
        if entry.is_symlink() and entry.is_dir():
            yield Rejected(str(entry), "symbolic link to a directory; not followed")
        elif entry.is_dir():
            yield from _walk(entry)
        else:
            yield entry


_FILE_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
               (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
               (stat.S_ISDIR, "a directory"))


def _open_regular(path: Path, root: Path | None) -> tuple[io.BufferedReader | None, str]:
    """(an open binary file, "") for a regular file, else (None, why it is not read).

    Never blocks: opened with O_NONBLOCK, so a FIFO is refused instead of waiting for a
    writer. With `root` (the input folder `path` was found in), a symbolic link must stay
    inside it: one to ``/etc/passwd`` is refused.
    """
    try:
        if root is not None and path.is_symlink():
            target = path.resolve(strict=True)
            if not target.is_relative_to(root.resolve()):
                return None, f"symbolic link to {target}, outside the input folder; not read"
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        return None, f"cannot read file ({exc.strerror or exc})"
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = next((name for test, name in _FILE_KINDS if test(mode)), "not a regular file")
        return None, f"{kind}, not a regular file; not read"
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb"), ""


def _read_path(path: Path, ctx: _Ctx, root: Path | None = None) -> Iterator[Article | Rejected]:
    display = str(path)
    if path.name.endswith(SIDECAR_SUFFIX):
        yield Rejected(display, "sidecar metadata file, not an article (it is read together "
                                "with the article it describes)")
        return
    fmt = _format_for(path.name)
    if fmt is None and path.suffix:
        yield Rejected(display, f"unsupported file type {path.suffix!r}; supported: "
                                f"{_supported_list()}")
        return
    fh, why = _open_regular(path, root)
    if fh is None:
        yield Rejected(display, why)
        return
    with fh:
        try:
            size = os.fstat(fh.fileno()).st_size
            if fmt == "zip" or (fmt is None and fh.read(4) == b"PK\x03\x04"):
                fh.seek(0)
                yield from _read_zip(fh, display, ctx, 0, _Budget(ZIP_MAX_TOTAL_BYTES))
                return
            if size > ctx.max_bytes:
                yield Rejected(display, f"file is {size} bytes, over the {ctx.max_bytes}-byte "
                                        "limit (max_bytes)")
                return
            fh.seek(0)
            data = fh.read(ctx.max_bytes + 1)
        except OSError as exc:
            yield Rejected(display, f"cannot read file ({exc.strerror or exc})")
            return
    if len(data) > ctx.max_bytes:
        yield Rejected(display, f"file is over the {ctx.max_bytes}-byte limit (max_bytes)")
        return
    yield from _read_blob(_Blob(data, path.name, display, _fs_sidecar(path, root)), fmt, ctx)


def iter_articles(
    paths: Iterable[str | Path] | str | Path,
    *,
    published: date | None = None,
    language: str | None = None,
    max_bytes: int = 10_000_000,
) -> Iterator[Article | Rejected]:
    """Yield an `Article` or a `Rejected` for everything found in `paths` (files or directories,
    directories walked recursively in sorted order). Never raises for bad input, never writes.

    `published` and `language` are fallbacks used when neither the article's metadata nor a
    sidecar gives them. `max_bytes` limits each file (and each zip member, uncompressed).
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    if isinstance(published, datetime):
        published = published.date()
    default_language = _norm_language(language)
    if language is not None and default_language is None:
        logger.warning("language argument %r is not an ISO 639 code; ignored", language)
    ctx = _Ctx(defaults=_Meta(published=published, language=default_language),
               max_bytes=max_bytes)
    for p in paths:
        path = Path(p)
        root: Path | None = None
        if path.is_dir():
            files: Iterable[Path | Rejected] = _walk(path)
            root = path
        elif path.exists() or path.is_symlink():
            files = [path]
        else:
            yield Rejected(str(path), "no such file or directory")
            continue
        for file in files:
            if isinstance(file, Rejected):
                yield file
                continue
            try:
                yield from _read_path(file, ctx, root)
            except Exception as exc:  # one bad file must not stop the others
                logger.exception("%s: unexpected error while reading", file)
                yield Rejected(str(file), f"unexpected error while reading "
                                          f"({type(exc).__name__}: {exc})")


def read_articles(paths: Iterable[str | Path] | str | Path, **kwargs: Any
                  ) -> tuple[list[Article], list[Rejected]]:
    """`iter_articles` collected into (articles, rejected)."""
    articles: list[Article] = []
    rejected: list[Rejected] = []
    for item in iter_articles(paths, **kwargs):
        (articles if isinstance(item, Article) else rejected).append(item)
    return articles, rejected

