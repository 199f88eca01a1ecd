"""Text normalisation shared by every reader.

`normalize_text` is pure and idempotent: ``normalize_text(normalize_text(s)) == normalize_text(s)``.
Offsets that later stages compute (sentences, excluded spans, entities) refer to the normalised
text, so every reader runs its output through this function exactly once.

What it does, in order:

1. Unicode NFC.
2. Line endings (``\\r\\n``, ``\\r``, U+2028, U+2029, U+0085, form feed, vertical tab) -> ``\\n``.
3. Typographic apostrophes and single/double quotes -> ASCII ``'`` and ``"``
   (French guillemets « » are kept as they are: they are meaningful and ASCII has no equivalent).
4. Non-breaking and other odd spaces (U+00A0, U+202F, U+2000..U+200A, U+3000, ...) and tabs ->
   a plain space; zero-width spaces and stray BOMs are removed (ZWJ/ZWNJ are kept: they matter
   in Persian and Arabic script); other C0/C1 control characters are removed.
5. Runs of spaces collapse to one space; spaces at the start and end of each line are stripped.
6. Two or more blank lines collapse to a single blank line; leading/trailing blank lines go.
7. NFC again (removing a zero-width character can bring a base letter next to its combining mark).
"""

from __future__ import annotations

import re
import unicodedata

_LINE_BREAKS = re.compile(r"\r\n|[\r\u2028\u2029\u0085\x0b\x0c]")

# str.translate tables are immutable in use (never mutated after construction).
_CHAR_MAP: dict[int, str | None] = {
    # apostrophes and single quotes
    0x2019: "'", 0x2018: "'", 0x02BC: "'", 0x201B: "'", 0x201A: "'", 0x2032: "'",
    0xFF07: "'",
    # double quotes (guillemets « » deliberately absent)
    0x201C: '"', 0x201D: '"', 0x201E: '"', 0x201F: '"', 0x2033: '"', 0xFF02: '"',
    # spaces
    0x0009: " ", 0x00A0: " ", 0x1680: " ", 0x202F: " ", 0x205F: " ", 0x3000: " ",
    **{cp: " " for cp in range(0x2000, 0x200B)},
    # invisible characters that carry no meaning in news text
    0x200B: None, 0xFEFF: None, 0x2060: None, 0x00AD: None,
}
# Remaining control characters (except \n, which is handled separately) are dropped.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
_SPACE_RUNS = re.compile(r" {2,}")
_LINE_EDGE_SPACES = re.compile(r"^ +| +$", re.MULTILINE)
_BLANK_RUNS = re.compile(r"\n{3,}")


def normalize_text(s: str) -> str:
    """Return the normalised form of `s` (see the module docstring). Pure and idempotent."""
    text = unicodedata.normalize("NFC", s)
    text = _LINE_BREAKS.sub("\n", text)
    text = text.translate(_CHAR_MAP)
    text = _CONTROL_CHARS.sub("", text)
    text = _SPACE_RUNS.sub(" ", text)
    text = _LINE_EDGE_SPACES.sub("", text)
    text = _BLANK_RUNS.sub("\n\n", text)
    text = text.strip("\n")
    return unicodedata.normalize("NFC", text)
