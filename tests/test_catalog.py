"""The admin's reads and bulk writes over the catalogue (services/catalog.py), and what receiving would fill."""

import re
from datetime import date, timedelta

import pytest

from backorder.db import db
from backorder.models import Store
from backorder.services import availability as rules
from backorder.services import catalog, inventory, orders, products, subscriptions
from backorder.services.errors import UnknownProduct, UnknownShipment
from backorder.services.inventory import Allocation, fills_of_stock


@pytest.fixture
def shop(app, store):
    with app.app_context():
        found = db.session.get(Store, store.id)
        found.double_opt_in = False
        db.session.commit()
        yield found


def _make(shop, sku, **fields):
    return products.upsert_product(shop, sku, fields)[0]


def _order(shop, ref, sku, quantity):
    orders.record_order(shop, ref, [{"sku": sku, "quantity": quantity}], email=f"{ref.lower()}@example.com")


@pytest.mark.parametrize("stock, waiting, expected", [
    (0, [(1, "A", 2)], []),
    (5, [], []),
    (2, [(1, "A", 2), (2, "B", 1)], [Allocation(1, "A", 2, True)]),
    (3, [(1, "A", 2), (2, "B", 3)], [Allocation(1, "A", 2, True), Allocation(2, "B", 1, False)]),
    (9, [(1, "A", 2), (2, "B", 3)], [Allocation(1, "A", 2, True), Allocation(2, "B", 3, True)]),
])
def test_stock_fills_whole_lines_oldest_first_and_splits_only_the_last(stock, waiting, expected):
    assert fills_of_stock(stock, waiting) == expected


def test_the_receipt_preview_is_what_receiving_then_does(shop):
    _make(shop, "LAMP", on_hand=0, mode="backorder")
    for ref, units in (("O-1", 2), ("O-2", 3), ("O-3", 1)):
        _order(shop, ref, "LAMP", units)
    product = products.get_product(shop, "LAMP")
    shipment = inventory.plan_shipment(product, 10, date.today() + timedelta(days=5))
    preview = inventory.preview_receipt(shipment, 4)
    assert [(part.order_ref, part.quantity, part.complete) for part in preview.allocations] == [
        ("O-1", 2, True), ("O-2", 2, False)]
    assert preview.restocked == 0
    receipt = inventory.receive_shipment(shipment, 4)
    assert [(part.order_ref, part.quantity, part.complete) for part in receipt.allocations] == [
        (part.order_ref, part.quantity, part.complete) for part in preview.allocations]
    more = inventory.preview_receipt(shipment)  # the 6 still expected: the rest of O-2, O-3, 3 to sell
    assert [(part.order_ref, part.quantity) for part in more.allocations] == [("O-2", 1), ("O-3", 1)]
    assert more.restocked == 4 and inventory.receive_shipment(shipment).restocked == 4


def test_find_products_searches_sku_and_name_and_filters_by_computed_state(shop):
    _make(shop, "TEE-RED", name="Red tee", on_hand=5)
    _make(shop, "TEE-BLUE", name="Blue tee", on_hand=0, mode="backorder")
    _make(shop, "MUG", name="Mug, Tee print", on_hand=0, mode="backorder", backorder_limit=0)  # no room: sold out
    _make(shop, "BOOK", name="Book", on_hand=0, mode="preorder", release_date=date.today() + timedelta(days=9))
    _make(shop, "CAP", name="100%_cap", on_hand=0)
    _make(shop, "BAG", name="Bag", on_hand=0, mode="backorder", backorder_limit=1)
    _order(shop, "O-1", "BAG", 1)  # its limit is reached: sold out
    _make(shop, "OLD", name="Old book", on_hand=0, mode="preorder", release_date=date.today())  # released: sold out
    _make(shop, "SCARF", name="Scarf", on_hand=0, mode="backorder", backorder_limit="incoming")  # nothing on order

    def skus(**query):
        rows, _ = catalog.find_products(shop, **query)
        return [row.product.sku for row in rows]

    assert skus() == ["BAG", "BOOK", "CAP", "MUG", "OLD", "SCARF", "TEE-BLUE", "TEE-RED"]
    assert skus(text="tee") == ["MUG", "TEE-BLUE", "TEE-RED"]  # in the sku or the name, any case
    assert skus(text="%_") == ["CAP"]  # LIKE wildcards are matched literally
    assert skus(state=rules.IN_STOCK) == ["TEE-RED"]
    assert skus(state=rules.BACKORDER) == ["TEE-BLUE"]
    assert skus(state=rules.PREORDER) == ["BOOK"]
    assert skus(state=rules.SOLD_OUT) == ["BAG", "CAP", "MUG", "OLD", "SCARF"]


def test_find_products_pages_by_sku_across_scan_chunks(shop, monkeypatch):
    monkeypatch.setattr(catalog, "SCAN_CHUNK", 3)
    products.upsert_products(shop, [(f"P-{n:02}", {"on_hand": n % 2, "mode": "notify"}) for n in range(10)])
    rows, after = catalog.find_products(shop, state=rules.SOLD_OUT, limit=2)
    seen = [row.product.sku for row in rows]
    while after:
        rows, after = catalog.find_products(shop, state=rules.SOLD_OUT, limit=2, after=after)
        seen += [row.product.sku for row in rows]
    assert seen == [f"P-{n:02}" for n in range(0, 10, 2)]


def test_rows_count_waiting_shoppers_and_show_the_next_eta(shop):
    product = _make(shop, "CAP", on_hand=0, mode="backorder")
    _make(shop, "HAT", on_hand=0)
    for n in range(3):
        subscriptions.subscribe(shop, "CAP", f"s{n}@example.com")
    subscriptions.subscribe(shop, "HAT", "h@example.com")
    inventory.plan_shipment(product, 5, date.today() + timedelta(days=4))
    rows = {row.product.sku: row for row in catalog.find_products(shop)[0]}
    assert rows["CAP"].waiting == 3 and rows["HAT"].waiting == 1
    assert rows["CAP"].availability.eta == date.today() + timedelta(days=4)


def test_find_products_costs_the_same_few_queries_for_many_rows(app, shop):
    import sqlalchemy as sa

    products.upsert_products(shop, [(f"P-{n:03}", {"on_hand": 0, "mode": "backorder"}) for n in range(120)])
    statements = []
    sa.event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    rows, _ = catalog.find_products(shop, limit=100)
    assert len(rows) == 100 and len(statements) <= 4, statements


def test_bulk_update_changes_every_selected_product_or_none(shop, other_store):
    _make(shop, "A", mode="notify")
    _make(shop, "B", mode="notify")
    catalog.update_products(shop, ["A", "B"], {"mode": "backorder", "backorder_limit": "incoming"})
    a = products.get_product(shop, "A")
    assert a.mode == "backorder" and a.limit_to_incoming
    with pytest.raises(UnknownProduct):
        catalog.update_products(shop, ["A", "NOPE"], {"mode": "preorder"})
    db.session.expire_all()
    assert products.get_product(shop, "A").mode == "backorder"
    assert catalog.find_products(shop)[0][-1].product.sku == "B"  # NOPE was not created


def test_preview_runs_the_rules_on_unsaved_settings_and_writes_nothing(shop):
    product = _make(shop, "MUG", on_hand=0, mode="notify")
    later = date.today() + timedelta(days=30)
    found = catalog.preview_availability(shop, product, {"mode": "backorder", "back_in_stock_date": later})
    assert found.state == rules.BACKORDER and found.eta == later and found.eta_source == "back_in_stock_date"
    capped = catalog.preview_availability(shop, product, {"mode": "backorder", "backorder_limit": "incoming"})
    assert capped.state == rules.SOLD_OUT  # nothing on order
    db.session.expire_all()
    assert products.get_product(shop, "MUG").mode == "notify"


def test_product_page_lists_open_backorders_with_their_etas(app, admin, store, make_product):
    make_product("LAMP", on_hand=0, mode="backorder")
    make_product("BOOK", on_hand=0, mode="preorder", release_date=date.today() + timedelta(days=40))
    with app.app_context():
        shop = db.session.get(Store, store.id)
        _order(shop, "O-1", "LAMP", 2)
        _order(shop, "O-2", "LAMP", 2)
        _order(shop, "P-1", "BOOK", 1)
        inventory.plan_shipment(products.get_product(shop, "LAMP"), 3, date.today() + timedelta(days=3))
    lamp = admin.get("/admin/products/LAMP").text
    soon = (date.today() + timedelta(days=3)).strftime("%-d %b %Y")
    assert re.search(rf"O-1</td>.*?<td>{soon}</td>.*?O-2</td>.*?to be confirmed", lamp, re.S)
    release = (date.today() + timedelta(days=40)).strftime("%-d %b %Y")
    assert re.search(rf"P-1</td>.*?<td>{release}</td>", admin.get("/admin/products/BOOK").text, re.S)


def test_a_shipment_is_found_only_through_its_own_product(shop):
    lamp, mug = _make(shop, "LAMP"), _make(shop, "MUG")
    shipment = inventory.plan_shipment(lamp, 3, date.today() + timedelta(days=3))
    assert catalog.shipment_of_product(lamp, shipment.id) is shipment
    for product, shipment_id in ((mug, shipment.id), (lamp, 0), (lamp, 2**40)):
        with pytest.raises(UnknownShipment):
            catalog.shipment_of_product(product, shipment_id)


def test_campaign_progress_counts_sent_out_of_everyone_to_tell(shop):
    from backorder.models import Message

    product = _make(shop, "CAP", on_hand=0)
    for n in range(4):
        subscriptions.subscribe(shop, "CAP", f"s{n}@example.com")
    products.upsert_product(shop, "CAP", {"on_hand": 1})  # restock: a campaign starts
    from backorder.services import campaigns

    (campaign,) = campaigns.campaigns_of(shop, product)
    assert catalog.campaign_progress(campaign) == catalog.Progress(0, 0, 4, False, "running")
    campaigns.plan_wave(campaign)  # wave of 1 × 3
    first = db.session.execute(db.select(Message).where(Message.campaign_id == campaign.id)).scalars().first()
    first.status = "sent"
    db.session.commit()
    assert catalog.campaign_progress(campaign) == catalog.Progress(1, 1, 4, False, "running")


def test_stock_kept_back_as_safety_stock_fills_nothing(shop):
    _make(shop, "LAMP", on_hand=0, safety_stock=5, mode="backorder")
    _order(shop, "O-1", "LAMP", 1)
    shipment = inventory.plan_shipment(products.get_product(shop, "LAMP"), 7, date.today() + timedelta(days=5))
    assert inventory.preview_receipt(shipment, 5).allocations == []
    preview = inventory.preview_receipt(shipment, 7)
    assert [(part.order_ref, part.quantity) for part in preview.allocations] == [("O-1", 1)] and preview.restocked == 1
