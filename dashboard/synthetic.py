"""Seeded synthetic events (Iraq and Syria) for tests, benchmarks and screenshots.

Vectorised, so a million rows take seconds. Every frame goes through
:func:`extract.schema.validate_events`. Not used by the app itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from extract.schema import PIPELINE_VERSION, SUB_EVENT_PARENT, make_event_id, validate_events

# (location, admin1, country, iso, lat, lon)
PLACES: tuple[tuple[str, str, str, str, float, float], ...] = (
    ("Baghdad", "Baghdad", "Iraq", "IRQ", 33.3152, 44.3661),
    ("Mosul", "Ninawa", "Iraq", "IRQ", 36.3400, 43.1300),
    ("Basra", "Basra", "Iraq", "IRQ", 30.5081, 47.7835),
    ("Kirkuk", "Kirkuk", "Iraq", "IRQ", 35.4681, 44.3922),
    ("Fallujah", "Anbar", "Iraq", "IRQ", 33.3500, 43.7833),
    ("Ramadi", "Anbar", "Iraq", "IRQ", 33.4258, 43.2992),
    ("Tikrit", "Salah al-Din", "Iraq", "IRQ", 34.6000, 43.6833),
    ("Erbil", "Erbil", "Iraq", "IRQ", 36.1900, 44.0089),
    ("Aleppo", "Aleppo", "Syria", "SYR", 36.2021, 37.1343),
    ("Damascus", "Damascus", "Syria", "SYR", 33.5138, 36.2765),
    ("Homs", "Homs", "Syria", "SYR", 34.7324, 36.7137),
    ("Idlib", "Idlib", "Syria", "SYR", 35.9306, 36.6339),
    ("Raqqa", "Ar-Raqqa", "Syria", "SYR", 35.9528, 39.0079),
    ("Deir ez-Zor", "Deir-ez-Zor", "Syria", "SYR", 35.3359, 40.1408),
)
ACTORS = (
    "Military Forces of Iraq", "Islamic State (Iraq)", "Popular Mobilization Forces",
    "Military Forces of Syria", "Hayat Tahrir al-Sham", "Syrian Democratic Forces",
    "Civilians (Iraq)", "Civilians (Syria)", "Protesters (Iraq)", "Police Forces of Iraq",
)
SOURCES = ("AFP", "Reuters", "Le Monde", "Al Jazeera", "RFI")
XSS = "<img src=x onerror=alert(1)>"


def synthetic_events(n: int, seed: int = 0, *, start: str = "2024-01-01", days: int = 365,
                     jitter: float = 0.0, xss: bool = False) -> pd.DataFrame:
    """``n`` valid events; ``jitter`` (degrees) spreads points around each place.

    With ``xss=True`` the first event's actor, location, notes and sentence carry an HTML
    injection attempt, to check that every view shows it as text.
    """
    rng = np.random.default_rng(seed)
    subs = list(SUB_EVENT_PARENT)
    sub_idx = rng.integers(0, len(subs), n)
    sub = np.array([s.value for s in subs], dtype=object)[sub_idx]
    typ = np.array([SUB_EVENT_PARENT[s].value for s in subs], dtype=object)[sub_idx]
    place_idx = rng.integers(0, len(PLACES), n)
    places = pd.DataFrame(PLACES, columns=["location", "admin1", "country", "iso", "lat", "lon"])
    p = places.iloc[place_idx].reset_index(drop=True)
    actors = np.array(ACTORS, dtype=object)
    a1 = actors[rng.integers(0, len(actors), n)]
    a2 = np.where(rng.random(n) < 0.6, actors[rng.integers(0, len(actors), n)], "")
    dates = pd.Timestamp(start) + pd.to_timedelta(rng.integers(0, days, n), unit="D")
    fat = rng.poisson(1.5, n) * (rng.random(n) < 0.5)
    article = np.char.add("art-", (np.arange(n) // 3).astype(str))
    offsets = (np.arange(n) % 3) * 200
    ids = [make_event_id(a, int(o), int(o) + 120, str(seed))
           for a, o in zip(article, offsets, strict=True)]
    lat = p["lat"].to_numpy() + (rng.normal(0, jitter, n) if jitter else 0.0)
    lon = p["lon"].to_numpy() + (rng.normal(0, jitter, n) if jitter else 0.0)
    sentence = [f"{t} involving {x} reported in {loc}." for t, x, loc in
                zip(sub, a1, p["location"], strict=True)]
    df = pd.DataFrame({
        "event_id": ids,
        "event_date": dates,
        "time_precision": 1,
        "event_type": typ,
        "sub_event_type": sub,
        "actor1": a1,
        "actor2": a2,
        "country": p["country"],
        "iso": p["iso"],
        "admin1": p["admin1"],
        "location": p["location"],
        "latitude": np.clip(lat, -90, 90),
        "longitude": np.clip(lon, -180, 180),
        "geo_precision": rng.integers(1, 4, n),
        "fatalities": fat,
        "notes": "",
        "source": np.array(SOURCES, dtype=object)[rng.integers(0, len(SOURCES), n)],
        "source_url": [f"https://news.example.org/{a}" for a in article],
        "article_id": article,
        "language": np.where(rng.random(n) < 0.5, "fr", "en"),
        "sentence": sentence,
        "char_start": offsets,
        "char_end": offsets + 120,
        "confidence": np.round(rng.uniform(0.3, 1.0, n), 3),
        "is_background": rng.random(n) < 0.05,
        "pipeline_version": PIPELINE_VERSION,
    })
    if xss and n:
        df.loc[0, ["actor1", "location", "notes"]] = [f"Militia {XSS}", f"Town {XSS}",
                                                      f"Note {XSS}"]
        df.loc[0, "sentence"] = f"Clashes near Town {XSS} with Militia {XSS}."
        df.loc[0, "is_background"] = False
    return validate_events(df)
