"""The outbox: workers claim due messages, send them, retry what failed for now, record every reason.

Delivery is at least once: a message is marked sent right after the SMTP server accepted it, so a
worker killed between the two sends it again after its lease ends. Such a repeat carries the same
Message-ID, which mailbox providers use to drop duplicates.
"""

import hashlib
import time
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import quote, urlsplit

import sqlalchemy as sa
from ..db import db
from ..mail.compose import compose_message
from ..mail.transports import PermanentFailure, ServerUnreachable, TemporaryFailure, backoff_seconds
from ..models import TASK_KINDS, Message, Product, Store, Subscription, Suppression, utcnow
from ..tokens import make_token
from .campaigns import run_due_campaigns
from .errors import UnknownMessage
from .products import availability_of_products
from .subscriptions import PENDING_DAYS, expire_pending, suppress

COMMERCIAL = ("restock", "room")
UNREACHABLE_SECONDS = 10  # a batch the SMTP server could not take waits this long, and the pass ends


@dataclass
class Tally:
    """What one pass of the worker did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    reasons: list = field(default_factory=list)
    unreachable: bool = False  # the SMTP server could not be reached: stop claiming until the next pass
    more: bool = False  # the pass used up its time with mail still due: the next pass starts at once

    def add(self, other):
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.skipped += other.skipped
        self.unreachable = self.unreachable or other.unreachable


def claim_due_messages(worker, limit, lease_seconds, now=None, tasks=False):
    """Take up to `limit` due messages for `worker` until the lease ends; returns their ids.

    Emails, or with tasks=True the tasks that share the outbox (platform work and CSV imports,
    services/platform_tasks.py).

    PostgreSQL skips rows another worker is claiming (FOR UPDATE SKIP LOCKED), so any number of
    workers run side by side; SQLite's single writer makes the one UPDATE atomic by itself.
    On PostgreSQL the claim is planned afresh each time (a worker's prepared statement otherwise
    keeps a plan made while the outbox was empty), and the choice is a MATERIALIZED CTE, run once:
    as `id IN (subquery)` under that empty-table plan, the subquery ran again for every row, each
    run locking `limit` more rows, so one claim took all 100,000 messages of a restock and minutes.
    """
    now = now or utcnow()
    due = (
        db.select(Message.id)
        .where(Message.status == "queued", Message.due_at <= now,
               sa.or_(Message.lease_until.is_(None), Message.lease_until < now),
               Message.kind.in_(TASK_KINDS) if tasks else Message.kind.not_in(TASK_KINDS))
        .order_by(Message.due_at, Message.id).limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SET LOCAL plan_cache_mode = force_custom_plan"))
        chosen = due.with_for_update(skip_locked=True).cte("due").prefix_with("MATERIALIZED")
        claim = db.update(Message).where(Message.id == chosen.c.id)
    else:
        claim = db.update(Message).where(Message.id.in_(due.scalar_subquery()))
    claimed = db.session.execute(
        claim
        .values(lease_until=now + timedelta(seconds=lease_seconds), claimed_by=worker)
        .returning(Message.id)
        .execution_options(synchronize_session=False)
    ).scalars().all()
    db.session.commit()
    return sorted(claimed)


def _why_not(message, subscription, suppression):
    """The reason not to send this message now, or None to send it."""
    if suppression is not None and suppression.reason == "bounced":
        return "bounced"
    if message.kind in COMMERCIAL:
        if suppression is not None:
            return "suppressed"
        if subscription is None or subscription.status == "unsubscribed":
            return "unsubscribed"
    if message.kind == "confirm" and (subscription is None or subscription.status != "pending"):
        return "no_longer_pending"
    return None


def _links(message, store, subscription, public_url):
    links = {}
    if message.kind == "confirm":
        token = make_token("confirm", [subscription.id, subscription.confirm_nonce])
        links["confirm"] = f"{public_url}/s/confirm/{token}"
    if message.kind in COMMERCIAL:
        links["product"] = f"{public_url}/s/go/{make_token('click', message.id)}"
        links["unsubscribe"] = f"{public_url}/s/unsubscribe/{make_token('unsubscribe', subscription.id)}"
        links["manage"] = f"{public_url}/s/manage/{make_token('manage', [store.id, message.email_hash])}"
        if store.sender_email:
            links["unsubscribe_mailto"] = f"mailto:{quote(store.sender_email, safe='@')}?subject=unsubscribe"
    return links


def _context(message, product):
    payload = message.payload or {}
    context = {"product_name": (product.name or product.sku) if product else payload.get("sku", "")}
    if product is not None and product.price is not None:
        context["price"] = product.price
    for name in ("order_ref", "old_eta", "new_eta", "quantity"):
        if payload.get(name) is not None:
            context[name] = payload[name]
    context["confirm_days"] = PENDING_DAYS
    return context


def message_id_for(message, domain):
    """The same Message-ID on every attempt, so a repeat after a crash is recognisably the same mail."""
    digest = hashlib.blake2b(f"{message.id}:{message.created_at.isoformat()}".encode(), digest_size=8).hexdigest()
    return f"<m{message.id}.{digest}@{domain}>"


def _eta(product):
    return availability_of_products(product.store, [product])[product.id].eta if product is not None else None


def build_email(message, store, product, subscription, settings):
    """The EmailMessage for an outbox row (links signed now, Message-ID stable across attempts)."""
    context = _context(message, product)
    if message.kind == "room":
        context["eta"] = _eta(product)
    email = compose_message(
        message.kind, store=store, to=message.recipient, locale=message.locale,
        links=_links(message, store, subscription, settings["public_url"]), context=context,
        message_id_domain=settings["domain"], default_sender_email=settings["mail_from"],
    )
    del email["Message-ID"]
    email["Message-ID"] = message_id_for(message, settings["domain"])
    return email


def mail_settings(config):
    """What delivering needs from the app's settings."""
    public_url = config["PUBLIC_URL"].rstrip("/")
    return {
        "public_url": public_url, "domain": urlsplit(public_url).hostname or "localhost",
        "mail_from": config["MAIL_FROM"], "max_attempts": config["MAIL_MAX_ATTEMPTS"],
        "lease_seconds": config["MAIL_LEASE_SECONDS"],
    }


def _retry(message, reason, settings, now):
    message.attempts += 1
    message.reason = reason[:500]
    message.lease_until = message.claimed_by = None
    if message.attempts >= settings["max_attempts"]:
        message.status = "failed"
        return "failed"
    message.due_at = now + timedelta(seconds=backoff_seconds(message.attempts - 1))
    return "retried"


def _postpone(messages, reason, tally):
    """The server is unreachable: the messages wait a little, spending no attempt (an outage of hours must not
    fail them for good), and this pass claims no more. They go as soon as a pass reaches the server again."""
    due = utcnow() + timedelta(seconds=UNREACHABLE_SECONDS)
    for message in messages:
        message.reason, message.due_at, message.lease_until, message.claimed_by = reason[:500], due, None, None
    db.session.commit()
    tally.retried += len(messages)
    tally.unreachable = True
    return tally


def _still_ours(message, worker, settings):
    """Renew the claim on one message just before sending it; False if another worker has taken it.

    A slow batch can outlive its lease, and another worker may then claim its last rows. On
    PostgreSQL the renewal's row lock is held until the outcome is committed, so a claimer skips
    the row (SKIP LOCKED) while it is being sent; SQLite commits the renewal at once rather than
    hold its one write lock through an SMTP exchange.
    """
    renewed = db.session.execute(
        db.update(Message)
        .where(Message.id == message.id, Message.claimed_by == worker, Message.status == "queued")
        .values(lease_until=utcnow() + timedelta(seconds=settings["lease_seconds"]))
        .execution_options(synchronize_session=False)
    ).rowcount
    if renewed != 1:
        db.session.rollback()
        return False
    if db.session.get_bind().dialect.name != "postgresql":
        db.session.commit()
    return True


def _release(messages, worker):
    """Give back claimed messages not sent (a worker told to stop), so others take them at once."""
    db.session.execute(
        db.update(Message)
        .where(Message.id.in_([message.id for message in messages]), Message.claimed_by == worker,
               Message.status == "queued")
        .values(lease_until=None, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def deliver(message_ids, transport, worker, settings, stop=None):
    """Send claimed messages over one connection, committing each outcome as it happens.

    With `stop` (a threading.Event) set, the rest of the batch is given back instead.
    """
    tally = Tally()
    rows = db.session.execute(
        db.select(Message, Store, Product, Subscription, Suppression)
        .join(Store, Store.id == Message.store_id)
        .outerjoin(Product, Product.id == Message.product_id)
        .outerjoin(Subscription, Subscription.id == Message.subscription_id)
        .outerjoin(Suppression, sa.and_(Suppression.store_id == Message.store_id,
                                        Suppression.email_hash == Message.email_hash))
        .where(Message.id.in_(message_ids), Message.claimed_by == worker, Message.status == "queued")
        .order_by(Message.id)
    ).all()
    if not rows:
        return tally
    try:
        connection = transport.connect()
    except ServerUnreachable as failure:
        return _postpone([row[0] for row in rows], failure.reason, tally)
    except TemporaryFailure as failure:
        now = utcnow()
        for message, *_ in rows:
            outcome = _retry(message, failure.reason, settings, now)
            setattr(tally, outcome, getattr(tally, outcome) + 1)
        db.session.commit()
        return tally
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False  # keep the batch loaded between commits
    try:
        with connection:
            for number, (message, store, product, subscription, suppression) in enumerate(rows):
                if stop is not None and stop.is_set():
                    _release([row[0] for row in rows[number:]], worker)
                    break
                if not _still_ours(message, worker, settings):
                    continue  # its lease ran out and another worker has it now
                try:
                    outcome = _deliver_one(connection, message, store, product, subscription, suppression, settings)
                except ServerUnreachable as failure:  # it went away mid-batch: the rest waits too
                    _postpone([row[0] for row in rows[number:]], failure.reason, tally)
                    break
                setattr(tally, outcome, getattr(tally, outcome) + 1)
                db.session.commit()  # each outcome at once: a crash repeats one message at most
    finally:
        session.expire_on_commit = expire
    return tally


def _deliver_one(connection, message, store, product, subscription, suppression, settings):
    now = utcnow()
    reason = _why_not(message, subscription, suppression)
    if reason is not None:
        message.status, message.reason, message.lease_until = "skipped", reason, None
        return "skipped"
    try:
        email = build_email(message, store, product, subscription, settings)
        message.message_id = email["Message-ID"]
        connection.send(email)
    except ServerUnreachable:
        raise
    except TemporaryFailure as failure:
        return _retry(message, failure.reason, settings, now)
    except (PermanentFailure, ValueError) as failure:
        message.status, message.lease_until = "failed", None
        message.reason = str(getattr(failure, "reason", failure))[:500]
        message.attempts += 1
        if isinstance(failure, PermanentFailure):
            suppress(message.store_id, message.email_hash, "bounced")  # a hard bounce: never again
        return "failed"
    message.status, message.sent_at, message.lease_until = "sent", now, None
    message.attempts += 1
    message.reason = None
    return "sent"


def send_due(transport, worker, config, batch=None, stop=None, seconds=None):
    """One pass: expire stale sign-ups, plan due campaign waves, send every due message. Returns a Tally.

    With `stop` (a threading.Event), it ends as soon as that is set, after the message in hand. With
    `seconds`, it ends after the first batch that finishes past that time, with tally.more set: the
    worker then runs its tasks (an import, a platform webhook) instead of leaving them behind a
    100,000-email campaign.
    """
    settings = mail_settings(config)
    expire_pending()
    run_due_campaigns()
    tally = Tally()
    started = time.monotonic()
    while stop is None or not stop.is_set():
        ids = claim_due_messages(worker, batch or config["MAIL_BATCH"], config["MAIL_LEASE_SECONDS"])
        if not ids:
            break
        tally.add(deliver(ids, transport, worker, settings, stop))
        if tally.unreachable:
            break
        if seconds is not None and time.monotonic() - started >= seconds:
            tally.more = True
            break
    return tally


def retry_message(store, message_id):
    """Queue a failed or skipped message again now (the admin's "retry").

    The merchant vouches for the address: a bounce recorded against it is forgotten.
    """
    message = db.session.get(Message, message_id) if 0 < message_id < 2**31 else None
    if message is None or message.store_id != store.id:
        raise UnknownMessage(f"No message {message_id}", message_id=message_id)
    if message.status in ("failed", "skipped"):
        message.status, message.due_at, message.attempts, message.lease_until = "queued", utcnow(), 0, None
        message.reason = None
        db.session.execute(db.delete(Suppression).where(
            Suppression.store_id == store.id, Suppression.email_hash == message.email_hash,
            Suppression.reason == "bounced"))
        db.session.commit()
    return message


def messages_of(store, status=None, kind=None, limit=100, after=None):
    """The store's delivery log, newest first (emails: the worker's tasks only when asked for by kind)."""
    statement = db.select(Message).where(Message.store_id == store.id)
    if kind not in TASK_KINDS:
        statement = statement.where(Message.kind.not_in(TASK_KINDS))
    if status is not None:
        statement = statement.where(Message.status == status)
    if kind is not None:
        statement = statement.where(Message.kind == kind)
    if after is not None:
        statement = statement.where(Message.id < after)
    return db.session.execute(statement.order_by(Message.id.desc()).limit(limit)).scalars().all()

