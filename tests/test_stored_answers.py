"""Property: whatever the services do to products, shipments, orders, platform counts and store settings,
each product's stored answer is what the rules compute now, and the public endpoint answers it."""

import json
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backorder.db import db
from backorder.models import Product, Shipment, Store
from backorder.schemas.availability import AvailabilityOut
from backorder.services import answers, availability as rules, inventory, orders, platform_stock, products, stores
from backorder.services.errors import DomainError

SKUS = ("A", "B", "C")
SCHEMA = AvailabilityOut()
days = st.integers(min_value=-3, max_value=12)
product_fields = st.fixed_dictionaries({}, optional={
    "on_hand": st.integers(0, 5), "safety_stock": st.integers(0, 2),
    "mode": st.sampled_from(["notify", "backorder", "preorder"]),
    "backorder_limit": st.one_of(st.none(), st.integers(0, 6), st.just("incoming")),
    "back_in_stock_date": st.one_of(st.none(), days), "release_date": st.one_of(st.none(), days),
    "handling_days": st.one_of(st.none(), st.integers(0, 3)), "message": st.sampled_from([None, "Soon"]),
})
steps = st.lists(st.one_of(
    st.tuples(st.just("upsert"), st.sampled_from(SKUS), product_fields),
    st.tuples(st.just("order"), st.sampled_from(SKUS), st.integers(1, 4)),
    st.tuples(st.just("plan"), st.sampled_from(SKUS), st.integers(0, 5), days),
    st.tuples(st.just("edit"), st.integers(0, 5), st.integers(0, 5), days),
    st.tuples(st.just("cancel"), st.integers(0, 5)),
    st.tuples(st.just("receive"), st.integers(0, 5), st.one_of(st.none(), st.integers(1, 5))),
    st.tuples(st.just("count"), st.sampled_from(SKUS), st.integers(-3, 5)),
    st.tuples(st.just("platform order"), st.sampled_from(SKUS), st.integers(1, 3)),
    st.tuples(st.just("settings"), st.integers(0, 3), st.sampled_from(["UTC", "Pacific/Kiritimati", "Etc/GMT+12"])),
), min_size=1, max_size=10)


def _apply(store, step, number):
    """One service call; the rules may refuse it (a limit, a shipment no longer planned), as they may in life."""
    today = stores.today_in(store)
    kind, *args = step
    shipments = db.session.execute(db.select(Shipment).join(Product).where(Product.store_id == store.id)
                                   .order_by(Shipment.id)).scalars().all()
    try:
        if kind == "upsert":
            sku, fields = args
            dated = {name: today + timedelta(days=value) for name, value in fields.items()
                     if name.endswith("_date") and value is not None}
            products.upsert_product(store, sku, {**fields, **dated})
        elif kind == "order":
            orders.record_order(store, f"R{number}", [{"sku": args[0], "quantity": args[1]}])
        elif kind == "plan":
            inventory.plan_shipment(products.get_product(store, args[0]), args[1], today + timedelta(days=args[2]))
        elif kind in ("edit", "cancel", "receive") and shipments:
            shipment = shipments[args[0] % len(shipments)]
            if kind == "edit":
                inventory.update_shipment(shipment, quantity=args[1], expected_on=today + timedelta(days=args[2]))
            elif kind == "cancel":
                inventory.cancel_shipment(shipment)
            else:
                inventory.receive_shipment(shipment, args[1])
        elif kind == "count":
            platform_stock.set_counts(store, {products.get_product(store, args[0]).id: args[1]})
        elif kind == "platform order":
            platform_stock.record_platform_order(store, f"P{number}", [{"sku": args[0], "quantity": args[1]}])
        elif kind == "settings":
            stores.update_store(store, {"handling_days": args[0], "timezone": args[1]})
    except DomainError:
        db.session.rollback()


def _check(store, client, public_key):
    """Every product's stored answer holds today, equals the rules' answer now (and on its last day),
    and the public endpoint answers the rules' answer."""
    today = stores.today_in(store)
    found = db.session.execute(db.select(Product).where(Product.store_id == store.id).order_by(Product.sku)).scalars()
    expected = {}
    for product in found:
        fresh = products.availability_of_products(store, [product], today)[product.id]
        expected[product.sku] = SCHEMA.dump(fresh)  # the documented shape
        assert product.answer is not None and product.answer_from <= today <= product.answer_until, product.sku
        assert json.loads(product.answer) == expected[product.sku], product.sku
        last = min(product.answer_until, today + timedelta(days=30))
        later = products.availability_of_products(store, [product], last)[product.id]
        assert answers.item_of(later) == answers.item_of(fresh), (product.sku, last)
    asked = [sku for sku in SKUS if sku in expected]
    items = client.get(f"/api/v1/stores/{public_key}/availability?" + "&".join(f"sku={sku}" for sku in asked)).json
    assert items["items"] == [expected[sku] for sku in asked]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=steps)
def test_stored_answers_follow_every_service(app, client, history):
    with app.app_context():
        store, _ = stores.create_store("Answers Shop", ["https://shop.example.com"])
        store_id, public_key = store.id, store.public_key
        for sku in SKUS:
            products.upsert_product(store, sku, {"mode": "backorder"})
        for number, step in enumerate(history):
            store = db.session.get(Store, store_id)
            _apply(store, step, number)
            db.session.expire_all()
            _check(db.session.get(Store, store_id), client, public_key)


@settings(max_examples=200, deadline=None)
@given(on_hand=st.integers(0, 3), mode=st.sampled_from(["notify", "backorder", "preorder"]),
       backordered=st.integers(0, 6), release=st.one_of(st.none(), days), back=st.one_of(st.none(), days),
       planned=st.lists(st.tuples(days, st.integers(0, 4)), max_size=3), offset=st.integers(0, 20))
def test_an_answer_holds_through_its_last_day(on_hand, mode, backordered, release, back, planned, offset):
    """The rules give the same answer on every day from today through answer_lasts_until (pure rules),
    and the stored item of an answer is the schema's."""
    from datetime import date
    from types import SimpleNamespace

    today = date(2026, 3, 10)
    on = lambda value: None if value is None else today + timedelta(days=value)  # noqa: E731
    product = SimpleNamespace(sku="A", on_hand=on_hand, safety_stock=0, mode=mode, backorder_limit=None,
                              limit_to_incoming=False, backordered=backordered, back_in_stock_date=on(back),
                              release_date=on(release), message=None)
    shipments = [(on(day), quantity) for day, quantity in planned]
    last = rules.answer_lasts_until(product, shipments, today)
    day = min(last, today + timedelta(days=offset))
    answer = rules.availability_for(product, shipments, today, 1)
    assert rules.availability_for(product, shipments, day, 1) == answer
    assert answers.item_of(answer) == SCHEMA.dump(answer)  # the stored item is the documented shape
