"""Shared by the platform tests: connect a store to a platform, sign deliveries as each platform does."""

import base64
import hashlib
import hmac
import json
import time
import uuid
from pathlib import Path

import pytest

from backorder.db import db
from backorder.models import Campaign, Product, Store
from backorder.services import platforms, subscriptions

FIXTURES = Path(__file__).parent / "fixtures" / "platforms"
SECRET = "whsec_test-secret-0123456789"
CLIENT_SECRET = "bc-client-secret-abcdef"


def fixture(name):
    return json.loads((FIXTURES / f"{name}.json").read_text())


def connect(app, store, platform, api_url, credentials):
    """Credentials pointing at the fake server, and the webhook secret SECRET."""
    with app.app_context():
        row = db.session.get(Store, store.id)
        platforms.set_credentials(row, platform, credentials, api_url=api_url)
        platforms.set_webhook_secret(row, platform, SECRET)


def shopify_headers(body, topic, delivery=None, triggered_at="2026-04-22T19:30:00Z", secret=SECRET):
    signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return {"Content-Type": "application/json", "X-Shopify-Topic": topic, "X-Shopify-Hmac-Sha256": signature,
            "X-Shopify-Shop-Domain": "example.myshopify.com", "X-Shopify-API-Version": "2025-07",
            "X-Shopify-Webhook-Id": delivery or str(uuid.uuid4()), "X-Shopify-Triggered-At": triggered_at}


def woo_headers(body, topic, delivery=None, secret=SECRET):
    signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    resource, _, event = topic.partition(".")
    return {"Content-Type": "application/json", "X-WC-Webhook-Source": "https://shop.example.com/",
            "X-WC-Webhook-Topic": topic, "X-WC-Webhook-Resource": resource, "X-WC-Webhook-Event": event,
            "X-WC-Webhook-Signature": signature, "X-WC-Webhook-ID": "12",
            "X-WC-Webhook-Delivery-ID": delivery or uuid.uuid4().hex}


def bigcommerce_headers(body, secret=SECRET, client_secret=CLIENT_SECRET, message_id=None, timestamp=None):
    headers = {"Content-Type": "application/json", "X-Backorder-Secret": secret}
    if client_secret:
        message_id = message_id or f"msg_{uuid.uuid4().hex}"
        timestamp = str(int(time.time()) if timestamp is None else timestamp)
        signed = f"{message_id}.{timestamp}.".encode() + body
        signature = base64.b64encode(hmac.new(client_secret.encode(), signed, hashlib.sha256).digest()).decode()
        headers.update({"webhook-id": message_id, "webhook-timestamp": timestamp,
                        "webhook-signature": f"v1,{signature}"})
    return headers


def post(client, store, platform, payload, headers_for, **header_args):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.post(f"/hooks/{store.public_key}/{platform}", data=body, headers=headers_for(body, **header_args))


def product(app, store, sku):
    with app.app_context():
        return db.session.execute(db.select(Product).filter_by(store_id=store.id, sku=sku)).scalar_one_or_none()


def campaigns(app, store):
    with app.app_context():
        return db.session.execute(db.select(Campaign).where(Campaign.store_id == store.id)).scalars().all()


def availability(client, store, sku):
    answer = client.get(f"/api/v1/stores/{store.public_key}/availability?sku={sku}",
                        headers={"Origin": "https://shop.example.com"})
    return answer.get_json()["items"][0]


def wait_for_restock(app, store, sku, email="waiting@example.com"):
    """An active sign-up for `sku`, so a restock has someone to tell."""
    with app.app_context():
        row = db.session.get(Store, store.id)
        row.double_opt_in = False
        db.session.commit()
        subscriptions.subscribe(row, sku, email)


@pytest.fixture
def fast_retries(app):
    app.config.update(PLATFORM_RETRY_SECONDS=0.01, PLATFORM_TIMEOUT_SECONDS=5)
    return app


def level_payload(available, location=75590000001):
    return {**fixture("shopify_inventory_levels_update"), "available": available, "location_id": location}
