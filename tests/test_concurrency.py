"""The backorder limit holds under concurrent orders, on SQLite and on PostgreSQL."""

import threading

import pytest
import sqlalchemy as sa

from backorder.db import db
from backorder.models import Backorder, Store
from backorder.services import orders, products
from backorder.services.errors import BackorderLimitReached

THREADS = 20
LIMIT = 10


def race(app, store_id, order_refs):
    """Run one single-unit order per ref, all released at once; returns the outcome of each."""
    barrier = threading.Barrier(len(order_refs))
    outcomes = [None] * len(order_refs)

    def order(index, ref):
        with app.app_context():
            store = db.session.get(Store, store_id)
            db.session.rollback()  # give the connection back: 20 threads share a pool of 15
            barrier.wait(timeout=60)
            try:
                orders.record_order(store, ref, [{"sku": "HOT", "quantity": 1}])
                outcomes[index] = "accepted"
            except BackorderLimitReached:
                outcomes[index] = "limit"
            except Exception as error:  # reported, so the assertion shows what went wrong
                outcomes[index] = repr(error)

    threads = [threading.Thread(target=order, args=(i, ref)) for i, ref in enumerate(order_refs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


@pytest.mark.parametrize("attempt", range(5))
def test_twenty_concurrent_orders_never_exceed_a_limit_of_ten(app, store, attempt):
    with app.app_context():
        products.upsert_product(db.session.get(Store, store.id), "HOT", {"mode": "backorder", "backorder_limit": LIMIT})

    outcomes = race(app, store.id, [f"R{attempt}-{n}" for n in range(THREADS)])

    assert sorted(outcomes) == ["accepted"] * LIMIT + ["limit"] * (THREADS - LIMIT)
    with app.app_context():
        product = products.get_product(db.session.get(Store, store.id), "HOT")
        rows = db.session.execute(sa.select(sa.func.sum(Backorder.quantity))).scalar_one()
        assert product.backordered == rows == LIMIT


def test_the_same_order_sent_concurrently_is_recorded_once(app, store):
    with app.app_context():
        products.upsert_product(db.session.get(Store, store.id), "HOT", {"mode": "backorder"})

    outcomes = race(app, store.id, ["SAME"] * 8)

    assert outcomes == ["accepted"] * 8
    with app.app_context():
        assert products.get_product(db.session.get(Store, store.id), "HOT").backordered == 1


def test_last_units_in_stock_are_sold_once(app, store):
    with app.app_context():
        products.upsert_product(db.session.get(Store, store.id), "HOT", {"on_hand": 5, "mode": "notify"})

    outcomes = race(app, store.id, [f"R{n}" for n in range(12)])

    assert outcomes.count("accepted") == 5
    with app.app_context():
        assert products.get_product(db.session.get(Store, store.id), "HOT").on_hand == 0
