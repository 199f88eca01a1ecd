"""The one event schema of Conflict Atlas.

Columns follow ACLED's codebook (event_type, sub_event_type, actor1/actor2, admin1, location,
latitude/longitude, geo_precision, time_precision, fatalities, notes), plus provenance: where
the event was read (source, article, sentence, character offsets), how sure the pipeline is,
and which pipeline version wrote it.

Two views of the same schema:

- :class:`Event`, a frozen dataclass, for code that builds events one at a time;
- :data:`EVENT_SCHEMA`, a pandera DataFrame schema, checked by :func:`validate_events`
  whenever a table of events is written or read (see :mod:`extract.store`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import pandera.pandas as pa

from conflict_atlas_core.errors import ConflictAtlasError

SCHEMA_VERSION = "1"
PIPELINE_VERSION = "0.2.0"  # 0.2: the codebook coder, content-based article and event ids


class DisorderType(str, enum.Enum):
    POLITICAL_VIOLENCE = "Political violence"
    DEMONSTRATIONS = "Demonstrations"
    STRATEGIC_DEVELOPMENTS = "Strategic developments"
    POLITICAL_VIOLENCE_DEMONSTRATIONS = "Political violence; Demonstrations"


class EventType(str, enum.Enum):
    BATTLES = "Battles"
    EXPLOSIONS = "Explosions/Remote violence"
    VIOLENCE_AGAINST_CIVILIANS = "Violence against civilians"
    PROTESTS = "Protests"
    RIOTS = "Riots"
    STRATEGIC_DEVELOPMENTS = "Strategic developments"


class SubEventType(str, enum.Enum):
    # Battles
    ARMED_CLASH = "Armed clash"
    GOVERNMENT_REGAINS_TERRITORY = "Government regains territory"
    NON_STATE_ACTOR_OVERTAKES_TERRITORY = "Non-state actor overtakes territory"
    # Explosions/Remote violence
    CHEMICAL_WEAPON = "Chemical weapon"
    AIR_DRONE_STRIKE = "Air/drone strike"
    SUICIDE_BOMB = "Suicide bomb"
    SHELLING_ARTILLERY_MISSILE = "Shelling/artillery/missile attack"
    REMOTE_EXPLOSIVE = "Remote explosive/landmine/IED"
    GRENADE = "Grenade"
    # Violence against civilians
    SEXUAL_VIOLENCE = "Sexual violence"
    ATTACK = "Attack"
    ABDUCTION = "Abduction/forced disappearance"
    # Protests
    PEACEFUL_PROTEST = "Peaceful protest"
    PROTEST_WITH_INTERVENTION = "Protest with intervention"
    EXCESSIVE_FORCE = "Excessive force against protesters"
    # Riots
    VIOLENT_DEMONSTRATION = "Violent demonstration"
    MOB_VIOLENCE = "Mob violence"
    # Strategic developments
    AGREEMENT = "Agreement"
    ARRESTS = "Arrests"
    CHANGE_TO_GROUP = "Change to group/activity"
    DISRUPTED_WEAPONS_USE = "Disrupted weapons use"
    HEADQUARTERS_ESTABLISHED = "Headquarters or base established"
    LOOTING = "Looting/property destruction"
    NON_VIOLENT_TRANSFER = "Non-violent transfer of territory"
    OTHER = "Other"


_S = SubEventType
SUB_EVENT_PARENT: dict[SubEventType, EventType] = {
    **{s: EventType.BATTLES for s in (_S.ARMED_CLASH, _S.GOVERNMENT_REGAINS_TERRITORY,
                                     _S.NON_STATE_ACTOR_OVERTAKES_TERRITORY)},
    **{s: EventType.EXPLOSIONS for s in (_S.CHEMICAL_WEAPON, _S.AIR_DRONE_STRIKE,
                                        _S.SUICIDE_BOMB, _S.SHELLING_ARTILLERY_MISSILE,
                                        _S.REMOTE_EXPLOSIVE, _S.GRENADE)},
    **{s: EventType.VIOLENCE_AGAINST_CIVILIANS for s in (_S.SEXUAL_VIOLENCE, _S.ATTACK,
                                                        _S.ABDUCTION)},
    **{s: EventType.PROTESTS for s in (_S.PEACEFUL_PROTEST, _S.PROTEST_WITH_INTERVENTION,
                                      _S.EXCESSIVE_FORCE)},
    **{s: EventType.RIOTS for s in (_S.VIOLENT_DEMONSTRATION, _S.MOB_VIOLENCE)},
    **{s: EventType.STRATEGIC_DEVELOPMENTS for s in (_S.AGREEMENT, _S.ARRESTS,
                                                    _S.CHANGE_TO_GROUP,
                                                    _S.DISRUPTED_WEAPONS_USE,
                                                    _S.HEADQUARTERS_ESTABLISHED, _S.LOOTING,
                                                    _S.NON_VIOLENT_TRANSFER, _S.OTHER)},
}
del _S


def disorder_type_for(event_type: EventType, sub_event_type: SubEventType) -> DisorderType:
    """ACLED's disorder type of an event type (mob violence counts as both)."""
    if event_type in (EventType.BATTLES, EventType.EXPLOSIONS,
                      EventType.VIOLENCE_AGAINST_CIVILIANS):
        return DisorderType.POLITICAL_VIOLENCE
    if event_type is EventType.PROTESTS:
        return DisorderType.DEMONSTRATIONS
    if event_type is EventType.RIOTS:
        if sub_event_type is SubEventType.MOB_VIOLENCE:
            return DisorderType.POLITICAL_VIOLENCE_DEMONSTRATIONS
        return DisorderType.DEMONSTRATIONS
    return DisorderType.STRATEGIC_DEVELOPMENTS


class TimePrecision(enum.IntEnum):
    DAY = 1
    WEEK = 2
    MONTH = 3


class GeoPrecision(enum.IntEnum):
    NAMED_PLACE = 1  # the event happened at a named place
    NEAR_PLACE = 2  # near a place, or in a part of a region
    REGION = 3  # only a region is known: coded at its capital or centroid


def make_event_id(article_id: str, *parts: object) -> str:
    """A stable content hash of an article's id and what tells the event apart in it.

    The pipeline passes the event's date, type and gazetteer place (it keeps one event per
    date, type and place of an article), never character offsets: those move when a line
    break is added earlier in the text, and re-reading the same story must give the same id.
    """
    payload = "\x1f".join([article_id, *(str(p) for p in parts)]).encode()
    return hashlib.sha256(payload).hexdigest()[:20]


@dataclasses.dataclass(frozen=True, slots=True)
class Event:
    """One conflict event, as ACLED codes it, with where it was read."""

    event_id: str
    event_date: dt.date | None
    time_precision: TimePrecision
    event_type: EventType
    sub_event_type: SubEventType
    actor1: str
    location: str
    latitude: float
    longitude: float
    geo_precision: GeoPrecision
    source: str
    article_id: str
    sentence: str
    char_start: int
    char_end: int
    confidence: float
    assoc_actor_1: str = ""
    actor2: str = ""
    assoc_actor_2: str = ""
    country: str = ""
    iso: str = ""
    admin1: str = ""
    admin2: str = ""
    gazetteer_id: str = ""
    fatalities: int | None = None
    notes: str = ""
    source_url: str = ""
    language: str = ""
    is_background: bool = False
    pipeline_version: str = PIPELINE_VERSION

    def __post_init__(self) -> None:
        # Coerce plain values to the enums so callers may pass either.
        object.__setattr__(self, "event_type", EventType(self.event_type))
        object.__setattr__(self, "sub_event_type", SubEventType(self.sub_event_type))
        object.__setattr__(self, "time_precision", TimePrecision(self.time_precision))
        object.__setattr__(self, "geo_precision", GeoPrecision(self.geo_precision))
        if SUB_EVENT_PARENT[self.sub_event_type] is not self.event_type:
            raise ValueError(
                f"sub_event_type {self.sub_event_type.value!r} does not belong to "
                f"event_type {self.event_type.value!r}"
            )
        if not -90.0 <= self.latitude <= 90.0 or not -180.0 <= self.longitude <= 180.0:
            raise ValueError(f"coordinates out of range: {self.latitude}, {self.longitude}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must be within 0..1, got {self.confidence}")
        if self.char_start < 0 or self.char_end < self.char_start:
            raise ValueError(f"bad offsets {self.char_start}..{self.char_end}")
        if self.fatalities is not None and self.fatalities < 0:
            raise ValueError("fatalities cannot be negative")
        if self.iso and (len(self.iso) != 3 or not self.iso.isupper()):
            raise ValueError(f"iso must be ISO 3166-1 alpha-3, got {self.iso!r}")

    @property
    def disorder_type(self) -> DisorderType:
        return disorder_type_for(self.event_type, self.sub_event_type)

    def to_record(self) -> dict[str, Any]:
        """A flat dict with plain values, in :data:`COLUMNS` order."""
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        values["disorder_type"] = self.disorder_type
        for key, value in values.items():
            if isinstance(value, enum.Enum):
                values[key] = value.value
        return {c: values[c] for c in COLUMNS}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Event:
        names = {f.name for f in dataclasses.fields(cls)}
        kwargs = {k: _none_if_missing(v) for k, v in record.items() if k in names}
        for text_field in ("assoc_actor_1", "actor2", "assoc_actor_2", "country", "iso",
                           "admin1", "admin2", "gazetteer_id", "notes", "source_url",
                           "language"):
            if kwargs.get(text_field) is None:
                kwargs[text_field] = ""
        if kwargs.get("event_date") is not None:
            kwargs["event_date"] = pd.Timestamp(kwargs["event_date"]).date()
        if kwargs.get("fatalities") is not None:
            kwargs["fatalities"] = int(kwargs["fatalities"])
        return cls(**kwargs)


def _none_if_missing(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


# Column order of every table the project writes.
COLUMNS: tuple[str, ...] = (
    "event_id", "event_date", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "actor2", "assoc_actor_2", "country", "iso",
    "admin1", "admin2", "location", "latitude", "longitude", "geo_precision", "gazetteer_id",
    "fatalities", "notes", "source", "source_url", "article_id", "language", "sentence",
    "char_start", "char_end", "confidence", "is_background", "pipeline_version",
)

TEXT_COLUMNS: tuple[str, ...] = (
    "actor1", "assoc_actor_1", "actor2", "assoc_actor_2", "country", "iso", "admin1",
    "admin2", "location", "gazetteer_id", "notes", "source", "source_url", "article_id",
    "language", "sentence", "pipeline_version",
)

def _text(**kw: Any) -> pa.Column:
    return pa.Column(str, nullable=False, coerce=True, **kw)


def _subtype_matches_type(df: pd.DataFrame) -> pd.Series:
    parent = {s.value: t.value for s, t in SUB_EVENT_PARENT.items()}
    return df["sub_event_type"].map(parent) == df["event_type"]


EVENT_SCHEMA = pa.DataFrameSchema(
    {
        "event_id": _text(checks=pa.Check.str_length(8, 64), unique=True),
        "event_date": pa.Column("datetime64[ns]", nullable=True, coerce=True),
        "time_precision": pa.Column("int8", pa.Check.isin([p.value for p in TimePrecision]),
                                    coerce=True),
        "disorder_type": _text(checks=pa.Check.isin([d.value for d in DisorderType])),
        "event_type": _text(checks=pa.Check.isin([t.value for t in EventType])),
        "sub_event_type": _text(checks=pa.Check.isin([s.value for s in SubEventType])),
        "actor1": _text(),
        "assoc_actor_1": _text(),
        "actor2": _text(),
        "assoc_actor_2": _text(),
        "country": _text(),
        "iso": _text(checks=pa.Check.str_matches(r"^([A-Z]{3})?$")),
        "admin1": _text(),
        "admin2": _text(),
        "location": _text(),
        "latitude": pa.Column(float, pa.Check.in_range(-90, 90), coerce=True),
        "longitude": pa.Column(float, pa.Check.in_range(-180, 180), coerce=True),
        "geo_precision": pa.Column("int8", pa.Check.isin([p.value for p in GeoPrecision]),
                                   coerce=True),
        "gazetteer_id": _text(),
        "fatalities": pa.Column("Int64", pa.Check.ge(0), nullable=True, coerce=True),
        "notes": _text(),
        "source": _text(),
        "source_url": _text(),
        "article_id": _text(checks=pa.Check.str_length(1, None)),
        "language": _text(),
        "sentence": _text(),
        "char_start": pa.Column("int64", pa.Check.ge(0), coerce=True),
        "char_end": pa.Column("int64", pa.Check.ge(0), coerce=True),
        "confidence": pa.Column(float, pa.Check.in_range(0, 1), coerce=True),
        "is_background": pa.Column(bool, coerce=True),
        "pipeline_version": _text(),
    },
    checks=[
        pa.Check(_subtype_matches_type, error="sub_event_type must belong to event_type"),
        pa.Check(lambda df: df["char_end"] >= df["char_start"],
                 error="char_end must not precede char_start"),
    ],
    strict="filter",
    ordered=False,
    name="ConflictAtlasEvent",
)


class SchemaError(ConflictAtlasError, ValueError):
    """A table does not follow the event schema; the message names the failing checks."""


def empty_events() -> pd.DataFrame:
    """An empty, valid event table with every column typed."""
    return validate_events(pd.DataFrame({c: [] for c in COLUMNS}))


def events_frame(events: Iterable[Event]) -> pd.DataFrame:
    """A validated table built from :class:`Event` objects."""
    records = [e.to_record() for e in events]
    if not records:
        return empty_events()
    return validate_events(pd.DataFrame.from_records(records, columns=list(COLUMNS)))


def validate_events(df: pd.DataFrame) -> pd.DataFrame:
    """Check ``df`` against :data:`EVENT_SCHEMA`; return it typed and in column order.

    Missing text columns are filled with ``""``; missing required columns are an error.
    Raises :class:`SchemaError` with every failing check listed.
    """
    df = df.copy()
    for col in TEXT_COLUMNS:
        if col in df.columns:
            df[col] = df[col].astype(object).where(df[col].notna(), "")
        elif col != "article_id":  # provenance must name its article
            df[col] = ""
    if "disorder_type" not in df.columns and {"event_type", "sub_event_type"} <= set(df.columns):
        df["disorder_type"] = [
            disorder_type_for(EventType(t), SubEventType(s)).value
            for t, s in zip(df["event_type"], df["sub_event_type"], strict=True)
        ]
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise SchemaError(f"event table lacks required columns: {', '.join(missing)}")
    df["event_date"] = _dates(df["event_date"])
    if not pd.api.types.is_bool_dtype(df["is_background"]):
        df["is_background"] = _flags(df["is_background"])
    try:
        out = EVENT_SCHEMA.validate(df, lazy=True)
    except (pa.errors.SchemaErrors, pa.errors.SchemaError) as exc:
        raise SchemaError(_summarise(exc)) from exc
    return out[list(COLUMNS)].reset_index(drop=True)


_TRUE = frozenset({"true", "1", "yes", "t", "y"})
_FALSE = frozenset({"false", "0", "no", "f", "n", ""})


def parse_flag(value: Any) -> bool:
    """A yes/no value: a bool, 0/1, or text such as ``"False"`` or ``"yes"`` (which Python's
    ``bool()`` would read as True); missing is False. ValueError for anything else."""
    if _none_if_missing(value) is None:
        return False
    if isinstance(value, str):
        low = value.strip().lower()
        if low in _TRUE or low in _FALSE:
            return low in _TRUE
        raise ValueError(f"{value!r} is not true or false")
    if isinstance(value, (bool, int, float)) and value in (0, 1):
        return bool(value)
    raise ValueError(f"{value!r} is not true or false")


def _flags(series: pd.Series) -> pd.Series:
    out, bad = [], []
    for i, value in zip(series.index, series, strict=True):
        try:
            out.append(parse_flag(value))
        except ValueError:
            bad.append((i, value))
    if bad:
        raise SchemaError(f"is_background: {len(bad)} value(s) are not true/false (e.g. row "
                          f"{bad[0][0]}: {bad[0][1]!r})")
    return pd.Series(out, index=series.index, dtype=bool)


def _dates(series: pd.Series) -> pd.Series:
    """Dates as ``datetime64[ns]``: date objects, or text in ISO 8601 (``YYYY-MM-DD``; never
    a guessed day/month order). A value that is neither is an error, not a missing date."""
    if pd.api.types.is_datetime64_any_dtype(series):
        values = series
    else:
        text = series.map(lambda v: v.strip() if isinstance(v, str) else v)
        text = text.where(text.map(lambda v: not (isinstance(v, str) and v == "")), None)
        values = pd.to_datetime(text, format="ISO8601", errors="coerce")
        bad = values.isna() & text.map(lambda v: _none_if_missing(v) is not None)
        if bad.any():
            raise SchemaError(f"event_date: {int(bad.sum())} value(s) are not ISO 8601 dates "
                              f"(YYYY-MM-DD), e.g. row {series.index[bad][0]}: "
                              f"{series[bad].iloc[0]!r}")
    try:
        return values.astype("datetime64[ns]")
    except (OverflowError, ValueError) as exc:  # pandas' OutOfBoundsDatetime is a ValueError
        raise SchemaError(f"event_date: a date is out of range ({exc})") from None


def _summarise(exc: Exception) -> str:
    cases = getattr(exc, "failure_cases", None)
    if cases is None or len(cases) == 0:
        return f"event table does not follow the schema: {exc}"
    lines = []
    table_level = cases["schema_context"] == "DataFrameSchema"
    for check, group in cases[table_level].groupby("check", sort=False):
        rows = sorted({int(i) for i in group["index"].dropna()})
        lines.append(f"{check} (rows {rows[:5]}{'...' if len(rows) > 5 else ''})")
    for (column, check), group in cases[~table_level].groupby(["column", "check"], sort=False):
        sample = ", ".join(repr(v) for v in group["failure_case"].head(3))
        lines.append(f"{column}: {check} (e.g. {sample}; {len(group)} rows)")
    return "event table does not follow the schema:\n  " + "\n  ".join(lines)
