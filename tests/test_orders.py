"""Recording orders: stock first, the rest backordered within the limit, all lines or none, once."""

from datetime import date

import pytest
import sqlalchemy as sa

from backorder.db import db
from backorder.models import Backorder, Order, Store
from backorder.services import inventory, orders, products
from backorder.services.errors import BackorderLimitReached, NotBackorderable, OrderRefConflict, UnknownProduct

TODAY = date(2026, 12, 1)


@pytest.fixture
def shop(app, store):
    with app.app_context():
        yield db.session.get(Store, store.id)


def record(shop, ref, *lines, email=None):
    return orders.record_order(shop, ref, [{"sku": sku, "quantity": quantity} for sku, quantity in lines],
                               email=email, today=TODAY)


def test_order_ships_from_stock_and_backorders_the_rest_with_eta(shop):
    product, _ = products.upsert_product(shop, "A", {"on_hand": 2, "mode": "backorder"})
    inventory.plan_shipment(product, 5, date(2026, 12, 10))
    result = record(shop, "R1", ("A", 3), email="Shopper@Example.com")
    assert result.created
    assert [(line.ship_now, line.backordered, line.eta, line.eta_source) for line in result.lines] == [
        (2, 1, date(2026, 12, 10), "shipment"),
    ]
    product = products.get_product(shop, "A")
    assert (product.on_hand, product.backordered) == (0, 1)


def test_repeated_order_ref_gives_the_first_answer_and_records_nothing(shop):
    products.upsert_product(shop, "A", {"on_hand": 1, "mode": "backorder"})
    first = record(shop, "R1", ("A", 2))
    again = record(shop, "R1", ("A", 2))
    assert not again.created
    assert again.lines == first.lines
    assert products.get_product(shop, "A").backordered == 1
    assert db.session.execute(sa.select(sa.func.count()).select_from(Order)).scalar_one() == 1


def test_reusing_an_order_ref_for_other_lines_is_a_conflict(shop):
    products.upsert_product(shop, "A", {"on_hand": 5})
    record(shop, "R1", ("A", 1))
    with pytest.raises(OrderRefConflict):
        record(shop, "R1", ("A", 2))


def test_one_line_over_its_limit_records_nothing_of_the_order(shop):
    products.upsert_products(shop, [("A", {"on_hand": 5}), ("B", {"mode": "backorder", "backorder_limit": 1})])
    with pytest.raises(BackorderLimitReached) as refused:
        record(shop, "R1", ("A", 2), ("B", 2))
    assert refused.value.details == {"sku": "B", "requested": 2, "available_now": 0, "backorder_remaining": 1}
    assert products.get_product(shop, "A").on_hand == 5
    assert products.get_product(shop, "B").backordered == 0
    assert db.session.execute(sa.select(sa.func.count()).select_from(Order)).scalar_one() == 0


def test_units_beyond_stock_of_a_notify_product_are_refused(shop):
    products.upsert_product(shop, "A", {"on_hand": 1, "mode": "notify"})
    with pytest.raises(NotBackorderable):
        record(shop, "R1", ("A", 2))
    assert products.get_product(shop, "A").on_hand == 1


def test_unknown_sku_is_refused_by_name(shop):
    products.upsert_product(shop, "A", {"on_hand": 1})
    with pytest.raises(UnknownProduct) as refused:
        record(shop, "R1", ("A", 1), ("NOPE", 1))
    assert refused.value.details["skus"] == ["NOPE"]


def test_two_lines_for_one_sku_share_its_stock_and_limit(shop):
    products.upsert_product(shop, "A", {"on_hand": 1, "mode": "backorder", "backorder_limit": 2})
    result = record(shop, "R1", ("A", 2), ("A", 1))
    assert [(line.ship_now, line.backordered) for line in result.lines] == [(1, 1), (0, 1)]
    with pytest.raises(BackorderLimitReached):
        record(shop, "R2", ("A", 1))


def test_later_backorders_get_later_etas(shop):
    product, _ = products.upsert_product(shop, "A", {"mode": "backorder"})
    inventory.plan_shipment(product, 3, date(2026, 12, 10))
    inventory.plan_shipment(product, 5, date(2026, 12, 20))
    etas = [record(shop, f"R{n}", ("A", 2)).lines[0].eta for n in range(5)]
    assert etas == [date(2026, 12, 10), date(2026, 12, 20), date(2026, 12, 20), date(2026, 12, 20), None]


def test_each_backordered_line_has_one_open_backorder_row(shop):
    products.upsert_product(shop, "A", {"on_hand": 1, "mode": "backorder"})
    record(shop, "R1", ("A", 3))
    row = db.session.execute(sa.select(Backorder)).scalar_one()
    assert (row.quantity, row.allocated_quantity, row.status) == (2, 0, "open")
