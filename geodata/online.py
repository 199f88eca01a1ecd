"""An optional online geocoder: any geopy service behind a rate limiter and an on-disk cache.

Off by default: Conflict Atlas geocodes offline with :class:`geodata.GazetteerGeocoder`.
A user who wants an online fallback opts in explicitly::

    from geodata.online import CachedOnlineGeocoder
    online = CachedOnlineGeocoder.nominatim(user_agent="my-project (me@example.org)")

Each distinct query reaches the service at most once (answers, including "no result", are
cached in SQLite), and never faster than ``min_delay_seconds`` apart (geopy's
``RateLimiter``; Nominatim's usage policy asks for at most one request per second).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any

from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geodata.paths import cache_dir

logger = logging.getLogger(__name__)


class CachedOnlineGeocoder:
    """``geocode`` of a wrapped geopy geocoder, rate-limited and cached on disk."""

    def __init__(self, geocoder: Geocoder, *, cache_path: str | Path | None = None,
                 min_delay_seconds: float = 1.0, max_retries: int = 2) -> None:
        self.geocoder = geocoder
        self.cache_path = Path(cache_path) if cache_path else cache_dir() / "online-geocode.sqlite"
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.cache_path, check_same_thread=False)
        self._conn.execute("CREATE TABLE IF NOT EXISTS answers "
                           "(service TEXT, request TEXT, answer TEXT, PRIMARY KEY (service, request))")
        self._lock = threading.Lock()
        self._limited = RateLimiter(geocoder.geocode, min_delay_seconds=min_delay_seconds,
                                    max_retries=max_retries, swallow_exceptions=False)
        self.service = type(geocoder).__name__

    @classmethod
    def nominatim(cls, *, user_agent: str, **kwargs: Any) -> CachedOnlineGeocoder:
        """Nominatim (OpenStreetMap) with the given identifying user agent."""
        from geopy.geocoders import Nominatim

        return cls(Nominatim(user_agent=user_agent), **kwargs)

    def geocode(self, query: str, **kwargs: Any) -> Location | None:
        """Like geopy's ``geocode`` with ``exactly_one=True``; ``None`` when not found or when
        the service fails (the failure is logged, not cached)."""
        if not isinstance(query, str) or not query.strip():
            return None
        request = json.dumps([query.strip(), kwargs], sort_keys=True, ensure_ascii=False,
                             default=str)
        with self._lock:
            row = self._conn.execute("SELECT answer FROM answers WHERE service=? AND request=?",
                                     (self.service, request)).fetchone()
        if row is not None:
            return _decode(row[0])
        try:
            found = self._limited(query.strip(), exactly_one=True, **kwargs)
        except GeopyError as exc:
            logger.warning("online geocoder %s failed for %r: %s", self.service, query, exc)
            return None
        answer = None if found is None else json.dumps(
            {"address": found.address, "lat": found.latitude, "lon": found.longitude,
             "raw": found.raw}, ensure_ascii=False, default=str)
        with self._lock:
            self._conn.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?)",
                               (self.service, request, answer))
            self._conn.commit()
        return found

    def close(self) -> None:
        self._conn.close()


def _decode(answer: str | None) -> Location | None:
    if answer is None:
        return None
    data = json.loads(answer)
    return Location(data["address"], (data["lat"], data["lon"]), data["raw"])
