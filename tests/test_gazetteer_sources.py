"""The committed derived gazetteer data (geodata/data: WOF places, GeoNames admin-2 units,
natural features, country points) and what the index makes of it: one place per GeoNames
id, villages, districts, physical features, standard points, spelling-aware lookups."""

from __future__ import annotations

import csv

import pyarrow.parquet as pq
import pytest

from geodata import GazetteerGeocoder
from geodata.distance import haversine_km
from geodata.paths import PACKAGE_DATA

WOF_COUNTRIES = {"IQ", "SY", "YE", "LY", "ML", "BF", "NE", "NG", "TD", "CM", "SD", "SS", "CD",
                 "SO", "AF", "UA", "PS", "LB", "IL", "ET", "MZ", "MM", "CF", "PK", "JO", "TR",
                 "EG", "DZ", "TN", "IR", "AZ", "AM"}


@pytest.fixture(scope="module")
def geocoder() -> GazetteerGeocoder:
    return GazetteerGeocoder()


def test_wof_places_file():
    table = pq.read_table(PACKAGE_DATA / "wof_places.parquet")
    assert table.num_rows > 650_000
    rows = table.select(["wof_id", "gn_id", "country_code", "lat", "lon", "feature_class",
                         "admin1_code", "names"]).to_pylist()
    assert len({r["wof_id"] for r in rows}) == len(rows)
    assert {r["country_code"] for r in rows} == WOF_COUNTRIES
    assert all(-90 <= r["lat"] <= 90 and -180 <= r["lon"] <= 180 for r in rows)
    assert {r["feature_class"] for r in rows} >= {"city", "admin2", "military_base"}
    assert all(r["gn_id"] >= 0 for r in rows)  # WOF's -1 ("no GeoNames record") is no id
    assert sum(r["gn_id"] > 0 for r in rows) > 0.95 * len(rows)
    assert sum(bool(r["admin1_code"]) for r in rows) > 0.85 * len(rows)
    assert any("fr:" in r["names"] for r in rows) and any("ar:" in r["names"] for r in rows)


def test_admin2_and_natural_and_country_point_files():
    admin2 = pq.read_table(PACKAGE_DATA / "admin2.parquet").to_pylist()
    assert len(admin2) > 40_000 and all(r["code"].count(".") == 2 for r in admin2)
    placed = [r for r in admin2 if r["lat"] is not None]
    assert placed and all(r["point_source"].startswith("wof:") for r in placed)
    natural = pq.read_table(PACKAGE_DATA / "natural.parquet").to_pylist()
    assert len({r["id"] for r in natural}) == len(natural)
    codes = {r["feature_code"] for r in natural}
    assert {"ISL", "SEA", "GULF", "STRT", "LK", "STM", "MTS", "DSRT", "PLAT", "DLTA",
            "RGN"} <= codes
    with (PACKAGE_DATA / "country_points.csv").open(encoding="utf-8") as fh:
        points = {r["country_code"]: (float(r["lat"]), float(r["lon"]))
                  for r in csv.DictReader(fh)}
    assert len(points) > 190 and points["CA"] == pytest.approx((60.10867, -113.64258))


def test_one_place_per_geonames_id(geocoder):
    gaz = geocoder.gazetteer
    mosul = gaz.get("gn:99072")  # a GeoNames city that WOF also has
    assert mosul is not None and mosul.source == "geonames"
    names = {r[0] for r in gaz._query("SELECT name FROM names WHERE rid = ?", (mosul.rid,))}
    assert "Mossoul" in names  # its WOF French name merged into it
    twins = [p for p, km in gaz.within(mosul.lat, mosul.lon, 5.0, ["city"])
             if p.name == mosul.name and p.id != mosul.id]
    assert twins == []


def test_wof_records_of_one_geonames_place_are_one_place(geocoder):
    from collections import defaultdict

    from geodata.names import fold

    rows = pq.read_table(PACKAGE_DATA / "wof_places.parquet",
                         columns=["gn_id", "name", "feature_class"]).to_pylist()
    by_gid = defaultdict(set)
    for r in rows:
        if r["gn_id"] > 0 and r["feature_class"] == "city":
            by_gid[r["gn_id"]].add(r["name"])
    gid, names = next((g, n) for g, n in sorted(by_gid.items())
                      if len({fold(x) for x in n}) > 1)
    place = geocoder.gazetteer.get(f"gn:{gid}")
    keys = {r[0] for r in geocoder.gazetteer._query("SELECT key FROM names WHERE rid = ?",
                                                    (place.rid,))}
    assert {fold(n) for n in names} <= keys


def test_villages_districts_and_features(geocoder):
    # A village of Who's On First that cities500 does not have (no population recorded).
    village = geocoder.gazetteer._query(
        "SELECT name, country_code, lat, lon FROM places WHERE source = 'wof' "
        "AND feature_class = 'city' AND country_code = 'SY' ORDER BY rid LIMIT 1")[0]
    found = geocoder.geocode(village[0], country_codes=["SY"], exactly_one=False, limit=None)
    assert any(haversine_km(f.latitude, f.longitude, village[2], village[3]) < 1 for f in found)
    district = geocoder.geocode("Sinjar", feature_classes=["admin2"])  # GeoNames' unit
    assert district.raw["country_code"] == "IQ" and district.raw["point_source"] == "wof:421186449"
    for name, lat, lon in (("Lake Chad", 13.0, 14.5), ("Euphrates", 33.5, 43.2),
                           ("Bab el-Mandeb", 12.6, 43.4), ("Sinai", 29.5, 33.9),
                           ("Mount Hermon", 33.4, 35.9), ("Tora Bora", 34.1, 70.2),
                           ("Jebel Marra", 13.0, 24.3), ("Persian Gulf", 26.5, 52.0)):
        loc = geocoder.geocode(name)
        assert loc is not None and haversine_km(loc.latitude, loc.longitude, lat, lon) < 200, \
            (name, loc and loc.raw)


@pytest.mark.parametrize("name, lat, lon", [
    ("United States", 39.76, -98.5), ("Canada", 60.10867, -113.64258),
    ("Japan", 35.68536, 139.75309), ("Russia", 60.0, 100.0), ("Indonesia", -5.0, 120.0)])
def test_countries_at_geonames_points(geocoder, name, lat, lon):
    loc = geocoder.geocode(name)
    assert loc.raw["feature_class"] == "country" and loc.raw["point_source"] == "geonames"
    assert haversine_km(loc.latitude, loc.longitude, lat, lon) < 1


def test_point_sources_in_raw(geocoder):
    assert geocoder.geocode("Europe").raw["point_source"] == "geonames"
    assert geocoder.geocode("Middle East").raw["point_source"].startswith("geonames:")
    assert geocoder.geocode("Queensland").raw["point_source"] == "polygon-centroid"


@pytest.mark.parametrize("query, lat, lon", [
    ("Maaret Misrine", 36.01, 36.67), ("Tal Tamer", 36.66, 40.37),
    ("Jourf al-Sakhr", 32.87, 44.19), ("Hammam al-Alil", 36.16, 43.26),
    ("Ras Lanouf", 30.52, 18.57), ("Kourakhove", 47.99, 37.28),
    ("Houliaïpole", 47.67, 36.26), ("Vovtchansk", 50.29, 36.94), ("El-Daein", 11.46, 26.13),
    ("Tin-Zaouatene", 19.95, 2.97), ("Tchassiv Iar", 48.59, 37.83)])
def test_french_press_spellings(geocoder, query, lat, lon):
    """The issue's French press spellings of conflict places."""
    loc = geocoder.geocode(query, language="fr")
    assert loc is not None and haversine_km(loc.latitude, loc.longitude, lat, lon) < 25, \
        loc and loc.raw


def test_spelling_levels(geocoder):
    # A spelling no source has: found only by a close transliteration key.
    assert geocoder.geocode("Kourakhome", country_codes=["UA"]) is None  # default: translit
    loc = geocoder.geocode("Kourakhome", country_codes=["UA"], spelling="fuzzy")
    assert loc is not None and loc.raw["match"] == "fuzzy" and 0.7 <= loc.raw["similarity"] < 1
    assert haversine_km(loc.latitude, loc.longitude, 47.99, 37.28) < 25
    # A fuzzy reading never beats an exact one: a name some place has exactly is read so.
    exact = geocoder.geocode("Erbil")
    assert exact.raw["match"] == "exact" and exact.raw["similarity"] == 1.0
    assert geocoder.geocode("Xqzvwpt") is None
    with pytest.raises(ValueError, match="spelling"):
        geocoder.geocode("Erbil", spelling="loose")
