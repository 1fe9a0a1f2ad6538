"""The Backorders page and its CSV: open and allocated lines oldest first, ETAs, the shipment each waits for."""

import csv
import io
from datetime import date, timedelta

import pytest

from backorder.db import db
from backorder.models import Backorder, Store
from backorder.services import orders, products

SOON = date.today() + timedelta(days=20)
COLUMNS = ["id", "order_ref", "ordered_at", "sku", "product_name", "quantity", "allocated", "waiting", "status",
           "email", "unit_price", "eta", "eta_source", "promised_eta", "shipment_id", "shipment_expected_on",
           "allocated_at"]


def parsed(answer):
    assert answer.status_code == 200 and answer.mimetype == "text/csv", answer.text
    reader = csv.DictReader(io.StringIO(answer.get_data().decode("utf-8"), newline=""))
    return reader.fieldnames, list(reader)


@pytest.fixture
def waiting(client, store, make_product):
    """LAMP on backorder with a shipment of 2 planned; three orders through the admin API (2, 1 and 4 units)."""
    make_product("LAMP", mode="backorder", name="Brass lamp", handling_days=0)
    api = {"headers": store.headers}
    shipment = client.post("/api/v1/admin/products/LAMP/shipments",
                           json={"quantity": 2, "expected_on": SOON.isoformat()}, **api).get_json()
    for ref, quantity in (("R-1", 2), ("R-2", 1), ("R-3", 4)):
        answer = client.post("/api/v1/admin/orders", json={
            "order_ref": ref, "email": f"{ref.lower()}@example.com",
            "lines": [{"sku": "LAMP", "quantity": quantity, "unit_price": "89.00"}]}, **api)
        assert answer.status_code in (200, 201), answer.text
    return shipment


def test_the_page_needs_a_login(client):
    assert client.get("/admin/backorders").status_code == 302
    assert client.get("/admin/backorders.csv").status_code == 302


def test_lines_are_listed_oldest_first_with_eta_and_the_shipment_they_wait_for(admin, waiting):
    page = admin.get("/admin/backorders").text
    assert page.index("R-1") < page.index("R-2") < page.index("R-3")
    assert page.count(f"Shipment #{waiting['id']}, due {SOON.strftime('%-d %b %Y')}") == 1  # only R-1 fits in it
    assert "No shipment planned" in page and "To be confirmed" in page
    assert "r-1@example.com" in page and "89.00" in page and "Brass lamp" in page


def test_allocated_lines_show_as_ready_to_ship_and_filter_by_status(admin, make_product, waiting):
    make_product("LAMP", on_hand=2)  # stock for R-1's two units, first come first served
    page = admin.get("/admin/backorders?status=allocated").text
    assert "R-1" in page and "Ready to ship" in page and "R-2" not in page
    page = admin.get("/admin/backorders?status=open").text
    assert "R-1" not in page and "R-2" in page and "R-3" in page
    assert f"Shipment #{waiting['id']}" in page  # R-2 moved up into the shipment


def test_filter_by_product_and_bad_filters_say_why(admin, make_product, waiting):
    assert "R-1" not in admin.get("/admin/backorders?sku=MUG").text
    answer = admin.get("/admin/backorders?sku=MUG")
    assert answer.status_code == 422 and 'id="sku-error"' in answer.text
    answer = admin.get("/admin/backorders?status=cancelled")
    assert answer.status_code == 422 and 'id="status-error"' in answer.text
    make_product("MUG", mode="backorder")
    assert "R-1" in admin.get("/admin/backorders?sku=LAMP").text
    assert "R-1" not in admin.get("/admin/backorders?sku=MUG").text


def test_the_list_is_paginated(app, admin, store, make_product):
    make_product("LAMP", mode="backorder")
    with app.app_context():
        shop = db.session.get(Store, store.id)
        for number in range(51):
            orders.record_order(shop, f"ORDER-{number:02}", [{"sku": "LAMP", "quantity": 1}])
        last_on_first_page = db.session.execute(db.select(Backorder.id).order_by(Backorder.id).offset(49)).scalar()
    first = admin.get("/admin/backorders").text
    assert "ORDER-49" in first and "ORDER-50" not in first and 'rel="next"' in first
    second = admin.get(f"/admin/backorders?after={last_on_first_page}").text
    assert "ORDER-50" in second and "ORDER-49" not in second and 'rel="next"' not in second


def test_csv_has_the_documented_columns_and_every_line(admin, waiting):
    header, rows = parsed(admin.get("/admin/backorders.csv"))
    assert header == COLUMNS
    assert [(row["order_ref"], row["quantity"], row["status"], row["email"], row["unit_price"]) for row in rows] == [
        ("R-1", "2", "open", "r-1@example.com", "89.00"), ("R-2", "1", "open", "r-2@example.com", "89.00"),
        ("R-3", "4", "open", "r-3@example.com", "89.00")]
    assert (rows[0]["eta"], rows[0]["eta_source"], rows[0]["shipment_id"]) == (SOON.isoformat(), "shipment",
                                                                                str(waiting["id"]))
    assert (rows[1]["eta"], rows[1]["shipment_id"], rows[1]["shipment_expected_on"]) == ("", "", "")


def test_csv_follows_the_filters_and_defuses_formulas(admin, client, store, make_product):
    make_product("CALC", mode="backorder", name="=1+2")
    client.post("/api/v1/admin/orders", json={"order_ref": "@SUM(A1)", "lines": [{"sku": "CALC", "quantity": 1}]},
                headers=store.headers)
    _, rows = parsed(admin.get("/admin/backorders.csv?sku=CALC&status=open"))
    assert [(row["order_ref"], row["product_name"]) for row in rows] == [("'@SUM(A1)", "'=1+2")]
    _, rows = parsed(admin.get("/admin/backorders.csv?status=allocated"))
    assert rows == []
    assert admin.get("/admin/backorders.csv?status=nope").status_code == 400
    assert admin.get("/admin/backorders.csv?sku=NOPE").status_code == 404


def test_another_stores_backorders_are_never_listed(app, admin, other_store, waiting):
    with app.app_context():
        other = db.session.get(Store, other_store.id)
        products.upsert_product(other, "LAMP", {"mode": "backorder"})
        orders.record_order(other, "THEIRS", [{"sku": "LAMP", "quantity": 1}])
    assert "THEIRS" not in admin.get("/admin/backorders").text
    _, rows = parsed(admin.get("/admin/backorders.csv"))
    assert "THEIRS" not in {row["order_ref"] for row in rows} and len(rows) == 3
