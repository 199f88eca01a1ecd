"""What the analyst filtered, and the rows that match: pure functions over columnar data.

:class:`FilterState` is frozen and hashable; :func:`apply_filters` returns the matching rows
of an event table (never a copy of the columns it does not need to touch). Filtering runs on
pandas/pyarrow vectorised operations, so it stays fast on a million rows, and it is never
cached: only the loaders are.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd

from extract.schema import EventType, GeoPrecision, SubEventType

ACTOR_ROLES = ("either", "actor1", "actor2")


@dataclasses.dataclass(frozen=True, slots=True)
class FilterField:
    """One filter, as every interface names it: the :class:`FilterState` field, the URL
    parameter (:mod:`dashboard.urlstate`) and the option of ``conflict-atlas export``
    (:mod:`dashboard.cli`), with the kind of value that says how each reads and writes it:
    ``date``, ``list`` (of ``choices`` when given), ``choice``, ``text``, ``precisions``,
    ``fraction`` (0..1), ``flag`` or ``bbox``."""

    field: str
    param: str
    flag: str
    kind: str
    help: str
    choices: tuple[str, ...] = ()


#: The one list of filters; a test checks it covers :class:`FilterState` field by field.
FILTER_FIELDS: tuple[FilterField, ...] = (
    FilterField("date_from", "from", "--from", "date", "first day (YYYY-MM-DD)"),
    FilterField("date_to", "to", "--to", "date", "last day, included (YYYY-MM-DD)"),
    FilterField("actors", "actor", "--actor", "list", "actor 1 or 2; repeatable"),
    FilterField("actor_role", "role", "--actor-role", "choice",
                "where --actor must appear", ACTOR_ROLES),
    FilterField("event_types", "type", "--type", "list",
                "event type, repeatable", tuple(t.value for t in EventType)),
    FilterField("sub_event_types", "sub", "--sub-type", "list", "sub-event type, repeatable",
                tuple(s.value for s in SubEventType)),
    FilterField("countries", "country", "--country", "list", "country, repeatable"),
    FilterField("admin1", "admin1", "--admin1", "list", "admin-1 region, repeatable"),
    FilterField("text", "q", "--text", "text", "search notes and sentences"),
    FilterField("geo_precision", "prec", "--geo-precision", "precisions",
                "geo precision, repeatable",
                tuple(str(p.value) for p in GeoPrecision)),
    FilterField("min_confidence", "conf", "--min-confidence", "fraction",
                "lowest confidence, 0..1"),
    FilterField("include_background", "bg", "--include-background", "flag",
                "also events an article only recalls"),
    FilterField("include_undated", "undated", "--include-undated", "flag",
                "keep events without a date when a date range is set"),
    FilterField("languages", "lang", "--language", "list", "article language, repeatable"),
    FilterField("sources", "src", "--source", "list", "source, repeatable"),
    FilterField("bbox", "bbox", "--bbox", "bbox", "box: min lon, min lat, max lon, max lat"),
)


@dataclasses.dataclass(frozen=True, slots=True)
class FilterState:
    """Every filter of the Explore page. Empty tuples mean "no restriction"."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    actors: tuple[str, ...] = ()
    actor_role: str = "either"
    event_types: tuple[str, ...] = ()
    sub_event_types: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    admin1: tuple[str, ...] = ()
    text: str = ""
    geo_precision: tuple[int, ...] = ()
    min_confidence: float = 0.0
    include_background: bool = False
    include_undated: bool = False  # keep events without a date when a date range is set
    languages: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    # min_lon, min_lat, max_lon, max_lat
    bbox: tuple[float, float, float, float] | None = None

    def __post_init__(self) -> None:
        if self.actor_role not in ACTOR_ROLES:
            raise ValueError(f"actor_role must be one of {ACTOR_ROLES}, got {self.actor_role!r}")
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be within 0..1, got {self.min_confidence}")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"date range is reversed: {self.date_from} > {self.date_to}")
        if self.bbox is not None:
            min_lon, min_lat, max_lon, max_lat = self.bbox
            if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
                raise ValueError(f"bbox must be min_lon,min_lat,max_lon,max_lat; got {self.bbox}")

    def is_default(self) -> bool:
        return self == FilterState()

    def summary(self) -> str:
        """A short, file-name-safe summary such as ``2024-01-01_2024-03-31_Battles``."""
        parts: list[str] = []
        if self.date_from or self.date_to:
            parts.append(f"{self.date_from or 'start'}_{self.date_to or 'end'}")
        for values in (self.event_types, self.sub_event_types, self.countries, self.admin1,
                       self.actors):
            if values:
                parts.append("+".join(values) if len(values) <= 2 else f"{values[0]}+{len(values) - 1}more")
        if self.text:
            parts.append(f"q-{self.text}")
        if self.min_confidence:
            parts.append(f"conf{self.min_confidence:g}")
        if self.bbox:
            parts.append("bbox")
        return safe_slug("_".join(parts)) or "all"


def safe_slug(text: str, max_len: int = 80) -> str:
    """Letters, digits, ``-``, ``_``, ``+`` and ``.`` only; safe in any file system."""
    out = []
    for ch in text:
        if ch.isalnum() or ch in "-_+.":
            out.append(ch)
        elif ch in " /\\:;,":
            out.append("-")
    slug = "".join(out).strip("-.")
    while "--" in slug or ".." in slug:
        slug = slug.replace("--", "-").replace("..", ".")
    return slug[:max_len]


def _isin(series: pd.Series, values: Iterable[object]) -> np.ndarray:
    return series.isin(list(values)).to_numpy(dtype=bool)


def filter_mask(df: pd.DataFrame, state: FilterState) -> np.ndarray:
    """A boolean array: which rows of ``df`` match ``state``."""
    mask = np.ones(len(df), dtype=bool)
    if not len(df):
        return mask
    if not state.include_background:
        mask &= ~df["is_background"].to_numpy(dtype=bool)
    if state.date_from or state.date_to:
        dates = df["event_date"]
        undated = dates.isna().to_numpy(dtype=bool)
        ok = ~undated
        if state.date_from:
            ok &= (dates >= pd.Timestamp(state.date_from)).fillna(False).to_numpy(dtype=bool)
        if state.date_to:
            # the whole "to" day is included
            end = pd.Timestamp(state.date_to) + pd.Timedelta(days=1)
            ok &= (dates < end).fillna(False).to_numpy(dtype=bool)
        mask &= (ok | undated) if state.include_undated else ok
    if state.event_types:
        mask &= _isin(df["event_type"], state.event_types)
    if state.sub_event_types:
        mask &= _isin(df["sub_event_type"], state.sub_event_types)
    if state.countries:
        mask &= _isin(df["country"], state.countries)
    if state.admin1:
        mask &= _isin(df["admin1"], state.admin1)
    if state.actors:
        a1 = _isin(df["actor1"], state.actors)
        a2 = _isin(df["actor2"], state.actors)
        mask &= {"actor1": a1, "actor2": a2}.get(state.actor_role, a1 | a2)
    if state.geo_precision:
        mask &= _isin(df["geo_precision"], state.geo_precision)
    if state.min_confidence > 0:
        mask &= (df["confidence"] >= state.min_confidence).to_numpy(dtype=bool)
    if state.languages:
        mask &= _isin(df["language"], state.languages)
    if state.sources:
        mask &= _isin(df["source"], state.sources)
    if state.bbox is not None:
        min_lon, min_lat, max_lon, max_lat = state.bbox
        lon = df["longitude"].to_numpy()
        lat = df["latitude"].to_numpy()
        mask &= (lon >= min_lon) & (lon <= max_lon) & (lat >= min_lat) & (lat <= max_lat)
    if state.text.strip():
        mask &= _text_match(df, state.text.strip(), mask)
    return mask


def _text_match(df: pd.DataFrame, needle: str, pre: np.ndarray) -> np.ndarray:
    """Case-insensitive literal substring match in notes or sentence, only on rows still in."""
    out = np.zeros(len(df), dtype=bool)
    idx = np.flatnonzero(pre)
    if not len(idx):
        return out
    hit = np.zeros(len(idx), dtype=bool)
    for col in ("notes", "sentence"):
        sub = df[col].iloc[idx]
        hit |= sub.str.contains(needle, case=False, regex=False, na=False).to_numpy(dtype=bool)
    out[idx] = hit
    return out


def apply_filters(df: pd.DataFrame, state: FilterState) -> pd.DataFrame:
    """The rows of ``df`` that match ``state`` (index reset)."""
    if state.is_default() and not len(df):
        return df
    mask = filter_mask(df, state)
    if mask.all():
        return df.reset_index(drop=True)
    # positional take: several times faster than ``df.loc[mask]`` on Arrow-backed text columns
    return df.take(np.flatnonzero(mask)).reset_index(drop=True)


def filter_indices(df: pd.DataFrame, state: FilterState) -> np.ndarray:
    """Positions of the rows of ``df`` that match ``state`` (ascending)."""
    if not len(df):
        return np.zeros(0, dtype=np.intp)
    return np.flatnonzero(filter_mask(df, state))


def take_rows(df: pd.DataFrame, positions: np.ndarray,
              columns: list[str] | None = None) -> pd.DataFrame:
    """The rows of ``df`` at ``positions`` (index reset), only ``columns`` if given.

    Taking only the columns a view needs avoids copying the long text columns (notes,
    sentences, links) of a million rows when the page shows aggregates.
    """
    frame = df if columns is None else df[[c for c in columns if c in df.columns]]
    if len(positions) == len(df):
        return frame.reset_index(drop=True)
    return frame.take(positions).reset_index(drop=True)


def options(df: pd.DataFrame, column: str) -> list[str]:
    """Sorted distinct non-empty values of a text column (for select boxes)."""
    if column not in df.columns or not len(df):
        return []
    values = pd.unique(df[column].astype(str))
    return sorted(v for v in values if v)


def actor_options(df: pd.DataFrame) -> list[str]:
    """Every actor named as actor1 or actor2, most frequent first."""
    if not len(df):
        return []
    counts = pd.concat([df["actor1"], df["actor2"]]).value_counts()
    return [a for a in counts.index if a]
