"""Token-bucket rate limits shared by every web process, kept in the database or in Redis.

A bucket holds up to `capacity` tokens and refills at `capacity / per_seconds` tokens a second; a
request takes one token or is refused. Refusing takes nothing, and `hit_many` takes from every
bucket or from none, so a refused request never drains the buckets it did not trip.

A key is one bucket under one limit: a second limit on the same key would spend the first one's tokens
and refill them at its own rate, so each use names its keys apart ("ip:…" for sign-ups, "login:ip:…").
"""

import hashlib
import ipaddress
import math
import re
import sqlite3
import threading
import time
import unicodedata
from dataclasses import dataclass

import redis
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from .db import db
from .models import RateLimitBucket

UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
LIMIT_TEXT = re.compile(r"\s*(\d+)\s*(?:/|per)\s*(second|minute|hour|day)s?\s*", re.IGNORECASE)
KEY_LENGTH = 200  # rate_limit_bucket.key


class RateLimitUnavailable(RuntimeError):
    """The limit storage cannot be reached or gave up (down, locked, deadlocked); the caller fails open or closed."""


@dataclass(frozen=True)
class Limit:
    """Bursts of `capacity` requests, refilled at `capacity` per `per_seconds`."""

    capacity: float
    per_seconds: float

    def __post_init__(self):
        if not (math.isfinite(self.capacity) and self.capacity >= 1):
            raise ValueError(f"a limit needs a capacity of at least 1, not {self.capacity!r}")
        if not (math.isfinite(self.per_seconds) and self.per_seconds > 0):
            raise ValueError(f"a limit needs a positive period, not {self.per_seconds!r}")

    @property
    def rate(self):
        """Tokens added per second."""
        return self.capacity / self.per_seconds


def parse_limit(text):
    """Limit from "5/minute", "20/hour", "1/day", "100/second" (also "5 per minute"); ValueError otherwise."""
    match = LIMIT_TEXT.fullmatch(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"not a rate limit: {text!r} (expected e.g. '5/minute')")
    return Limit(int(match[1]), UNITS[match[2].lower()])


def hashed(value):
    """SHA-256 hex of a trimmed, NFC-normalised, lowercased value: how an email address goes into a key,
    never in clear (é typed as e + U+0301 is the same address as é)."""
    return hashlib.sha256(unicodedata.normalize("NFC", value.strip()).lower().encode()).hexdigest()


def ip_key(address):
    """"ip:<address>" for IPv4, "ip:<network>/64" for IPv6 (one host owns a whole /64)."""
    ip = ipaddress.ip_address(address)
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.version == 6:
        return f"ip:{ipaddress.ip_network(f'{ip}/64', strict=False)}"
    return f"ip:{ip}"


def retry_after(wait):
    """Whole seconds for a Retry-After header: rounded up, and to whole minutes past one, so it stays coarse."""
    seconds = max(1, math.ceil(wait))
    return seconds if seconds <= 60 else 60 * math.ceil(seconds / 60)


def _refilled(tokens, stamp, limit, now):
    """(tokens, stamp) of a saved bucket brought up to `now`; a clock behind the stamp adds nothing."""
    return min(limit.capacity, tokens + max(0.0, now - stamp) * limit.rate), max(stamp, now)


def _wait(tokens_by_limit):
    """Seconds until every bucket holds a token again (0.0 when all do now)."""
    return max([(1 - tokens) / limit.rate for tokens, limit in tokens_by_limit if tokens < 1], default=0.0)


class RateLimiter:
    """Takes tokens from buckets in a storage; build one per app and share it."""

    def __init__(self, storage):
        self.storage = storage

    def hit(self, key, limit, now=None):
        """Take a token from `key`: 0.0 when allowed, else the seconds until one is free (nothing taken).

        Raises RateLimitUnavailable when the storage cannot be reached.
        """
        return self.hit_many([(key, limit)], now)

    def hit_many(self, buckets, now=None):
        """Take a token from each (key, limit), or from none if any is empty; returns the longest wait or 0.0.

        Raises RateLimitUnavailable when the storage cannot be reached.
        """
        buckets = sorted(buckets, key=lambda bucket: bucket[0])  # one lock order for every process
        keys = [key for key, _ in buckets]
        if len(set(keys)) != len(keys):
            raise ValueError("each key may appear once in hit_many")
        for key, limit in buckets:
            if not isinstance(key, str) or not 0 < len(key) <= KEY_LENGTH:
                raise ValueError(f"a rate-limit key is 1 to {KEY_LENGTH} characters, not {key!r}")
            if not isinstance(limit, Limit):
                raise TypeError(f"expected a Limit for {key!r}, not {limit!r}")
        if not buckets:
            return 0.0
        return self.storage.take(buckets, time.time() if now is None else now)

    def purge_idle(self, older_than_seconds, now=None):
        """Delete buckets untouched for `older_than_seconds` (give at least the longest period in use,
        e.g. 86400 with a "1/day" limit, so only buckets that are full again go); returns how many."""
        return self.storage.purge((time.time() if now is None else now) - older_than_seconds)


class MemoryStorage:
    """Buckets in a dict, for tests only: each process has its own, so it limits nothing across workers."""

    def __init__(self):
        self.buckets = {}
        self.lock = threading.Lock()

    def take(self, buckets, now):
        with self.lock:
            states = {key: _refilled(*self.buckets.get(key, (limit.capacity, now)), limit, now)
                      for key, limit in buckets}
            wait = _wait([(states[key][0], limit) for key, limit in buckets])
            if not wait:
                for key, (tokens, stamp) in states.items():
                    self.buckets[key] = (tokens - 1, stamp)
            return wait

    def purge(self, before):
        with self.lock:
            idle = [key for key, (_, stamp) in self.buckets.items() if stamp < before]
            for key in idle:
                del self.buckets[key]
            return len(idle)


def _unavailable(error):
    cause = getattr(error, "orig", None) or error
    first_line = str(cause).strip().partition("\n")[0]
    return RateLimitUnavailable(f"rate-limit database unavailable: {type(cause).__name__}: {first_line}")


class DatabaseStorage:
    """Buckets in the rate_limit_bucket table, on a connection and transaction of their own.

    The caller's ORM session is never committed or rolled back here, and a request that fails later
    still counts. On SQLite, call it before the session writes: a session holding the write lock
    would make this wait out the busy timeout. `engine` defaults to the current app's `db.engine`.
    """

    UNREACHABLE = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)

    def __init__(self, engine=None):
        self.engine = engine

    def take(self, buckets, now):
        table = RateLimitBucket.__table__
        try:
            with (self.engine or db.engine).begin() as connection:
                # One upsert per bucket, in key order, brings it up to `now` and returns its tokens. The
                # upsert holds the row lock on PostgreSQL, and SQLite's database write lock from the first
                # statement (a write, so never a read lock that would have to be upgraded), until commit.
                tokens = [connection.execute(self._refill(connection.dialect.name, key, limit, now)).scalar_one()
                          for key, limit in buckets]
                wait = _wait(zip(tokens, (limit for _, limit in buckets)))
                if not wait:
                    keys = [key for key, _ in buckets]
                    connection.execute(table.update().where(table.c.key.in_(keys)).values(tokens=table.c.tokens - 1))
                return wait
        except self.UNREACHABLE as error:
            raise _unavailable(error) from error

    @staticmethod
    def _refill(dialect, key, limit, now):
        """INSERT a full bucket, or refill the saved one to `now`, RETURNING its tokens."""
        table = RateLimitBucket.__table__
        if dialect == "sqlite" and sqlite3.sqlite_version_info < (3, 35):  # else it would look "unavailable"
            raise RuntimeError(f"rate limits in SQLite need SQLite 3.35+ (RETURNING), not {sqlite3.sqlite_version}")
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        least, greatest = (sa.func.least, sa.func.greatest) if dialect == "postgresql" else (sa.func.min, sa.func.max)
        now = sa.literal(float(now), sa.Double)
        capacity, rate = sa.literal(float(limit.capacity), sa.Double), sa.literal(limit.rate, sa.Double)
        statement = insert(table).values(key=key, tokens=capacity, stamp=now)
        return statement.on_conflict_do_update(index_elements=[table.c.key], set_={
            "tokens": least(capacity, table.c.tokens + greatest(0.0, now - table.c.stamp) * rate),
            "stamp": greatest(table.c.stamp, now),
        }).returning(table.c.tokens)

    def purge(self, before):
        table = RateLimitBucket.__table__
        try:
            with (self.engine or db.engine).begin() as connection:
                return connection.execute(table.delete().where(table.c.stamp < before)).rowcount
        except self.UNREACHABLE as error:
            raise _unavailable(error) from error


# All buckets are checked before any is written, in one script, which Redis runs atomically. KEYS are the
# buckets; ARGV is now, then capacity and rate per bucket. A bucket expires once it would be full again.
TAKE_SCRIPT = """
local now, states, wait = tonumber(ARGV[1]), {}, 0
for i, key in ipairs(KEYS) do
  local capacity, rate = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local saved = redis.call('HMGET', key, 'tokens', 'stamp')
  local tokens, stamp = capacity, now
  if saved[1] then
    stamp = math.max(tonumber(saved[2]), now)
    tokens = math.min(capacity, tonumber(saved[1]) + math.max(0, now - tonumber(saved[2])) * rate)
  end
  if tokens < 1 then wait = math.max(wait, (1 - tokens) / rate) end
  states[i] = {tokens - 1, stamp, capacity, rate}
end
if wait > 0 then return string.format('%.17g', wait) end
for i, key in ipairs(KEYS) do
  local tokens, stamp, capacity, rate = unpack(states[i])
  redis.call('HSET', key, 'tokens', string.format('%.17g', tokens), 'stamp', string.format('%.17g', stamp))
  redis.call('PEXPIRE', key, math.ceil((capacity - tokens) / rate * 1000) + 1000)
end
return '0'
"""


class RedisStorage:
    """Buckets as Redis hashes under `prefix`, updated by one Lua script (single node: the keys of one
    hit_many must live on one server). Idle buckets expire by themselves, so purge deletes nothing."""

    def __init__(self, client, prefix="backorder:ratelimit:"):
        self.client = client
        self.prefix = prefix
        self.script = client.register_script(TAKE_SCRIPT)

    def take(self, buckets, now):
        arguments = [repr(float(now))]
        for _, limit in buckets:
            arguments += [repr(float(limit.capacity)), repr(limit.rate)]
        try:
            return float(self.script(keys=[self.prefix + key for key, _ in buckets], args=arguments))
        except (redis.ConnectionError, redis.TimeoutError) as error:
            raise RateLimitUnavailable(f"rate-limit Redis unavailable: {type(error).__name__}: {error}") from error

    def purge(self, before):
        return 0


def storage_from_url(url, engine=None):
    """Storage for a URL: "database" (the app's database, or `engine`), "redis://host:port/db" (also
    rediss:// and unix://), or "memory://" (tests only). ValueError for anything else."""
    url = (url or "database").strip()
    if url == "database":
        return DatabaseStorage(engine)
    if url == "memory://":
        return MemoryStorage()
    if url.startswith(("redis://", "rediss://", "unix://")):
        # Short timeouts so a dead Redis answers RateLimitUnavailable quickly; the URL's own options win.
        return RedisStorage(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1))
    raise ValueError(f"unknown rate-limit storage {url!r}: use 'database', 'redis://host:port/db' or 'memory://'")
