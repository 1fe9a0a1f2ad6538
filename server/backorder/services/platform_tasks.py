"""Platform tasks: slow work (platform API calls) queued in the outbox and run by the mail worker.

A task is a Message of kind TASK_KIND whose payload says what to do ({"platform", "task", …}).
The admin's CSV imports run the same way, as messages of kind IMPORT_KIND ({"task": "import", "job"}:
services/imports.py).
It is claimed, leased, renewed, retried with backoff and given a reason like every email
(services/outbox.py), so one queue and one kind of worker serve both. Tasks are idempotent
(they re-read the platform and set absolute values; orders are recorded once per reference),
which at-least-once delivery needs.
"""

import logging
from datetime import timedelta

from ..db import db
from ..models import TASK_KIND, Message, PlatformConnection, Store, utcnow
from .errors import BadPayload, DomainError, PlatformRefused, PlatformUnavailable
from .outbox import Tally, _release, _retry, _still_ours, claim_due_messages, mail_settings

log = logging.getLogger(__name__)


def queue_task(store_id, platform, task, due_at=None):
    """Add a task to the outbox (the caller commits); an identical one still waiting makes it a no-op."""
    payload = {"platform": platform, **task}
    waiting = db.session.execute(
        db.select(Message.payload).where(Message.store_id == store_id, Message.kind == TASK_KIND,
                                         Message.status == "queued", Message.lease_until.is_(None))
    ).scalars()
    if any(found == payload for found in waiting):
        return None
    now = utcnow()
    message = Message(store_id=store_id, kind=TASK_KIND, recipient=platform, email_hash="", locale="",
                      payload=payload, due_at=due_at or now, created_at=now)
    db.session.add(message)
    return message


def queue_due_syncs(now=None):
    """Queue a sync for every connection whose scheduled time has come (a conditional update claims each)."""
    now = now or utcnow()
    due = db.session.execute(
        db.select(PlatformConnection.store_id, PlatformConnection.platform, PlatformConnection.next_sync_at,
                  PlatformConnection.sync_every_minutes)
        .where(PlatformConnection.next_sync_at <= now, PlatformConnection.sync_every_minutes.is_not(None))
    ).all()
    queued = 0
    for store_id, platform, seen, every in due:
        claimed = db.session.execute(
            db.update(PlatformConnection)
            .where(PlatformConnection.store_id == store_id, PlatformConnection.platform == platform,
                   PlatformConnection.next_sync_at == seen)
            .values(next_sync_at=now + timedelta(minutes=every))
        ).rowcount
        if claimed == 1:
            queue_task(store_id, platform, {"task": "sync"})
            queued += 1
    db.session.commit()
    return queued


def _handler(task):
    from . import imports, platform_sync

    return {"product": platform_sync.refresh_bigcommerce_product, "order": platform_sync.record_bigcommerce_order,
            "sync": platform_sync.sync_task, "import": imports.run_import_task}.get(task)


def run_task(message, config, settings, renew=None):
    """Run one claimed task and record its outcome on the message: "sent" (done), "retried" or "failed"."""
    message_id, payload = message.id, dict(message.payload or {})
    handler = _handler(payload.get("task"))
    now = utcnow()
    try:
        if handler is None:
            raise BadPayload(f"Unknown platform task {payload.get('task')!r}")
        store = db.session.get(Store, message.store_id)
        result = handler(store, payload, config, renew)
    except PlatformUnavailable as error:
        db.session.rollback()
        return _retry(db.session.get(Message, message_id), error.message, settings, now)
    except Exception as error:  # refused, not configured, bad payload, a bug: never retried blindly
        db.session.rollback()
        if not isinstance(error, (DomainError, PlatformRefused)):
            log.exception("platform task %s failed", message_id)
        message = db.session.get(Message, message_id)
        message.status, message.lease_until, message.attempts = "failed", None, message.attempts + 1
        message.reason = (getattr(error, "message", None) or f"{type(error).__name__}: {error}")[:500]
        return "failed"
    message = db.session.get(Message, message_id)
    message.status, message.sent_at, message.lease_until, message.reason = "sent", utcnow(), None, None
    message.attempts += 1
    if isinstance(result, str):
        message.payload = {**payload, "result": result[:500]}
    return "sent"


def run_due_tasks(worker, config, stop=None, batch=20):
    """One pass over due tasks, platform work and imports (scheduled syncs queued first).

    Returns a Tally (sent = done)."""
    settings = mail_settings(config)
    queue_due_syncs()
    tally = Tally()
    while stop is None or not stop.is_set():
        ids = claim_due_messages(worker, batch, config["MAIL_LEASE_SECONDS"], tasks=True)
        if not ids:
            break
        for number, message_id in enumerate(ids):
            message = db.session.get(Message, message_id)
            if stop is not None and stop.is_set():
                _release([db.session.get(Message, rest) for rest in ids[number:]], worker)
                break
            if not _still_ours(message, worker, settings):
                continue

            def renew(lease=None, message_id=message_id):
                """Keep the lease through a long task (a sync renews it after every page; an import asks for
                a longer `lease`, a timedelta), from the caller's next commit."""
                lease = lease or timedelta(seconds=settings["lease_seconds"])
                db.session.execute(db.update(Message).where(Message.id == message_id, Message.claimed_by == worker)
                                   .values(lease_until=utcnow() + lease))

            outcome = run_task(message, config, settings, renew)
            setattr(tally, outcome, getattr(tally, outcome) + 1)
            db.session.commit()
    return tally


def tasks_of(store, limit=50):
    """The store's recent platform tasks, newest first (what the platforms page shows)."""
    return db.session.execute(
        db.select(Message).where(Message.store_id == store.id, Message.kind == TASK_KIND)
        .order_by(Message.id.desc()).limit(limit)
    ).scalars().all()
