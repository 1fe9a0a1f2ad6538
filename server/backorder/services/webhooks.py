"""Receiving platform webhooks: authenticate, drop repeats, then apply at once or queue for the worker.

A delivery's id is recorded in the same transaction as its effect, so a repeat changes nothing and
a delivery whose effect failed is applied when the platform sends it again. Shopify and WooCommerce
send whole resources, applied here (a few queries); BigCommerce sends thin callbacks, queued as
platform tasks in the outbox for the worker to re-read through the API. Stale Shopify and
WooCommerce deliveries (older than what was last applied for the same item) are ignored.
"""

import hashlib
import json
import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from ..db import db
from ..integrations import bigcommerce, shopify, woocommerce
from ..integrations.signatures import secret_header_valid, standard_webhook_problem
from ..models import Order, PlatformConnection, Store, WebhookDelivery, utcnow
from ..schemas.base import CONTROL_CHARS
from .errors import BadPayload, InvalidSignature
from .platform_stock import apply_level, apply_variants, fresh, record_platform_order
from .platform_tasks import queue_task
from .platforms import BIGCOMMERCE_SECRET_HEADER, check_platform, credentials_of, webhook_secret_of
from .stores import store_by_public_key
from .subscriptions import erase_address

log = logging.getLogger(__name__)
SKIPPED_ORDER_STATUSES = ("failed", "cancelled", "checkout-draft", "trash")  # WooCommerce orders that are no sale


def _clean(value, limit):
    """A header value fit to store: itself, or its SHA-256 when too long or holding control characters."""
    if len(value) <= limit and not CONTROL_CHARS.search(value):
        return value
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def _claim_delivery(store, platform, delivery_id, topic):
    """Add the delivery's id to this transaction; False when it was seen before."""
    delivery_id, topic = _clean(delivery_id, 200), _clean(topic, 100)
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(WebhookDelivery).values(
        store_id=store.id, platform=platform, delivery_id=delivery_id, topic=topic, received_at=utcnow(),
    ).on_conflict_do_nothing(index_elements=["store_id", "platform", "delivery_id"])
    # RETURNING, not rowcount: psycopg reports -1 for some inserts
    return db.session.execute(statement.returning(WebhookDelivery.delivery_id)).first() is not None


def _json(body):
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise BadPayload("The body is not JSON") from None


def _authenticate(store, platform, headers, body):
    connection = db.session.get(PlatformConnection, (store.id, platform))
    secret = webhook_secret_of(connection)
    if secret is None:
        raise InvalidSignature(f"No webhook secret is set for {platform}: set one in the admin first")
    if platform == "bigcommerce":
        if not secret_header_valid(secret, headers.get(BIGCOMMERCE_SECRET_HEADER, "")):
            raise InvalidSignature(f"The {BIGCOMMERCE_SECRET_HEADER} header does not match the webhook secret")
        client_secret = (credentials_of(connection).get("client_secret") if connection.credentials else None)
        if client_secret and "webhook-signature" in headers:
            problem = standard_webhook_problem(client_secret.encode(), headers, body,
                                               current_app.config["WEBHOOK_TOLERANCE_SECONDS"])
            if problem:
                raise InvalidSignature(f"Standard Webhooks signature refused: {problem}")
    elif platform == "shopify":
        if not shopify.signature_valid(secret, headers, body):
            raise InvalidSignature("X-Shopify-Hmac-Sha256 does not match the body")
    elif not woocommerce.signature_valid(secret, headers, body):
        raise InvalidSignature("X-WC-Webhook-Signature does not match the body")


def receive_webhook(public_key, platform, headers, body):
    """Handle one delivery; returns {"status": applied|queued|duplicate|stale|ignored|ping, ...}.

    Raises UnknownStore, UnknownPlatform, InvalidSignature (nothing changes) or BadPayload (logged).
    """
    check_platform(platform)
    store = store_by_public_key(public_key)
    if platform == "woocommerce" and woocommerce.is_ping(headers, body):
        return {"status": "ping"}
    _authenticate(store, platform, headers, body)
    try:
        payload = _json(body)
        handler = {"bigcommerce": _bigcommerce, "shopify": _shopify, "woocommerce": _woocommerce}[platform]
        answer = handler(store, headers, body, payload)
    except BadPayload as error:
        db.session.rollback()
        log.warning("webhook %s for store %s refused: %s", platform, store.id, error.message)
        raise
    db.session.execute(db.update(PlatformConnection).filter_by(store_id=store.id, platform=platform)
                       .values(last_webhook_at=utcnow()))
    db.session.commit()
    return answer


def _bigcommerce(store, headers, body, payload):
    if not isinstance(payload, dict):
        raise BadPayload("A BigCommerce callback is a JSON object")
    task = bigcommerce.task_for(payload)
    if not _claim_delivery(store, "bigcommerce", bigcommerce.delivery_id(headers, payload, body), payload["scope"]):
        return {"status": "duplicate"}
    if payload["scope"] == "store/app/uninstalled":  # BigCommerce removed our script with the app (auto_uninstall)
        db.session.execute(db.update(PlatformConnection).filter_by(store_id=store.id, platform="bigcommerce")
                           .values(widget_script_id=None))
        return {"status": "applied", "topic": payload["scope"]}
    if task is None:
        return {"status": "ignored", "topic": payload["scope"]}
    queue_task(store.id, "bigcommerce", task)
    return {"status": "queued", "topic": payload["scope"]}


def _shopify(store, headers, body, payload):
    delivery, topic, triggered_at = shopify.delivery_of(headers)
    if not delivery:
        raise BadPayload("X-Shopify-Webhook-Id is missing")
    if not _claim_delivery(store, "shopify", delivery, topic):
        return {"status": "duplicate"}
    if topic == "inventory_levels/update":
        item, location, available = shopify.level(payload)
        if available is None:  # an untracked item: Shopify does not count it
            return {"status": "ignored", "topic": topic}
        return {"status": apply_level(store, "shopify", item, location, available, triggered_at), "topic": topic}
    if topic in ("products/create", "products/update"):
        found = shopify.variants(payload)
        if not fresh(store.id, "shopify", "product", str(payload["id"]),
                     triggered_at or shopify.parse_time(payload.get("updated_at"))):
            return {"status": "stale", "topic": topic}
        apply_variants(store, "shopify", found)
        return {"status": "applied", "topic": topic}
    if topic == "orders/create":
        ref, email, lines = shopify.order_lines(payload)
        return {"status": record_platform_order(store, ref, lines, email), "topic": topic}
    if topic == "customers/redact":
        email = shopify.redacted_email(payload)
        if email:
            erase_shopper(store, email)
        return {"status": "applied", "topic": topic}
    if topic == "shop/redact":
        erase_all_shoppers(store)
        return {"status": "applied", "topic": topic}
    return {"status": "ignored", "topic": topic}


def _woocommerce(store, headers, body, payload):
    delivery, topic = woocommerce.delivery_of(headers)
    if not delivery:
        raise BadPayload("X-WC-Webhook-Delivery-ID is missing")
    if not _claim_delivery(store, "woocommerce", delivery, topic):
        return {"status": "duplicate"}
    if topic in ("product.created", "product.updated", "product.restored"):
        found = woocommerce.variant(payload)
        if found is None:
            return {"status": "ignored", "topic": topic}
        if not fresh(store.id, "woocommerce", "product", found.platform_id, woocommerce.modified_at(payload)):
            return {"status": "stale", "topic": topic}
        apply_variants(store, "woocommerce", [found])
        return {"status": "applied", "topic": topic}
    if topic == "order.created":
        ref, email, lines, status = woocommerce.order_lines(payload)
        if status in SKIPPED_ORDER_STATUSES:
            return {"status": "ignored", "topic": topic}
        return {"status": record_platform_order(store, ref, lines, email), "topic": topic}
    return {"status": "ignored", "topic": topic}


def erase_shopper(store, email):
    """A platform's erasure request: the address's alerts and emails (erase_address), and the address
    on its recorded orders (the orders stay: the merchant still owes the goods)."""
    db.session.execute(db.update(Order).where(Order.store_id == store.id, db.func.lower(Order.email) == email.lower())
                       .values(email=None))
    erase_address(db.session.get(Store, store.id), email)


def erase_all_shoppers(store):
    """Shopify's shop/redact: every shopper's address at this store, alerts and emails included."""
    from ..models import TASK_KINDS, Message, Subscription

    db.session.execute(db.delete(Message).where(Message.store_id == store.id, Message.kind.not_in(TASK_KINDS)))
    db.session.execute(db.delete(Subscription).where(Subscription.store_id == store.id))
    db.session.execute(db.update(Order).where(Order.store_id == store.id).values(email=None))


def prune_deliveries(days, now=None):
    """Forget delivery ids older than `days` (platforms stop retrying after two days at most)."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    removed = db.session.execute(db.delete(WebhookDelivery).where(WebhookDelivery.received_at < cutoff)).rowcount
    db.session.commit()
    return removed
