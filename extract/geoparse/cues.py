"""The words around a place name: cues for the kind of place it is ("la province de X",
"X airport"), metonyms (a capital that speaks for its government) and locative words ("in",
"near", "près de") after which a capitalised name is a place."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from spacy.tokens import Doc

from extract.geoparse.model import Mention

# Cue phrases right before a name, and the feature classes they call for.
_CUES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = tuple(
    (re.compile(pattern + r"\s*$", re.IGNORECASE), classes) for pattern, classes in (
        ((r"\b(a[ée]roport|airport|a[ée]rodrome|airfield|مطار)\b\s*(?:[\w'’-]+\s+){0,2}?"
          r"(\bde\b|\bd['’]|\bof\b|\bin\b|\bà\b)?"), ("airport", "military_base")),
        ((r"\b(base|bases|camp|garrison|garnison|caserne|قاعدة)\b\s*(?:[\w'’-]+\s+){0,2}?"
          r"(\bde\b|\bd['’]|\bof\b|\bat\b|\bin\b|\bà\b)?"), ("military_base", "airport")),
        ((r"\b(provinces?|gouvernorats?|governorates?|r[ée]gions?|wilayas?|muhafazat|"
          r"states?|[ée]tats?|oblasts?|departments?|d[ée]partements?|محافظة|محافظات|ولاية)"
          r"\b\s*(?:[\w'’-]+\s+){0,2}?(\bde\b|\bd['’]|\bdu\b|\bof\b)"), ("admin1", "region")),
        ((r"\b(districts?|county|counties|comt[ée]s?|cercles?|qadaa?|قضاء)\b"
          r"\s*(?:[\w'’-]+\s+){0,1}?(\bde\b|\bd['’]|\bdu\b|\bof\b)?"), ("admin2",)),
        (r"\b(ville|city|town|village|localit[ée]|مدينة|بلدة|قرية)\b\s*(\bde\b|\bd['’]|\bof\b)?",
         ("city",)),
    ))
_POST_CUES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = tuple(
    (re.compile(r"\s+(?:" + pattern + r")\b", re.IGNORECASE), classes) for pattern, classes in (
        (r"provinces?|governorates?|regions?|states?|oblasts?", ("admin1", "region")),
        # "New York Gov. Andrew Cuomo", "the Alberta legislature": a state's institutions
        (r"gov|governor|lt\.?\s+gov|legislature|premier", ("admin1",)),
        (r"districts?|county|counties", ("admin2",)),
        (r"(?:international\s+)?airports?|airfields?", ("airport", "military_base")),
        (r"air\s*bases?|bases?|garrisons?", ("military_base", "airport")),
    ))
# A coordinated list continues the cue: "les provinces de Bagdad et Babil".
_LIST_GLUE = re.compile(r"^\s*(,|et|and|ou|or|و)\s*(de\s+|d['’]\s*|of\s+)?$", re.IGNORECASE)
# A place used as its government: "Washington n'a pas caché", "Moscow said".
_METONYM_FOLLOWER = re.compile(
    r"^\W{0,3}(?:[\w'’]+\s+){0,4}?(?:n['’]\s*)?"
    r"(dit|d[ée]clar|annonc|affirm|accus|d[ée]menti|d[ée]nonc|cach|estim|consid[ée]r|menac"
    r"|appel|exig|r[ée]clam|condamn|averti|pr[ée]vient|insist|souhait|veut|voulait|refus"
    r"|said|says|announc|claim|accus|deni|deny|warn|demand|condemn|insist|want|refus|hid"
    r"|urg|blam|stat|argu|believ|call|insist|respond|react|threat|reject|support|back"
    r"|comment|promi|promet|r[ée]ag|protest|vow|pledg|object|welcom|salu|critiqu|critici)",
    re.IGNORECASE)
_LOCATIVE_BEFORE = re.compile(r"(?:^|\s)(?:in|at|near|outside|à|dans|près de|في)\s+$",
                              re.IGNORECASE)
# Arabic puts the verb first: "وتتهم أنقرة" (and Ankara accuses).
_METONYM_PRECEDER = re.compile(
    r"(?:^|\s)[وف]?(?:قالت|تقول|أعلنت|تعلن|نفت|تنفي|أكدت|تؤكد|حذرت|تحذر|طالبت|تطالب|اتهمت|تتهم"
    r"|رفضت|ترفض|هددت|تهدد|دعت|تدعو|أدانت|تدين|ردت|ترد)\s+$")
LOCAL_CUES = {"in", "at", "near", "outside", "around", "toward", "towards", "into", "à",
               "au", "aux", "près", "vers", "dans", "village", "villages", "town", "localité",
               "ville", "bourgade"}
# "de"/"of" is a locative only after a word of place or direction ("près de", "à l'est de",
# "the village of", "north of").
LOCAL_OF = {"de", "d'", "d’", "du", "of"}
LOCAL_LIST = {"and", "et", ",", "or", "ou"}
LOCAL_BEFORE_OF = {"près", "proche", "nord", "sud", "est", "ouest", "environs", "village",
                    "villages", "ville", "villes", "localité", "localités", "région",
                    "district", "province", "gouvernorat", "towns", "cities",
                    "north", "south", "east", "west", "outskirts", "town", "city",
                    "governorate", "northeast", "northwest", "southeast", "southwest",
                    "nord-est", "nord-ouest", "sud-est", "sud-ouest", "centre", "periphery",
                    "control", "contrôle", "capture", "siege", "siège", "prise"}
_LOCATIVE = {"in", "at", "near", "outside", "across", "around", "throughout", "from"}


def after_locative(doc: Doc, start: int) -> bool:
    """The token before ``start`` is a locative preposition ("in Shelby", "at Heathrow")."""
    return start > 0 and doc[start - 1].lower_ in _LOCATIVE


PLACE_WORDS = {"north", "south", "east", "west", "northern", "southern", "eastern", "western",
                "central", "upper", "lower", "new", "old", "greater", "saint", "st", "san",
                "santa", "lake", "mount", "port", "fort", "cape", "province", "state", "city"}


def cue_classes(text: str, start: int, previous: Sequence[tuple[int, tuple[str, ...]]] = (),
                end: int | None = None) -> tuple[str, ...]:
    """Feature classes the words around a mention call for ("" when none): before it
    ("la province de X", "l'aéroport de X") or after it ("X province", "X airport").

    ``previous`` holds (end offset, classes) of earlier mentions, so that a list
    ("les provinces de Bagdad et Babil") carries its cue to every member.
    """
    before = text[max(0, start - 60):start]
    for pattern, classes in _CUES:
        if pattern.search(before):
            return classes
    if end is not None:
        for pattern, classes in _POST_CUES:
            if pattern.match(text, end):
                return classes
    if previous:
        end, classes = previous[-1]
        if classes and end <= start and _LIST_GLUE.match(text[end:start]):
            return classes
    return ()


def is_metonym(text: str, mention: Mention, candidates: Sequence[dict[str, Any]]) -> bool:
    """A capital, a country or a seat of government that speaks or acts: "Washington n'a
    pas caché", "The Pentagon said".

    ``candidates`` are the mention's best readings: if any is a country, a capital or one of
    the gazetteer's seats of government (buildings), the name can stand for a government.
    """
    if not any(c.get("feature_class") == "country" or c.get("feature_code") in ("PPLC", "BLDG")
               for c in candidates[:3]):
        return False
    if _METONYM_FOLLOWER.match(text[mention.end:mention.end + 40]):
        # "rallied in Harare to demand", "à Bamako pour exiger": a place where people act,
        # not a government that speaks
        return not _LOCATIVE_BEFORE.search(text[max(0, mention.start - 12):mention.start])
    return bool(_METONYM_PRECEDER.search(text[max(0, mention.start - 25):mention.start]))
