"""The Explore page's fast path: narrow categorical view, cached aggregates, warm-up, compact
deck JSON and the light offline basemap give the same answers as the plain computations."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pydeck as pdk
import pytest
import shapely
import shapely.geometry
from shapely.geometry import MultiPolygon, box

from conflict_atlas_core.settings import STORE_ENV
from dashboard import aggregate, data, layers
from dashboard.filters import FilterState, apply_filters, filter_indices, take_rows
from dashboard.synthetic import synthetic_events
from extract.store import write_events

STATES = [
    FilterState(),
    FilterState(include_background=True),
    FilterState(event_types=("Battles",), countries=("Iraq",)),
    FilterState(text="mosul"),
    FilterState(min_confidence=0.99, languages=("zz",)),  # nothing matches
]


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return synthetic_events(3000, seed=11, xss=True)


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Categoricals back to text, for comparing values."""
    return pd.DataFrame({c: df[c].astype(str) if isinstance(df[c].dtype, pd.CategoricalDtype)
                         else df[c] for c in df.columns})


@pytest.mark.parametrize("state", STATES, ids=range(len(STATES)))
def test_take_rows_matches_apply_filters(events: pd.DataFrame, state: FilterState) -> None:
    expected = apply_filters(events, state)
    positions = filter_indices(events, state)
    pd.testing.assert_frame_equal(take_rows(events, positions), expected)
    narrow = take_rows(data.view_frame(events), positions, data.VIEW_COLUMNS)
    assert list(narrow.columns) == data.VIEW_COLUMNS
    pd.testing.assert_frame_equal(_plain(narrow), _plain(expected[data.VIEW_COLUMNS]),
                                  check_dtype=False)


def test_filter_indices_of_an_empty_frame() -> None:
    empty = synthetic_events(10, seed=1).iloc[0:0]
    assert len(filter_indices(empty, FilterState(text="x"))) == 0


def test_view_frame_is_categorical_and_keeps_values(events: pd.DataFrame) -> None:
    view = data.view_frame(events)
    for col in data.CATEGORY_COLUMNS:
        assert isinstance(view[col].dtype, pd.CategoricalDtype), col
        assert (view[col].astype(str).to_numpy() == events[col].astype(str).to_numpy()).all()
    assert view["latitude"].equals(events["latitude"])


@pytest.mark.parametrize("state", STATES[:4], ids=range(4))
def test_aggregates_of_the_view_equal_those_of_the_events(events: pd.DataFrame,
                                                         state: FilterState) -> None:
    full = apply_filters(events, state)
    narrow = take_rows(data.view_frame(events), filter_indices(events, state), data.VIEW_COLUMNS)
    assert data.compute_aggregate("summary", narrow) == aggregate.summary(full)
    pd.testing.assert_frame_equal(data.compute_aggregate("time_series", narrow),
                                  aggregate.time_series(full))
    top_v = data.compute_aggregate("top_actors", narrow, 10)
    top_f = aggregate.top_actors(full, 10)
    assert dict(zip(top_v["actor"], top_v["events"], strict=True)) == dict(
        zip(top_f["actor"], top_f["events"], strict=True))
    adm_v = data.compute_aggregate("admin1_counts", narrow)
    adm_f = aggregate.admin1_counts(full)
    key = ["country", "admin1"]
    pd.testing.assert_frame_equal(
        _plain(adm_v).sort_values(key, ignore_index=True),
        _plain(adm_f).sort_values(key, ignore_index=True), check_dtype=False)
    h3_v = data.compute_aggregate("h3", narrow, (5, None)).sort_values("hex", ignore_index=True)
    h3_f = aggregate.h3_bins(full, 5).sort_values("hex", ignore_index=True)
    pd.testing.assert_frame_equal(h3_v, h3_f)
    assert data.compute_aggregate("event_types", narrow) == set(full["event_type"].unique())


def test_unknown_aggregate_is_an_error(events: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="unknown aggregate"):
        data.compute_aggregate("median", events)


def test_points_layer_from_the_categorical_view(events: pd.DataFrame) -> None:
    state = FilterState(event_types=("Battles",))
    narrow = take_rows(data.view_frame(events), filter_indices(events, state), data.VIEW_COLUMNS)
    full = apply_filters(events, state)
    pd.testing.assert_frame_equal(layers.point_records(narrow), layers.point_records(full))


def test_compact_layers_json_is_pydecks_document(events: pd.DataFrame) -> None:
    result = layers.build_layers(apply_filters(events, FilterState()), "points", 5.0)
    compact = layers.layers_json(result.layers)
    plain = json.loads(pdk.Deck(layers=result.layers, map_provider=None).to_json())["layers"]
    assert "\n" not in compact
    assert json.loads(compact) == plain


def test_h3_bins_hook_is_used(events: pd.DataFrame) -> None:
    many = synthetic_events(layers.POINT_LIMIT + 500, seed=3)
    calls: list[int] = []

    def bins(df: pd.DataFrame, res: int) -> pd.DataFrame:
        calls.append(res)
        return aggregate.h3_bins(df, res)

    result = layers.build_layers(many, "points", 5.0, h3_bins=bins)
    assert result.aggregated
    assert len(calls) == 1 and 1 <= calls[0] <= 9


def test_drop_small_parts_keeps_the_largest_part_of_each_geometry() -> None:
    big, island = box(0, 0, 10, 10), box(20, 20, 20.1, 20.1)
    only_small = box(50, 50, 50.2, 50.2)
    geoms = np.array([MultiPolygon([big, island]), only_small, big], dtype=object)
    out = data._drop_small_parts(geoms, 0.5)
    assert shapely.equals(out[0], MultiPolygon([big]))
    assert shapely.area(out[1]) == pytest.approx(0.04)  # sole part kept: nothing disappears
    assert shapely.area(out[2]) == pytest.approx(100)


def test_countries_geojson_is_lighter_far_from_the_events() -> None:
    countries, _admin1, err = data.boundaries()
    if countries is None:
        pytest.skip(f"bundled boundaries unavailable: {err}")
    detailed = data.countries_geojson()
    focused = data.countries_geojson(focus=(34, 28, 50, 40))
    assert len(focused["features"]) == len(detailed["features"]) == len(countries)
    assert len(json.dumps(focused)) < len(json.dumps(detailed)) / 2
    coords = np.concatenate([
        shapely.get_coordinates(shapely.geometry.shape(f["geometry"]))
        for f in focused["features"]])
    assert np.allclose(coords, np.round(coords, 3), atol=1e-9)


def test_warm_up_fills_the_caches_the_page_reads(tmp_path, monkeypatch) -> None:
    store = tmp_path / "events.parquet"
    events = synthetic_events(layers.POINT_LIMIT + 1000, seed=5)
    write_events(events, store)
    monkeypatch.setenv(STORE_ENV, str(store))
    data.clear_caches()
    timings = data.warm_up(store)
    assert {"imports", "events", "places", "first view"} <= set(timings)
    loaded = data.load_events(store)
    assert loaded is data.load_events(store)  # served from the cache
    assert loaded.view is not None and len(loaded.view) == len(loaded.events) == len(events)
    rows = take_rows(loaded.view, filter_indices(loaded.events, FilterState()), data.VIEW_COLUMNS)
    summ = data.cached_aggregate(loaded, FilterState(), "summary", rows)
    assert summ == aggregate.summary(apply_filters(loaded.events, FilterState()))
    # the cached value is the one the warm-up computed (same key, same object)
    assert data.cached_aggregate(loaded, FilterState(), "summary", rows.iloc[0:0]) is summ
    data.clear_caches()
