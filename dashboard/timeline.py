"""Stepping through time: the play button's frames and windows (pure functions)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

STEPS = ("day", "week", "month")
WINDOWS = ("cumulative", "moving")
_OFFSETS = {"day": pd.DateOffset(days=1), "week": pd.DateOffset(weeks=1),
            "month": pd.DateOffset(months=1)}


def next_cursor(cursor: dt.date, step: str) -> dt.date:
    """The frame after ``cursor``."""
    if step not in _OFFSETS:
        raise ValueError(f"step must be one of {STEPS}, got {step!r}")
    return (pd.Timestamp(cursor) + _OFFSETS[step]).date()


def frames(start: dt.date, end: dt.date, step: str) -> list[dt.date]:
    """The end day of every frame from ``start`` to ``end`` (inclusive), ``step`` apart."""
    if start > end:
        return []
    out = []
    cursor = start
    while cursor <= end:
        out.append(cursor)
        cursor = next_cursor(cursor, step)
    if out[-1] != end:
        out.append(end)
    return out


def widget_span(bounds: tuple[dt.date, dt.date]) -> tuple[dt.date, dt.date]:
    """The span the date widgets show for the events' ``bounds``.

    A slider needs two distinct ends: when every dated event falls on one day (one article),
    the span is that day and the next, which selects the same events.
    """
    lo, hi = bounds
    return (lo, hi) if hi > lo else (lo, lo + dt.timedelta(days=1))


def clamp_range(date_from: dt.date | None, date_to: dt.date | None,
                bounds: tuple[dt.date, dt.date]) -> tuple[dt.date, dt.date]:
    """The (from, to) a date widget spanning ``bounds`` can show for a requested range.

    ``None`` means the bound itself; a date outside ``bounds`` (a link with ``from=1600-01-01``)
    is moved onto it, so the range selects the same events and the widgets never receive a
    value outside what they can show (Streamlit's date slider fails on dates it cannot hold
    as a JavaScript number). The result is ordered and inside ``bounds``.
    """
    lo_b, hi_b = bounds
    lo = min(max(date_from or lo_b, lo_b), hi_b)
    hi = min(max(date_to or hi_b, lo_b), hi_b)
    return (lo, hi) if lo <= hi else (hi, lo)


def window(cursor: dt.date, step: str, mode: str, start: dt.date) -> tuple[dt.date, dt.date]:
    """The date range shown at frame ``cursor``: from ``start`` (cumulative) or the last step."""
    if mode not in WINDOWS:
        raise ValueError(f"window must be one of {WINDOWS}, got {mode!r}")
    if mode == "cumulative":
        return start, cursor
    begin = (pd.Timestamp(cursor) - _OFFSETS[step] + pd.Timedelta(days=1)).date()
    return max(begin, start), cursor


def brush_range(brush: object) -> tuple[dt.date, dt.date] | None:
    """The days an interval brush of the over-time chart covers, or None.

    Vega-Lite reports ``{"period": [start, end]}`` in epoch milliseconds (or ISO strings); a
    cleared brush is empty.
    """
    if not isinstance(brush, dict) or not brush:
        return None
    values = next(iter(brush.values()))
    if not isinstance(values, (list, tuple)) or len(values) != 2:
        return None
    try:
        lo, hi = (pd.Timestamp(v, unit="ms") if isinstance(v, (int, float)) else pd.Timestamp(v)
                  for v in values)
    except (ValueError, TypeError, OverflowError):
        return None
    if pd.isna(lo) or pd.isna(hi):
        return None
    lo, hi = min(lo, hi), max(lo, hi)
    return lo.date(), hi.date()
