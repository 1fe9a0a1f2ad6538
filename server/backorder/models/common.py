"""What every table module shares: the clock and the limits of unit columns."""

from datetime import datetime, timezone

MAX_UNITS = 2**31 - 1  # unit counts are 32-bit integer columns on PostgreSQL


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
