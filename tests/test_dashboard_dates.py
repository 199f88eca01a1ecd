"""Dates in links: any ``from``/``to`` opens Explore (issue 15 item 4), property-tested."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from dashboard.filters import FilterState, apply_filters
from dashboard.synthetic import synthetic_events
from dashboard.timeline import clamp_range, widget_span
from dashboard.urlstate import params_to_state
from extract.store import write_events

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
BOUNDS = (dt.date(2024, 1, 1), dt.date(2024, 12, 30))
any_date = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))


@given(lo=st.none() | any_date, hi=st.none() | any_date)
def test_clamped_range_is_inside_the_bounds_and_ordered(lo: dt.date | None,
                                                        hi: dt.date | None) -> None:
    a, b = clamp_range(lo, hi, BOUNDS)
    assert BOUNDS[0] <= a <= b <= BOUNDS[1]


@given(lo=st.none() | any_date, hi=st.none() | any_date)
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_range_overlapping_the_data_selects_the_same_events(lo: dt.date | None,
                                                              hi: dt.date | None) -> None:
    if lo and hi and lo > hi:
        lo, hi = hi, lo
    if (lo and lo > BOUNDS[1]) or (hi and hi < BOUNDS[0]):
        return  # no overlap: nothing to compare (the page says it moved the range)
    events = _EVENTS
    a, b = clamp_range(lo, hi, BOUNDS)
    asked = apply_filters(events, FilterState(date_from=lo, date_to=hi))
    shown = apply_filters(events, FilterState(date_from=a, date_to=b))
    assert list(asked["event_id"]) == list(shown["event_id"])


_EVENTS = synthetic_events(400, seed=3)


@given(lo=any_date.filter(lambda d: d < dt.date(9999, 12, 31)), days=st.integers(0, 400))
def test_the_widget_span_has_two_distinct_ends_and_holds_the_bounds(lo: dt.date,
                                                                    days: int) -> None:
    hi = min(lo + dt.timedelta(days=days), dt.date(9999, 12, 31))
    a, b = widget_span((lo, hi))
    assert a == lo and b > a and b >= hi
    assert (a, b) == ((lo, hi) if hi > lo else (lo, lo + dt.timedelta(days=1)))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dates") / "events.parquet"
    write_events(synthetic_events(300, seed=5), path)
    return path


@given(lo=any_date, hi=any_date)
@example(lo=dt.date(1600, 1, 1), hi=dt.date(2024, 6, 1))
@example(lo=dt.date(2024, 2, 1), hi=dt.date(2300, 1, 1))
@example(lo=dt.date(2300, 1, 1), hi=dt.date(2400, 1, 1))
@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_any_date_link_opens_explore(store: Path, monkeypatch: pytest.MonkeyPatch,
                                     lo: dt.date, hi: dt.date) -> None:
    monkeypatch.setenv("CONFLICT_ATLAS_STORE", str(store))
    at = AppTest.from_file(APP, default_timeout=60)
    params = {"from": lo.isoformat(), "to": hi.isoformat()}
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    state, _notices = params_to_state(params)
    lo_shown, hi_shown = at.slider(key="f_dates").value
    assert lo_shown <= hi_shown
    events = pd.read_parquet(store)
    first, last = events["event_date"].min().date(), events["event_date"].max().date()
    assert first <= lo_shown and hi_shown <= last
    if state.filters.date_from and state.filters.date_from <= first:
        assert lo_shown == first
