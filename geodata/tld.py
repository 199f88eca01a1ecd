"""The country a news site is from, read off its address's country-code top-level domain.

``country_of_url("https://www.cbc.ca/news/...") == "CA"``; ``.uk`` is GB; generic domains
(``.com``, ``.org``) and country codes sold as generic ones (``.tv``, ``.io``, ``.co``, ...)
say nothing (``""``). A source's country is a prior for the places its articles name: a
Canadian paper's "Edmonton" is in Alberta, an English local paper's in north London.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

# Country codes marketed as generic domains: their sites can be from anywhere.
GENERIC_USE = frozenset({"ai", "am", "cc", "co", "fm", "gg", "io", "la", "ly", "me", "ms",
                         "nu", "sh", "tk", "to", "tv", "vc", "ws", "xyz"})
_SPECIAL = {"uk": "GB"}


def country_of_url(url: str | None) -> str:
    """ISO 3166-1 alpha-2 code of the site's country-code domain, or ``""``."""
    if not url:
        return ""
    try:
        host = urlsplit(url.strip() if "//" in url else "//" + url.strip()).hostname or ""
    except ValueError:
        return ""
    label = host.rstrip(".").rsplit(".", 1)[-1].lower()
    if len(label) != 2 or label in GENERIC_USE:
        return ""
    return _SPECIAL.get(label) or _iso_country(label)


@lru_cache(maxsize=512)
def _iso_country(code: str) -> str:
    import pycountry

    country = pycountry.countries.get(alpha_2=code.upper())
    return country.alpha_2 if country is not None else ""
