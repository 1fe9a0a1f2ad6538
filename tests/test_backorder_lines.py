"""The backorder list (services/backorders.py): oldest first, each line's ETA and shipment, set-based."""

import itertools
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import event

from backorder.db import db
from backorder.models import Message, Store
from backorder.services import availability as rules
from backorder.services import backorders, inventory, orders, products
from backorder.services.errors import UnknownProduct

TODAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)
REFS = itertools.count(1)


@pytest.fixture
def shop(app, store):
    with app.app_context():
        yield db.session.get(Store, store.id)


def order(shop, sku, quantity, ref=None, **line):
    ref = ref or f"{sku}-{next(REFS)}"
    orders.record_order(shop, ref, [{"sku": sku, "quantity": quantity, **line}], email=f"{ref.lower()}@example.com",
                        today=TODAY)
    return ref


def lines(shop, **filters):
    return backorders.backorder_lines(shop, now=NOW, **filters)


@pytest.fixture
def lamp(shop):
    """LAMP on backorder with two shipments planned: 3 units in 5 days, 5 units in 10 days."""
    product, _ = products.upsert_product(shop, "LAMP", {"mode": "backorder", "name": "Brass lamp", "handling_days": 0})
    first = inventory.plan_shipment(product, 3, TODAY + timedelta(days=5))
    second = inventory.plan_shipment(product, 5, TODAY + timedelta(days=10))
    return product, first, second


def test_each_line_waits_for_the_shipment_that_brings_its_last_unit(shop, lamp):
    _, first, second = lamp
    refs = [order(shop, "LAMP", 2, unit_price="89.00"), order(shop, "LAMP", 2), order(shop, "LAMP", 4),
            order(shop, "LAMP", 1)]
    listed = lines(shop)
    assert [line.order_ref for line in listed] == refs  # oldest first
    assert [(line.eta, line.shipment_id) for line in listed] == [
        (TODAY + timedelta(days=5), first.id), (TODAY + timedelta(days=10), second.id),
        (TODAY + timedelta(days=10), second.id), (None, None)]
    assert listed[0].shipment_expected_on == TODAY + timedelta(days=5)
    assert (listed[0].sku, listed[0].product_name, str(listed[0].unit_price)) == ("LAMP", "Brass lamp", "89.00")
    assert listed[0].email == refs[0].lower() + "@example.com" and listed[0].waiting == 2
    assert listed[0].promised_eta == TODAY + timedelta(days=5)


def test_etas_agree_with_the_eta_rules_over_the_whole_queue(shop, lamp):
    product, _, _ = lamp
    quantities = [1, 3, 2, 2, 1]
    for quantity in quantities:
        order(shop, "LAMP", quantity)
    expected = rules.backorder_etas(quantities, products.planned_shipments([product.id])[product.id], None, TODAY, 0)
    assert [(line.eta, line.eta_source) for line in lines(shop)] == expected


def test_no_shipment_left_falls_back_to_the_back_in_stock_date(shop, lamp):
    products.upsert_product(shop, "LAMP", {"back_in_stock_date": TODAY + timedelta(days=30)})
    order(shop, "LAMP", 9)
    (line,) = lines(shop)
    assert (line.eta, line.eta_source, line.shipment_id) == (TODAY + timedelta(days=30), "back_in_stock_date", None)


def test_allocated_lines_are_ready_and_the_queue_moves_up(shop, lamp):
    _, first, _ = lamp
    refs = [order(shop, "LAMP", 2), order(shop, "LAMP", 2), order(shop, "LAMP", 3)]
    products.upsert_product(shop, "LAMP", {"on_hand": 3})  # fills the first line and one unit of the second
    listed = {line.order_ref: line for line in lines(shop)}
    assert (listed[refs[0]].status, listed[refs[0]].eta, listed[refs[0]].shipment_id) == ("allocated", None, None)
    assert (listed[refs[1]].status, listed[refs[1]].allocated, listed[refs[1]].waiting) == ("open", 1, 1)
    assert (listed[refs[1]].eta, listed[refs[1]].shipment_id) == (TODAY + timedelta(days=5), first.id)
    assert listed[refs[2]].eta == TODAY + timedelta(days=10)  # units 2 to 4 of the queue: the second shipment


def test_filters_by_status_and_sku_and_an_unknown_sku_is_refused(shop, lamp):
    products.upsert_product(shop, "MUG", {"mode": "backorder"})
    lamp_ref, mug_ref = order(shop, "LAMP", 1), order(shop, "MUG", 1)
    products.upsert_product(shop, "MUG", {"on_hand": 1})
    assert [line.order_ref for line in lines(shop, status="open")] == [lamp_ref]
    assert [line.order_ref for line in lines(shop, status="allocated")] == [mug_ref]
    assert [line.order_ref for line in lines(shop, sku="MUG")] == [mug_ref]
    with pytest.raises(UnknownProduct):
        lines(shop, sku="NOPE")


def test_cancelled_lines_and_other_stores_lines_are_not_listed(app, shop, lamp, other_store):
    other = db.session.get(Store, other_store.id)
    products.upsert_product(other, "LAMP", {"mode": "backorder"})
    orders.record_order(other, "THEIRS", [{"sku": "LAMP", "quantity": 1}], today=TODAY)
    mine = order(shop, "LAMP", 1)
    assert [line.order_ref for line in lines(shop)] == [mine]
    assert [line.order_ref for line in lines(other)] == ["THEIRS"]


def test_pages_follow_on_oldest_first(shop, lamp):
    refs = [order(shop, "LAMP", 1) for _ in range(5)]
    first = lines(shop, limit=2)
    second = lines(shop, limit=2, after=first[-1].id)
    third = lines(shop, limit=2, after=second[-1].id)
    assert [line.order_ref for line in first + second + third] == refs
    assert [line.order_ref for line in backorders.all_backorder_lines(shop, batch=2)] == refs


def test_an_export_counts_the_queue_as_it_reads_and_agrees_with_the_pages(shop, lamp):
    products.upsert_product(shop, "MUG", {"mode": "backorder"})
    inventory.plan_shipment(products.get_product(shop, "MUG"), 2, TODAY + timedelta(days=3))
    for sku, quantity in (("LAMP", 2), ("MUG", 1), ("LAMP", 3), ("MUG", 2), ("LAMP", 1), ("LAMP", 4)):
        order(shop, sku, quantity)
    products.upsert_product(shop, "LAMP", {"on_hand": 3})  # one line allocated, one in part
    paged = lines(shop)
    assert [line.status for line in paged].count("allocated") == 1
    for status in (None, "open"):
        exported = list(backorders.all_backorder_lines(shop, status=status, batch=2))
        expected = [line for line in paged if status is None or line.status == status]
        assert [(line.id, line.eta, line.shipment_id) for line in exported] == [
            (line.id, line.eta, line.shipment_id) for line in expected]


def test_a_page_costs_the_same_few_queries_however_many_lines_and_products(app, shop, lamp):
    def queries_for_a_page():
        db.session.expire_all()
        statements = []

        def listener(*args):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            lines(shop, limit=100)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    order(shop, "LAMP", 1)
    few = queries_for_a_page()
    for number in range(6):
        products.upsert_product(shop, f"P{number}", {"mode": "backorder"})
        for _ in range(5):
            order(shop, f"P{number}", 1)
    assert queries_for_a_page() == few <= 5


def test_shipment_of_unit_claims_shipments_by_date():
    shipments = [(date(2026, 12, 10), 5, "late"), (date(2026, 12, 5), 3, "early")]
    assert [rules.shipment_of_unit(n, shipments) for n in (1, 3, 4, 8, 9)] == ["early", "early", "late", "late", None]


def test_a_preorder_line_ships_on_the_release_date_and_its_customer_is_not_told_otherwise(shop):
    release = TODAY + timedelta(days=60)
    products.upsert_product(shop, "BOOK", {"mode": "preorder", "release_date": release})
    order(shop, "BOOK", 1)
    (line,) = lines(shop)
    assert (line.eta, line.eta_source, line.promised_eta) == (release, "release_date", release)
    products.upsert_product(shop, "BOOK", {"handling_days": 1})  # dates moved: ETAs are checked again
    assert db.session.execute(db.select(Message).filter_by(kind="eta_update")).first() is None
