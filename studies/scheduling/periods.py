"""Calendar periods of a study's cadence: which round comes next and what it is called.

Pure functions on dates, so quarter and year boundaries are easy to test exhaustively.
"""

import datetime as dt
from dataclasses import dataclass

from studies.scheduling.models import Cadence

MONTHS_PER_PERIOD = {Cadence.MONTHLY: 1, Cadence.QUARTERLY: 3, Cadence.HALF_YEARLY: 6}


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date  # inclusive


def _label(cadence: str, year: int, index: int) -> str:
    if cadence == Cadence.MONTHLY:
        return f"{year}-{index + 1:02d}"
    if cadence == Cadence.QUARTERLY:
        return f"{year}-Q{index + 1}"
    return f"{year}-H{index + 1}"


def period_containing(cadence: str, day: dt.date) -> Period:
    months = MONTHS_PER_PERIOD[Cadence(cadence)]
    index = (day.month - 1) // months
    start = dt.date(day.year, index * months + 1, 1)
    next_month = start.month + months
    next_start = (
        dt.date(start.year + 1, next_month - 12, 1)
        if next_month > 12
        else dt.date(start.year, next_month, 1)
    )
    return Period(
        label=_label(cadence, day.year, index),
        start=start,
        end=next_start - dt.timedelta(days=1),
    )


def period_after(cadence: str, period: Period) -> Period:
    return period_containing(cadence, period.end + dt.timedelta(days=1))


def next_period(cadence: str, today: dt.date) -> Period:
    """The first period that starts after `today`: the one planning works towards."""
    return period_after(cadence, period_containing(cadence, today))


def planning_due(period: Period, today: dt.date, lead_days: int) -> bool:
    """Whether a period's round should be planned by `today` with the given lead time."""
    return today >= period.start - dt.timedelta(days=lead_days)
