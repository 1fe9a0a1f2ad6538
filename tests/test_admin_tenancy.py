"""Tenant isolation on every admin URL and admin API endpoint: store A's user or token never sees nor changes
store B's data.

Every admin endpoint must be listed below, in exactly one group, so a new page cannot forget:
- OPEN: reachable without a store (login), or only ever about the session;
- LISTS: pages without ids: they answer for A and never show B's rows;
- OBJECTS: URLs naming one of B's objects (sku, shipment, sign-up, message, campaign): 404;
- ACTIONS: posts that act on the current store: they act on A, and B stays as it was.
"""

import io

import pytest
import sqlalchemy as sa
from platform_server import BC_BASE, BC_TOKEN, platforms  # noqa: F401 (fixture)
from platform_world import connect

from backorder.db import db
from backorder.models import Campaign, ImportJob, Message, PlatformConnection, Product, Shipment, Store, Subscription
from backorder.services import campaigns, inventory, orders, products, subscriptions
from backorder.services.platform_tasks import run_due_tasks
from test_admin_settings import GOOD as SETTINGS

B_SKU = "B-ONLY"
B_MARKERS = ("B-ONLY", "b-shopper@example.com", "b-buyer@example.com", "B-ORDER-1", "Other Shop", "b-stock.csv")

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
    "admin.import_job": [("GET", "/admin/import/{import_job}")],
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
EXPECTED = {"admin.imports": (303,), "admin.settings": (302,), "admin.rotate_api_token": (200,), "admin.platforms_credentials": (302,),
            "admin.platforms_secret": (200,), "admin.platforms_schedule": (302,), "admin.products_bulk": (404,)}


# Actions that queue their work: the worker runs it before B is compared.
RUN_BY_THE_WORKER = {"admin.imports"}


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
        job = ImportJob(store_id=b.id, filename="b-stock.csv", status="done", rows=1, created=0, updated=1)
        db.session.add(job)
        db.session.commit()
        ids = {"shipment": shipment.id, "campaign": campaign.id, "message": message.id, "import_job": job.id,
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
            "imports": rows(ImportJob, "filename", "status", "rows"),
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
    if endpoint in RUN_BY_THE_WORKER:
        with app.app_context():
            assert run_due_tasks("tenancy-test", app.config).sent >= 1
    assert snapshot_of_b(app, other_store.id) == before


def test_switching_to_a_store_one_is_not_a_member_of_is_not_found(admin, other_store):
    assert admin.post("/admin/store", data={"store_id": str(other_store.id)}).status_code == 404


# The admin REST API (/api/v1/admin/…, store A's token): the same groups, every admin_api endpoint listed.
API = "/api/v1/admin"
API_LISTS = {  # endpoint: GETs answered 200 for A that show none of B's rows
    "admin_api.get_store": ["/store"],
    "admin_api.list_products": ["/products"],
    "admin_api.list_backorders": ["/backorders", "/backorders?format=csv"],
    "admin_api.list_subscriptions": ["/subscriptions", "/subscriptions?format=csv", "/subscriptions?search=b-shopper"],
    "admin_api.list_campaigns": ["/campaigns"],
    "admin_api.list_messages": ["/messages", "/messages?status=failed"],
    "admin_api.list_platforms": ["/platforms"],
    "admin_api.demand_report": ["/reports/demand", "/reports/demand?format=csv"],
    "admin_api.suppliers_report": ["/reports/suppliers"],
    "admin_api.purchase_list_report": ["/reports/purchase-list?supplier=Acme"],
    "admin_api.funnel_report": ["/reports/funnel", "/reports/funnel?format=csv"],
    "admin_api.backorders_report": ["/reports/backorders"],
    "admin_api.email_report": ["/reports/email"],
    "admin_api.activity_report": ["/reports/activity"],
}
API_OBJECTS = {  # endpoint: (method, path, body) naming one of B's objects: 404
    "admin_api.get_product": [("GET", "/products/B-ONLY", None)],
    "admin_api.list_shipments": [("GET", "/products/B-ONLY/shipments", None)],
    "admin_api.plan_shipment": [("POST", "/products/B-ONLY/shipments", {"quantity": 1, "expected_on": "2030-01-01"})],
    "admin_api.start_campaign": [("POST", "/products/B-ONLY/campaigns", None)],
    "admin_api.update_shipment": [("PATCH", "/shipments/{shipment}", {"quantity": 1})],
    "admin_api.receive_shipment": [("POST", "/shipments/{shipment}/receive", {}),
                                   ("POST", "/shipments/{shipment}/receive", None)],
    "admin_api.cancel_shipment": [("DELETE", "/shipments/{shipment}", None)],
    "admin_api.get_campaign": [("GET", "/campaigns/{campaign}", None)],
    "admin_api.retry_message": [("POST", "/messages/{message}/retry", None)],
    "admin_api.record_order": [("POST", "/orders", {"order_ref": "A-1", "lines": [{"sku": "B-ONLY", "quantity": 1}]})],
    "admin_api.list_backorders": [("GET", "/backorders?sku=B-ONLY", None)],
    "admin_api.list_subscriptions": [("GET", "/subscriptions?sku=B-ONLY", None)],
}
ORDER_WITH_B_REF = {"order_ref": "B-ORDER-1", "email": "a@example.com", "lines": [{"sku": "A-SKU", "quantity": 1}]}
API_ACTIONS = {  # endpoint: calls that act on A (the last must answer its status), naming B's things where they can
    "admin_api.update_store": [("PATCH", "/store", {"name": "A renamed", "double_opt_in": False}, 200)],
    "admin_api.erase_address": [("POST", "/erasures", {"email": "b-shopper@example.com"}, 200)],
    "admin_api.put_product": [("PUT", "/products/B-ONLY", {"on_hand": 99, "mode": "notify"}, 201)],
    "admin_api.put_products": [("PUT", "/products", [{"sku": B_SKU, "on_hand": 99}, {"sku": "A-SKU"}], 200)],
    "admin_api.record_order": [("POST", "/orders", ORDER_WITH_B_REF, 201)],
    "admin_api.set_credentials": [("PUT", "/platforms/bigcommerce/credentials",
                                   {"shop": "abc123", "access_token": "t" * 20}, 200)],
    "admin_api.set_webhook_secret": [("POST", "/platforms/bigcommerce/webhook-secret", None, 200)],
    "admin_api.sync_platform": [("POST", "/platforms/bigcommerce/sync", None, 202)],
    "admin_api.register_webhooks": [("POST", "/platforms/bigcommerce/webhooks", None, 200)],
    "admin_api.install_widget": [("POST", "/platforms/bigcommerce/widget", None, 200)],
    "admin_api.remove_widget": [("POST", "/platforms/bigcommerce/widget", None, 200),
                                ("DELETE", "/platforms/bigcommerce/widget", None, 200)],
}


def test_every_admin_api_endpoint_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin_api.")}
    listed = set(API_LISTS) | set(API_OBJECTS) | set(API_ACTIONS)
    assert endpoints - listed == set(), "add these admin API endpoints to the tenancy matrix"
    assert listed - endpoints == set(), "the matrix lists admin API endpoints that do not exist"


@pytest.fixture
def connected(app, store, other_store, world, platforms):  # noqa: F811 (fixture)
    """Both stores connected to BigCommerce (the local stand-in), B with its widget installed."""
    app.config["BIGCOMMERCE_API_URL"] = platforms.url
    connect(app, store, "bigcommerce", platforms.url + BC_BASE, {"access_token": BC_TOKEN})
    connect(app, other_store, "bigcommerce", platforms.url + BC_BASE, {"access_token": BC_TOKEN})
    assert app.test_client().post(f"{API}/platforms/bigcommerce/widget", headers=other_store.headers).status_code == 200
    return world


def snapshot_with_platforms(app, store_id):
    """snapshot_of_b, and B's platform connections."""
    with app.app_context():
        columns = ("platform", "shop", "api_url", "credentials", "webhook_secret", "widget_script_id", "next_sync_at",
                   "last_sync_at")
        connections = sorted(
            tuple(str(getattr(row, column)) for column in columns)
            for row in db.session.scalars(sa.select(PlatformConnection).where(PlatformConnection.store_id == store_id)))
    return {**snapshot_of_b(app, store_id), "platforms": connections}


# Lists and objects in one test each: every call leaves B as it was, so one world serves them all (a world
# costs ~0.2 s to build; make test's budget is tight).
def test_api_lists_show_only_the_tokens_stores_rows(client, store, connected):
    leaks = {}
    for url in [url for urls in API_LISTS.values() for url in urls]:
        answer = client.get(API + url, headers=store.headers)
        assert answer.status_code == 200, f"{url}: {answer.text[:500]}"
        leaks[url] = [marker for marker in B_MARKERS if marker in answer.get_data(as_text=True)]
    assert {url: leaked for url, leaked in leaks.items() if leaked} == {}, "these show store B's rows"


def test_api_another_stores_objects_are_not_found_and_unchanged(app, client, store, other_store, connected):
    before = snapshot_with_platforms(app, other_store.id)
    for method, url, body in [call for calls in API_OBJECTS.values() for call in calls]:
        answer = client.open(API + url.format(**connected), method=method, json=body, headers=store.headers)
        assert answer.status_code == 404, f"{method} {url}: {answer.status_code} {answer.text[:300]}"
        assert snapshot_with_platforms(app, other_store.id) == before, f"{method} {url} changed store B"


@pytest.mark.parametrize("endpoint", sorted(API_ACTIONS))
def test_api_actions_change_only_the_tokens_store(app, client, store, other_store, connected, endpoint):
    before = snapshot_with_platforms(app, other_store.id)
    for method, url, body, status in API_ACTIONS[endpoint]:
        answer = client.open(API + url, method=method, json=body, headers=store.headers)
    assert answer.status_code == status, f"{endpoint}: {answer.status_code} {answer.text[:300]}"
    assert snapshot_with_platforms(app, other_store.id) == before
