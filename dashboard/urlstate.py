"""The whole view in the URL: filters, layer, basemap, map view, selected event, play state.

:func:`state_to_params` writes only what differs from the defaults, so links stay short;
:func:`params_to_state` reads any query string and never raises: unknown or malformed
parameters are ignored and reported as notices. ``params_to_state(state_to_params(s))``
gives back ``s`` (tested as a property over random states).

List values are comma-separated; a literal comma or percent sign inside a value is written
``%2C`` / ``%25`` (the browser then URL-encodes the whole value once more).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Mapping
from typing import Any

from dashboard.filters import FILTER_FIELDS, FilterState
from dashboard.timeline import STEPS, WINDOWS
from extract.schema import GeoPrecision

LAYERS = ("points", "heatmap", "hexagon", "choropleth")
BASEMAPS = ("offline", "carto")


@dataclasses.dataclass(frozen=True, slots=True)
class ViewState:
    """How the map looks; ``lat``/``lon``/``zoom`` None means "fit the filtered events"."""

    layer: str = "points"
    basemap: str = "offline"
    lat: float | None = None
    lon: float | None = None
    zoom: float | None = None
    pitch: float = 0.0
    bearing: float = 0.0
    event: str = ""
    present: bool = False
    step: str = "week"
    window: str = "cumulative"
    cursor: dt.date | None = None

    def __post_init__(self) -> None:
        if self.layer not in LAYERS:
            raise ValueError(f"layer must be one of {LAYERS}")
        if self.basemap not in BASEMAPS:
            raise ValueError(f"basemap must be one of {BASEMAPS}")
        if self.step not in STEPS or self.window not in WINDOWS:
            raise ValueError("bad play step or window")


@dataclasses.dataclass(frozen=True, slots=True)
class AppState:
    filters: FilterState = dataclasses.field(default_factory=FilterState)
    view: ViewState = dataclasses.field(default_factory=ViewState)


# --- encoding helpers ---------------------------------------------------------------------

def _esc(value: str) -> str:
    return value.replace("%", "%25").replace(",", "%2C")


def _unesc(value: str) -> str:
    return value.replace("%2C", ",").replace("%2c", ",").replace("%25", "%")


def _join(values: tuple[Any, ...]) -> str:
    return ",".join(_esc(str(v)) for v in values)


def _split(raw: str) -> tuple[str, ...]:
    return tuple(_unesc(v) for v in raw.split(",") if v != "")


def _num(value: float) -> str:
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


def _bool(raw: str) -> bool:
    low = raw.strip().lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"not a yes/no value: {raw!r}")


def _date(raw: str) -> dt.date:
    return dt.date.fromisoformat(raw.strip())


def _float_in(lo: float, hi: float) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        value = float(raw)
        if not math.isfinite(value) or not lo <= value <= hi:
            raise ValueError(f"must be within {lo}..{hi}")
        return value
    return parse


def _one_of(choices: tuple[str, ...]) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return raw
    return parse


def _members(choices: set[str]) -> Callable[[str], tuple[str, ...]]:
    def parse(raw: str) -> tuple[str, ...]:
        values = _split(raw)
        bad = [v for v in values if v not in choices]
        if bad:
            raise ValueError(f"unknown value(s) {', '.join(bad)}")
        return values
    return parse


def _precisions(raw: str) -> tuple[int, ...]:
    values = tuple(int(v) for v in _split(raw))
    allowed = {p.value for p in GeoPrecision}
    if any(v not in allowed for v in values):
        raise ValueError(f"must be among {sorted(allowed)}")
    return values


def _bbox(raw: str) -> tuple[float, float, float, float]:
    parts = [float(v) for v in raw.split(",")]
    if len(parts) != 4 or not all(math.isfinite(p) for p in parts):
        raise ValueError("needs four numbers: min_lon,min_lat,max_lon,max_lat")
    return (parts[0], parts[1], parts[2], parts[3])


def _text(raw: str) -> str:
    if len(raw) > 500:
        raise ValueError("longer than 500 characters")
    return raw


def _date_text(value: dt.date) -> str:
    return value.isoformat()


def _flag_text(value: bool) -> str:
    return "1" if value else "0"


def _bbox_text(value: tuple[float, ...]) -> str:
    return ",".join(_num(x) for x in value)


def _readers(kind: str, choices: tuple[str, ...]) -> tuple[Callable[[str], Any],
                                                          Callable[[Any], str]]:
    """(parser, encoder) of a filter's URL parameter, by its kind (see FilterField)."""
    if kind == "list":
        return (_members(set(choices)) if choices else _split), _join
    by_kind: dict[str, tuple[Callable[[str], Any], Callable[[Any], str]]] = {
        "date": (_date, _date_text), "choice": (_one_of(choices), str),
        "text": (_text, str), "precisions": (_precisions, _join),
        "fraction": (_float_in(0.0, 1.0), _num), "flag": (_bool, _flag_text),
        "bbox": (_bbox, _bbox_text)}
    return by_kind[kind]


# param name -> (field, parser, encoder), from the one list of filters
_FILTER_PARAMS: dict[str, tuple[str, Callable[[str], Any], Callable[[Any], str]]] = {
    f.param: (f.field, *_readers(f.kind, f.choices)) for f in FILTER_FIELDS
}

# param name -> (field, parser, encoder)
_VIEW_PARAMS: dict[str, tuple[str, Callable[[str], Any], Callable[[Any], str]]] = {
    "layer": ("layer", _one_of(LAYERS), str),
    "basemap": ("basemap", _one_of(BASEMAPS), str),
    "lat": ("lat", _float_in(-90.0, 90.0), _num),
    "lon": ("lon", _float_in(-180.0, 180.0), _num),
    "zoom": ("zoom", _float_in(0.0, 22.0), _num),
    "pitch": ("pitch", _float_in(0.0, 85.0), _num),
    "bearing": ("bearing", _float_in(-360.0, 360.0), _num),
    "event": ("event", _text, str),
    "present": ("present", _bool, lambda v: "1" if v else "0"),
    "step": ("step", _one_of(STEPS), str),
    "window": ("window", _one_of(WINDOWS), str),
    "t": ("cursor", _date, lambda v: v.isoformat()),
}


def state_to_params(state: AppState) -> dict[str, str]:
    """The query parameters that reproduce ``state`` (defaults omitted)."""
    out: dict[str, str] = {}
    for obj, table in ((state.filters, _FILTER_PARAMS), (state.view, _VIEW_PARAMS)):
        default = type(obj)()
        for name, (field, _parse, encode) in table.items():
            value = getattr(obj, field)
            if value != getattr(default, field):
                out[name] = encode(value)
    return out


def _last(value: str | list[str] | tuple[str, ...]) -> str:
    if isinstance(value, (list, tuple)):
        return str(value[-1]) if value else ""
    return str(value)


def params_to_state(params: Mapping[str, Any]) -> tuple[AppState, list[str]]:
    """Read query parameters into an :class:`AppState`; never raises.

    Returns the state and human-readable notices for each parameter that was ignored.
    """
    notices: list[str] = []
    values: dict[str, dict[str, Any]] = {"filters": {}, "view": {}}
    for name, raw_value in params.items():
        raw = _last(raw_value)
        if name in _FILTER_PARAMS:
            target, table = "filters", _FILTER_PARAMS
        elif name in _VIEW_PARAMS:
            target, table = "view", _VIEW_PARAMS
        else:
            notices.append(f"Ignored unknown URL parameter {_show(name)}.")
            continue
        field, parse, _encode = table[name]
        try:
            values[target][field] = parse(raw)
        except (ValueError, TypeError, OverflowError) as exc:
            notices.append(f"Ignored URL parameter {name}={_show(raw)}: {exc}.")
    filters = _build(FilterState, values["filters"], notices)
    view = _build(ViewState, values["view"], notices)
    return AppState(filters=filters, view=view), notices


def _build(cls: type, fields: dict[str, Any], notices: list[str]) -> Any:
    """Construct ``cls``; drop fields that make it invalid together (e.g. a reversed range)."""
    try:
        return cls(**fields)
    except ValueError as exc:
        notices.append(f"Ignored URL parameters that do not fit together: {exc}.")
    kept: dict[str, Any] = {}
    for key, value in fields.items():
        try:
            cls(**{**kept, key: value})
        except ValueError:
            continue
        kept[key] = value
    return cls(**kept)


def _show(text: str, limit: int = 60) -> str:
    """A parameter echoed in a notice: quoted, shortened (the notice is shown as text)."""
    text = str(text)
    return repr(text if len(text) <= limit else text[:limit] + "…")
