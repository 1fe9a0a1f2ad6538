"""Several `backorder worker` processes share one outbox on PostgreSQL: one killed, the SMTP server refusing.

Real processes (the installed `backorder` command), a real SMTP server (aiosmtpd, in this process)
and PostgreSQL's FOR UPDATE SKIP LOCKED. Delivery is at least once: a worker killed between the
server's "250 OK" and its commit leaves one message to be sent again, with the same Message-ID.
So each shopper must get exactly one distinct Message-ID, and raw repeats are at most the one
message in flight at the kill: a worker renews its claim on each message before sending it, so a
batch that outlives its lease never sends what another worker took over.
"""

import collections
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from backorder.db import db
from backorder.models import Message, Product, Store, Subscription, utcnow
from backorder.services import products, stores, subscriptions

pytestmark = pytest.mark.skipif(
    not os.environ.get("BACKORDER_TEST_DATABASE_URL"),
    reason="needs PostgreSQL (set BACKORDER_TEST_DATABASE_URL): SQLite has one writer, so workers cannot "
           "claim rows side by side with FOR UPDATE SKIP LOCKED")

BACKORDER = Path(sys.executable).parent / "backorder"
WORKERS = 4
LEASE_SECONDS = 3


@pytest.fixture
def start_workers(database_url, smtp_server, tmp_path):
    """start_workers(n) → n `backorder worker` processes on the test database; all stopped afterwards."""
    started = []

    def start(count):
        env = {**os.environ, "BACKORDER_DATABASE_URL": database_url, "BACKORDER_SECRET_KEY": "test-secret",
               "BACKORDER_SMTP_URL": smtp_server.url, "BACKORDER_MAIL_LEASE_SECONDS": str(LEASE_SECONDS),
               "BACKORDER_WORKER_POLL_SECONDS": "1", "BACKORDER_MAIL_BATCH": "50",
               "BACKORDER_LOG_LEVEL": "WARNING", "BACKORDER_PUBLIC_URL": "https://bo.example"}
        for n in range(count):
            log = open(tmp_path / f"worker-{len(started)}.log", "w")
            started.append(subprocess.Popen([str(BACKORDER), "worker"], env=env, stdout=log, stderr=log))
            log.close()
        return started[-count:]

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in started:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def waiting_shoppers(app, store, count):
    """A sold-out product with `count` active alerts (bulk-inserted), sent in one wave; returns their addresses."""
    emails = [f"shopper{n:05d}@example.org" for n in range(count)]
    now = utcnow()
    with app.app_context():
        shop = db.session.get(Store, store.id)
        stores.update_store(shop, {"wave_factor": None, "postal_address": "1 Market Street"})
        product, _ = products.upsert_product(shop, "HOT", {"name": "Hot Tee", "mode": "notify", "on_hand": 0,
                                                           "url": "https://shop.example.com/hot"})
        db.session.execute(sa.insert(Subscription), [
            {"store_id": shop.id, "product_id": product.id, "email": email,
             "email_hash": subscriptions.email_hash(email), "locale": "en", "status": "active",
             "consent_version": 1, "created_at": now - timedelta(seconds=count - n)}
            for n, email in enumerate(emails)])
        db.session.commit()
    return emails


def restock(app, store):
    with app.app_context():
        products.upsert_product(db.session.get(Store, store.id), "HOT", {"on_hand": 5})


def statuses(app):
    with app.app_context():
        found = dict(db.session.execute(
            db.select(Message.status, sa.func.count()).group_by(Message.status)).all())
        db.session.remove()
        return found


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def held_by(app, process):
    """Messages the process has claimed and not yet finished."""
    with app.app_context():
        held = db.session.scalar(db.select(sa.func.count()).select_from(Message).where(
            Message.status == "queued", Message.claimed_by.like(f"%:{process.pid}:%"),
            Message.lease_until > utcnow()))
        db.session.remove()
        return held


def tally(deliveries):
    """({recipient: {Message-IDs}}, raw repeats: deliveries beyond the first of each (recipient, Message-ID))."""
    ids = collections.defaultdict(set)
    pairs = collections.Counter()
    for delivery in deliveries:
        [recipient] = delivery.recipients
        ids[recipient].add(delivery.message["Message-ID"])
        pairs[recipient, delivery.message["Message-ID"]] += 1
    return ids, sum(count - 1 for count in pairs.values())


def test_four_workers_one_killed_mid_batch_every_shopper_gets_one_message(app, store, smtp_server, start_workers):
    emails = waiting_shoppers(app, store, 2000)
    workers = start_workers(WORKERS)
    victim = workers[0]
    started = time.monotonic()

    restock(app, store)
    wait_until(lambda: len(smtp_server.deliveries) >= 300, 60, "300 emails at the SMTP server")
    wait_until(lambda: held_by(app, victim) > 0, 10, "the victim to hold a batch")
    held = held_by(app, victim)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    killed_at = len(smtp_server.deliveries)
    wait_until(lambda: statuses(app) == {"sent": 2000}, 90, "all 2,000 messages sent")
    elapsed = time.monotonic() - started

    ids, repeats = tally(smtp_server.deliveries)
    print(f"\n2,000 emails, {WORKERS} workers, one killed after {killed_at} deliveries holding {held} claims: "
          f"{len(smtp_server.deliveries)} deliveries, {repeats} raw repeat(s), {elapsed:.1f} s")
    assert sorted(ids) == emails  # every subscriber, nobody else
    assert {recipient for recipient, found in ids.items() if len(found) != 1} == set()
    assert repeats <= 1  # the at-least-once window: the one message the killed worker had in flight
    assert all(process.poll() is None for process in workers[1:])  # the others kept going
    with app.app_context():
        assert db.session.scalar(db.select(sa.func.count()).select_from(Subscription)
                                 .where(Subscription.status == "notified")) == 2000
        assert db.session.scalar(db.select(sa.func.count(sa.distinct(Message.message_id)))) == 2000


def test_smtp_answering_421_for_a_while_loses_and_doubles_nothing(app, store, smtp_server, start_workers):
    emails = waiting_shoppers(app, store, 400)
    smtp_server.fail_next(100, 421)
    start_workers(WORKERS)

    restocked_at = utcnow()
    restock(app, store)

    def everyone_tried():
        with app.app_context():
            untried = db.session.scalar(db.select(sa.func.count()).select_from(Message).where(Message.attempts == 0))
            db.session.remove()
        return untried == 0 and statuses(app).get("sent", 0) >= 300

    wait_until(everyone_tried, 60, "each message tried once")
    with app.app_context():
        queued = db.session.execute(db.select(Message.reason, Message.due_at).where(Message.status == "queued")).all()
        assert 0 < len(queued) <= 100
        assert {reason for reason, _ in queued} == {"421 4.7.0 Try again later"}
        assert min(due_at for _, due_at in queued) > restocked_at + timedelta(seconds=14)  # backoff: 15 s at least
        # let the backoff elapse: make the retries due now rather than wait for them
        db.session.execute(db.update(Message).where(Message.status == "queued").values(due_at=utcnow()))
        db.session.commit()
        db.session.remove()
    wait_until(lambda: statuses(app) == {"sent": 400}, 60, "all 400 messages sent")

    ids, repeats = tally(smtp_server.deliveries)
    print(f"\n400 emails, {WORKERS} workers, 100 answered 421: {len(smtp_server.deliveries)} deliveries, "
          f"{repeats} raw repeat(s)")
    assert sorted(ids) == emails
    assert {recipient for recipient, found in ids.items() if len(found) != 1} == set()
    assert repeats == 0  # nobody killed: nothing sent twice
    with app.app_context():
        assert db.session.scalar(db.select(sa.func.sum(Message.attempts))) == 400 + 100  # one per 421
        assert db.session.scalar(db.select(sa.func.count()).select_from(Message)
                                 .where(Message.reason.is_not(None))) == 0
