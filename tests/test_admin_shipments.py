"""Shipments on the product page: plan, edit, cancel, and receive after reviewing which backorders it fills."""

import re
from datetime import date

import pytest

from backorder.db import db
from backorder.models import Backorder, Product, Shipment, Store
from backorder.services import inventory, products


@pytest.fixture
def lamp(admin, store, make_product):
    """LAMP on backorder with three open orders (2, 3 and 1 units, oldest first)."""
    make_product("LAMP", on_hand=0, mode="backorder")
    for ref, units in (("O-1", 2), ("O-2", 3), ("O-3", 1)):
        answer = admin.client.post("/api/v1/admin/orders", headers=store.headers,
                                   json={"order_ref": ref, "lines": [{"sku": "LAMP", "quantity": units}]})
        assert answer.status_code == 201
    return "LAMP"


def _plan(app, store, sku="LAMP", quantity=10, expected_on=date(2099, 1, 5)):
    with app.app_context():
        product = products.get_product(db.session.get(Store, store.id), sku)
        return inventory.plan_shipment(product, quantity, expected_on).id


def _shipment(app, shipment_id):
    with app.app_context():
        return db.session.get(Shipment, shipment_id)


def test_planning_a_shipment_shows_it_and_dates_the_backorders(app, admin, store, lamp):
    answer = admin.post("/admin/products/LAMP/shipments", data={"quantity": "6", "expected_on": "2099-01-05"})
    assert answer.status_code == 302 and answer.location.endswith("/admin/products/LAMP#shipments")
    page = admin.get("/admin/products/LAMP").text
    assert "Planned 6 unit(s) for 5 Jan 2099." in page
    assert re.search(r"<td>5 Jan 2099</td>\s*<td class=\"num\">6</td>", page)
    assert re.search(r"<tr><td>O-3</td>.*?5 Jan 2099</td></tr>", page, re.S)  # 6 units cover all three orders


@pytest.mark.parametrize("data, field", [
    ({"quantity": "0", "expected_on": "2099-01-05"}, "quantity"),
    ({"quantity": "ten", "expected_on": "2099-01-05"}, "quantity"),
    ({"quantity": "5", "expected_on": ""}, "expected_on"),
    ({"quantity": "5", "expected_on": "5/1/2099"}, "expected_on"),
])
def test_plan_errors_show_beside_their_field(app, admin, store, lamp, data, field):
    answer = admin.post("/admin/products/LAMP/shipments", data=data)
    assert answer.status_code == 422
    assert re.search(rf'<small id="{field}-error" class="error">', answer.text)
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', answer.text)
    with app.app_context():
        assert db.session.execute(db.select(Shipment)).first() is None


def test_editing_a_shipment_changes_it_and_errors_stay_in_its_row(app, admin, store, lamp):
    shipment_id = _plan(app, store)
    url = f"/admin/products/LAMP/shipments/{shipment_id}"
    answer = admin.post(url, data={"quantity": "4", "expected_on": "2099-02-01"})
    assert answer.status_code == 302
    changed = _shipment(app, shipment_id)
    assert (changed.quantity, changed.expected_on) == (4, date(2099, 2, 1))
    bad = admin.post(url, data={"quantity": "-4", "expected_on": "2099-02-01"})
    assert bad.status_code == 422
    assert f'<small id="quantity-{shipment_id}-error" class="error">' in bad.text and 'value="-4"' in bad.text
    assert _shipment(app, shipment_id).quantity == 4


def test_cancelling_a_shipment_and_then_it_cannot_be_received(app, admin, store, lamp):
    shipment_id = _plan(app, store)
    assert admin.post(f"/admin/products/LAMP/shipments/{shipment_id}/cancel").status_code == 302
    assert _shipment(app, shipment_id).status == "cancelled"
    answer = admin.post(f"/admin/products/LAMP/shipments/{shipment_id}/receive", data={"quantity": "1"})
    assert answer.status_code == 409 and "is cancelled" in answer.text
    again = admin.post(f"/admin/products/LAMP/shipments/{shipment_id}/cancel", follow_redirects=True)
    assert "is cancelled" in again.text


def test_review_shows_which_backorders_receiving_fills_before_anything_changes(app, admin, store, lamp):
    shipment_id = _plan(app, store)
    page = admin.get(f"/admin/products/LAMP/shipments/{shipment_id}/receive?quantity=4").text
    fills = re.search(r'<table id="fills">.*?</table>', page, re.S)[0]
    rows = re.findall(r"<tr><td>(.*?)</td><td class=\"num\">(\d+)</td><td>(.*?)</td></tr>", fills)
    assert rows == [("O-1", "2", "complete: ready to ship"), ("O-2", "2", "partly filled")]
    assert "leave <strong>0</strong> unit(s) free to sell" in page
    assert 'name="quantity" value="4"' in page and "Confirm: receive 4 unit(s)" in page
    with app.app_context():
        assert db.session.execute(db.select(Product.on_hand).filter_by(sku="LAMP")).scalar() == 0
        assert {b.status for b in db.session.execute(db.select(Backorder)).scalars()} == {"open"}


def test_review_defaults_to_all_that_is_expected(app, admin, store, lamp):
    shipment_id = _plan(app, store, quantity=10)
    page = admin.get(f"/admin/products/LAMP/shipments/{shipment_id}/receive").text
    assert "Receiving 10 unit(s) will" in page and "leave <strong>4</strong> unit(s) free to sell" in page


@pytest.mark.parametrize("quantity", ["0", "x", "-1", "99999999999999"])
def test_review_with_a_bad_quantity_says_so(app, admin, store, lamp, quantity):
    shipment_id = _plan(app, store)
    answer = admin.get(f"/admin/products/LAMP/shipments/{shipment_id}/receive?quantity={quantity}")
    assert answer.status_code == 422 and '<small id="quantity-error" class="error">' in answer.text


def test_confirming_receives_part_then_the_rest(app, admin, store, lamp):
    shipment_id = _plan(app, store, quantity=10)
    answer = admin.post(f"/admin/products/LAMP/shipments/{shipment_id}/receive", data={"quantity": "4"},
                        follow_redirects=True)
    assert "Received 4 unit(s): 2 backorder(s) filled, 0 unit(s) free to sell." in answer.text
    assert _shipment(app, shipment_id).quantity == 6 and _shipment(app, shipment_id).status == "planned"
    rest = admin.post(f"/admin/products/LAMP/shipments/{shipment_id}/receive", data={"quantity": "6"},
                      follow_redirects=True)
    assert "Received 6 unit(s): 2 backorder(s) filled, 4 unit(s) free to sell." in rest.text
    shipment = _shipment(app, shipment_id)
    assert shipment.status == "received" and shipment.received_quantity == 10
    with app.app_context():
        assert {b.status for b in db.session.execute(db.select(Backorder)).scalars()} == {"allocated"}


def test_another_stores_or_products_shipment_is_not_found(app, admin, store, other_store, lamp, make_product):
    make_product("MUG")
    mine = _plan(app, store)
    with app.app_context():
        theirs_store = db.session.get(Store, other_store.id)
        products.upsert_product(theirs_store, "LAMP", {})
        theirs = inventory.plan_shipment(products.get_product(theirs_store, "LAMP"), 5, date(2099, 1, 1)).id
    for method, url in (
        ("get", f"/admin/products/LAMP/shipments/{theirs}/receive"),
        ("post", f"/admin/products/LAMP/shipments/{theirs}/receive"),
        ("post", f"/admin/products/LAMP/shipments/{theirs}"),
        ("post", f"/admin/products/LAMP/shipments/{theirs}/cancel"),
        ("post", f"/admin/products/MUG/shipments/{mine}/cancel"),  # mine, but not this product's
        ("get", f"/admin/products/MUG/shipments/{mine}/receive"),
        ("post", "/admin/products/NOPE/shipments"),
    ):
        answer = getattr(admin, method)(url, **({"data": {"quantity": "1", "expected_on": "2099-01-01"}}
                                                if method == "post" else {}))
        assert answer.status_code == 404, (method, url)
    assert _shipment(app, theirs).status == "planned" and _shipment(app, theirs).quantity == 5
    assert _shipment(app, mine).status == "planned"
