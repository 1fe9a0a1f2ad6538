"""Tenant isolation on every admin URL: store A's user never sees nor changes store B's data.

Every admin endpoint must be listed below, in exactly one group, so a new page cannot forget:
- OPEN: reachable without a store (login), or only ever about the session;
- LISTS: pages without ids: they answer for A and never show B's rows;
- OBJECTS: URLs naming one of B's objects (sku, shipment, sign-up, message, campaign): 404;
- ACTIONS: posts that act on the current store: they act on A, and B stays as it was.
"""

import io

import pytest
import sqlalchemy as sa

from backorder.db import db
from backorder.models import Campaign, Message, Product, Shipment, Store, Subscription
from backorder.services import campaigns, inventory, orders, products, subscriptions
from test_admin_settings import GOOD as SETTINGS

B_SKU = "B-ONLY"
B_MARKERS = ("B-ONLY", "b-shopper@example.com", "b-buyer@example.com", "B-ORDER-1", "Other Shop")

OPEN = {"admin.login", "admin.logout", "admin.home", "admin.switch_store"}

LISTS = {
    "admin.dashboard": "/admin/dashboard",
    "admin.products": "/admin/products",
    "admin.backorders": "/admin/backorders",
    "admin.backorders_csv": "/admin/backorders.csv",
    "admin.subscribers": "/admin/subscribers?status=pending",
    "admin.subscribers_csv": "/admin/subscribers.csv",
    "admin.messages": "/admin/messages",
    "admin.imports": "/admin/import",
    "admin.imports_template": "/admin/import/template.csv",
    "admin.settings": "/admin/settings",
    "admin.platforms": "/admin/platforms",
    "admin.platforms_detail": "/admin/platforms/bigcommerce",
    "admin.reports": "/admin/reports",
}
EXTRA_LIST_URLS = ["/admin/reports?format=csv", "/admin/reports?report=funnel", "/admin/reports?report=email", "/admin/reports?report=suppliers",
                   "/admin/dashboard?days=90", "/admin/products?state=backorder"]

# (method, url) with B's ids filled in from the `world` fixture.
OBJECTS = {
    "admin.products_page": [("GET", "/admin/products/B-ONLY"), ("POST", "/admin/products/B-ONLY")],
    "admin.products_preview": [("POST", "/admin/products/B-ONLY/preview")],
    "admin.products_restock_emails": [("POST", "/admin/products/B-ONLY/restock-emails")],
    "admin.products_campaign_progress": [("GET", "/admin/products/B-ONLY/campaigns/{campaign}/progress"),
                                         ("GET", "/admin/products/A-SKU/campaigns/{campaign}/progress")],
    "admin.products_plan_shipment": [("POST", "/admin/products/B-ONLY/shipments")],
    "admin.products_edit_shipment": [("POST", "/admin/products/A-SKU/shipments/{shipment}"),
                                      ("POST", "/admin/products/B-ONLY/shipments/{shipment}")],
    "admin.products_cancel_shipment": [("POST", "/admin/products/A-SKU/shipments/{shipment}/cancel")],
    "admin.products_receive_shipment": [("GET", "/admin/products/A-SKU/shipments/{shipment}/receive"),
                                        ("POST", "/admin/products/A-SKU/shipments/{shipment}/receive")],
    "admin.subscribers_erase": [("GET", "/admin/subscribers/{subscription}/erase"),
                                ("POST", "/admin/subscribers/{subscription}/erase")],
    "admin.messages_retry": [("POST", "/admin/messages/{message}/retry")],
}

# (url, form data): what a user of A might post, naming B's things where the form takes names.
ACTIONS = {
    "admin.products_bulk": ("/admin/products", {"action": "mode", "mode": "backorder", "sku": [B_SKU, "A-SKU"]}),
    "admin.settings": ("/admin/settings", SETTINGS),
    "admin.rotate_api_token": ("/admin/settings/api-token", {}),
    "admin.imports": ("/admin/import", {"file": (io.BytesIO(b"sku,on_hand\nB-ONLY,99\n"), "stock.csv")}),
    "admin.platforms_credentials": ("/admin/platforms/bigcommerce/credentials",
                                    {"shop": "abc123", "access_token": "t" * 20, "client_secret": "c" * 20}),
    "admin.platforms_secret": ("/admin/platforms/woocommerce/secret", {}),
    "admin.platforms_schedule": ("/admin/platforms/woocommerce/schedule", {"sync_every_minutes": "60"}),
    "admin.platforms_sync": ("/admin/platforms/bigcommerce/sync", {}),
    "admin.platforms_webhooks": ("/admin/platforms/bigcommerce/webhooks", {}),
    "admin.platforms_widget_install": ("/admin/platforms/bigcommerce/widget", {}),
    "admin.platforms_widget_remove": ("/admin/platforms/bigcommerce/widget/remove", {}),
}


# What A gets where the form above is complete: done (200 or 302), or 404 for naming B's sku.
EXPECTED = {"admin.settings": (302,), "admin.rotate_api_token": (200,), "admin.platforms_credentials": (302,),
            "admin.platforms_secret": (200,), "admin.platforms_schedule": (302,), "admin.products_bulk": (404,)}


def admin_endpoints(app):
    return {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")}


def test_every_admin_endpoint_is_in_the_matrix(app):
    groups = [OPEN, set(LISTS), set(OBJECTS), set(ACTIONS) - set(LISTS)]
    listed = set().union(*groups)
    assert admin_endpoints(app) - listed == set(), "add these admin endpoints to the tenancy matrix"
    stale = listed - admin_endpoints(app)
    assert stale == set(), f"the matrix lists endpoints that do not exist: {stale}"


@pytest.fixture
def world(app, store, other_store, make_product):
    """Store B with one of everything (product, shipment, sign-up, backorder, campaign, failed message);
    store A with a product and shipment of its own. Returns B's ids."""
    make_product("A-SKU", on_hand=0, mode="backorder")
    with app.app_context():
        a = db.session.get(Store, store.id)
        b = db.session.get(Store, other_store.id)
        inventory.plan_shipment(products.get_product(a, "A-SKU"), 5, inventory_day())
        (product, _), = products.upsert_products(b, [(B_SKU, {"on_hand": 0, "mode": "backorder",
                                                                 "backorder_limit": 10})])
        shipment = inventory.plan_shipment(product, 7, inventory_day())
        subscriptions.subscribe(b, B_SKU, "b-shopper@example.com")  # pending, with its confirmation queued
        orders.record_order(b, "B-ORDER-1", [{"sku": B_SKU, "quantity": 2}], email="b-buyer@example.com")
        campaign = campaigns.start_manual_campaign(b, products.get_product(b, B_SKU))  # backorderable: a room notice
        message = db.session.scalars(sa.select(Message).where(Message.store_id == b.id)).one()
        message.status, message.reason = "failed", "550 5.1.1 No such user"
        db.session.commit()
        ids = {"shipment": shipment.id, "campaign": campaign.id, "message": message.id,
               "subscription": db.session.scalar(sa.select(Subscription.id).where(Subscription.store_id == b.id))}
    return ids


def inventory_day():
    from datetime import date, timedelta
    return date.today() + timedelta(days=10)


def snapshot_of_b(app, store_id):
    """Everything of store B a page could change, as plain values."""
    with app.app_context():
        db.session.expire_all()
        store = db.session.get(Store, store_id)
        rows = lambda model, *columns: sorted(  # noqa: E731
            tuple(str(getattr(row, column)) for column in columns)
            for row in db.session.scalars(sa.select(model).where(model.store_id == store_id)))
        return {
            "store": (store.name, store.api_token_hash, store.double_opt_in),
            "products": rows(Product, "sku", "on_hand", "mode", "backorder_limit", "back_in_stock_date"),
            "subscriptions": rows(Subscription, "email", "status"),
            "messages": rows(Message, "recipient", "status", "attempts"),
            "campaigns": rows(Campaign, "status"),
            "shipments": sorted((s.id, s.status, s.quantity) for s in db.session.scalars(
                sa.select(Shipment).join(Product).where(Product.store_id == store_id))),
        }


@pytest.mark.parametrize("url", sorted(LISTS.values()) + EXTRA_LIST_URLS)
def test_lists_show_only_the_current_stores_rows(app, admin, world, other_store, url):
    answer = admin.get(url)
    assert answer.status_code == 200, answer.text[:500]
    body = answer.get_data(as_text=True)
    leaked = [marker for marker in B_MARKERS if marker in body]
    assert leaked == [], f"{url} shows store B's {leaked}"


@pytest.mark.parametrize("endpoint, method, url", [
    (endpoint, method, url) for endpoint, calls in sorted(OBJECTS.items()) for method, url in calls])
def test_another_stores_objects_are_not_found_and_unchanged(app, admin, world, other_store, endpoint, method, url):
    before = snapshot_of_b(app, other_store.id)
    path = url.format(**world)
    answer = admin.get(path) if method == "GET" else admin.post(path, data={"quantity": "1"})
    assert answer.status_code == 404, f"{method} {path}: {answer.status_code}"
    assert snapshot_of_b(app, other_store.id) == before


@pytest.mark.parametrize("endpoint", sorted(ACTIONS))
def test_actions_change_only_the_current_store(app, admin, world, other_store, endpoint):
    before = snapshot_of_b(app, other_store.id)
    url, data = ACTIONS[endpoint]
    answer = admin.post(url, data=dict(data), content_type="multipart/form-data")
    assert answer.status_code < 500, answer.text[:500]
    if endpoint in EXPECTED:
        assert answer.status_code in EXPECTED[endpoint], f"{endpoint}: {answer.status_code} {answer.text[:300]}"
    assert snapshot_of_b(app, other_store.id) == before


def test_switching_to_a_store_one_is_not_a_member_of_is_not_found(admin, other_store):
    assert admin.post("/admin/store", data={"store_id": str(other_store.id)}).status_code == 404
