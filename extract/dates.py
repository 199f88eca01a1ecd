"""Event dates from French, English and Arabic sentences.

Date phrases are found with the patterns below (explicit dates, weekdays, "hier",
"yesterday", "la semaine dernière"...) and resolved against the article's publication date.
Without a publication date, relative phrases stay unresolved (``None``): never "today".
:func:`dateline_date` reads the publication date a dispatch gives in its dateline, for
articles whose metadata has none.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, replace

from extract.schema import TimePrecision

logger = logging.getLogger(__name__)

_MONTHS = {
    # French
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
    # English
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    # Arabic (Levantine/Iraqi and Egyptian/Gulf month names)
    "كانون الثاني": 1, "يناير": 1, "شباط": 2, "فبراير": 2, "آذار": 3, "مارس": 3,
    "نيسان": 4, "أبريل": 4, "ابريل": 4, "أيار": 5, "مايو": 5, "حزيران": 6, "يونيو": 6,
    "تموز": 7, "يوليو": 7, "آب": 8, "أغسطس": 8, "أيلول": 9, "سبتمبر": 9,
    "تشرين الأول": 10, "أكتوبر": 10, "تشرين الثاني": 11, "نوفمبر": 11,
    "كانون الأول": 12, "ديسمبر": 12,
}
_WEEKDAYS = {
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5,
    "dimanche": 6, "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
    "saturday": 5, "sunday": 6, "الاثنين": 0, "الإثنين": 0, "الثلاثاء": 1, "الأربعاء": 2,
    "الاربعاء": 2, "الخميس": 3, "الجمعة": 4, "السبت": 5, "الأحد": 6, "الاحد": 6,
}
_MONTH_RE = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_WEEKDAY_RE = "|".join(sorted((re.escape(d) for d in _WEEKDAYS), key=len, reverse=True))

_EXPLICIT = re.compile(
    rf"(?P<dmy>\b(?P<d1>[0-3]?\d)(?:er|st|nd|rd|th)?\s+(?P<m1>{_MONTH_RE})\.?(?:,?\s+(?P<y1>\d{{4}}))?)"
    rf"|(?P<mdy>\b(?P<m2>{_MONTH_RE})\.?\s+(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?(?:,?\s+(?P<y2>\d{{4}}))?\b)"
    r"|(?P<iso>\b(?P<y3>\d{4})-(?P<m3>\d{2})-(?P<d3>\d{2})\b)",
    re.IGNORECASE)
_RANGE = re.compile(
    rf"\b(?:(?:between|from|entre|du)\s+)?(?P<d1>[0-3]?\d)(?:er|st|nd|rd|th)?\s*"
    rf"(?:-|–|to|and|au|et|and the)\s*(?P<d2>[0-3]?\d)(?:er|st|nd|rd|th)?\s+"
    rf"(?P<m>{_MONTH_RE})\.?(?:,?\s+(?P<y>\d{{4}}))?", re.IGNORECASE)
_MONTH_YEAR = re.compile(rf"\b(?:en\s+|in\s+)?(?P<m>{_MONTH_RE})\s+(?P<y>\d{{4}})\b", re.IGNORECASE)
_RELATIVE_DAY = re.compile(
    r"\b(?P<word>aujourd['’]hui|avant-hier|hier|today|yesterday|cette nuit|ce matin|"
    r"overnight|tonight|this morning|last night)\b|(?P<ar>أمس|اليوم|أول أمس)", re.IGNORECASE)
_WEEKDAY = re.compile(
    rf"(?P<prefix>\b(?:ce|cette|on|last|this|dernier|يوم)\s+)?(?P<day>{_WEEKDAY_RE})"
    r"(?P<suffix>\s+(?:dernier|pass[ée]|last))?\b", re.IGNORECASE)
_LAST_WEEK = re.compile(r"\b(la semaine (derni[èe]re|pass[ée]e)|last week|الأسبوع الماضي)", re.IGNORECASE)
_LAST_MONTH = re.compile(r"\b(le mois (dernier|pass[ée])|last month|الشهر الماضي)", re.IGNORECASE)


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    date: dt.date | None
    precision: TimePrecision
    explicit: bool  # a calendar date, not relative to publication


def _year_for(month: int, day: int, published: dt.date | None) -> int | None:
    """The year of "14 janvier" without a year: the latest one not after publication."""
    if published is None:
        return None
    year = published.year
    try:
        candidate = dt.date(year, month, day)
    except ValueError:
        return None
    return year - 1 if candidate > published + dt.timedelta(days=1) else year


def find_dates(sentence: str, published: dt.date | None) -> list[DateMention]:
    """Every date phrase of ``sentence``, resolved against ``published`` when relative."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match[str], date: dt.date | None, precision: TimePrecision,
            explicit: bool) -> None:
        if any(s < m.end() and m.start() < e for s, e in taken):
            return
        taken.append((m.start(), m.end()))
        found.append(DateMention(m.start(), m.end(), m.group(0), date, precision, explicit))

    for m in _RANGE.finditer(sentence):
        # "6-7 May", "between 4 and 6 May 2023", "du 6 au 8 mai": ACLED dates an event known
        # only within a few days at the range's last day, with week precision
        mo = _MONTHS[m.group("m").lower()]
        d = int(m.group("d2"))
        y = int(m.group("y")) if m.group("y") else _year_for(mo, d, published)
        try:
            date = dt.date(y, mo, d) if y else None
        except ValueError:
            continue
        same_day = int(m.group("d1")) == d
        add(m, date, TimePrecision.DAY if same_day else TimePrecision.WEEK, True)
    for m in _EXPLICIT.finditer(sentence):
        if m.group("iso"):
            y, mo, d = int(m.group("y3")), int(m.group("m3")), int(m.group("d3"))
        else:
            mo = _MONTHS[(m.group("m1") or m.group("m2")).lower()]
            d = int(m.group("d1") or m.group("d2"))
            year = m.group("y1") or m.group("y2")
            y = int(year) if year else _year_for(mo, d, published)
        try:
            date = dt.date(y, mo, d) if y else None
        except ValueError:
            continue
        add(m, date, TimePrecision.DAY, True)
    for m in _MONTH_YEAR.finditer(sentence):
        add(m, dt.date(int(m.group("y")), _MONTHS[m.group("m").lower()], 1),
            TimePrecision.MONTH, True)
    for m in _RELATIVE_DAY.finditer(sentence):
        word = (m.group("word") or m.group("ar") or "").lower()
        offset = 2 if word in ("avant-hier", "أول أمس") else (
            1 if word in ("hier", "yesterday", "last night", "أمس") else 0)
        date = published - dt.timedelta(days=offset) if published else None
        add(m, date, TimePrecision.DAY, False)
    for m in _WEEKDAY.finditer(sentence):
        weekday = _WEEKDAYS[m.group("day").lower()]
        date = None
        if published is not None:
            back = (published.weekday() - weekday) % 7
            if back == 0 and (m.group("suffix") or "").strip().lower() in ("dernier", "last",
                                                                           "passé", "passe"):
                back = 7
            date = published - dt.timedelta(days=back)
        add(m, date, TimePrecision.DAY, False)
    for pattern, days, precision in ((_LAST_WEEK, 7, TimePrecision.WEEK),
                                     (_LAST_MONTH, 30, TimePrecision.MONTH)):
        for m in pattern.finditer(sentence):
            add(m, published - dt.timedelta(days=days) if published else None, precision, False)
    found.sort(key=lambda d: d.start)
    return [_qualified(sentence, d) for d in found]


# What a coder writes beside a date it is unsure of: "On 5 March 2024 (month of)",
# "Around 12 March", "on or about 3 May", "vers le 4 juin", "(semaine du)"
_WEEK_OF = re.compile(r"^\s*\((?:week of|semaine du|semaine de)\)", re.IGNORECASE)
_MONTH_OF = re.compile(r"^\s*\((?:month of|mois de|mois du)\)", re.IGNORECASE)
_AROUND = re.compile(r"(?:\b(?:around|about|circa|approximately|on or about|on or around|"
                     r"vers le|aux alentours du|autour du)\s+(?:the\s+)?)$", re.IGNORECASE)


def _qualified(sentence: str, mention: DateMention) -> DateMention:
    """A day the writer qualifies is known to the week or the month, as ACLED codes it:
    "(month of)" gives month precision, "(week of)" and "around" week precision."""
    if mention.precision is not TimePrecision.DAY:
        return mention
    after = sentence[mention.end:mention.end + 20]
    if _MONTH_OF.match(after):
        return replace(mention, precision=TimePrecision.MONTH)
    if _WEEK_OF.match(after) or _AROUND.search(sentence[max(0, mention.start - 24):
                                                        mention.start]):
        return replace(mention, precision=TimePrecision.WEEK)
    return mention


_DATELINE_HEAD = re.compile(
    r"^[^\n]{0,80}?(?:—|–|--| - |\(\w[\w .-]{0,30}\)\s*[—–-]?)", re.MULTILINE)


def dateline_date(text: str, lines: int = 4) -> dt.date | None:
    """The date a dispatch gives in its dateline ("BAGDAD, 12 mars 2024 (AFP) —",
    "KIRKUK, Iraq, Feb 7, 2024 (Wire) —"): an explicit calendar date with its year, in the
    head of one of the first ``lines`` lines; ``None`` when there is none."""
    seen = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        seen += 1
        if seen > lines:
            break
        head = _DATELINE_HEAD.match(line)
        if head is None:
            continue
        for mention in find_dates(head.group(0), None):
            if mention.explicit and mention.date is not None and \
                    mention.precision is TimePrecision.DAY:
                return mention.date
    return None
