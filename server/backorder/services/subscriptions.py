"""Back-in-stock sign-ups: subscribe, confirm (double opt-in), unsubscribe, manage, erase.

Shoppers get the same answer whatever the address's history (no enumeration); an address that
unsubscribed is suppressed (stored hashed) and never emailed by that store again, unless it signs
up anew and confirms.
"""

import hmac
import secrets
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..db import db
from ..models import Message, Subscription, Suppression, utcnow
from ..ratelimit import hashed
from .errors import InvalidLink, UnknownSubscription
from .products import get_product

OPEN = ("pending", "active")
PENDING_DAYS = 7  # unconfirmed sign-ups expire (GDPR storage limitation)
MAX_OPEN_PER_ADDRESS = 50  # alerts one address may hold at one store
CONFIRMATIONS_PER_DAY = 1  # so the form cannot be used to mail-bomb someone


# The key an address is known by in suppressions, the outbox and rate limits: SHA-256 of it
# trimmed and lower-cased (one definition, so a suppression and a limit name the same address).
email_hash = hashed


def is_suppressed(store_id, hashed):
    return db.session.get(Suppression, (store_id, hashed)) is not None


def suppress(store_id, hashed, reason):
    """Never email this address from this store again (until it signs up and confirms anew)."""
    if not is_suppressed(store_id, hashed):
        db.session.add(Suppression(store_id=store_id, email_hash=hashed, reason=reason))


def _queue_confirmation(store, subscription, now):
    """Queue the double opt-in email, unless this address got one from this store in the last day."""
    since = now - timedelta(days=1)
    sent_lately = db.session.execute(
        db.select(db.func.count()).select_from(Message).where(
            Message.store_id == store.id, Message.email_hash == subscription.email_hash,
            Message.kind == "confirm", Message.created_at > since)
    ).scalar_one()
    if sent_lately >= CONFIRMATIONS_PER_DAY:
        return None
    message = Message(
        store_id=store.id, kind="confirm", recipient=subscription.email, email_hash=subscription.email_hash,
        locale=subscription.locale, subscription_id=subscription.id, product_id=subscription.product_id,
        due_at=now, created_at=now,
    )
    db.session.add(message)
    return message


def subscribe(store, sku, email, *, locale=None, quantity=1, page_url=None, source=None, now=None):
    """Sign an address up for a product's restock email; returns the status the shopper is told.

    The answer depends only on the store's double opt-in setting, never on the address's past,
    so the form reveals nothing. Raises UnknownProduct for a sku the store lacks.
    """
    now = now or utcnow()
    product = get_product(store, sku)
    hashed = email_hash(email)
    answer = "pending" if store.double_opt_in else "active"
    # A suppressed address asked again: only its own confirmation can lift the suppression.
    needs_confirmation = store.double_opt_in or is_suppressed(store.id, hashed)
    existing = db.session.execute(
        db.select(Subscription).where(Subscription.product_id == product.id, Subscription.email_hash == hashed,
                                      Subscription.status.in_(OPEN))
    ).scalar_one_or_none()
    if existing is not None:
        if existing.status == "pending":
            _queue_confirmation(store, existing, now)
        db.session.commit()
        return answer
    held = db.session.execute(
        db.select(db.func.count()).select_from(Subscription).where(
            Subscription.store_id == store.id, Subscription.email_hash == hashed, Subscription.status.in_(OPEN))
    ).scalar_one()
    if held >= MAX_OPEN_PER_ADDRESS:
        return answer
    subscription = Subscription(
        store_id=store.id, product_id=product.id, email=email, email_hash=hashed,
        locale=locale or store.locale, quantity=quantity, page_url=page_url, source=source,
        status="pending" if needs_confirmation else "active",
        consent_version=store.consent_version, consent_text=store.consent_text,
        confirm_nonce=secrets.token_hex(16) if needs_confirmation else None, created_at=now,
    )
    db.session.add(subscription)
    try:
        db.session.flush()
    except IntegrityError:  # the same sign-up, sent twice at once: the other one stands
        db.session.rollback()
        return answer
    if needs_confirmation:
        _queue_confirmation(store, subscription, now)
    db.session.commit()
    return answer


def subscription_for_link(subscription_id):
    """The subscription a link names, or InvalidLink when it is gone (erased) or never was."""
    subscription = db.session.get(Subscription, subscription_id) if isinstance(subscription_id, int) else None
    if subscription is None:
        raise InvalidLink("This link is no longer valid.")
    return subscription


def confirm(subscription_id, nonce, now=None):
    """Follow a confirmation link: activate the alert, and the address's other pending alerts at that store.

    Following the link proves the address is the shopper's, so their earlier sign-ups (whose own
    confirmation emails the one-a-day cap held back) are confirmed too. A used, expired or
    replaced link raises InvalidLink.
    """
    now = now or utcnow()
    subscription = subscription_for_link(subscription_id)
    if subscription.status == "active" and subscription.confirm_nonce is None and subscription.confirmed_at:
        return subscription  # followed twice (a mail scanner, a double click): already done
    if subscription.status != "pending" or not isinstance(nonce, str) or not nonce or not hmac.compare_digest(
            (subscription.confirm_nonce or "").encode(), nonce.encode()):
        raise InvalidLink("This confirmation link was already used or has expired.")
    if subscription.created_at < now - timedelta(days=PENDING_DAYS):
        raise InvalidLink("This confirmation link has expired. Please sign up again.")
    pending = db.session.execute(
        db.select(Subscription).where(
            Subscription.store_id == subscription.store_id, Subscription.email_hash == subscription.email_hash,
            Subscription.status == "pending", Subscription.created_at >= now - timedelta(days=PENDING_DAYS))
    ).scalars().all()
    for each in pending:
        each.status, each.confirmed_at, each.confirm_nonce = "active", now, None
    db.session.execute(db.delete(Suppression).where(
        Suppression.store_id == subscription.store_id, Suppression.email_hash == subscription.email_hash))
    db.session.commit()
    return subscription


def _end(subscriptions, channel, now):
    for subscription in subscriptions:
        if subscription.status in OPEN:
            subscription.status, subscription.ended_at, subscription.end_channel = "unsubscribed", now, channel
            subscription.confirm_nonce = None


def _skip_queued(store_id, hashed, reason, subscription_ids=None):
    """Mark queued emails to this address as skipped, with the reason (all of them, or these alerts')."""
    statement = db.update(Message).where(
        Message.store_id == store_id, Message.email_hash == hashed, Message.status == "queued",
        Message.kind != "eta_update")  # order updates are transactional: an unsubscribe does not stop them
    if subscription_ids is not None:
        statement = statement.where(Message.subscription_id.in_(subscription_ids))
    db.session.execute(statement.values(status="skipped", reason=reason, lease_until=None))


def unsubscribe_address(store_id, hashed, channel, now=None):
    """End every alert of this address at the store, suppress it, and skip its queued emails."""
    now = now or utcnow()
    _end(alerts_of(store_id, hashed), channel, now)
    suppress(store_id, hashed, "unsubscribed")
    _skip_queued(store_id, hashed, "unsubscribed")
    db.session.commit()


def remove_alert(subscription, channel="manage", now=None):
    """End one alert (the manage page's "remove"): the address stays welcome for its other alerts."""
    _end([subscription], channel, now or utcnow())
    _skip_queued(subscription.store_id, subscription.email_hash, "unsubscribed", [subscription.id])
    db.session.commit()


def alerts_of(store_id, hashed):
    """All alerts an address holds or held at a store, newest first."""
    return db.session.execute(
        db.select(Subscription).where(Subscription.store_id == store_id, Subscription.email_hash == hashed)
        .order_by(Subscription.created_at.desc(), Subscription.id.desc())
    ).scalars().all()


def expire_pending(now=None):
    """Unconfirmed sign-ups older than PENDING_DAYS become expired; returns how many."""
    now = now or utcnow()
    result = db.session.execute(
        db.update(Subscription)
        .where(Subscription.status == "pending", Subscription.created_at < now - timedelta(days=PENDING_DAYS))
        .values(status="expired", ended_at=now, end_channel="expired", confirm_nonce=None)
    )
    db.session.commit()
    return result.rowcount


def erase_address(store, email):
    """GDPR Art. 17: delete the address's alerts and emails at this store; returns what was removed.

    Links already sent stop working (they name deleted rows). A suppression stays, as a bare
    hash, so an address that opted out is still never emailed.
    """
    hashed = email_hash(email)
    messages = db.session.execute(
        db.delete(Message).where(Message.store_id == store.id, Message.email_hash == hashed)).rowcount
    subscriptions = db.session.execute(
        db.delete(Subscription).where(Subscription.store_id == store.id, Subscription.email_hash == hashed)).rowcount
    db.session.commit()
    return {"subscriptions": subscriptions, "messages": messages}


def _filtered(store, sku=None, email=None, status=None, search=None):
    statement = db.select(Subscription).where(Subscription.store_id == store.id)
    if sku is not None:
        statement = statement.where(Subscription.product_id == get_product(store, sku).id)
    if email is not None:
        statement = statement.where(Subscription.email_hash == email_hash(email))
    if search:
        statement = statement.where(db.func.lower(Subscription.email).contains(search.strip().lower(), autoescape=True))
    if status is not None:
        statement = statement.where(Subscription.status == status)
    return statement


def list_subscriptions(store, sku=None, email=None, status=None, search=None, limit=100, after=None):
    """One page of the store's sign-ups, newest first, each with its product.

    Filtered by product, exact address, status, or `search`: part of an address, any case.
    Raises UnknownProduct for a sku the store lacks.
    """
    statement = _filtered(store, sku, email, status, search).options(joinedload(Subscription.product))
    if after is not None:
        statement = statement.where(Subscription.id < after)
    return db.session.execute(statement.order_by(Subscription.id.desc()).limit(limit)).scalars().all()


def all_subscriptions(store, batch=500, **filters):
    """Every sign-up the filters select, newest first, read a page at a time (for a streamed CSV).

    The first page is read at once, so an unknown sku raises UnknownProduct before any row is sent.
    """
    first = list_subscriptions(store, limit=batch, **filters)

    def pages(page):
        while True:
            yield from page
            if len(page) < batch:
                return
            page = list_subscriptions(store, limit=batch, after=page[-1].id, **filters)

    return pages(first)


def subscription_of(store, subscription_id):
    """One of the store's sign-ups by id; UnknownSubscription for any other id (another store's too)."""
    subscription = db.session.get(Subscription, subscription_id) if 0 < subscription_id < 2**31 else None
    if subscription is None or subscription.store_id != store.id:
        raise UnknownSubscription(f"No sign-up {subscription_id}", subscription_id=subscription_id)
    return subscription


def erasure_preview(store, email):
    """What erase_address would delete for this address: {"subscriptions": n, "messages": n}."""
    hashed = email_hash(email)

    def count(model):
        return db.session.execute(db.select(db.func.count()).select_from(model).where(
            model.store_id == store.id, model.email_hash == hashed)).scalar_one()

    return {"subscriptions": count(Subscription), "messages": count(Message)}
