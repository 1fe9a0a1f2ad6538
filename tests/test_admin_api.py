"""The admin REST API: products, shipments, orders, through HTTP with a store token."""

from datetime import datetime, timedelta, timezone

import pytest

TODAY = datetime.now(timezone.utc).date()  # the test store keeps UTC
SOON = (TODAY + timedelta(days=10)).isoformat()
LATER = (TODAY + timedelta(days=20)).isoformat()


@pytest.fixture
def api(client, store):
    """call(method, path, json=None, token=store's): the admin API under /api/v1/admin."""

    def call(method, path, json=None, headers=None):
        return client.open(f"/api/v1/admin{path}", method=method, json=json,
                           headers=store.headers if headers is None else headers)

    return call


def test_put_creates_with_201_then_updates_with_200(api):
    created = api("PUT", "/products/LAMP", {"name": "Lamp", "on_hand": 0, "mode": "backorder", "price": "89.5"})
    assert created.status_code == 201
    body = created.get_json()
    assert (body["sku"], body["price"], body["created"]) == ("LAMP", "89.50", True)
    assert body["availability"]["state"] == "backorder"
    updated = api("PUT", "/products/LAMP", {"backorder_limit": "incoming"})
    assert updated.status_code == 200
    assert updated.get_json()["backorder_limit"] == "incoming"
    assert updated.get_json()["name"] == "Lamp"
    assert updated.get_json()["availability"]["state"] == "sold_out"


def test_bulk_put_saves_all_or_nothing(api):
    answer = api("PUT", "/products", [{"sku": "A", "on_hand": 1}, {"sku": "B", "mode": "preorder"}])
    assert answer.status_code == 200
    assert [(item["sku"], item["created"]) for item in answer.get_json()["items"]] == [("A", True), ("B", True)]
    refused = api("PUT", "/products", [{"sku": "C", "on_hand": 1}, {"sku": "D", "on_hand": -1}])
    assert refused.status_code == 422
    assert "1" in refused.get_json()["error"]["fields"]
    assert api("GET", "/products/C").status_code == 404


def test_products_are_listed_a_page_at_a_time(api):
    api("PUT", "/products", [{"sku": f"P{n}"} for n in range(5)])
    first = api("GET", "/products?limit=2").get_json()
    assert [item["sku"] for item in first["items"]] == ["P0", "P1"] and first["next_after"] == "P1"
    rest = api("GET", "/products?limit=10&after=P1").get_json()
    assert [item["sku"] for item in rest["items"]] == ["P2", "P3", "P4"] and rest["next_after"] is None


def test_skus_with_slashes_work_in_paths(api):
    assert api("PUT", "/products/TEE/RED/M", {"mode": "backorder"}).status_code == 201
    assert api("GET", "/products/TEE/RED/M").get_json()["sku"] == "TEE/RED/M"
    assert api("POST", "/products/TEE/RED/M/shipments", {"quantity": 2, "expected_on": SOON}).status_code == 201
    assert len(api("GET", "/products/TEE/RED/M/shipments").get_json()["items"]) == 1


def test_shipment_lifecycle_plan_edit_receive(api):
    api("PUT", "/products/LAMP", {"mode": "backorder"})
    api("POST", "/orders", {"order_ref": "R1", "lines": [{"sku": "LAMP", "quantity": 2}]})
    shipment = api("POST", "/products/LAMP/shipments", {"quantity": 5, "expected_on": SOON})
    assert shipment.status_code == 201
    shipment_id = shipment.get_json()["id"]
    edited = api("PATCH", f"/shipments/{shipment_id}", {"expected_on": LATER})
    assert edited.get_json()["expected_on"] == LATER
    receipt = api("POST", f"/shipments/{shipment_id}/receive", {"quantity": 3})
    assert receipt.status_code == 200
    body = receipt.get_json()
    assert body["received"] == 3 and body["restocked"] == 1
    assert body["allocations"] == [{"backorder_id": body["allocations"][0]["backorder_id"], "order_ref": "R1",
                                    "quantity": 2, "complete": True}]
    assert body["shipment"]["status"] == "planned" and body["shipment"]["quantity"] == 2
    assert body["product"]["availability"]["state"] == "in_stock"
    assert api("POST", f"/shipments/{shipment_id}/receive", {}).get_json()["shipment"]["status"] == "received"
    again = api("DELETE", f"/shipments/{shipment_id}")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "shipment_not_planned"


def test_cancelled_shipment_no_longer_dates_backorders(api):
    api("PUT", "/products/LAMP", {"mode": "backorder"})
    shipment_id = api("POST", "/products/LAMP/shipments", {"quantity": 5, "expected_on": SOON}).get_json()["id"]
    assert api("GET", "/products/LAMP").get_json()["availability"]["eta"] is not None
    assert api("DELETE", f"/shipments/{shipment_id}").get_json()["status"] == "cancelled"
    assert api("GET", "/products/LAMP").get_json()["availability"]["eta"] is None


def test_order_answer_per_line_and_idempotent_repeat(api):
    api("PUT", "/products", [{"sku": "A", "on_hand": 1, "mode": "backorder"}, {"sku": "B", "on_hand": 5}])
    api("POST", "/products/A/shipments", {"quantity": 10, "expected_on": SOON})
    order = {"order_ref": "#1001", "email": "ann@example.com",
             "lines": [{"sku": "A", "quantity": 3, "unit_price": "10.00"}, {"sku": "B", "quantity": 2}]}
    first = api("POST", "/orders", order)
    assert first.status_code == 201
    assert first.get_json()["lines"] == [
        {"sku": "A", "quantity": 3, "ship_now": 1, "backordered": 2, "eta": SOON, "eta_source": "shipment"},
        {"sku": "B", "quantity": 2, "ship_now": 2, "backordered": 0, "eta": None, "eta_source": None},
    ]
    repeat = api("POST", "/orders", order)
    assert repeat.status_code == 200 and repeat.get_json() == first.get_json()
    assert api("GET", "/products/A").get_json()["backordered"] == 2


def test_order_over_the_limit_is_409_and_records_nothing(api):
    api("PUT", "/products", [{"sku": "A", "on_hand": 3}, {"sku": "B", "mode": "backorder", "backorder_limit": 1}])
    refused = api("POST", "/orders", {"order_ref": "R", "lines": [{"sku": "A", "quantity": 1},
                                                                    {"sku": "B", "quantity": 2}]})
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "backorder_limit_reached"
    assert refused.get_json()["error"]["details"]["sku"] == "B"
    assert api("GET", "/products/A").get_json()["on_hand"] == 3


def test_order_with_an_unknown_sku_is_404(api):
    answer = api("POST", "/orders", {"order_ref": "R", "lines": [{"sku": "NOPE", "quantity": 1}]})
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "unknown_product"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"},
                                     {"Authorization": "Bearer "}])
def test_admin_api_needs_a_valid_token(api, headers):
    answer = api("GET", "/products", headers=headers)
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "unauthorized"
    assert answer.headers["WWW-Authenticate"].lower().startswith("bearer")


def test_field_errors_name_the_fields(api):
    answer = api("PUT", "/products/A", {"on_hand": "3", "mode": "sometimes", "release_date": "2026-02-30",
                                        "colour": "red"})
    assert answer.status_code == 422
    assert set(answer.get_json()["error"]["fields"]) == {"on_hand", "mode", "release_date", "colour"}


@pytest.mark.parametrize("day", ["20261201", "2026-W49-2", "2026-12-1", "2026-12-01T00:00", "2026-12-01 "])
def test_dates_must_be_written_yyyy_mm_dd(api, day):
    answer = api("PUT", "/products/A", {"release_date": day})
    assert answer.status_code == 422 and "release_date" in answer.get_json()["error"]["fields"]
