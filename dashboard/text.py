"""Showing article text safely: highlighted sentences and checked links.

:func:`highlight` returns HTML in which every piece of article text went through
:func:`html.escape`; only the ``<mark>`` tags it adds are markup. :func:`safe_url` keeps
``http(s)`` links only (no ``javascript:``).
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

KIND_COLORS = {"place": "#ffe08a", "actor": "#c8e1ff", "date": "#d4f5d0", "span": "#f3d9fa"}


def spans(sentence: str, terms: dict[str, list[str]]) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, kind) spans where any term occurs (case-insensitive)."""
    found: list[tuple[int, int, str]] = []
    for kind, words in terms.items():
        for word in words:
            word = (word or "").strip()
            if len(word) < 2:
                continue
            for m in re.finditer(re.escape(word), sentence, flags=re.IGNORECASE):
                found.append((m.start(), m.end(), kind))
    found.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    out: list[tuple[int, int, str]] = []
    end = -1
    for start, stop, kind in found:
        if start >= end:
            out.append((start, stop, kind))
            end = stop
    return out


def highlight(sentence: str, terms: dict[str, list[str]]) -> str:
    """``sentence`` as escaped HTML with each term wrapped in a coloured ``<mark>``."""
    pieces: list[str] = []
    pos = 0
    for start, stop, kind in spans(sentence, terms):
        pieces.append(html.escape(sentence[pos:start]))
        color = KIND_COLORS.get(kind, "#eee")
        pieces.append(f'<mark style="background:{color}" title="{html.escape(kind)}">'
                      f"{html.escape(sentence[start:stop])}</mark>")
        pos = stop
    pieces.append(html.escape(sentence[pos:]))
    return "".join(pieces)


def safe_url(url: str) -> str | None:
    """``url`` if it is an absolute http(s) link, else None."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url
    return None


_MD_SPECIAL = set("\\`*_{}[]()<>#+-.!|~$:=&")


def escape_markdown(text: str) -> str:
    """``text`` shown literally by ``st.markdown`` (no links, images, HTML or directives)."""
    out = []
    for ch in str(text):
        if ch in _MD_SPECIAL:
            out.append("\\" + ch)
        elif ch in "\r\n":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)
