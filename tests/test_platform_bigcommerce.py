"""BigCommerce end to end against the local stand-in of its API: authentication (secret header and
Standard Webhooks), callbacks queued as outbox tasks, the worker re-reading stock and orders,
native backorder fields, and the Scripts API."""

import json
import time

import pytest
from platform_server import BC_BASE, BC_TOKEN, platforms  # noqa: F401 (fixture)
from platform_world import (
    CLIENT_SECRET, availability, bigcommerce_headers, campaigns, connect, fast_retries, fixture, post,  # noqa: F401
    product, wait_for_restock,
)

from backorder.db import db
from backorder.models import TASK_KIND, Message, Order, PlatformConnection, Store
from backorder.services import platform_sync
from backorder.services.platform_tasks import run_due_tasks


@pytest.fixture
def bc(app, store, platforms, fast_retries):
    connect(app, store, "bigcommerce", platforms.url + BC_BASE,
            {"access_token": BC_TOKEN, "client_secret": CLIENT_SECRET})
    platforms.bc_products = [fixture("bigcommerce_catalog_product")]
    item = fixture("bigcommerce_inventory_item")
    platforms.bc_inventory = {"509": item, "510": {**item, "identity": {**item["identity"], "variant_id": 510,
                                                                        "sku": "TJ-01-M-BLUE"},
                                                   "locations": [{**item["locations"][0], "available_to_sell": 0}]}}
    platforms.bc_orders = {"4711": fixture("bigcommerce_order")}
    platforms.bc_order_products = {"4711": fixture("bigcommerce_order_products")}
    return store


def work(app):
    """One pass of the worker's platform tasks."""
    with app.app_context():
        tally = run_due_tasks("test-worker", app.config)
        return tally


def tasks(app):
    with app.app_context():
        return db.session.execute(db.select(Message.status, Message.reason, Message.payload)
                                  .where(Message.kind == TASK_KIND).order_by(Message.id)).all()


def test_stock_callback_is_queued_then_the_worker_sets_stock_from_every_location(app, client, bc, platforms):
    answer = post(client, bc, "bigcommerce", fixture("bigcommerce_sku_inventory_updated"), bigcommerce_headers)
    assert answer.status_code == 200 and answer.get_json()["status"] == "queued"
    assert product(app, bc, "TJ-01-M-RED") is None  # nothing is fetched while BigCommerce waits for the answer
    assert work(app).sent == 1
    red, blue = product(app, bc, "TJ-01-M-RED"), product(app, bc, "TJ-01-M-BLUE")
    assert (red.on_hand, red.platform_id, red.platform_product_id) == (5, "509", "206")  # 3 + 2 locations
    assert blue.on_hand == 0 and red.name == "Trail Jacket – Red"
    assert availability(client, bc, "TJ-01-M-RED")["state"] == "in_stock"
    assert "v3/inventory/items?variant_id%3Ain=509%2C510&limit=100&page=1" in " ".join(platforms.paths())


def test_restock_through_bigcommerce_starts_one_campaign(app, client, bc, platforms):
    platforms.bc_inventory["509"]["locations"] = [{**platforms.bc_inventory["509"]["locations"][0], "available_to_sell": 0}]
    post(client, bc, "bigcommerce", fixture("bigcommerce_sku_inventory_updated"), bigcommerce_headers)
    work(app)
    wait_for_restock(app, bc, "TJ-01-M-RED")
    platforms.bc_inventory["509"]["locations"][0]["available_to_sell"] = 4
    for _ in range(3):  # the same change reported three times, as three deliveries
        post(client, bc, "bigcommerce", fixture("bigcommerce_sku_inventory_updated") | {"hash": str(time.time_ns())},
             bigcommerce_headers)
    work(app)
    assert product(app, bc, "TJ-01-M-RED").on_hand == 4
    assert len(campaigns(app, bc)) == 1


def test_duplicate_callback_is_queued_once(app, client, bc):
    payload = fixture("bigcommerce_sku_inventory_updated")
    body = json.dumps(payload).encode()
    first = client.post(f"/hooks/{bc.public_key}/bigcommerce", data=body,
                        headers=bigcommerce_headers(body, message_id="msg_1"))
    again = client.post(f"/hooks/{bc.public_key}/bigcommerce", data=body,
                        headers=bigcommerce_headers(body, message_id="msg_1"))
    assert first.get_json()["status"] == "queued" and again.get_json()["status"] == "duplicate"
    assert len(tasks(app)) == 1


@pytest.mark.parametrize("case", ["wrong-secret-header", "no-secret-header", "tampered-body", "wrong-client-secret",
                                  "stale-timestamp"])
def test_bad_bigcommerce_authentication_is_401_and_queues_nothing(app, client, bc, case):
    body = json.dumps(fixture("bigcommerce_sku_inventory_updated")).encode()
    headers = bigcommerce_headers(
        body, secret="not-the-secret" if case == "wrong-secret-header" else "whsec_test-secret-0123456789",
        client_secret="another-client-secret" if case == "wrong-client-secret" else CLIENT_SECRET,
        timestamp=int(time.time()) - 600 if case == "stale-timestamp" else None)
    if case == "no-secret-header":
        del headers["X-Backorder-Secret"]
    if case == "tampered-body":
        body = body.replace(b'"value": 5', b'"value": 6')
    answer = client.post(f"/hooks/{bc.public_key}/bigcommerce", data=body, headers=headers)
    assert answer.status_code == 401
    assert tasks(app) == []


def test_secret_header_alone_is_enough_without_standard_webhooks_headers(app, client, bc):
    answer = post(client, bc, "bigcommerce", fixture("bigcommerce_sku_inventory_updated"), bigcommerce_headers,
                  client_secret=None)
    assert answer.get_json()["status"] == "queued"


def test_order_callback_records_backordered_lines(app, client, bc, platforms):
    post(client, bc, "bigcommerce", fixture("bigcommerce_sku_inventory_updated"), bigcommerce_headers)
    work(app)  # 5 of TJ-01-M-RED on hand
    platforms.bc_order_products["4711"][0]["quantity"] = 7
    answer = post(client, bc, "bigcommerce", fixture("bigcommerce_order_created"), bigcommerce_headers)
    assert answer.get_json()["status"] == "queued"
    work(app)
    with app.app_context():
        order = db.session.execute(db.select(Order)).scalar_one()
        assert (order.order_ref, order.email) == ("4711", "ada@example.com")
        assert [(line.ship_now, line.backordered) for line in order.lines] == [(5, 2)]
    assert tasks(app)[-1].status == "sent"


def test_incomplete_order_waits_for_its_status_update(app, client, bc, platforms):
    post(client, bc, "bigcommerce", fixture("bigcommerce_sku_inventory_updated"), bigcommerce_headers)
    work(app)
    platforms.bc_orders["4711"]["status_id"] = 0
    post(client, bc, "bigcommerce", fixture("bigcommerce_order_created"), bigcommerce_headers)
    work(app)
    assert tasks(app)[-1].payload["result"] == "not a sale (status 0)"
    platforms.bc_orders["4711"]["status_id"] = 11
    update = {**fixture("bigcommerce_order_created"), "scope": "store/order/statusUpdated", "hash": "h2",
              "data": {"type": "order", "id": 4711, "status": {"previous_status_id": 0, "new_status_id": 11}}}
    post(client, bc, "bigcommerce", update, bigcommerce_headers)
    work(app)
    with app.app_context():
        assert db.session.execute(db.select(Order.order_ref)).scalars().all() == ["4711"]


def test_native_backorder_limit_is_honoured(app, client, bc, platforms):
    location = platforms.bc_inventory["509"]["locations"][0]
    platforms.bc_inventory["509"]["locations"] = [{**location, "total_inventory_onhand": 0, "available_to_sell": 10,
                                                   "backorder_limit": 10, "qty_backordered": 0}]
    post(client, bc, "bigcommerce", fixture("bigcommerce_sku_inventory_updated"), bigcommerce_headers)
    work(app)
    red = product(app, bc, "TJ-01-M-RED")
    assert (red.on_hand, red.mode, red.backorder_limit) == (0, "backorder", 10)
    found = availability(client, bc, "TJ-01-M-RED")
    assert found["state"] == "backorder" and found["purchasable"]


def test_platform_500_then_success_is_retried_within_the_task(app, client, bc, platforms):
    platforms.fail_next(500, times=2, path=BC_BASE + "/v3/catalog")
    post(client, bc, "bigcommerce", fixture("bigcommerce_sku_inventory_updated"), bigcommerce_headers)
    assert work(app).sent == 1
    assert product(app, bc, "TJ-01-M-RED").on_hand == 5


def test_platform_down_retries_the_task_later_with_a_reason(app, client, bc, platforms):
    app.config["PLATFORM_RETRIES"] = 1
    platforms.fail_next(503, times=10)
    post(client, bc, "bigcommerce", fixture("bigcommerce_sku_inventory_updated"), bigcommerce_headers)
    assert work(app).retried == 1
    status, reason, _ = tasks(app)[0]
    assert status == "queued" and "answered 503" in reason


def test_revoked_token_fails_the_task_with_the_reason(app, client, bc, platforms):
    with app.app_context():
        from backorder.services import platforms as connections
        connections.set_credentials(db.session.get(Store, bc.id), "bigcommerce", {"access_token": "revoked"})
    post(client, bc, "bigcommerce", fixture("bigcommerce_sku_inventory_updated"), bigcommerce_headers, client_secret=None)
    assert work(app).failed == 1
    status, reason, _ = tasks(app)[0]
    assert status == "failed" and "answered 401" in reason


def test_tasks_stay_out_of_the_email_delivery_log(app, client, bc):
    post(client, bc, "bigcommerce", fixture("bigcommerce_sku_inventory_updated"), bigcommerce_headers)
    answer = client.get("/api/v1/admin/messages", headers=bc.headers)
    assert answer.status_code == 200 and answer.get_json()["items"] == []


def test_widget_install_and_remove_through_the_scripts_api(app, bc, platforms):
    with app.app_context():
        row = db.session.get(Store, bc.id)
        uuid = platform_sync.install_widget(row)
        assert platform_sync.install_widget(row) == uuid  # once
    (script,) = platforms.bc_scripts.values()
    assert script == {
        "name": "backorder widget", "description": "Backorder and back-in-stock status on product pages",
        "kind": "src", "src": f"http://127.0.0.1:5000/widget.js?store={bc.public_key}", "load_method": "defer",
        "location": "footer", "visibility": "storefront", "consent_category": "functional", "auto_uninstall": True,
        "enabled": True,
    }
    with app.app_context():
        platform_sync.remove_widget(db.session.get(Store, bc.id))
        assert db.session.get(PlatformConnection, (bc.id, "bigcommerce")).widget_script_id is None
    assert platforms.bc_scripts == {}


def test_widget_src_with_store_sets_the_tags_data_store(app, client, tmp_path):
    """The Scripts API's `src` kind carries no attributes: ?store= gives the widget its store instead."""
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "widget.js").write_text("(()=>{})();")
    app.root_path = str(tmp_path)
    plain = client.get("/widget.js")
    answer = client.get("/widget.js?store=pk_abc-DEF_1")
    assert answer.get_data(as_text=True) == (
        '(function(s){s&&!s.dataset.store&&(s.dataset.store="pk_abc-DEF_1")})(document.currentScript);\n(()=>{})();')
    assert answer.headers["ETag"] != plain.headers["ETag"]
    for hostile in ('pk_a"};alert(1);//', "sk_secret", "pk_" + "a" * 65):
        assert client.get("/widget.js", query_string={"store": hostile}).get_data(as_text=True) == "(()=>{})();"


def test_app_uninstalled_forgets_the_widget_script(app, client, bc):
    with app.app_context():
        platform_sync.install_widget(db.session.get(Store, bc.id))
    uninstalled = {**fixture("bigcommerce_order_created"), "scope": "store/app/uninstalled", "hash": "u1",
                   "data": {"type": "app", "id": 1}}
    assert post(client, bc, "bigcommerce", uninstalled, bigcommerce_headers).get_json()["status"] == "applied"
    with app.app_context():
        assert db.session.get(PlatformConnection, (bc.id, "bigcommerce")).widget_script_id is None
