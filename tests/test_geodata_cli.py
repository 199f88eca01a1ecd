import json
import subprocess
import sys

import pytest
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from conflict_atlas.cli import main
from geodata.online import CachedOnlineGeocoder


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_geocode_json_ranked(capsys):
    code, out, _ = run(capsys, "geocode", "Bagdad", "--lang", "fr", "--json")
    assert code == 0
    rows = json.loads(out)
    assert rows[0]["name"] == "Baghdad" and rows[0]["country_code"] == "IQ"
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)


def test_geocode_table_and_hints(capsys):
    code, out, _ = run(capsys, "geocode", "Tripoli", "--country", "LB")
    assert code == 0 and "Lebanon" in out.splitlines()[0]
    code, out, _ = run(capsys, "geocode", "Tripoli", "--near", "33.89,35.50", "--json")
    assert json.loads(out)[0]["country_code"] == "LB"


@pytest.mark.parametrize("query", ["Qwxzzy Nowhere", "   "])
def test_geocode_unknown_exits_1_with_message(capsys, query):
    code, out, err = run(capsys, "geocode", query)
    assert code == 1 and err.strip() and out == ""


def test_reverse_json(capsys):
    code, out, _ = run(capsys, "reverse", "33.31", "44.36", "--json")
    assert code == 0
    raw = json.loads(out)
    assert raw["country_code"] == "IQ" and raw["admin1_code"] == "IQ.07"


@pytest.mark.parametrize("lat,lon,message", [
    ("abc", "44", "not a number"), ("95", "44", "out of range"), ("nan", "1", "finite"),
    ("10", "200", "out of range"),
])
def test_reverse_malformed(capsys, lat, lon, message):
    code, _, err = run(capsys, "reverse", lat, lon)
    assert code == 2 and message in err


def test_reverse_at_sea_exits_1(capsys):
    code, out, err = run(capsys, "reverse", "-40", "-30", "--json")
    assert code == 1 and out.strip() == "null" and "no country" in err


def test_console_script_entry_point():
    out = subprocess.run([sys.executable, "-m", "conflict_atlas", "geocode", "Erbil", "--json"],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    assert json.loads(out)[0]["country_code"] == "IQ"


class CountingGeocoder(Geocoder):
    """An in-process stand-in for a web service: counts how often it is asked."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def geocode(self, query, exactly_one=True, **kwargs):
        self.calls.append(query)
        if query == "Nowhere":
            return None
        return Location(f"{query}, Somewhere", (1.5, 2.5), {"q": query})


def test_online_geocoder_caches_on_disk(tmp_path):
    service = CountingGeocoder()
    online = CachedOnlineGeocoder(service, cache_path=tmp_path / "c.sqlite", min_delay_seconds=0)
    first = online.geocode("Baghdad")
    assert (first.latitude, first.longitude) == (1.5, 2.5)
    assert online.geocode("Baghdad").raw == {"q": "Baghdad"}
    assert online.geocode("Nowhere") is None and online.geocode("Nowhere") is None
    assert online.geocode("  ") is None
    assert service.calls == ["Baghdad", "Nowhere"]
    online.close()
    reopened = CachedOnlineGeocoder(service, cache_path=tmp_path / "c.sqlite",
                                    min_delay_seconds=0)
    assert reopened.geocode("Baghdad").address == "Baghdad, Somewhere"
    assert service.calls == ["Baghdad", "Nowhere"]


def test_online_fallback_only_when_offline_has_nothing(tmp_path):
    from geodata import GazetteerGeocoder

    service = CountingGeocoder()
    online = CachedOnlineGeocoder(service, cache_path=tmp_path / "c.sqlite", min_delay_seconds=0)
    geocoder = GazetteerGeocoder(online_fallback=online)
    assert geocoder.geocode("Bagdad").raw["id"] == "gn:98182"
    assert service.calls == []  # the gazetteer answered: no network
    found = geocoder.geocode("Qwxzzy Hamlet")
    assert found.address == "Qwxzzy Hamlet, Somewhere"
    assert geocoder.geocode("Qwxzzy Hamlet", exactly_one=False)[0].raw == {"q": "Qwxzzy Hamlet"}
    assert service.calls == ["Qwxzzy Hamlet"]  # asked once, then cached
    assert GazetteerGeocoder().online_fallback is None  # off by default


def test_index_is_named_by_what_it_is_built_from(monkeypatch, tmp_path):
    from geodata import paths

    monkeypatch.delenv("CONFLICT_ATLAS_GAZETTEER", raising=False)
    name = paths.default_index_path().name
    assert name == f"gazetteer-{paths.INDEX_VERSION}-{paths.index_fingerprint()}.sqlite"
    assert len(paths.index_fingerprint()) == 12
    monkeypatch.setenv("CONFLICT_ATLAS_GAZETTEER", str(tmp_path / "g.sqlite"))
    assert paths.default_index_path() == tmp_path / "g.sqlite"


def test_the_index_lives_in_the_platforms_user_cache(tmp_path, monkeypatch):
    from geodata import paths

    monkeypatch.delenv("CONFLICT_ATLAS_GAZETTEER", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert paths.default_index_path().parent == tmp_path / "conflict-atlas"


def test_a_build_keeps_recent_indexes_of_other_code(tmp_path):
    """An index another installation built recently stays (deleting it made two checkouts
    of different code rebuild in turn); one older than STALE_INDEX_DAYS goes."""
    import os
    import time

    from geodata.build import STALE_INDEX_DAYS, remove_stale_indexes

    keep = tmp_path / "gazetteer-2-new.sqlite"
    recent = tmp_path / "gazetteer-2-other.sqlite"
    old = tmp_path / "gazetteer-1-old.sqlite"
    unrelated = tmp_path / "notes.txt"
    for p in (keep, recent, old, unrelated):
        p.write_bytes(b"x")
    now = time.time()
    os.utime(old, (now, now - (STALE_INDEX_DAYS + 1) * 86400))
    os.utime(unrelated, (now, now - (STALE_INDEX_DAYS + 1) * 86400))
    assert remove_stale_indexes(keep, now=now) == [old]
    assert keep.exists() and recent.exists() and unrelated.exists() and not old.exists()
