"""Products, stock and shipments through the services, on the real database."""

import itertools
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from backorder.db import db
from backorder.models import Backorder, Product, Shipment, Store
from backorder.services import answers, inventory, orders, products
from backorder.services.errors import ShipmentNotPlanned

TODAY = date(2026, 12, 1)
ORDER_NUMBERS = itertools.count(1)


@pytest.fixture
def shop(app, store):
    """The test store, loaded in an app context that stays open for the test."""
    with app.app_context():
        yield db.session.get(Store, store.id)


def backorder_units(shop, sku, *quantities):
    """Record one order per quantity (beyond stock, they are backordered); returns the order refs."""
    refs = []
    for quantity in quantities:
        ref = f"{sku}-{next(ORDER_NUMBERS)}"
        orders.record_order(shop, ref, [{"sku": sku, "quantity": quantity}], today=TODAY)
        refs.append(ref)
    return refs


def open_units(product_id):
    """Open backordered units summed from the rows, to check the product's counter against."""
    return db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(Backorder.quantity - Backorder.allocated_quantity), 0))
        .where(Backorder.product_id == product_id, Backorder.status == "open")
    ).scalar_one()


def test_upsert_creates_then_updates_and_says_which(shop):
    ((created, is_new),) = products.upsert_products(shop, [("A", {"name": "Lamp", "on_hand": 3})])
    assert is_new and created.on_hand == 3
    ((updated, is_new),) = products.upsert_products(shop, [("A", {"on_hand": 5})])
    assert not is_new and updated.on_hand == 5 and updated.name == "Lamp"


def test_bulk_upsert_keeps_order_and_merges_repeated_skus(shop):
    products.upsert_product(shop, "OLD", {"on_hand": 1})
    saved = products.upsert_products(shop, [("NEW", {"on_hand": 2}), ("OLD", {"on_hand": 7}), ("NEW", {"name": "N"})])
    assert [(p.sku, is_new) for p, is_new in saved] == [("NEW", True), ("OLD", False), ("NEW", True)]
    new = products.get_product(shop, "NEW")
    assert (new.on_hand, new.name) == (2, "N")


def test_incoming_limit_is_stored_as_a_flag(shop):
    product, _ = products.upsert_product(shop, "A", {"mode": "backorder", "backorder_limit": "incoming"})
    assert (product.limit_to_incoming, product.backorder_limit) == (True, None)
    product, _ = products.upsert_product(shop, "A", {"backorder_limit": 4})
    assert (product.limit_to_incoming, product.backorder_limit) == (False, 4)


def test_shipment_can_be_planned_edited_and_cancelled(shop):
    product, _ = products.upsert_product(shop, "A", {"mode": "backorder"})
    shipment = inventory.plan_shipment(product, 5, TODAY + timedelta(days=9))
    inventory.update_shipment(shipment, quantity=8, expected_on=TODAY + timedelta(days=3))
    assert answers.answers_for(shop, ["A"], TODAY)[0]["incoming"][0]["quantity"] == 8
    inventory.cancel_shipment(shipment)
    assert answers.answers_for(shop, ["A"], TODAY)[0]["incoming"] == []
    with pytest.raises(ShipmentNotPlanned):
        inventory.receive_shipment(shipment)
    with pytest.raises(ShipmentNotPlanned):
        inventory.update_shipment(shipment, quantity=1)


def test_receiving_fills_backorders_oldest_first_whole_lines_then_splits_the_last(shop):
    product, _ = products.upsert_product(shop, "A", {"mode": "backorder"})
    first, second, third = backorder_units(shop, "A", 2, 3, 4)
    shipment = inventory.plan_shipment(product, 6, TODAY)

    receipt = inventory.receive_shipment(shipment)

    assert [(a.order_ref, a.quantity, a.complete) for a in receipt.allocations] == [
        (first, 2, True), (second, 3, True), (third, 1, False),
    ]
    assert (receipt.received, receipt.restocked) == (6, 0)
    product = products.get_product(shop, "A")
    assert (product.on_hand, product.backordered) == (0, 3)
    assert open_units(product.id) == 3
    assert shipment.status == "received" and shipment.received_quantity == 6


def test_receiving_more_than_is_waiting_leaves_a_restock(shop):
    product, _ = products.upsert_product(shop, "A", {"mode": "backorder", "safety_stock": 1})
    backorder_units(shop, "A", 2)
    receipt = inventory.receive_shipment(inventory.plan_shipment(product, 10, TODAY))
    assert sum(a.quantity for a in receipt.allocations) == 2
    assert receipt.restocked == 7  # 10 received, 2 to the backorder, 1 kept as safety stock
    assert answers.answers_for(shop, ["A"], TODAY)[0]["state"] == "in_stock"


def test_partial_receipt_keeps_the_rest_expected(shop):
    product, _ = products.upsert_product(shop, "A", {"mode": "backorder"})
    shipment = inventory.plan_shipment(product, 10, TODAY + timedelta(days=5))
    inventory.receive_shipment(shipment, 4)
    assert (shipment.status, shipment.quantity, shipment.received_quantity) == ("planned", 6, 4)
    inventory.receive_shipment(shipment, 6)
    assert (shipment.status, shipment.quantity, shipment.received_quantity) == ("received", 0, 10)
    assert products.get_product(shop, "A").on_hand == 10


def test_raising_stock_by_hand_fills_backorders_too(shop):
    products.upsert_product(shop, "A", {"mode": "backorder"})
    backorder_units(shop, "A", 1, 1)
    product, _ = products.upsert_product(shop, "A", {"on_hand": 5})
    assert (product.on_hand, product.backordered) == (3, 0)
    assert db.session.execute(sa.select(sa.func.count()).where(Backorder.status == "allocated")).scalar_one() == 2


def test_allocating_thousands_of_backorders_takes_a_few_statements(shop, app):
    product, _ = products.upsert_product(shop, "A", {"mode": "backorder"})
    n = 2000
    for number in range(n):  # bulk-built rows: this test is about allocation, not recording
        line = orders.OrderLine(order=orders.Order(store_id=shop.id, order_ref=f"R{number}"), product=product,
                                quantity=1, ship_now=0, backordered=1)
        db.session.add(Backorder(product=product, order_line=line, quantity=1))
    product.backordered = n
    db.session.commit()
    shipment = inventory.plan_shipment(product, n - 1, TODAY)
    statements = []
    sa.event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    receipt = inventory.receive_shipment(shipment)
    assert len(receipt.allocations) == n - 1
    assert len(statements) < 15
    assert open_units(product.id) == 1 == products.get_product(shop, "A").backordered


def test_shipment_of_another_store_is_not_found(shop):
    other, _ = products.upsert_product(shop, "A", {})
    shipment = inventory.plan_shipment(other, 1, TODAY)
    stranger = Store(name="Other", public_key="pk_other", api_token_hash="x" * 64, allowed_origins=[])
    db.session.add(stranger)
    db.session.commit()
    with pytest.raises(inventory.UnknownShipment):  # another store's id is as unknown as a missing one
        inventory.shipment_of(stranger, shipment.id)
    with pytest.raises(inventory.UnknownShipment):
        inventory.shipment_of(shop, shipment.id + 1000)
    assert inventory.shipment_of(shop, shipment.id) is shipment


def test_listed_backorders_are_what_can_be_ordered_without_stock(shop):
    products.upsert_products(shop, [
        ("IN", {"on_hand": 5, "mode": "backorder"}),
        ("BO", {"mode": "backorder", "name": "B"}),
        ("PRE", {"mode": "preorder", "release_date": TODAY + timedelta(days=30), "name": "A"}),
        ("FULL", {"mode": "backorder", "backorder_limit": 0}),
        ("OUT", {"mode": "notify"}),
    ])
    assert [view.product.sku for view in products.listed_backorders(shop)] == ["PRE", "BO"]


def test_product_counters_match_rows_after_a_mixed_history(shop):
    product, _ = products.upsert_product(shop, "A", {"mode": "backorder", "on_hand": 2})
    backorder_units(shop, "A", 3, 1, 2)  # 2 ship now from stock, 1 + 1 + 2 backordered
    inventory.receive_shipment(inventory.plan_shipment(product, 3, TODAY))
    products.upsert_product(shop, "A", {"on_hand": 0})
    backorder_units(shop, "A", 5)
    product = products.get_product(shop, "A")
    assert product.backordered == open_units(product.id) == 6
    assert db.session.execute(sa.select(sa.func.sum(Shipment.received_quantity))).scalar_one() == 3
    assert db.session.execute(sa.select(Product.on_hand).where(Product.id == product.id)).scalar_one() == 0


def test_stock_cannot_grow_past_what_a_unit_column_holds(shop):
    from backorder.models import MAX_UNITS
    from backorder.services.errors import TooManyUnits

    product, _ = products.upsert_product(shop, "A", {"on_hand": 1_000_000_000})
    shipment = inventory.plan_shipment(product, 1_000_000_000, TODAY)
    inventory.receive_shipment(shipment, 500_000_000)  # partly: the rest stays expected
    with pytest.raises(TooManyUnits):
        inventory.receive_shipment(shipment, 1_000_000_000)  # 2.5 billion on hand would not fit
    assert products.get_product(shop, "A").on_hand == 1_500_000_000 < MAX_UNITS
