"""Token-bucket rate limits: the rules on every storage, and exact counts under threads and processes."""

import contextlib
import multiprocessing
import os
import threading
import uuid

import pytest
import redis
import sqlalchemy as sa

from backorder.config import engine_options
from backorder.db import db
from backorder.models import RateLimitBucket
from backorder.ratelimit import (
    DatabaseStorage, Limit, MemoryStorage, RateLimiter, RateLimitUnavailable, RedisStorage, hashed, ip_key,
    parse_limit, retry_after, storage_from_url,
)

REDIS_URL = os.environ.get("BACKORDER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
NOW = 1_800_000_000.0  # a fixed clock, so refill happens only when a test moves it
TEN_A_DAY = Limit(10, 86400)


def _redis_problem():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        return f"{type(error).__name__}: {error}"
    finally:
        client.close()
    return None


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own on the shared Redis, its keys deleted afterwards."""
    problem = _redis_problem()
    if problem:
        pytest.skip(f"Redis tests SKIPPED: no server at {REDIS_URL} ({problem}); set BACKORDER_TEST_REDIS_URL")
    prefix = f"test:ratelimit:{uuid.uuid4().hex}:"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()


@pytest.fixture(params=["memory", "database", "redis"])
def limiter(request):
    """A RateLimiter on each storage in turn (the database one on the test database, SQLite or PostgreSQL)."""
    if request.param == "memory":
        yield RateLimiter(MemoryStorage())
    elif request.param == "database":
        app = request.getfixturevalue("app")
        with app.app_context():
            yield RateLimiter(DatabaseStorage(db.engine))
    else:
        client = redis.Redis.from_url(REDIS_URL)
        yield RateLimiter(RedisStorage(client, request.getfixturevalue("redis_prefix")))
        client.close()


@pytest.mark.parametrize("text, limit", [
    ("5/minute", Limit(5, 60)),
    ("20/hour", Limit(20, 3600)),
    ("1/day", Limit(1, 86400)),
    ("100/second", Limit(100, 1)),
    (" 3 / Minutes ", Limit(3, 60)),
    ("5 per hour", Limit(5, 3600)),
])
def test_parse_limit_reads_count_and_unit(text, limit):
    assert parse_limit(text) == limit


@pytest.mark.parametrize("text", ["", "5", "5/", "/minute", "five/minute", "5/fortnight", "0/minute",
                                  "-1/hour", "1.5/day", "5/minute;drop", None, 5])
def test_parse_limit_refuses_garbage(text):
    with pytest.raises(ValueError):
        parse_limit(text)


@pytest.mark.parametrize("capacity, per_seconds", [(0.5, 60), (5, 0), (5, -1), (float("inf"), 60), (5, float("nan"))])
def test_a_limit_needs_a_whole_token_and_a_positive_period(capacity, per_seconds):
    with pytest.raises(ValueError):
        Limit(capacity, per_seconds)


def test_hashed_keys_the_address_case_blind_and_never_in_clear():
    assert hashed(" Ann@Example.COM ") == hashed("ann@example.com")
    assert len(hashed("ann@example.com")) == 64 and "ann" not in hashed("ann@example.com")


@pytest.mark.parametrize("address, key", [
    ("203.0.113.7", "ip:203.0.113.7"),
    ("2001:db8:1:2:3:4:5:6", "ip:2001:db8:1:2::/64"),
    ("2001:db8:1:2::ffff", "ip:2001:db8:1:2::/64"),
    ("::ffff:203.0.113.7", "ip:203.0.113.7"),
])
def test_ip_key_gives_one_bucket_per_ipv4_address_and_ipv6_slash_64(address, key):
    assert ip_key(address) == key


@pytest.mark.parametrize("wait, header", [(0.01, 1), (1.0, 1), (1.2, 2), (60, 60), (61, 120), (3599.5, 3600)])
def test_retry_after_is_whole_seconds_and_coarse_past_a_minute(wait, header):
    assert retry_after(wait) == header


def test_a_burst_of_capacity_is_allowed_then_refused_with_the_wait(limiter):
    limit = Limit(5, 60)  # a token every 12 s

    assert [limiter.hit("ip:203.0.113.7", limit, NOW) for _ in range(5)] == [0.0] * 5
    assert limiter.hit("ip:203.0.113.7", limit, NOW) == pytest.approx(12)
    assert limiter.hit("ip:203.0.113.7", limit, NOW + 3) == pytest.approx(9)
    assert limiter.hit("ip:198.51.100.1", limit, NOW) == 0.0  # another key, another bucket


def test_tokens_come_back_at_the_refill_rate(limiter):
    limit = Limit(2, 60)  # a token every 30 s
    for _ in range(2):
        limiter.hit("store:1", limit, NOW)

    assert limiter.hit("store:1", limit, NOW + 29) == pytest.approx(1)
    assert limiter.hit("store:1", limit, NOW + 30) == 0.0
    assert limiter.hit("store:1", limit, NOW + 30) == pytest.approx(30)
    assert [limiter.hit("store:1", limit, NOW + 90) for _ in range(3)] == [0.0, 0.0, pytest.approx(30)]


def test_a_refused_hit_takes_nothing(limiter):
    limit = Limit(1, 60)
    limiter.hit("email:x", limit, NOW)

    for second in range(1, 60, 5):  # a refused client hammering the endpoint
        assert limiter.hit("email:x", limit, NOW + second) == pytest.approx(60 - second)
    assert limiter.hit("email:x", limit, NOW + 60) == 0.0  # the refusals did not push the token back


def test_an_idle_bucket_fills_only_to_capacity(limiter):
    limit = Limit(3, 3)
    limiter.hit("ip:1", limit, NOW)

    allowed = [limiter.hit("ip:1", limit, NOW + 3600) for _ in range(5)]

    assert allowed.count(0.0) == 3


def test_hit_many_takes_from_every_bucket_or_from_none(limiter):
    roomy, tight = Limit(10, 60), Limit(1, 60)
    assert limiter.hit_many([("ip:1", roomy), ("email:a", tight)], NOW) == 0.0

    for _ in range(20):  # the same IP trying another address each time while "email:a" is empty
        assert limiter.hit_many([("ip:1", roomy), ("email:a", tight)], NOW) == pytest.approx(60)

    # the refusals took nothing from the IP bucket: its other 9 tokens are still there
    assert [limiter.hit("ip:1", roomy, NOW) for _ in range(10)] == [0.0] * 9 + [pytest.approx(6)]


def test_hit_many_answers_the_longest_wait(limiter):
    for key, limit in [("ip:1", Limit(1, 10)), ("store:1", Limit(1, 100))]:
        limiter.hit(key, limit, NOW)

    assert limiter.hit_many([("store:1", Limit(1, 100)), ("ip:1", Limit(1, 10)), ("email:a", Limit(1, 5))],
                            NOW) == pytest.approx(100)
    assert limiter.hit("email:a", Limit(1, 5), NOW) == 0.0


def test_a_clock_behind_the_last_hit_adds_no_tokens(limiter):
    limit = Limit(1, 60)
    limiter.hit("ip:1", limit, NOW)

    assert limiter.hit("ip:1", limit, NOW - 3600) > 0  # another worker whose clock is an hour slow
    assert limiter.hit("ip:1", limit, NOW + 59) == pytest.approx(1)


def test_keys_are_checked_before_anything_is_stored(limiter):
    with pytest.raises(ValueError):
        limiter.hit("x" * 201, Limit(1, 1), NOW)
    with pytest.raises(ValueError):
        limiter.hit("", Limit(1, 1), NOW)
    with pytest.raises(ValueError):
        limiter.hit_many([("ip:1", Limit(1, 1)), ("ip:1", Limit(5, 1))], NOW)
    with pytest.raises(TypeError):
        limiter.hit("ip:1", "5/minute", NOW)
    assert limiter.hit_many([], NOW) == 0.0
    assert limiter.hit("x" * 200, Limit(1, 1), NOW) == 0.0


@pytest.mark.parametrize("kind", ["memory", "database"])
def test_purge_idle_deletes_buckets_untouched_for_that_long(request, kind):
    context = request.getfixturevalue("app").app_context() if kind == "database" else contextlib.nullcontext()
    limiter = RateLimiter(storage_from_url("memory://" if kind == "memory" else "database"))
    limit = Limit(1, 3600)
    with context:  # the database storage uses the current app's engine
        limiter.hit("ip:old", limit, NOW - 3600)
        limiter.hit("ip:new", limit, NOW - 60)

        assert limiter.purge_idle(3600, NOW + 1) == 1

        assert limiter.hit("ip:old", limit, NOW) == 0.0  # was full again anyway
        assert limiter.hit("ip:new", limit, NOW) == pytest.approx(3540)  # kept, still counting
        assert limiter.purge_idle(3600, NOW) == 0


def test_redis_buckets_expire_once_full_again(redis_prefix):
    client = redis.Redis.from_url(REDIS_URL)
    limiter = RateLimiter(RedisStorage(client, redis_prefix))

    limiter.hit("ip:1", Limit(4, 3600), NOW)  # 1 of 4 tokens gone: full again in 15 minutes

    assert 900 < client.ttl(f"{redis_prefix}ip:1") <= 901
    assert limiter.purge_idle(0) == 0
    client.close()


def test_the_database_count_survives_the_callers_rollback(app):
    """The limiter uses its own transaction: a sign-up that fails afterwards still used its token."""
    limiter = RateLimiter(storage_from_url("database"))
    with app.app_context():
        db.session.execute(sa.select(sa.literal(1)))  # the view has begun its own work
        assert limiter.hit("ip:1", Limit(2, 60), NOW) == 0.0
        db.session.rollback()

        assert db.session.get(RateLimitBucket, "ip:1").tokens == pytest.approx(1)
        assert limiter.hit("ip:1", Limit(2, 60), NOW) == 0.0
        assert limiter.hit("ip:1", Limit(2, 60), NOW) > 0


def _race(hit, count):
    """Run `hit(n)` in threads n = 0 … count - 1 released together; returns the waits, errors as text."""
    barrier = threading.Barrier(count)
    waits = []

    def run(n):
        barrier.wait(timeout=60)
        try:
            waits.append(hit(n))
        except Exception as error:  # reported, so the assertion shows what went wrong
            waits.append(repr(error))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return waits


def test_twenty_threads_on_one_bucket_of_ten_get_exactly_ten(limiter):
    waits = _race(lambda n: limiter.hit("store:hot", TEN_A_DAY, NOW), 20)

    assert [wait for wait in waits if isinstance(wait, str)] == []
    assert len(waits) == 20 and waits.count(0.0) == 10


def test_threads_taking_several_buckets_never_deadlock_or_overdraw(limiter):
    """Each thread takes the same three buckets listed in its own order (row locks must go in key order)."""
    orders = [["ip:1", "store:1", "email:a"], ["email:a", "store:1", "ip:1"], ["store:1", "ip:1", "email:a"]]

    waits = _race(lambda n: limiter.hit_many([(key, TEN_A_DAY) for key in orders[n % 3]], NOW), 24)

    assert [wait for wait in waits if isinstance(wait, str)] == []
    assert len(waits) == 24 and waits.count(0.0) == 10
    assert limiter.hit("ip:1", TEN_A_DAY, NOW) > 0 and limiter.hit("email:a", TEN_A_DAY, NOW) > 0


def _hit_in_process(kind, url, prefix, barrier, results):
    """A separate worker process with its own engine or Redis client: ten hits on "store:hot"."""
    if kind == "database":
        engine = sa.create_engine(url, **engine_options(url, 30))
        storage = DatabaseStorage(engine)
    else:
        storage = RedisStorage(redis.Redis.from_url(url), prefix)
    limiter = RateLimiter(storage)
    barrier.wait(timeout=60)
    results.put([limiter.hit("store:hot", TEN_A_DAY, NOW) for _ in range(10)])
    if kind == "database":
        engine.dispose()


@pytest.mark.parametrize("kind", ["database", "redis"])
def test_four_processes_on_one_bucket_of_ten_get_exactly_ten(request, kind):
    if kind == "database":
        request.getfixturevalue("app")  # empties the tables
        url, prefix = request.getfixturevalue("database_url"), None
    else:
        url, prefix = REDIS_URL, request.getfixturevalue("redis_prefix")
    context = multiprocessing.get_context("spawn")  # like gunicorn workers: nothing shared but the storage
    barrier, results = context.Barrier(4), context.Queue()
    processes = [context.Process(target=_hit_in_process, args=(kind, url, prefix, barrier, results))
                 for _ in range(4)]
    for process in processes:
        process.start()

    waits = [wait for _ in processes for wait in results.get(timeout=120)]
    for process in processes:
        process.join(timeout=60)

    assert [process.exitcode for process in processes] == [0] * 4
    assert len(waits) == 40 and waits.count(0.0) == 10


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://postgres@127.0.0.1:1/none", "sqlite:////nonexistent/dir/x.sqlite",
])
def test_an_unreachable_database_raises_rate_limit_unavailable(url):
    engine = sa.create_engine(url, **engine_options(url, 1))
    limiter = RateLimiter(DatabaseStorage(engine))

    with pytest.raises(RateLimitUnavailable):
        limiter.hit("ip:1", Limit(1, 1))
    with pytest.raises(RateLimitUnavailable):
        limiter.purge_idle(60)
    engine.dispose()


def test_an_unreachable_redis_raises_rate_limit_unavailable():
    limiter = RateLimiter(storage_from_url("redis://127.0.0.1:1/0"))

    with pytest.raises(RateLimitUnavailable):
        limiter.hit("ip:1", Limit(1, 1))


def test_storage_is_chosen_by_url():
    assert isinstance(storage_from_url("database"), DatabaseStorage)
    assert isinstance(storage_from_url(None), DatabaseStorage)
    assert isinstance(storage_from_url("memory://"), MemoryStorage)
    storage = storage_from_url("redis://127.0.0.1:6379/2")
    assert isinstance(storage, RedisStorage) and storage.client.connection_pool.connection_kwargs["db"] == 2
    storage.client.close()
    for url in ("mysql://x", "memory", "redis:/x", "postgresql://db"):
        with pytest.raises(ValueError):
            storage_from_url(url)
