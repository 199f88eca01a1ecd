"""Reported fatalities of one sentence, in English, French and Arabic, as ACLED counts them.

ACLED's conventions (codebook, "Reported fatalities"): the most conservative figure reported
(the low end of a range, "at least 5" is 5); "tens" 10, "dozens" 12, "hundreds" 100; a
plural without a number ("several killed") 3; deaths of every side are counted together.
Counts of distinct groups add up ("three soldiers and one civilian were killed" is 4); a
count introduced as part of another ("including two children", "dont deux enfants") does
not. Injuries are never counted. "No one was killed" is 0; a sentence that says nothing of
deaths gives ``None``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS_EN = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "single": 1, "lone": 1,
}
_UNITS_FR = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14,
    "quinze": 15, "seize": 16, "vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50,
    "soixante": 60, "septante": 70, "octante": 80, "nonante": 90,
}
_UNITS_AR = {
    "واحد": 1, "واحدة": 1, "اثنين": 2, "اثنان": 2, "اثنتين": 2, "ثلاثة": 3, "ثلاث": 3,
    "أربعة": 4, "اربعة": 4, "أربع": 4, "خمسة": 5, "خمس": 5, "ستة": 6, "ست": 6, "سبعة": 7,
    "سبع": 7, "ثمانية": 8, "ثماني": 8, "تسعة": 9, "تسع": 9, "عشرة": 10, "عشر": 10,
    "عشرين": 20, "عشرون": 20, "ثلاثين": 30, "أربعين": 40, "خمسين": 50, "مئة": 100,
    "مائة": 100,
}
# Vague quantities, coded as ACLED codes them.
_VAGUE = {
    "dozens": 12, "dozens of": 12, "a dozen": 12, "tens": 10, "tens of": 10, "scores": 20,
    "scores of": 20, "hundreds": 100, "hundreds of": 100, "thousands": 1000,
    "thousands of": 1000, "several": 3, "a number of": 3, "some": 3, "a few": 3, "few": 3,
    "multiple": 3, "many": 10, "numerous": 10, "an unknown number of": 3,
    "an unspecified number of": 3,
    "des dizaines de": 10, "des dizaines": 10, "dizaines de": 10, "une dizaine de": 10,
    "une dizaine": 10, "une vingtaine de": 20, "une vingtaine": 20, "une trentaine de": 30,
    "une cinquantaine de": 50, "une centaine de": 100, "une centaine": 100,
    "des centaines de": 100, "des centaines": 100, "plusieurs": 3, "quelques": 3,
    "de nombreux": 10, "de nombreuses": 10, "nombreux": 10,
    "عشرات": 10, "عشرات من": 10, "مئات": 100, "مئات من": 100, "عدة": 3, "عدد من": 3,
}
_MULTIPLIERS = {"hundred": 100, "thousand": 1000, "dozen": 12, "cent": 100, "cents": 100,
                "mille": 1000}
_HEDGES = (r"(?:(?:at least|at most|about|around|approximately|nearly|almost|some|more than|"
           r"over|up to|roughly|an estimated|as many as|a total of|no fewer than|"
           r"no less than|a further|another|an additional|au moins|environ|près de|pres de|"
           r"plus de|quelque|jusqu'à|jusqu’à|un total de|ما لا يقل عن|نحو|حوالي|أكثر من|"
           r"اكثر من|قرابة)\s+)")
_WORD_NUMBER = "|".join(sorted(map(re.escape, {*_UNITS_EN, *_UNITS_FR, *_UNITS_AR,
                                               *_MULTIPLIERS}), key=len, reverse=True))
_VAGUE_RE = "|".join(sorted(map(re.escape, _VAGUE), key=len, reverse=True))
_DIGITS = r"\d{1,3}(?:[,.\u066c ]\d{3})+(?!\d)|\d+"
_ONE_NUMBER = (rf"(?:{_DIGITS}|(?:{_VAGUE_RE})(?!\w)|(?:{_WORD_NUMBER})"
               rf"(?:[- ](?:and[- ])?(?:{_WORD_NUMBER}))*)")
NUMBER = (rf"(?P<num>{_HEDGES}?(?P<low>{_ONE_NUMBER})"
          rf"(?:\s*(?:-|–|to|or|à|ou|إلى)\s*(?:{_ONE_NUMBER}))?)")
_NUM_ONLY = re.compile(rf"{_HEDGES}?(?P<low>{_ONE_NUMBER})", re.IGNORECASE)

# Words between a count and its verb: "six civils qui ramassaient des truffes ont été tués",
# "four people, including civilians, were killed" (never an injury word: "3 soldiers were
# wounded and 2 killed" is not 3 killed).
_WORDS = (r"(?:(?!(?:injured|wounded|hurt|bless[ée]e?s?|and|et)\b)(?!\d)[\w'’-]+[,;]?\s+)"
          r"{0,6}?")
_BE = (r"(?:(?:were|was|are|is|have been|has been|had been|being|got|been|reportedly|"
       r"allegedly|also|all|later|subsequently|confirmed|reported|ont été|a été|ont|sont|"
       r"avaient été|auraient été|aurait été|seraient|a|sont morts|ont péri)\s+){0,3}")
_DEATH_EN = (r"(?:killed|dead|died|slain|massacred|executed|beheaded|shot dead|shot and killed|"
             r"lost their lives|lost his life|lost her life|murdered|perished|burned to death|"
             r"burnt to death|hacked to death|beaten to death|stabbed to death|lynched|"
             r"assassinated|gunned down|drowned|fatalities|fatality|deaths|death)"
             r"(?![\s-]+(?:sentences?|threats?|penalty|row|squads?|warrants?|certificates?|"
             r"march|toll)\b)")
_DEATH_FR = (r"(?:tu[ée]s?|tu[ée]es|morts?|mortes|d[ée]c[ée]d[ée]e?s?|abattue?s?|"
             r"ex[ée]cut[ée]e?s?|assassin[ée]e?s?|massacr[ée]e?s?|[ée]gorg[ée]e?s?|p[ée]ri|"
             r"d[ée]capit[ée]e?s?|lynch[ée]e?s?|victimes mortelles|d[ée]c[èe]s)")
_DEATH_AR = r"(?:قتلى|قتيلا|قتيل|شهداء|شهيدا|شهيد|ضحايا|جثث|جثة)"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(p, re.IGNORECASE)) for kind, p in (
        # "three soldiers and one civilian were killed", "10 dead", "deux soldats ont été tués"
        ("list", rf"(?<![\w-]){NUMBER}\s+{_WORDS}{_BE}(?:{_DEATH_EN}|{_DEATH_FR})\b"),
        # "killing three soldiers", "leaving 5 dead", "faisant 3 morts", "tuant deux civils"
        ("after", r"\b(?P<verb>killing|killed|kill|kills|leaving|left|claiming|claimed|"
                  r"massacring|massacred|executing|executed|beheading|beheaded|murdering|"
                  r"murdered|slaughtering|slaughtered|shooting dead|shot dead|gunning down|"
                  r"gunned down|tuant|tu[ée]|tuent|faisant|fait|causant|caus[ée]|"
                  r"provoquant|provoqu[ée]|co[ûu]t[ée] la vie [àa]|coûtant la vie [àa]|"
                  r"ex[ée]cutant|ex[ée]cut[ée]|abattant|abattu|massacrant|massacr[ée]|"
                  r"assassinant|assassin[ée])\s+" + NUMBER),
        # "the death toll rose to 12", "le bilan s'élève à 7 morts"
        ("toll", r"\b(?:death toll|toll|bilan(?: provisoire| officiel| humain)?|"
                 r"nombre de morts|number of (?:dead|deaths|people killed|fatalities))"
                 r"\s+(?:[\w'’]+\s+){0,4}?" + NUMBER),
        # a note's count: "Fatalities: 6", "deaths - 3", "morts : 2"
        ("toll", r"\b(?:fatalities|deaths|dead|killed|morts|tu[ée]s|قتلى)\s*[:=–-]\s*"
                 + NUMBER),
        # "the deaths of 4 people", "la mort de trois soldats", "the bodies of 3 men"
        ("after", (r"\b(?:deaths? of|killing of|killings of|murder of|mort de|morts de|"
                   r"d[ée]c[èe]s de|bodies of|corpses of|remains of|corps de|cadavres de)\s+"
                   + NUMBER)),
        # "3 bodies were found", "les corps de deux hommes"
        ("list", (rf"(?<![\w-]){NUMBER}\s+(?:dead\s+|lifeless\s+|decomposed\s+)?"
                  r"(?:bodies|corpses|cadavres|corps sans vie)\b")),
        # Arabic: "مقتل ثلاثة مدنيين", "أودى بحياة 5", "5 قتلى"
        ("after", r"(?:مقتل|قتل|استشهاد|مصرع|سقوط|أودى بحياة|أودت بحياة|وقوع)\s+" + NUMBER),
        ("list", rf"{NUMBER}\s+{_DEATH_AR}"),
        # Arabic verb first, its subject before the count: "قتل مسلحون مجهولون ثلاثة مدنيين"
        ("after", r"(?:قتل|قتلت|أعدم|أعدمت|اغتال|اغتالت)\s+(?:[\u0600-\u06ff]+\s+){0,3}?"
                  + NUMBER + r"(?=\s+(?:مدني|مدنيين|مدنيا|أشخاص|شخصا|أشخاصا|عناصر|عنصرا|جنود|"
                  r"جنديا|مقاتلين|مقاتلا|مسلحين|أطفال|نساء|رجال|مواطنين))"),
    ))
# "killing a member", "killing him", "a soldier was killed", "un soldat a été tué"
_ONE = re.compile(
    r"\b(?:killing|killed|kill|shooting dead|shot dead|executing|executed|beheading|"
    r"beheaded|murdering|murdered|tuant|tu[ée]|abattant|abattu)\s+(?:him|her|a|an|one|"
    r"the|his|its|un|une|le|la|l['’])\b(?!\s+(?:number|total|dozen|few|series|number of))"
    r"|\b(?:a|an|one|the|un|une|le|la)\s+(?:[\w'’-]+\s+){1,3}?(?:was|is|has been|had been|"
    r"a été|est|fut)\s+(?:also\s+|reportedly\s+|later\s+)?(?:killed|shot dead|murdered|"
    r"executed|beheaded|assassinated|lynched|tu[ée]e?|abattue?|ex[ée]cut[ée]e?|"
    r"assassin[ée]e?)\b"
    r"|\b(?:a|an|one)\s+(?!(?:second|third|fourth|fifth|further|other|another)\b)"
    r"(?:[\w'’-]+\s+){1,3}?died\b", re.IGNORECASE)
_NONE = re.compile(
    r"\b(?:no (?:one|fatalities|casualties|deaths|injuries or deaths|one was (?:killed|hurt|"
    r"injured))|no-one|nobody was (?:killed|hurt)|without (?:casualties|fatalities)|"
    r"(?:were|was) no (?:casualties|fatalities|deaths|reports of casualties)|"
    r"aucune victime|pas de victimes?|sans faire de victimes?|n['’]a fait aucune victime|"
    r"aucun mort|aucun bless[ée])\b|دون وقوع إصابات|لا إصابات|دون خسائر", re.IGNORECASE)
_SUBSET = re.compile(r"(?:including|among them|of whom|of which|among whom|among the dead|"
                     r"dont|parmi eux|parmi lesquels|parmi les morts|بينهم|منهم)\s*(?:\w+\s+)?$",
                     re.IGNORECASE)
# "leaving 5 injured", "faisant 3 blessés": what a count after these verbs is.
_STATE_VERBS = frozenset({"leaving", "left", "faisant", "fait", "causant", "causé", "cause",
                          "provoquant", "provoqué", "provoque"})
_SUBSET_WORD = re.compile(r"\b(?:including|among them|of whom|among whom|dont|parmi eux|"
                          r"parmi lesquels)\b|بينهم|منهم", re.IGNORECASE)
_INJURED_AFTER = re.compile(r"^\s+(?:(?!and\b|et\b)[\w'’-]+\s+){0,2}?(?:injured|wounded|hurt|"
                            r"bless[ée]e?s?)", re.IGNORECASE)
# After "killing three soldiers": the next count of the list ("and two civilians").
_LIST_GLUE = re.compile(rf"^(?:\s+[^\W\d][\w'’-]*){{0,3}}?\s*(?:,\s*and|,|and|as well as|plus|"
                        rf"et|ainsi que|و)\s*(?:{NUMBER}|(?P<article>an?))(?=\s)", re.IGNORECASE)
_SOURCE_AFTER = re.compile(r"(?:\s+[^\W\d][\w'’-]*){1,4}?\s+(?:said|says|told|reported|"
                           r"added|according|a dit|a indiqué|selon)\b", re.IGNORECASE)
# Inside "three soldiers and one civilian were killed": the counts after the first.
_DEATH_WORD = re.compile(rf"\b{_DEATH_EN}\b|\b{_DEATH_FR}\b", re.IGNORECASE)
_INNER_COUNT = re.compile(rf"(?:,\s*and|,|and|as well as|et|ainsi que|و)\s*{NUMBER}(?=\s)",
                          re.IGNORECASE)
_BETWEEN = re.compile(rf"\b(?:between|entre)\s+(?P<a>{_ONE_NUMBER})\s+(?:and|et)\s+"
                      rf"(?P<b>{_ONE_NUMBER})\b", re.IGNORECASE)
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


@dataclass(frozen=True)
class _Count:
    start: int
    end: int
    value: int
    toll: bool
    subset: bool


def number_value(phrase: str) -> int | None:
    """The value of a number phrase: "12", "1,200", "twenty-five", "two hundred", "a dozen",
    "dozens" (12), "at least 5" (5), "5 to 10" (5, the low end)."""
    m = _NUM_ONLY.match(phrase.strip().translate(_ARABIC_DIGITS))
    if m is None:
        return None
    return _value(m.group("low"))


def _value(text: str) -> int | None:
    t = text.lower().strip()
    if t in _VAGUE:
        return _VAGUE[t]
    digits = re.sub(r"[,.\u066c ]", "", t)
    if digits.isdigit():
        return int(digits)
    total = current = 0
    for word in re.split(r"[- ]+", t):
        if word == "and":
            continue
        if word in _MULTIPLIERS:
            current = max(current, 1) * _MULTIPLIERS[word]
            if _MULTIPLIERS[word] >= 1000:
                total, current = total + current, 0
            continue
        unit = _UNITS_EN.get(word) or _UNITS_FR.get(word) or _UNITS_AR.get(word)
        if unit is None:
            return None
        current += unit
    return total + current or None


def find_fatalities(sentence: str) -> int | None:
    """Fatalities the sentence reports (see the module doc), or ``None``."""
    text = _BETWEEN.sub(r"\g<a> to \g<b>", sentence.translate(_ARABIC_DIGITS))
    counts: list[_Count] = []
    for kind, pattern in _PATTERNS:
        for m in _search_all(pattern, text):
            value = _value(m.group("low"))
            if value is None:
                continue
            verb = (m.groupdict().get("verb") or "").lower()
            if verb in _STATE_VERBS and _INJURED_AFTER.match(text[m.end():]):
                continue  # "leaving 5 injured"
            total, end = value, m.end()
            if kind == "after":  # "killing three soldiers and two civilians"
                while (glue := _LIST_GLUE.match(text[end:])) and (
                        more := 1 if glue.group("article") else _value(glue.group("low"))
                        ) is not None and not (
                        # "killing four fighters, a war monitor said": a comma and "a"
                        # begin the source, not one more dead ("and a civilian" adds one)
                        glue.group("article") and _SOURCE_AFTER.match(
                            text[end + glue.end():])) and not (
                        _INJURED_AFTER.match(text[end + glue.end():])
                        or _DEATH_WORD.search(glue.group(0))):
                    total += more
                    end += glue.end()
            elif kind == "list":  # "three soldiers and one civilian were killed"
                total = value + _listed_before(text, m.start("num")) + sum(
                    _value(g.group("low")) or 0
                    for g in _INNER_COUNT.finditer(text, m.end("num"), m.end()))
            counts.append(_Count(m.start(), end, total, kind == "toll",
                                 bool(_SUBSET.search(text[max(0, m.start() - 40):m.start()]))))
    for m in _ONE.finditer(text):
        if not any(c.start <= m.start() < c.end or m.start() <= c.start < m.end()
                   for c in counts):
            counts.append(_Count(m.start(), m.end(), 1, False,
                                 bool(_SUBSET.search(text[max(0, m.start() - 40):m.start()]))))
    if not counts:
        return 0 if _NONE.search(text) else None
    if any(c.toll for c in counts):
        return max(c.value for c in counts)
    kept: list[_Count] = []
    for c in sorted(counts, key=lambda c: (c.start, -(c.end - c.start))):
        if c.subset or any(k.start <= c.start < k.end for k in kept):
            continue
        if kept and _SUBSET_WORD.search(text, kept[0].end, c.start):
            continue  # "163 were killed, including 31 soldiers ..., and 45 citizens"
        kept.append(c)
    return sum(c.value for c in kept) if kept else max(c.value for c in counts)


def _search_all(pattern: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """Non-overlapping matches of ``pattern``, a year ("in 2019 ten people died") never
    standing for a count: the search goes on right after it."""
    out: list[re.Match[str]] = []
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        low = m.group("low")
        if low.isdigit() and len(low) == 4 and 1900 <= int(low) <= 2100:
            pos = m.end("low")
            continue
        out.append(m)
        pos = max(m.end(), pos + 1)
    return out


def _listed_before(text: str, start: int) -> int:
    """Counts coordinated before the one at ``start``: "three soldiers and [one civilian]"."""
    total = 0
    head = text[:start]
    while m := re.search(rf"{NUMBER}\s+(?:[\w'’-]+\s+){{0,2}}?(?:,\s*and|,|and|et|و)\s*$",
                         head, re.IGNORECASE):
        value = _value(m.group("low"))
        if value is None:
            break
        total += value
        head = head[:m.start()]
    return total

