import dataclasses
import datetime as dt

import pandas as pd
import pytest

from extract.schema import (
    COLUMNS,
    SUB_EVENT_PARENT,
    DisorderType,
    Event,
    EventType,
    SchemaError,
    SubEventType,
    empty_events,
    events_frame,
    make_event_id,
    validate_events,
)


def make_event(**overrides) -> Event:
    base = {
        "event_id": make_event_id("art-1", 10, 42, "gn:98182"),
        "event_date": dt.date(2021, 3, 4), "time_precision": 1,
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Remote explosive/landmine/IED",
        "actor1": "Unidentified Armed Group", "actor2": "US-led Coalition",
        "location": "Baghdad", "latitude": 33.34, "longitude": 44.40, "geo_precision": 3,
        "source": "Press TV", "article_id": "art-1", "sentence": "Two convoys ...",
        "char_start": 10, "char_end": 42, "confidence": 0.8, "country": "Iraq", "iso": "IRQ",
        "admin1": "Baghdad",
    }
    base.update(overrides)
    return Event(**base)


def test_acled_taxonomy_is_complete():
    assert len(EventType) == 6
    assert len(SubEventType) == 25
    assert set(SUB_EVENT_PARENT) == set(SubEventType)
    assert {t for t in SUB_EVENT_PARENT.values()} == set(EventType)


def test_event_id_is_stable_content_hash():
    a = make_event_id("art-1", 10, 42, "gn:98182")
    assert a == make_event_id("art-1", 10, 42, "gn:98182")
    assert a != make_event_id("art-1", 10, 43, "gn:98182")
    assert a != make_event_id("art-1", 10, 42, "gn:98227")


def test_event_coerces_enums_and_derives_disorder():
    event = make_event()
    assert event.event_type is EventType.EXPLOSIONS
    assert event.disorder_type is DisorderType.POLITICAL_VIOLENCE
    assert make_event(event_type="Riots", sub_event_type="Mob violence").disorder_type is \
        DisorderType.POLITICAL_VIOLENCE_DEMONSTRATIONS
    assert make_event(event_type="Protests", sub_event_type="Peaceful protest").disorder_type \
        is DisorderType.DEMONSTRATIONS


@pytest.mark.parametrize("overrides,message", [
    ({"sub_event_type": "Armed clash"}, "does not belong"),
    ({"latitude": 91.0}, "coordinates"),
    ({"confidence": 1.5}, "confidence"),
    ({"char_end": 5}, "offsets"),
    ({"fatalities": -1}, "negative"),
    ({"iso": "IQ"}, "alpha-3"),
    ({"event_type": "Skirmish"}, "Skirmish"),
])
def test_event_rejects_invalid_values(overrides, message):
    with pytest.raises(ValueError, match=message):
        make_event(**overrides)


def test_frame_round_trip_through_records():
    events = [make_event(), make_event(event_id="b" * 20, event_date=None, time_precision=3,
                                       fatalities=2, is_background=True)]
    df = events_frame(events)
    assert list(df.columns) == list(COLUMNS)
    assert df["fatalities"].tolist()[1] == 2 and pd.isna(df["fatalities"].tolist()[0])
    back = [Event.from_record(r) for r in df.to_dict("records")]
    assert back == events


def test_validate_reports_every_problem():
    df = events_frame([make_event()])
    bad = pd.concat([df, df], ignore_index=True)
    bad.loc[1, "latitude"] = 100.0
    bad.loc[1, "sub_event_type"] = "Armed clash"
    with pytest.raises(SchemaError) as info:
        validate_events(bad)
    text = str(info.value)
    assert "latitude" in text and "sub_event_type must belong" in text and "event_id" in text


def test_validate_requires_columns_and_fills_text():
    df = events_frame([make_event()]).drop(columns=["notes", "admin2"])
    assert validate_events(df)["notes"].tolist() == [""]
    with pytest.raises(SchemaError, match="latitude"):
        validate_events(events_frame([make_event()]).drop(columns=["latitude"]))


def test_empty_table_is_typed():
    empty = empty_events()
    assert len(empty) == 0 and list(empty.columns) == list(COLUMNS)
    assert str(empty["event_date"].dtype).startswith("datetime64")


def test_event_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        make_event().location = "Mosul"
