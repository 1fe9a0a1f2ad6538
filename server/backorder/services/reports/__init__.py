"""Reports (docs/reports.md): SQL aggregations over a period of the store's calendar days.

Every report counts in the database (GROUP BY over indexed columns and the daily view rollup),
never row by row in Python. A period is whole days in the store's time zone: its bounds become
UTC instants, and per-day figures join a small table of each day's UTC bounds, so a day is
exactly the store's day, daylight saving time included, on SQLite and PostgreSQL alike.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ...db import db
from ..stores import today_in

DEFAULT_DAYS = 30


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

    def offsets(self):
        """[(from UTC instant, UTC offset)] over the period: one entry, or one more per daylight saving change."""
        zone = ZoneInfo(self.zone)
        segments = [(self.lo, self.lo.astimezone(zone).utcoffset())]
        for day in self.days:
            start, end = self.instant(day), self.instant(day + timedelta(days=1))
            if end.astimezone(zone).utcoffset() != start.astimezone(zone).utcoffset():
                while end - start > timedelta(minutes=1):  # the change, to the minute
                    middle = start + (end - start) / 2
                    if middle.astimezone(zone).utcoffset() == segments[-1][1]:
                        start = middle
                    else:
                        end = middle
                segments.append((end.replace(second=0, microsecond=0), end.astimezone(zone).utcoffset()))
        return segments

    def local_day(self, stamp):
        """SQL: the store-local calendar day of the UTC timestamp `stamp` (for stamps inside the period).

        PostgreSQL converts with the zone itself. SQLite has no time zones: the period's UTC offsets
        (one per daylight saving segment) are applied with date(stamp, '+N seconds').
        """
        if db.session.get_bind().dialect.name == "postgresql":
            return sa.cast(sa.func.timezone(self.zone, stamp), sa.Date)
        shifted = [(start, sa.func.date(stamp, f"{int(offset.total_seconds()):+d} seconds"))
                   for start, offset in self.offsets()]
        expression = shifted[-1][1]
        if len(shifted) > 1:  # WHEN stamp < (start of the next segment) THEN this segment's day
            expression = sa.case(*[(stamp < shifted[n + 1][0], shifted[n][1]) for n in range(len(shifted) - 1)],
                                 else_=expression)
        return sa.type_coerce(expression, sa.Date())

    def contains(self, column):
        """SQL: the UTC timestamp `column` falls in the period."""
        return sa.and_(column >= self.lo, column < self.hi)


def period_for(store, start=None, end=None, days=DEFAULT_DAYS, now=None):
    """The period a report covers: `start`..`end` if given, else the `days` days ending today (store time)."""
    end = end or today_in(store, now)
    start = start or end - timedelta(days=days - 1)
    return Period(start, end, store.timezone)


def per_day(period, stamp, *columns):
    """SELECT day, columns… over rows whose UTC `stamp` is in the period, grouped by the store-local day.

    One pass over an index on the stamp, no join. Callers add FROM, joins and WHERE clauses; days
    without rows are absent (see by_day).
    """
    day = period.local_day(stamp)
    return db.select(day.label("day"), *columns).where(period.contains(stamp)).group_by(day)


def day_map(rows):
    """{date: the rest of the row} from per_day rows (SQLite hands the day back as text)."""
    return {_as_date(row[0]): tuple(row[1:]) for row in rows}


def by_day(period, rows, names):
    """[{day, name: value…}] for every day of the period, zero where `rows` (day, values…) has none."""
    found = {_as_date(row[0]): tuple(row[1:]) for row in rows}
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
