"""Excluded spans: line-level rules (``EXCLUSION_RULES``) that mark character ranges of a
text that are not reporting of events (photo captions and credits, "Lire aussi"/"Read
more" cross-links, share buttons, source/copyright/tag footers)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ExclusionRule:
    """A line-level pattern: a line of the text matching `pattern` is excluded as `label`."""

    label: str
    pattern: re.Pattern[str]
    description: str


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
