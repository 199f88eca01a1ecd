"""Given names, to tell a person's name from a place's in text no NER model has read.

English runs without an English spaCy model (none is on the package index), so "Laura
Ingraham", "Charlie Chen" or "Keith said" would otherwise read as Laura (Louisiana), Chen
(Taiwan) and Keith (Scotland). The given names come from Faker's person providers: curated
first-name lists (several built from national name statistics), maintained upstream and
installed as a package, never downloaded at run time.
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Iterable

from geodata.names import fold

logger = logging.getLogger(__name__)

# Locales whose news this tool reads in Latin script, and whose lists are first names only
# (some of Faker's other locales mix in titles or place-like words).
LOCALES = ("en_US", "en_GB", "en_IE", "en_NZ", "fr_FR", "es_ES", "es_MX", "it_IT", "de_DE",
           "pt_BR", "nl_NL")
_FIELDS = ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary")
_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")


def load_given_names(locales: Iterable[str] = LOCALES) -> frozenset[str]:
    """Folded given names of ``locales`` (one word each)."""
    locales = tuple(locales)
    names: set[str] = set()
    for locale in locales:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ImportError:
            logger.warning("no Faker person provider for locale %r", locale)
            continue
        for field in _FIELDS:
            values = provider.__dict__.get(field)
            if isinstance(values, (dict, list, tuple)):
                names.update(fold(n) for n in values if _WORD.fullmatch(n))
    logger.info("given names: %d from %d locales", len(names), len(locales))
    return frozenset(names)
