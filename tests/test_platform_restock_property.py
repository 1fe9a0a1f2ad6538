"""Property: however a platform's deliveries are repeated and reordered, a product that goes from
sellable-nothing to sellable starts its restock campaign exactly once, and ends at the newest count."""

import json
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from platform_world import SECRET, fixture, shopify_headers, woo_headers

from backorder.db import db
from backorder.models import Campaign, Product, Store
from backorder.services import platforms, stores, subscriptions

START = datetime(2026, 4, 22, 20, 0, tzinfo=timezone.utc)


@st.composite
def deliveries(draw):
    """A true history of counts (the last one sellable), each delivered 1 to 3 times, in any order."""
    counts = draw(st.lists(st.integers(min_value=-3, max_value=6), min_size=0, max_size=5))
    counts.append(draw(st.integers(min_value=1, max_value=6)))
    events = [(number, count) for number, count in enumerate(counts)]
    repeats = [event for event in events for _ in range(draw(st.integers(min_value=1, max_value=3)))]
    return counts, draw(st.permutations(repeats))


def _store(app, platform):
    """A fresh store per example (examples share the test's database), connected, with one product
    at zero and one shopper waiting for it."""
    with app.app_context():
        store, _ = stores.create_store("Property Shop", ["https://shop.example.com"])
        store.double_opt_in = False
        platforms.set_credentials(store, platform, {"access_token": "t", "consumer_key": "k", "consumer_secret": "s"},
                                  api_url="https://platform.example")
        platforms.set_webhook_secret(store, platform, SECRET)
        return store.id, store.public_key


def _send(client, public_key, platform, number, count):
    at = START + timedelta(seconds=number)
    if platform == "shopify":
        body = json.dumps({**fixture("shopify_inventory_levels_update"), "available": count}).encode()
        headers = shopify_headers(body, "inventory_levels/update", delivery=f"level-{number}",
                                  triggered_at=at.isoformat())
    else:
        body = json.dumps({**fixture("woocommerce_product_updated"), "stock_quantity": count,
                           "date_modified_gmt": at.replace(tzinfo=None).isoformat()}).encode()
        headers = woo_headers(body, "product.updated", delivery=f"product-{number}")
    answer = client.post(f"/hooks/{public_key}/{platform}", data=body, headers=headers)
    assert answer.status_code == 200, answer.get_json()


def _prepare(app, client, platform, store_id, public_key):
    if platform == "shopify":
        body = json.dumps(fixture("shopify_products_update")).encode()
        client.post(f"/hooks/{public_key}/shopify", data=body,
                    headers=shopify_headers(body, "products/update", triggered_at=START.isoformat()))
        sku = "TJ-01-M-RED"
    else:
        _send(client, public_key, "woocommerce", -1, 0)
        sku = "MUG-01"
    with app.app_context():
        subscriptions.subscribe(db.session.get(Store, store_id), sku, "waiting@example.com")
    return sku


def _check(app, client, platform, history):
    counts, order = history
    store_id, public_key = _store(app, platform)
    sku = _prepare(app, client, platform, store_id, public_key)
    for number, count in order:
        _send(client, public_key, platform, number, count)
    with app.app_context():
        product = db.session.execute(db.select(Product).filter_by(store_id=store_id, sku=sku)).scalar_one()
        started = db.session.execute(db.select(Campaign).filter_by(store_id=store_id, kind="restock")).scalars().all()
        assert product.on_hand == counts[-1]
        assert len(started) == 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=deliveries())
def test_shopify_restock_starts_once_over_any_delivery_order(app, client, history):
    _check(app, client, "shopify", history)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=deliveries())
def test_woocommerce_restock_starts_once_over_any_delivery_order(app, client, history):
    _check(app, client, "woocommerce", history)
