"""Reports (docs/reports.md): SQL aggregations over a period of the store's calendar days.

Every report counts in the database (GROUP BY over indexed columns and the daily view rollup),
never row by row in Python. A period is whole days in the store's time zone: its bounds become
UTC instants, and per-day figures join a small table of each day's UTC bounds, so a day is
exactly the store's day, daylight saving time included, on SQLite and PostgreSQL alike.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import cached_property
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ...db import UTCDateTime, db
from ..stores import today_in

DEFAULT_DAYS = 30
MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    """Whole days `start`..`end` (both included) in the time zone `zone`."""

    start: date
    end: date
    zone: str

    def instant(self, day):
        """The UTC instant at which `day` begins in the store's zone."""
        return datetime.combine(day, time(), ZoneInfo(self.zone)).astimezone(timezone.utc)

    @property
    def lo(self):
        return self.instant(self.start)

    @property
    def hi(self):
        return self.instant(self.end + timedelta(days=1))

    @property
    def days(self):
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    @cached_property
    def day_table(self):
        """A table (day, lo, hi) of each day of the period with its UTC bounds, to join timestamps to.

        A UNION ALL of one-row SELECTs: SQLite cannot name the columns of a VALUES list (at most
        MAX_DAYS terms, below SQLite's 500-term limit on compound SELECTs).
        """
        rows = [sa.select(sa.literal(day, sa.Date).label("day"), sa.literal(self.instant(day), UTCDateTime()).label("lo"),
                          sa.literal(self.instant(day + timedelta(days=1)), UTCDateTime()).label("hi"))
                for day in self.days]
        return sa.union_all(*rows).subquery("days") if len(rows) > 1 else rows[0].subquery("days")

    def contains(self, column):
        """SQL: the UTC timestamp `column` falls in the period."""
        return sa.and_(column >= self.lo, column < self.hi)


def period_for(store, start=None, end=None, days=DEFAULT_DAYS, now=None):
    """The period a report covers: `start`..`end` if given, else the `days` days ending today (store time)."""
    end = end or today_in(store, now)
    start = start or end - timedelta(days=days - 1)
    return Period(start, end, store.timezone)


def per_day(period, entity, stamp, *columns):
    """SELECT day, columns… FROM the period's days JOIN `entity` on its UTC `stamp` falling in that day.

    Callers add joins and WHERE clauses; days without rows are absent (see by_day).
    """
    days = period.day_table
    return (db.select(days.c.day, *columns).select_from(days)
            .join(entity, sa.and_(stamp >= days.c.lo, stamp < days.c.hi)).group_by(days.c.day))


def by_day(period, rows, names):
    """[{day, name: value…}] for every day of the period, zero where `rows` (day, values…) has none."""
    found = {_as_date(row[0]): row[1:] for row in rows}
    return [{"day": day, **dict(zip(names, found.get(day, (0,) * len(names))))} for day in period.days]


def _as_date(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


def days_between(later, earlier):
    """SQL: days (fractional) from `earlier` to `later`, either a date or a timestamp, in this database's dialect."""
    if db.session.get_bind().dialect.name == "postgresql":
        as_instant = lambda value: sa.cast(value, sa.DateTime(timezone=True))  # noqa: E731
        return sa.extract("epoch", as_instant(later) - as_instant(earlier)) / 86400.0
    return sa.func.julianday(later) - sa.func.julianday(earlier)


def ratio(part, whole, digits=3):
    """part / whole rounded, or None when there is nothing to divide by."""
    return round(float(part) / float(whole), digits) if whole else None
