"""The admin REST API's lists for integrations: backorders (JSON pages or CSV) and sign-ups as CSV."""

import csv
import io
from datetime import date, timedelta

import pytest

ADMIN = "/api/v1/admin"
SOON = (date.today() + timedelta(days=9)).isoformat()


def parsed(answer):
    assert answer.status_code == 200 and answer.mimetype == "text/csv", answer.text
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    reader = csv.DictReader(io.StringIO(answer.get_data().decode("utf-8"), newline=""))
    return reader.fieldnames, list(reader)


@pytest.fixture
def api(client, store):
    def call(method, path, json=None, headers=None):
        return client.open(ADMIN + path, method=method, json=json, headers=store.headers if headers is None else headers)

    return call


@pytest.fixture
def ordered(api, make_product):
    make_product("LAMP", mode="backorder", handling_days=0)
    make_product("MUG", mode="backorder")
    shipment = api("POST", "/products/LAMP/shipments", {"quantity": 1, "expected_on": SOON}).get_json()
    for ref, sku in (("A-1", "LAMP"), ("A-2", "MUG"), ("A-3", "LAMP")):
        assert api("POST", "/orders", {"order_ref": ref, "email": "c@example.com",
                                       "lines": [{"sku": sku, "quantity": 1, "unit_price": "5"}]}).status_code == 201
    return shipment


def test_backorders_are_listed_oldest_first_with_eta_and_shipment(api, ordered):
    answer = api("GET", "/backorders")
    assert answer.status_code == 200
    items = answer.get_json()["items"]
    assert [item["order_ref"] for item in items] == ["A-1", "A-2", "A-3"]
    assert (items[0]["eta"], items[0]["eta_source"], items[0]["shipment_id"]) == (SOON, "shipment", ordered["id"])
    assert (items[2]["eta"], items[2]["shipment_id"], items[2]["unit_price"]) == (None, None, "5.00")
    assert answer.get_json()["next_after"] is None


def test_backorders_page_with_after_and_filter_by_sku_and_status(api, ordered, make_product):
    first = api("GET", "/backorders?limit=2").get_json()
    second = api("GET", f"/backorders?limit=2&after={first['next_after']}").get_json()
    assert [item["order_ref"] for item in first["items"] + second["items"]] == ["A-1", "A-2", "A-3"]
    assert [item["order_ref"] for item in api("GET", "/backorders?sku=LAMP").get_json()["items"]] == ["A-1", "A-3"]
    make_product("MUG", on_hand=1)
    assert [item["order_ref"] for item in api("GET", "/backorders?status=allocated").get_json()["items"]] == ["A-2"]


def test_backorder_refusals_are_clear_json(api, ordered):
    assert api("GET", "/backorders?sku=NOPE").get_json()["error"]["code"] == "unknown_product"
    bad = api("GET", "/backorders?status=cancelled")
    assert bad.status_code == 422 and "status" in bad.get_json()["error"]["fields"]
    assert api("GET", "/backorders?format=xml").status_code == 422
    assert api("GET", "/backorders", headers={}).status_code == 401


def test_backorders_as_csv_have_every_line(api, ordered):
    header, rows = parsed(api("GET", "/backorders?format=csv&limit=1"))
    assert header[:4] == ["id", "order_ref", "ordered_at", "sku"]
    assert [(row["order_ref"], row["sku"], row["eta"]) for row in rows] == [("A-1", "LAMP", SOON), ("A-2", "MUG", ""),
                                                                            ("A-3", "LAMP", "")]
    assert api("GET", "/backorders?format=csv&sku=NOPE").status_code == 404


def test_sign_ups_as_csv_with_a_search(api, client, store, make_product):
    make_product("CAP", mode="notify", name="Cap")
    for email in ("ann@example.com", "bob@example.com"):
        client.post(f"/api/v1/stores/{store.public_key}/subscriptions", json={"sku": "CAP", "email": email})
    header, rows = parsed(api("GET", "/subscriptions?format=csv&search=BOB"))
    assert header[-2:] == ["product_name", "source"]
    assert [(row["email"], row["sku"], row["product_name"]) for row in rows] == [("bob@example.com", "CAP", "Cap")]
    assert [item["email"] for item in api("GET", "/subscriptions?search=ann").get_json()["items"]] == ["ann@example.com"]
