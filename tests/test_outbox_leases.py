"""Claims on outbox messages: a slow batch never sends what another worker took, and a stopped worker gives back."""

import threading
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from backorder.db import db
from backorder.mail.transports import transport_from_url
from backorder.models import Message, utcnow
from backorder.services import campaigns, outbox
from test_outbox import SHOPPERS, restock, rows, shop, sign_up, sold_out  # noqa: F401 (fixtures)

LEASE = 60


class HookedRelay:
    """The real SMTP transport, running `hook` (once) in the middle of the first send."""

    def __init__(self, url, hook, every=False):
        self.transport, self.hook, self.every = transport_from_url(url), hook, every

    def connect(self):
        connection, relay = self.transport.connect(), self

        class Connection:
            def send(self, message):
                hook = relay.hook
                if not relay.every:
                    relay.hook = None
                if hook:
                    hook()
                connection.send(message)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                connection.close()

        return Connection()


def test_a_batch_that_outlives_its_lease_sends_nothing_another_worker_took(app, shop, sold_out, smtp_server):
    sold_out("TEE")
    sign_up(app, shop, "TEE", SHOPPERS)
    restock(app, shop, "TEE")
    settings = outbox.mail_settings(app.config)

    def lease_runs_out_and_worker_b_sends():
        def worker_b():
            with app.app_context():
                later = utcnow() + timedelta(seconds=LEASE + 1)
                taken = outbox.claim_due_messages("worker-b", 50, LEASE, now=later)
                outbox.deliver(taken, transport_from_url(smtp_server.url), "worker-b", settings)
                db.session.remove()
        thread = threading.Thread(target=worker_b)
        thread.start()
        thread.join()

    with app.app_context():
        campaigns.run_due_campaigns()
        claimed = outbox.claim_due_messages("worker-a", 50, LEASE)
        relay = HookedRelay(smtp_server.url, lease_runs_out_and_worker_b_sends)
        outbox.deliver(claimed, relay, "worker-a", settings)
        postgres = db.engine.dialect.name == "postgresql"
        db.session.remove()

    received = Counter(smtp_server.recipients)
    assert sorted(received) == SHOPPERS
    # PostgreSQL: the row in flight is locked, so worker-b skips it: nobody twice. SQLite holds no
    # lock through a send: at most the one message in flight, whose lease the fake clock expired.
    assert sum(received.values()) - len(SHOPPERS) <= (0 if postgres else 1), received
    assert {message.status for message in rows(app, Message)} == {"sent"}


def test_a_worker_told_to_stop_gives_back_the_rest_of_its_batch(app, shop, sold_out, smtp_server):
    sold_out("TEE")
    sign_up(app, shop, "TEE", SHOPPERS)
    restock(app, shop, "TEE")
    stop, sends = threading.Event(), []

    def count_and_stop_after_two():
        sends.append(1)
        if len(sends) == 2:
            stop.set()

    with app.app_context():
        tally = outbox.send_due(HookedRelay(smtp_server.url, count_and_stop_after_two, every=True), "worker-a",
                                app.config, stop=stop)
        db.session.remove()
    assert tally.sent == 2 and len(smtp_server.recipients) == 2
    waiting = [message for message in rows(app, Message) if message.status == "queued"]
    assert len(waiting) == 3 and {message.claimed_by for message in waiting} == {None}
    with app.app_context():  # another worker takes them at once, without waiting for the lease
        assert len(outbox.claim_due_messages("worker-b", 50, LEASE)) == 3


def test_a_claim_takes_its_limit_after_polling_an_empty_outbox(app, shop, sold_out):
    """PostgreSQL keeps a generic plan for a statement prepared while the outbox was empty; under it an
    `id IN (… LIMIT n FOR UPDATE SKIP LOCKED)` claim ran its subquery again for each row and took them all."""
    sold_out("TEE")
    sign_up(app, shop, "TEE", SHOPPERS)
    restock(app, shop, "TEE")  # the campaign starts; its messages are queued when it is planned below
    with app.app_context():
        db.session.execute(sa.text("ANALYZE message"))  # the statistics of an empty outbox
        db.session.commit()
        for poll in range(12):  # a worker polling: psycopg prepares the claim, PostgreSQL then plans it once
            assert outbox.claim_due_messages("worker-a", 2, LEASE) == []
        campaigns.run_due_campaigns()
        assert len(outbox.claim_due_messages("worker-a", 2, LEASE)) == 2
        db.session.remove()
