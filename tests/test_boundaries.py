"""Tests for geodata.boundaries and the committed boundary files."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import pytest
import shapely

from geodata.boundaries import AdminArea, Boundaries, validate_point
from geodata.paths import PACKAGE_DATA

# Natural Earth's German point of view folds these ISO 3166-1 entries into their parent
# country (French overseas departments into France, Svalbard and Bouvet into Norway,
# Christmas/Cocos into Australia's Indian Ocean Territories, ...): measured, 2026-11.
NOT_IN_NATURAL_EARTH = {"BQ", "BV", "CC", "CX", "GF", "GP", "MQ", "RE", "SJ", "TK", "YT"}
# Measured share of admin-1 units with a GeoNames code: 4345 / 4602 = 94.4 %.
MIN_MATCH_RATE = 0.93

COUNTRY_COLUMNS = {"iso_a2", "iso_a3", "name", "name_fr", "name_ar", "names", "label_lat",
                   "label_lon", "geometry"}
ADMIN1_COLUMNS = {"iso_a2", "iso_3166_2", "name", "alt_names", "geonames_code", "geonameid",
                  "label_lat", "label_lon", "geometry"}


@pytest.fixture(scope="module")
def boundaries() -> Boundaries:
    return Boundaries()


# ---------------------------------------------------------------------- reverse


@pytest.mark.parametrize(("lat", "lon", "code", "iso"), [
    (34.01485, 44.14574, "IQ.18", "IQ-SD"),  # Balad, Salah ad-Din
    (32.46367, 44.41963, "IQ.06", "IQ-BB"),  # Hillah, Babil
    (36.19117, 44.00943, "IQ.11", "IQ-AR"),  # Erbil
    (33.34, 44.40, "IQ.07", "IQ-BG"),        # Baghdad
])
def test_iraqi_governorates(boundaries: Boundaries, lat: float, lon: float, code: str,
                            iso: str) -> None:
    area = boundaries.reverse(lat, lon)
    assert isinstance(area, AdminArea)
    assert (area.country, area.iso_a2, area.iso_a3) == ("Iraq", "IQ", "IRQ")
    assert area.admin1_code == code
    assert area.iso_3166_2 == iso
    assert area.distance_km == 0.0


def test_erbil_name(boundaries: Boundaries) -> None:
    assert boundaries.reverse(36.19117, 44.00943).admin1 in {"Arbil", "Erbil"}


def test_paris_is_france_despite_natural_earth_minus_99(boundaries: Boundaries) -> None:
    area = boundaries.reverse(48.8566, 2.3522)
    assert (area.country, area.iso_a2, area.iso_a3) == ("France", "FR", "FRA")
    # The polygon is the département; admin-1 is the GeoNames region that contains it.
    assert area.unit == "Paris"
    assert area.admin1_code == "FR.11"
    assert area.geonames_code.startswith("FR.11.")
    assert area.admin1 == "Île-de-France"


def test_norway_and_kosovo_have_codes(boundaries: Boundaries) -> None:
    oslo = boundaries.reverse(59.91, 10.75)
    assert (oslo.iso_a2, oslo.iso_a3) == ("NO", "NOR")
    pristina = boundaries.reverse(42.66, 21.17)
    assert pristina.iso_a2 == "XK" and pristina.iso_a3 == "KOS"


def test_two_tripolis(boundaries: Boundaries) -> None:
    libya = boundaries.reverse(32.8872, 13.1913)
    lebanon = boundaries.reverse(34.4367, 35.8497)
    assert (libya.iso_a2, libya.iso_a3, libya.country) == ("LY", "LBY", "Libya")
    assert (lebanon.iso_a2, lebanon.iso_a3, lebanon.country) == ("LB", "LBN", "Lebanon")


def test_far_at_sea_is_none(boundaries: Boundaries) -> None:
    assert boundaries.reverse(30.0, -40.0) is None  # mid-Atlantic
    assert boundaries.reverse(0.0, -140.0) is None  # mid-Pacific
    assert boundaries.reverse(36.0, 18.0) is None   # Ionian Sea


def test_near_the_coast_snaps_with_distance(boundaries: Boundaries) -> None:
    area = boundaries.reverse(43.25, 5.25)  # Gulf of Lion, off Marseille
    assert area is not None and area.iso_a2 == "FR"
    assert 0 < area.distance_km <= 25
    assert area.admin1_code == "FR.93"
    no_snap = Boundaries(snap_km=0)
    assert no_snap.reverse(43.25, 5.25) is None


@pytest.mark.parametrize(("lat", "lon", "needle"), [
    ("abc", 44.0, "latitude"),
    (33.0, None, "longitude"),
    (float("nan"), 44.0, "finite"),
    (33.0, float("inf"), "finite"),
    (91.0, 44.0, "out of range"),
    (-90.5, 44.0, "out of range"),
    (33.0, 180.01, "out of range"),
    (True, 44.0, "latitude"),
    ([33.0], 44.0, "latitude"),
])
def test_bad_input_raises_value_error(boundaries: Boundaries, lat: object, lon: object,
                                      needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        boundaries.reverse(lat, lon)  # type: ignore[arg-type]


def test_validate_point_accepts_numbers_and_numeric_strings() -> None:
    assert validate_point("33.5", np.float32(44.25)) == (33.5, 44.25)
    assert validate_point(-90, 180) == (-90.0, 180.0)


# ---------------------------------------------------------------------- reverse_many


def test_reverse_many_agrees_with_reverse(boundaries: Boundaries) -> None:
    rng = np.random.default_rng(7)
    lats = np.r_[rng.uniform(-55, 70, 150), rng.uniform(29, 38, 50), 43.25, 30.0, 48.8566]
    lons = np.r_[rng.uniform(-180, 180, 150), rng.uniform(38, 49, 50), 5.25, -40.0, 2.3522]
    frame = boundaries.reverse_many(lats, lons)
    assert len(frame) == len(lats)
    assert list(frame.columns[:2]) == ["lat", "lon"]
    found = 0
    for i, (lat, lon) in enumerate(zip(lats, lons, strict=True)):
        area = boundaries.reverse(lat, lon)
        row = frame.iloc[i]
        if area is None:
            assert row["country"] == "" and row["iso_a2"] == ""
            assert math.isnan(row["distance_km"])
            continue
        found += 1
        for field in ("country", "iso_a2", "iso_a3", "admin1", "admin1_code", "iso_3166_2",
                      "unit", "geonames_code"):
            assert row[field] == getattr(area, field), (i, field)
        assert row["distance_km"] == pytest.approx(area.distance_km)
    assert found > 60  # the sample really covers land


def test_reverse_many_errors(boundaries: Boundaries) -> None:
    with pytest.raises(ValueError, match="point 1: latitude"):
        boundaries.reverse_many([33.34, 95.0], [44.40, 44.40])
    with pytest.raises(ValueError, match="latitudes but"):
        boundaries.reverse_many([33.34], [44.40, 1.0])
    frame = boundaries.reverse_many([33.34, "x", float("nan"), 48.8566],
                                    [44.40, 1.0, 2.0, 2.3522], errors="coerce")
    assert list(frame["iso_a2"]) == ["IQ", "", "", "FR"]
    assert boundaries.reverse_many([], []).empty


# ---------------------------------------------------------------------- frames and lookups


def test_files_have_documented_columns_and_crs(boundaries: Boundaries) -> None:
    countries, admin1 = boundaries.countries(), boundaries.admin1()
    assert COUNTRY_COLUMNS <= set(countries.columns)
    assert ADMIN1_COLUMNS <= set(admin1.columns)
    for gdf in (countries, admin1):
        assert gdf.crs.to_epsg() == 4326
        assert gdf.geometry.is_valid.all()
        assert set(gdf.geom_type) <= {"Polygon", "MultiPolygon"}
        inside = shapely.contains_xy(gdf.geometry.values, gdf["label_lon"], gdf["label_lat"])
        assert inside.mean() > 0.95
    # Admin-1 label points are inside their polygon (a point on an edge counts).
    assert shapely.intersects_xy(admin1.geometry.values, admin1["label_lon"],
                                 admin1["label_lat"]).all()
    france = countries[countries.adm0_a3 == "FRA"].iloc[0]
    names = json.loads(france["names"])
    assert names["fr"] == "France" and names["ar"] == france["name_ar"] == "فرنسا"
    assert countries.loc[countries.iso_a2 == "DE", "name_fr"].iloc[0] == "Allemagne"
    alts = [json.loads(a) for a in admin1["alt_names"] if a]
    assert alts and all(isinstance(a, list) for a in alts)


def test_files_stay_small() -> None:
    total = sum((PACKAGE_DATA / f).stat().st_size for f in ("countries.parquet",
                                                            "admin1.parquet"))
    assert total < 15 * 1024 * 1024


def test_every_iso_country_natural_earth_has_is_present(boundaries: Boundaries) -> None:
    import pycountry

    have = set(boundaries.countries()["iso_a2"])
    missing = {c.alpha_2 for c in pycountry.countries} - have
    assert missing <= NOT_IN_NATURAL_EARTH, sorted(missing - NOT_IN_NATURAL_EARTH)
    assert len(have) > 230
    # One primary row per code, and it is the country itself.
    countries = boundaries.countries()
    primary = countries[countries["primary"] & (countries.iso_a2 != "")]
    assert not primary.iso_a2.duplicated().any()
    assert primary.set_index("iso_a2").loc["AU", "iso_a3"] == "AUS"
    assert countries[countries.iso_a2 == "AU"].iloc[-1]["primary"]


def test_admin1_geonames_match_rate(boundaries: Boundaries) -> None:
    admin1 = boundaries.admin1()
    rate = (admin1["geonames_code"] != "").mean()
    assert rate >= MIN_MATCH_RATE, rate
    matched = admin1[admin1["geonames_code"] != ""]
    assert (matched["geonames_code"].str.split(".").str[0] == matched["iso_a2"]).all()
    assert matched["geonameid"].notna().all()
    iraq = admin1[admin1.iso_a2 == "IQ"]
    assert len(iraq) == 18 and (iraq["geonames_code"] != "").all()


def test_admin1_lookup_and_label_point(boundaries: Boundaries) -> None:
    babil = boundaries.admin1_lookup("IQ.06")
    assert len(babil) == 1 and babil.iloc[0]["iso_3166_2"] == "IQ-BB"
    assert len(boundaries.admin1_lookup("iq-bb")) == 1
    lat, lon = boundaries.admin1_label_point("IQ.06")
    assert boundaries.admin1_label_point("IQ-BB") == (lat, lon)
    assert boundaries.reverse(lat, lon).admin1_code == "IQ.06"
    # A GeoNames admin-1 made of several Natural Earth units (Île-de-France).
    assert len(boundaries.admin1_lookup("FR.11")) == 8
    lat, lon = boundaries.admin1_label_point("FR.11")
    assert boundaries.reverse(lat, lon).admin1_code == "FR.11"
    assert boundaries.admin1_label_point("XX.99") is None
    with pytest.raises(ValueError):
        boundaries.admin1_label_point("")


# ---------------------------------------------------------------------- loading


def test_construction_is_lazy_and_missing_files_are_reported(tmp_path: Path) -> None:
    b = Boundaries(tmp_path / "nowhere")  # nothing read yet
    with pytest.raises(FileNotFoundError, match="countries.parquet"):
        b.reverse(33.34, 44.40)
    with pytest.raises(ValueError, match="snap_km"):
        Boundaries(snap_km=-1)


def test_load_time() -> None:
    start = time.perf_counter()
    b = Boundaries()
    b.countries()
    elapsed = time.perf_counter() - start
    # Measured ~0.5 s on the 2-core dev machine; generous bound for a busy CI.
    assert elapsed < 4.0, elapsed
