"""Webhooks from Shopify and WooCommerce end to end: signatures, repeats, stale deliveries, stock
semantics, orders, erasure; each flow ends in what the widget shows and the restock campaign."""

import json

import pytest
from platform_world import (
    SECRET, availability, campaigns, connect, fixture, post, product, shopify_headers, wait_for_restock, woo_headers,
)

from backorder.db import db
from backorder.models import Backorder, Order, Subscription, WebhookDelivery


@pytest.fixture
def shopify(app, store):
    connect(app, store, "shopify", "https://example.myshopify.com/admin/api/2025-07", {"access_token": "shpat_x"})
    return store


@pytest.fixture
def woo(app, store):
    connect(app, store, "woocommerce", "https://shop.example.com/wp-json/wc/v3",
            {"consumer_key": "ck_x", "consumer_secret": "cs_x"})
    return store


def shopify_product(client, store, **header_args):
    return post(client, store, "shopify", fixture("shopify_products_update"), shopify_headers,
                topic="products/update", **header_args)


def level(client, store, available, at, delivery=None, location=75590000001):
    payload = {**fixture("shopify_inventory_levels_update"), "available": available, "location_id": location}
    return post(client, store, "shopify", payload, shopify_headers, topic="inventory_levels/update",
                triggered_at=at, delivery=delivery)


def test_shopify_products_update_creates_products_with_platform_ids_and_policy(app, client, shopify):
    answer = shopify_product(client, shopify)
    assert answer.status_code == 200 and answer.get_json()["status"] == "applied"
    red, blue = product(app, shopify, "TJ-01-M-RED"), product(app, shopify, "TJ-01-M-BLUE")
    assert (red.platform_id, red.platform_product_id, red.name) == ("123456789", "9554194432293", "Trail Jacket – M / Red")
    assert red.mode == "backorder" and blue.mode == "notify"  # continue sells at zero, deny does not
    assert str(red.price) == "129.00"


def test_shopify_levels_sum_locations_and_restock_starts_one_campaign(app, client, shopify):
    shopify_product(client, shopify)
    wait_for_restock(app, shopify, "TJ-01-M-RED")
    assert availability(client, shopify, "TJ-01-M-RED")["state"] == "backorder"
    assert level(client, shopify, 2, "2026-04-22T20:00:00Z").get_json()["status"] == "applied"
    assert level(client, shopify, 3, "2026-04-22T20:00:01Z", location=75590000002).status_code == 200
    assert product(app, shopify, "TJ-01-M-RED").on_hand == 5
    found = availability(client, shopify, "TJ-01-M-RED")
    assert found["state"] == "in_stock" and found["available_now"] == 5
    assert [c.trigger for c in campaigns(app, shopify)] == ["stock_set"]


def test_shopify_level_before_its_product_counts_once_the_product_arrives(app, client, shopify):
    assert level(client, shopify, 4, "2026-04-22T20:00:00Z").get_json()["status"] == "unmapped"
    shopify_product(client, shopify)
    assert product(app, shopify, "TJ-01-M-RED").on_hand == 4


def test_repeated_delivery_changes_nothing(app, client, shopify):
    shopify_product(client, shopify)
    assert level(client, shopify, 2, "2026-04-22T20:00:00Z", delivery="d-1").get_json()["status"] == "applied"
    # the same delivery again, even with another body, is dropped by its id
    again = level(client, shopify, 9, "2026-04-22T20:00:05Z", delivery="d-1")
    assert again.status_code == 200 and again.get_json()["status"] == "duplicate"
    assert product(app, shopify, "TJ-01-M-RED").on_hand == 2


def test_stale_level_is_ignored(app, client, shopify):
    shopify_product(client, shopify)
    level(client, shopify, 5, "2026-04-22T20:00:10Z")
    late = level(client, shopify, 0, "2026-04-22T20:00:01Z")  # triggered earlier, arrived later
    assert late.get_json()["status"] == "stale"
    assert product(app, shopify, "TJ-01-M-RED").on_hand == 5


@pytest.mark.parametrize("case", ["tampered-body", "wrong-secret", "no-signature"])
def test_bad_shopify_signature_is_401_and_changes_nothing(app, client, shopify, case):
    body = json.dumps(fixture("shopify_products_update")).encode()
    headers = shopify_headers(body, "products/update", secret="another-secret" if case == "wrong-secret" else SECRET)
    if case == "tampered-body":
        body = body.replace(b"TJ-01-M-RED", b"TJ-01-M-RUD")
    if case == "no-signature":
        del headers["X-Shopify-Hmac-Sha256"]
    answer = client.post(f"/hooks/{shopify.public_key}/shopify", data=body, headers=headers)
    assert answer.status_code == 401 and answer.get_json()["error"]["code"] == "invalid_signature"
    assert product(app, shopify, "TJ-01-M-RED") is None
    with app.app_context():
        assert db.session.execute(db.select(WebhookDelivery)).first() is None


def test_webhook_without_a_secret_set_is_refused(app, client, store):
    answer = post(client, store, "shopify", fixture("shopify_products_update"), shopify_headers, topic="products/update")
    assert answer.status_code == 401


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'{"id": 1, "variants": "many"}', b'{"variants": []}'])
def test_malformed_payload_is_400(app, client, shopify, body):
    answer = client.post(f"/hooks/{shopify.public_key}/shopify", data=body,
                         headers=shopify_headers(body, "products/update"))
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "bad_payload"


def test_unknown_store_or_platform_is_404(client, shopify):
    body = b"{}"
    assert client.post("/hooks/pk_nobody/shopify", data=body, headers=shopify_headers(body, "x")).status_code == 404
    assert client.post(f"/hooks/{shopify.public_key}/magento", data=body).status_code == 404


def test_shopify_order_records_backordered_units_without_moving_stock(app, client, shopify):
    shopify_product(client, shopify)
    level(client, shopify, 1, "2026-04-22T20:00:00Z")
    answer = post(client, shopify, "shopify", fixture("shopify_orders_create"), shopify_headers, topic="orders/create")
    assert answer.get_json()["status"] == "recorded"
    red = product(app, shopify, "TJ-01-M-RED")
    assert (red.on_hand, red.backordered) == (1, 1)  # 1 ships from stock, 1 backordered; the count moves stock
    # Shopify's count after the order: -1 (one unit oversold). No double counting: nothing sellable, 1 open.
    level(client, shopify, -1, "2026-04-22T20:01:00Z")
    red = product(app, shopify, "TJ-01-M-RED")
    assert (red.on_hand, red.backordered) == (0, 1)
    # 5 arrive: Shopify says 4 (net of the oversold unit). Our open backorder is filled, 4 stay sellable.
    level(client, shopify, 4, "2026-04-22T20:02:00Z")
    red = product(app, shopify, "TJ-01-M-RED")
    assert (red.on_hand, red.backordered) == (4, 0)
    assert availability(client, shopify, "TJ-01-M-RED")["available_now"] == 4
    with app.app_context():
        assert db.session.execute(db.select(Backorder.status)).scalars().all() == ["allocated"]
    # a repeat of the order (another delivery id) records nothing more
    again = post(client, shopify, "shopify", fixture("shopify_orders_create"), shopify_headers, topic="orders/create")
    assert again.get_json()["status"] == "duplicate"


def test_shopify_order_arriving_after_the_count_is_not_counted_twice(app, client, shopify):
    shopify_product(client, shopify)
    level(client, shopify, 5, "2026-04-22T20:00:00Z")
    level(client, shopify, 3, "2026-04-22T20:01:00Z")  # the count after a 2-unit order, before the order itself
    post(client, shopify, "shopify", fixture("shopify_orders_create"), shopify_headers, topic="orders/create")
    red = product(app, shopify, "TJ-01-M-RED")
    assert (red.on_hand, red.backordered) == (3, 0)


def test_customers_redact_erases_the_address(app, client, shopify):
    shopify_product(client, shopify)
    wait_for_restock(app, shopify, "TJ-01-M-RED", email="ada@example.com")
    post(client, shopify, "shopify", fixture("shopify_orders_create"), shopify_headers, topic="orders/create")
    answer = post(client, shopify, "shopify", fixture("shopify_customers_redact"), shopify_headers,
                  topic="customers/redact")
    assert answer.status_code == 200
    with app.app_context():
        assert db.session.execute(db.select(Subscription)).first() is None
        assert db.session.execute(db.select(Order.email)).scalars().all() == [None]


def test_shop_redact_erases_every_shopper(app, client, shopify):
    shopify_product(client, shopify)
    wait_for_restock(app, shopify, "TJ-01-M-RED", email="one@example.com")
    wait_for_restock(app, shopify, "TJ-01-M-BLUE", email="two@example.com")
    post(client, shopify, "shopify", {"shop_id": 954889, "shop_domain": "example.myshopify.com"}, shopify_headers,
         topic="shop/redact")
    with app.app_context():
        assert db.session.execute(db.select(Subscription)).first() is None


# --- WooCommerce ---------------------------------------------------------------------------

def test_woocommerce_ping_gets_200_without_signature(client, woo):
    answer = client.post(f"/hooks/{woo.public_key}/woocommerce", data=b"webhook_id=12",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 200 and answer.get_json()["status"] == "ping"


def test_woocommerce_unsigned_json_is_refused(client, woo):
    answer = client.post(f"/hooks/{woo.public_key}/woocommerce", data=json.dumps(fixture("woocommerce_product_updated")),
                         headers={"Content-Type": "application/json", "X-WC-Webhook-Topic": "product.updated"})
    assert answer.status_code == 401


def test_woocommerce_product_and_variation_flow(app, client, woo):
    wait_for = fixture("woocommerce_product_updated")
    assert post(client, woo, "woocommerce", wait_for, woo_headers, topic="product.updated").get_json()["status"] == "applied"
    mug = product(app, woo, "MUG-01")
    assert (mug.on_hand, mug.mode, mug.platform_id) == (0, "backorder", "799")
    wait_for_restock(app, woo, "MUG-01")
    post(client, woo, "woocommerce", {**wait_for, "stock_quantity": 6, "stock_status": "instock",
                                      "date_modified_gmt": "2026-05-01T11:00:00"}, woo_headers, topic="product.updated")
    assert availability(client, woo, "MUG-01")["state"] == "in_stock"
    assert len(campaigns(app, woo)) == 1
    # a stale delivery (modified earlier) arriving late changes nothing
    late = post(client, woo, "woocommerce", {**wait_for, "stock_quantity": 0}, woo_headers, topic="product.updated")
    assert late.get_json()["status"] == "stale" and product(app, woo, "MUG-01").on_hand == 6
    variation = post(client, woo, "woocommerce", fixture("woocommerce_variation_updated"), woo_headers,
                     topic="product.updated")
    assert variation.get_json()["status"] == "applied"
    tee = product(app, woo, "TEE-L")
    assert (tee.on_hand, tee.platform_id, tee.platform_product_id) == (7, "812", "810")


def test_woocommerce_order_uses_its_backordered_meta(app, client, woo):
    post(client, woo, "woocommerce", {**fixture("woocommerce_product_updated"), "stock_quantity": 1},
         woo_headers, topic="product.updated")
    answer = post(client, woo, "woocommerce", fixture("woocommerce_order_created"), woo_headers, topic="order.created")
    assert answer.get_json()["status"] == "recorded"
    with app.app_context():
        order = db.session.execute(db.select(Order)).scalar_one()
        assert (order.order_ref, order.email) == ("9001", "ada@example.com")
        assert [(line.ship_now, line.backordered) for line in order.lines] == [(1, 2)]
