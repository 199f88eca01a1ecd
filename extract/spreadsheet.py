"""Text cells that are safe to open in a spreadsheet.

A spreadsheet evaluates a cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (and
some do so after leading spaces or control characters, or for the full-width forms); a
value read from an article, a title or a file name can be made to start that way
(OWASP's "CSV injection"). :func:`guard` puts an apostrophe before such a value, as OWASP
advises, and :func:`unguard` takes it off again: ``unguard(guard(v)) == v`` for every
string, so a table written this way reads back unchanged.

:func:`clean_cell` also replaces the control characters that XML (so XLSX) cannot hold, and
lone surrogates that UTF-8 cannot encode, with U+FFFD; tab, line feed and carriage return are
kept (a CSV writer must then quote the cell: see :data:`CSV_LINE_TERMINATOR`).
"""

from __future__ import annotations

import re

#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
#: Characters a spreadsheet may skip before it sees a formula start.
_SKIPPED = re.compile(r"^[\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060\ufeff]*")
#: Control characters XML 1.0 cannot hold, and lone surrogates.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: With ``\r\n`` as the line terminator, Python's csv writer quotes every cell holding a
#: carriage return or a line feed (with ``\n`` alone, a bare ``\r`` is left unquoted and a
#: spreadsheet starts a new row at it).
CSV_LINE_TERMINATOR = "\r\n"


def is_formula_text(value: str) -> bool:
    """True when a spreadsheet would evaluate ``value`` (what never reaches one unguarded)."""
    if value[:1] in ("\t", "\r", "\n"):
        return True
    rest = _SKIPPED.sub("", value, count=1)
    return rest[:1] in FORMULA_STARTS


def needs_guard(value: str) -> bool:
    """True when a spreadsheet could evaluate ``value`` (or when it already starts with the
    apostrophe :func:`guard` adds, so that :func:`unguard` can tell the two apart)."""
    while value.startswith("'"):
        value = value[1:]
        if is_formula_text(value):
            return True
    return is_formula_text(value)


def guard(value: str) -> str:
    """``value`` with a leading apostrophe when a spreadsheet could evaluate it."""
    return "'" + value if needs_guard(value) else value


def unguard(value: str) -> str:
    """The inverse of :func:`guard`."""
    if value.startswith("'") and needs_guard(value[1:]):
        return value[1:]
    return value


def clean_cell(value: str) -> str:
    """``value`` without the characters a spreadsheet file cannot hold, then guarded."""
    return guard(_ILLEGAL.sub("\ufffd", value))
