"""Bytes to text: BOMs, UTF-8 (also mixed with a legacy encoding line by line), legacy
single-byte encodings by charset-normalizer, mojibake repaired by ftfy; binaries refused and
formats sniffed from content."""

from __future__ import annotations

import logging
import re
import unicodedata

from extract.textnorm import normalize_text

logger = logging.getLogger(__name__)


# Legacy single-byte encodings tried (by charset-normalizer) when bytes are not UTF-8. cp1250 is
# left out on purpose: it wins over cp1252 on French text and mangles è, ù and friends.
LEGACY_ENCODINGS: tuple[str, ...] = (
    "cp1252", "cp1251", "cp1256", "cp1254", "koi8_r", "iso8859_6", "cp1255", "iso8859_7",
)
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


def fix_text(s: str) -> str:
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


def sniff(data: bytes) -> str | None:
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
