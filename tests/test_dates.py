"""Event dates: explicit, relative to publication, ranges, and the dateline's date."""

from __future__ import annotations

import datetime as dt

import pytest

from extract.dates import dateline_date, find_dates
from extract.schema import TimePrecision

PUB = dt.date(2023, 5, 10)  # a Wednesday


@pytest.mark.parametrize(("text", "date", "precision"), [
    ("On 12 March 2023, Al Shabaab attacked", dt.date(2023, 3, 12), TimePrecision.DAY),
    ("On 6-7 May 2023, clashes", dt.date(2023, 5, 7), TimePrecision.WEEK),
    ("between 4 and 6 May, militants", dt.date(2023, 5, 6), TimePrecision.WEEK),
    ("du 6 au 8 mai 2024, des affrontements", dt.date(2024, 5, 8), TimePrecision.WEEK),
    ("gunmen struck on Sunday", dt.date(2023, 5, 7), TimePrecision.DAY),
    ("yesterday, a bomb exploded", dt.date(2023, 5, 9), TimePrecision.DAY),
    ("last week, protesters", dt.date(2023, 5, 3), TimePrecision.WEEK),
    ("hier, des tirs", dt.date(2023, 5, 9), TimePrecision.DAY),
    ("يوم الأحد الماضي", dt.date(2023, 5, 7), TimePrecision.DAY),
])
def test_first_date(text, date, precision):
    found = [d for d in find_dates(text, PUB) if d.date is not None]
    assert (found[0].date, found[0].precision) == (date, precision)


def test_relative_dates_stay_open_without_publication():
    assert [d.date for d in find_dates("yesterday, on Sunday", None)] == [None, None]


@pytest.mark.parametrize(("text", "date"), [
    ("BAGDAD, 12 mars 2024 (AFP) — Une bombe a explosé.", dt.date(2024, 3, 12)),
    ("Title line\n\nKIRKUK, Iraq, Feb 7, 2024 (Wire) — A roadside bomb", dt.date(2024, 2, 7)),
    ("On 12 March 2023, Al Shabaab militants attacked a base.", None),
    ("KABUL (Reuters) - A bomb exploded on 3 May 2021.", None),
])
def test_dateline_date(text, date):
    assert dateline_date(text) == date


def test_an_undated_upload_takes_its_dateline_date(extractor):  # the session's (conftest)
    from extract.readers import Article

    text = ("BAGDAD, 12 mars 2024 (AFP) — Une bombe a visé hier une patrouille de l'armée "
            "irakienne près de Mossoul, tuant deux soldats.\n")
    events = extractor.extract(Article("x", text, None, None, None, "t", None, "x", "txt"))
    assert events and events[0].event_date == dt.date(2024, 3, 11)  # "hier" of the dateline


@pytest.mark.parametrize(("sentence", "precision"), [
    ("On 5 March 2024 (month of), militants attacked a base.", TimePrecision.MONTH),
    ("On 7 July 2024 (week of), gunmen abducted two traders.", TimePrecision.WEEK),
    ("Around 12 March 2024, police arrested three men.", TimePrecision.WEEK),
    ("Vers le 4 juin 2024, des hommes armés ont attaqué un village.", TimePrecision.WEEK),
    ("On 3 May 2024, about 40 people protested.", TimePrecision.DAY),
])
def test_a_qualified_day_is_known_to_the_week_or_month(sentence, precision):
    [mention] = find_dates(sentence, dt.date(2024, 12, 31))
    assert mention.precision is precision
