import datetime as dt

import pytest

from studies.scheduling.models import Cadence
from studies.scheduling.periods import (
    next_period,
    period_after,
    period_containing,
    planning_due,
)


@pytest.mark.parametrize(
    ("day", "label", "start", "end"),
    [
        (dt.date(2027, 1, 1), "2027-Q1", dt.date(2027, 1, 1), dt.date(2027, 3, 31)),
        (dt.date(2027, 3, 31), "2027-Q1", dt.date(2027, 1, 1), dt.date(2027, 3, 31)),
        (dt.date(2027, 4, 1), "2027-Q2", dt.date(2027, 4, 1), dt.date(2027, 6, 30)),
        (dt.date(2027, 9, 30), "2027-Q3", dt.date(2027, 7, 1), dt.date(2027, 9, 30)),
        (dt.date(2027, 12, 31), "2027-Q4", dt.date(2027, 10, 1), dt.date(2027, 12, 31)),
    ],
)
def test_it_finds_the_quarter_containing_a_day_at_its_edges(day, label, start, end):
    period = period_containing(Cadence.QUARTERLY, day)

    assert (period.label, period.start, period.end) == (label, start, end)


def test_the_quarter_after_q4_is_q1_of_next_year():
    q4 = period_containing(Cadence.QUARTERLY, dt.date(2026, 11, 23))

    q1 = period_after(Cadence.QUARTERLY, q4)

    assert (q1.label, q1.start, q1.end) == ("2027-Q1", dt.date(2027, 1, 1), dt.date(2027, 3, 31))


def test_monthly_periods_handle_february_in_a_leap_year():
    february = period_containing(Cadence.MONTHLY, dt.date(2028, 2, 10))

    assert (february.label, february.end) == ("2028-02", dt.date(2028, 2, 29))
    assert period_after(Cadence.MONTHLY, february).label == "2028-03"


def test_half_yearly_periods_are_h1_and_h2():
    assert period_containing(Cadence.HALF_YEARLY, dt.date(2027, 6, 30)).label == "2027-H1"
    assert next_period(Cadence.HALF_YEARLY, dt.date(2027, 7, 1)).label == "2028-H1"


def test_next_period_starts_after_today_even_on_the_first_day_of_a_quarter():
    assert next_period(Cadence.QUARTERLY, dt.date(2027, 4, 1)).label == "2027-Q3"


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (dt.date(2026, 12, 10), False),  # 22 days ahead
        (dt.date(2026, 12, 11), True),  # exactly 21 days ahead
        (dt.date(2026, 12, 31), True),
    ],
)
def test_planning_is_due_once_the_lead_time_begins(today, due):
    q1 = period_containing(Cadence.QUARTERLY, dt.date(2027, 1, 1))

    assert planning_due(q1, today, lead_days=21) is due
