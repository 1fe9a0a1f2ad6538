"""The admin's Dashboard and Reports pages: what they show, their CSV, login, and one store's data only."""

import csv
import io
from datetime import timedelta

import pytest

from backorder.db import db
from backorder.models import Message, Store, Subscription, utcnow
from backorder.services import inventory, orders, products, stores, users
from conftest import ADMIN_PASSWORD, AdminClient

from test_reports import shop  # noqa: F401 (the hand-counted Berlin store)

REPORT_NAMES = ["demand", "suppliers", "purchase-list", "funnel", "backorders", "email", "activity"]


@pytest.fixture
def berlin(app, client, shop):  # noqa: F811
    """An AdminClient logged in to the hand-counted Berlin store."""
    with app.app_context():
        users.create_user(db.session.get(Store, shop), "berlin@example.com", ADMIN_PASSWORD)
    browser = AdminClient(client)
    assert browser.login("berlin@example.com", ADMIN_PASSWORD).status_code == 302
    return browser


@pytest.fixture
def busy_store(app, store, make_product):
    """`store` with one of each thing the dashboard flags: sold out with shoppers, late backorder, shipment, failure."""
    make_product("SOLD-OUT", name="Wool cap", mode="notify", on_hand=0)
    make_product("LATE", name="Brass lamp", mode="backorder", on_hand=0)
    make_product("INCOMING", name="Mug", mode="backorder", on_hand=0)
    with app.app_context():
        shop = db.session.get(Store, store.id)
        today = stores.today_in(shop)
        for n in range(3):
            db.session.add(Subscription(store_id=store.id, product_id=products.get_product(shop, "SOLD-OUT").id,
                                        email=f"w{n}@example.com", email_hash=f"w{n}", locale="en", status="active",
                                        quantity=2, consent_version=1))
        orders.record_order(shop, "LATE-1", [{"sku": "LATE", "quantity": 2}], email="late@example.com")
        line = products.get_product(shop, "LATE")
        from backorder.models import OrderLine
        db.session.execute(db.update(OrderLine).where(OrderLine.product_id == line.id)
                           .values(eta=today - timedelta(days=3)))  # promised three days ago
        inventory.plan_shipment(products.get_product(shop, "INCOMING"), 12, today + timedelta(days=2))
        db.session.add(Message(store_id=store.id, kind="restock", recipient="bounce@example.com", email_hash="b",
                               locale="en", status="failed", reason="550 5.1.1 no such user", created_at=utcnow()))
        db.session.commit()
    return store


def test_admin_lands_on_the_dashboard(admin):
    answer = admin.get("/admin/")
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/dashboard"
    page = admin.get("/admin/dashboard").get_data(as_text=True)
    assert "<h1>Dashboard</h1>" in page and 'href="/admin/dashboard" aria-current="page">Dashboard' in page


def test_dashboard_shows_what_needs_attention(admin, busy_store):
    page = admin.get("/admin/dashboard")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<strong>1</strong> sold out with shoppers waiting" in html and "SOLD-OUT" in html
    assert "<strong>1</strong> backorders past their ship date" in html and "LATE" in html
    assert "<strong>1</strong> shipments due within 7 days" in html and "INCOMING" in html
    assert "<strong>1</strong> emails failed this week" in html and "550 5.1.1 no such user" in html
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_dashboard_chart_is_an_svg_without_script(admin, busy_store):
    for days in (30, 90):
        html = admin.get(f"/admin/dashboard?days={days}").get_data(as_text=True)
        svg = html[html.index("<svg"):html.index("</svg>")]
        assert 'role="img"' in svg and f"<title id=\"activity-last-{days}-days-title\">" in svg
        assert "<script" not in html.lower().replace('<script src="/static/admin/admin.js" defer>', "")
        assert svg.count("<polyline") == 3  # sign-ups, backordered units, restock emails
        assert "Backordered units: 2 in total" in svg  # the LATE order's 2 units, said in words too


def test_dashboard_needs_a_login(client):
    answer = client.get("/admin/")
    assert answer.status_code == 302 and "/admin/login" in answer.headers["Location"]


@pytest.mark.parametrize("name", REPORT_NAMES)
def test_every_report_page_renders_with_its_csv_link(berlin, name):
    query = "&supplier=Acme" if name == "purchase-list" else ""
    page = berlin.get(f"/admin/reports?report={name}&start=2026-01-10&end=2026-01-12{query}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html
    assert "<table" in html and f"report={name}" in html and "format=csv" in html


def test_demand_page_shows_a_chart_and_the_table(berlin):
    html = berlin.get("/admin/reports?report=demand&start=2026-01-10&end=2026-01-12").get_data(as_text=True)
    assert "<svg" in html and "Units to reorder, top 10" in html
    assert html.index("<code>CAP</code>") < html.index("<code>LAMP</code>") < html.index("<code>MUG</code>")


def test_report_csv_downloads_parse_back(berlin):
    answer = berlin.get("/admin/reports?report=purchase-list&supplier=Acme&start=2026-01-10&end=2026-01-12&format=csv")
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True), newline="")))
    assert answer.headers["Content-Disposition"] == 'attachment; filename="purchase-list-2026-01-10-2026-01-12.csv"'
    assert [(row["sku"], row["order_quantity"]) for row in rows] == [("LAMP", "2"), ("MUG", "3")]
    funnel = berlin.get("/admin/reports?report=funnel&by=day&start=2026-01-10&end=2026-01-12&format=csv")
    funnel = funnel.get_data(as_text=True)
    assert [row["signups"] for row in csv.DictReader(io.StringIO(funnel, newline=""))] == ["2", "1", "1"]


def test_purchase_list_asks_for_a_supplier(berlin):
    html = berlin.get("/admin/reports?report=purchase-list").get_data(as_text=True)
    assert "Choose the supplier" in html and "supplier=Acme" in html
    assert berlin.get("/admin/reports?report=purchase-list&format=csv").status_code == 400


def test_a_bad_period_is_shown_next_to_its_field(berlin):
    page = berlin.get("/admin/reports?report=activity&start=2026-01-12&end=2026-01-10")
    assert page.status_code == 422 and 'id="start-error"' in page.get_data(as_text=True)
    assert berlin.get("/admin/reports?report=nope").status_code == 404


def test_a_user_sees_only_their_stores_reports(admin, shop):  # noqa: F811
    """`admin` owns another store than the Berlin one: its pages and CSVs show none of Berlin's products."""
    for name in REPORT_NAMES:
        query = "&supplier=Acme" if name == "purchase-list" else ""
        html = admin.get(f"/admin/reports?report={name}&start=2026-01-10&end=2026-01-12{query}").get_data(as_text=True)
        csv_text = admin.get(f"/admin/reports?report={name}&start=2026-01-10&end=2026-01-12{query}&format=csv")
        csv_text = csv_text.get_data(as_text=True)
        for sku in ("LAMP", "MUG", "CAP"):
            assert f"<code>{sku}</code>" not in html and f"{sku}," not in csv_text, name
    assert "LAMP" not in admin.get("/admin/dashboard").get_data(as_text=True)
