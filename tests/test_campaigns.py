"""Restock campaigns with a fake clock: waves, re-checks between waves, quiet hours, minimums, unsubscribes."""

from datetime import date, datetime, time, timedelta, timezone

import pytest

from backorder.db import db
from backorder.models import Campaign, Message, Store, Subscription
from backorder.services import campaigns, inventory, orders, products, subscriptions

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def shop(app, store):
    """The test store (UTC) with single opt-in, so sign-ups are active at once; inside an app context."""
    with app.app_context():
        shop = db.session.get(Store, store.id)
        shop.double_opt_in = False
        db.session.commit()
        yield shop


def sign_up(shop, sku, count, start=T0 - timedelta(days=1)):
    """`count` active sign-ups for sku, a minute apart (oldest first); returns their addresses."""
    emails = [f"s{n}@example.com" for n in range(count)]
    for n, email in enumerate(emails):
        subscriptions.subscribe(shop, sku, email, now=start + timedelta(minutes=n))
    return emails


def notified(sku_id=None):
    """Addresses with a restock message queued, oldest message first."""
    return [m.recipient for m in db.session.execute(
        db.select(Message).where(Message.kind.in_(("restock", "room")), Message.status == "queued")
        .order_by(Message.id)).scalars()]


def restock(shop, sku, on_hand):
    products.upsert_product(shop, sku, {"on_hand": on_hand})
    return db.session.execute(db.select(Campaign).order_by(Campaign.id.desc())).scalars().first()


def test_waves_are_free_units_times_the_wave_factor_oldest_first(shop):
    products.upsert_product(shop, "MUG", {"mode": "notify"})
    emails = sign_up(shop, "MUG", 10)
    campaign = restock(shop, "MUG", 2)  # wave factor 3: 6 per wave
    assert campaign.trigger == "stock_set" and campaign.status == "running"
    assert campaigns.run_due_campaigns(now=T0) == 6
    assert notified() == emails[:6]
    # The next wave waits for the store's interval (60 minutes)...
    assert campaigns.run_due_campaigns(now=T0 + timedelta(minutes=59)) == 0
    # ...then goes to the rest, while the product is still sellable, and the campaign ends.
    assert campaigns.run_due_campaigns(now=T0 + timedelta(minutes=61)) == 4
    assert notified() == emails
    db.session.refresh(campaign)
    assert (campaign.status, campaign.waves, campaign.queued) == ("finished", 2, 10)
    assert [entry["event"] for entry in campaign.log] == ["started", "wave", "wave", "finished"]


def test_each_subscription_is_notified_once_and_then_closes(shop):
    products.upsert_product(shop, "MUG", {"mode": "notify"})
    sign_up(shop, "MUG", 3)
    restock(shop, "MUG", 5)
    campaigns.run_due_campaigns(now=T0)
    campaigns.run_due_campaigns(now=T0 + timedelta(hours=3))
    assert len(notified()) == 3
    statuses = db.session.execute(db.select(Subscription.status)).scalars().all()
    assert statuses == ["notified"] * 3


def test_a_product_sold_out_again_between_waves_stops_the_campaign(shop):
    products.upsert_product(shop, "MUG", {"mode": "notify"})
    emails = sign_up(shop, "MUG", 10)
    campaign = restock(shop, "MUG", 1)
    assert campaigns.run_due_campaigns(now=T0) == 3
    products.upsert_product(shop, "MUG", {"on_hand": 0})  # the first wave bought it all
    assert campaigns.run_due_campaigns(now=T0 + timedelta(hours=2)) == 0
    db.session.refresh(campaign)
    assert (campaign.status, campaign.reason) == ("stopped", "sold_out_again")
    waiting = db.session.execute(db.select(Subscription.email).where(Subscription.status == "active")
                                 .order_by(Subscription.id)).scalars().all()
    assert waiting == emails[3:]  # still waiting for the next restock


def test_the_next_restock_starts_a_new_campaign_for_those_still_waiting(shop):
    products.upsert_product(shop, "MUG", {"mode": "notify"})
    emails = sign_up(shop, "MUG", 4)
    restock(shop, "MUG", 1)
    campaigns.run_due_campaigns(now=T0)  # 3 told
    products.upsert_product(shop, "MUG", {"on_hand": 0})
    campaigns.run_due_campaigns(now=T0 + timedelta(hours=2))  # stopped: sold out again
    restock(shop, "MUG", 1)
    campaigns.run_due_campaigns(now=T0 + timedelta(hours=3))
    assert notified() == emails


def test_nothing_goes_out_below_the_minimum_restock_quantity(shop):
    shop.min_restock_quantity = 5
    db.session.commit()
    products.upsert_product(shop, "MUG", {"mode": "notify"})
    sign_up(shop, "MUG", 3)
    campaign = restock(shop, "MUG", 4)
    assert campaigns.run_due_campaigns(now=T0) == 0
    db.session.refresh(campaign)
    assert (campaign.status, campaign.reason) == ("stopped", "below_minimum")
    assert notified() == []


def test_quiet_hours_postpone_the_wave_until_they_end_in_the_store_timezone(shop):
    shop.timezone = "Europe/Berlin"
    shop.quiet_hours_start, shop.quiet_hours_end = time(22, 0), time(8, 0)
    db.session.commit()
    products.upsert_product(shop, "MUG", {"mode": "notify"})
    sign_up(shop, "MUG", 2)
    campaign = restock(shop, "MUG", 5)
    night = datetime(2026, 12, 1, 23, 30, tzinfo=timezone.utc)  # 00:30 in Berlin
    assert campaigns.run_due_campaigns(now=night) == 0
    db.session.refresh(campaign)
    assert campaign.reason == "quiet_hours"
    assert campaign.next_wave_at == datetime(2026, 12, 2, 7, 0, tzinfo=timezone.utc)  # 08:00 in Berlin
    assert campaigns.run_due_campaigns(now=campaign.next_wave_at - timedelta(minutes=1)) == 0
    assert campaigns.run_due_campaigns(now=campaign.next_wave_at) == 2


@pytest.mark.parametrize("start, end, clock, quiet", [
    (time(22), time(8), time(23), True), (time(22), time(8), time(7, 59), True), (time(22), time(8), time(8), False),
    (time(22), time(8), time(12), False), (time(12), time(14), time(13), True), (time(12), time(14), time(14), False),
])
def test_quiet_hours_may_wrap_midnight(start, end, clock, quiet):
    store = Store(timezone="UTC", quiet_hours_start=start, quiet_hours_end=end)
    now = datetime.combine(date(2026, 12, 1), clock, tzinfo=timezone.utc)
    assert (campaigns.quiet_until(store, now) is not None) is quiet


def test_unsubscribes_between_waves_are_honoured(shop):
    products.upsert_product(shop, "MUG", {"mode": "notify"})
    emails = sign_up(shop, "MUG", 6)
    restock(shop, "MUG", 1)
    campaigns.run_due_campaigns(now=T0)  # 3 told
    leaving = db.session.execute(db.select(Subscription).filter_by(email=emails[4])).scalar_one()
    subscriptions.unsubscribe_address(shop.id, leaving.email_hash, "one-click")
    campaigns.run_due_campaigns(now=T0 + timedelta(hours=2))
    assert notified() == emails[:4] + emails[5:]


def test_a_suppressed_address_is_skipped_with_its_reason(shop):
    products.upsert_product(shop, "MUG", {"mode": "notify"})
    products.upsert_product(shop, "CAP", {"mode": "notify"})
    emails = sign_up(shop, "MUG", 2)
    sign_up(shop, "CAP", 1)  # s0@ again, for another product
    cap_alert = db.session.execute(db.select(Subscription).join(Subscription.product)
                                   .where(Subscription.email == emails[0])).scalars().first()
    subscriptions.suppress(shop.id, cap_alert.email_hash, "unsubscribed")  # e.g. a bounce handled elsewhere
    db.session.commit()
    campaign = restock(shop, "MUG", 5)
    campaigns.run_due_campaigns(now=T0)
    assert notified() == [emails[1]]
    skipped = db.session.execute(db.select(Message).filter_by(status="skipped")).scalar_one()
    assert (skipped.recipient, skipped.reason) == (emails[0], "suppressed")
    db.session.refresh(campaign)
    assert {"at": campaign.log[1]["at"], "event": "skipped", "reason": "suppressed", "count": 1} in campaign.log


def test_all_at_once_when_the_wave_factor_is_unset(shop):
    shop.wave_factor = None
    db.session.commit()
    products.upsert_product(shop, "MUG", {"mode": "notify"})
    sign_up(shop, "MUG", 25)
    restock(shop, "MUG", 1)
    assert campaigns.run_due_campaigns(now=T0) == 25


def test_a_restock_starts_one_campaign_however_often_it_is_reported(shop):
    products.upsert_product(shop, "MUG", {"mode": "notify"})
    sign_up(shop, "MUG", 2)
    for on_hand in (3, 3, 5, 4):  # duplicate and later stock reports: still the same restock
        products.upsert_product(shop, "MUG", {"on_hand": on_hand})
    shipment = inventory.plan_shipment(products.get_product(shop, "MUG"), 10, date(2026, 12, 10))
    inventory.receive_shipment(shipment)
    assert db.session.execute(db.select(db.func.count()).select_from(Campaign)).scalar_one() == 1


def test_receiving_a_shipment_that_fills_every_backorder_and_leaves_stock_is_a_restock(shop):
    products.upsert_product(shop, "LAMP", {"mode": "backorder"})
    orders.record_order(shop, "R1", [{"sku": "LAMP", "quantity": 2}])
    sign_up(shop, "LAMP", 1)
    lamp = products.get_product(shop, "LAMP")
    inventory.receive_shipment(inventory.plan_shipment(lamp, 2, date(2026, 12, 10)))
    assert [(c.kind, c.trigger) for c in db.session.execute(db.select(Campaign)).scalars()] == []  # all went to the backorders
    inventory.receive_shipment(inventory.plan_shipment(lamp, 3, date(2026, 12, 11)))
    (campaign,) = db.session.execute(db.select(Campaign)).scalars().all()
    assert (campaign.kind, campaign.trigger) == ("restock", "shipment_received")


def test_room_regained_by_a_sold_out_backorder_product_tells_waiting_shoppers(shop):
    products.upsert_product(shop, "BAG", {"mode": "backorder", "backorder_limit": 1})
    orders.record_order(shop, "R1", [{"sku": "BAG", "quantity": 1}])  # limit reached: sold out
    sign_up(shop, "BAG", 2)
    products.upsert_product(shop, "BAG", {"backorder_limit": 5})
    (campaign,) = db.session.execute(db.select(Campaign)).scalars().all()
    assert (campaign.kind, campaign.trigger) == ("room", "stock_set")
    assert campaigns.run_due_campaigns(now=T0) == 2
    kinds = db.session.execute(db.select(Message.kind)).scalars().all()
    assert kinds == ["room", "room"]


def test_room_notices_follow_the_store_setting(shop):
    shop.notify_on_room = False
    db.session.commit()
    products.upsert_product(shop, "BAG", {"mode": "backorder", "backorder_limit": 0})
    sign_up(shop, "BAG", 1)
    products.upsert_product(shop, "BAG", {"backorder_limit": 5})
    assert db.session.execute(db.select(Campaign)).scalars().all() == []


def test_a_slipped_eta_tells_the_backorder_customer_once(shop):
    shop.eta_tolerance_days = 2
    db.session.commit()
    products.upsert_product(shop, "LAMP", {"mode": "backorder"})
    lamp = products.get_product(shop, "LAMP")
    soon = date.today() + timedelta(days=10)
    shipment = inventory.plan_shipment(lamp, 5, soon)
    orders.record_order(shop, "R1", [{"sku": "LAMP", "quantity": 2}], email="buyer@example.com")
    inventory.update_shipment(shipment, expected_on=soon + timedelta(days=2))  # within tolerance
    assert db.session.execute(db.select(Message).filter_by(kind="eta_update")).scalars().all() == []
    inventory.update_shipment(shipment, expected_on=soon + timedelta(days=9))
    (update,) = db.session.execute(db.select(Message).filter_by(kind="eta_update")).scalars().all()
    assert update.recipient == "buyer@example.com"
    assert update.payload == {"order_ref": "R1", "old_eta": soon.isoformat(),
                              "new_eta": (soon + timedelta(days=9)).isoformat(), "quantity": 2}
    inventory.update_shipment(shipment, quantity=4)  # the date did not move again: nothing more
    inventory.cancel_shipment(shipment)  # now no date at all: one more update
    assert len(db.session.execute(db.select(Message).filter_by(kind="eta_update")).scalars().all()) == 2


def test_manual_campaign_needs_a_product_shoppers_can_buy(client, store, make_product):
    make_product("CAP", mode="notify")
    answer = client.post("/api/v1/admin/products/CAP/campaigns", headers=store.headers)
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "not_sellable"
    client.put("/api/v1/admin/products/CAP", headers=store.headers, json={"on_hand": 3})
    started = client.post("/api/v1/admin/products/CAP/campaigns", headers=store.headers)
    assert started.status_code == 202 and started.get_json()["trigger"] == "manual"
    again = client.post("/api/v1/admin/products/CAP/campaigns", headers=store.headers)
    assert again.get_json()["id"] == started.get_json()["id"]  # the running one, not a second
    listed = client.get("/api/v1/admin/campaigns?sku=CAP", headers=store.headers).get_json()["items"]
    assert [campaign["id"] for campaign in listed] == [started.get_json()["id"]]
    assert listed[0]["messages"] == {}


def test_a_restock_with_nobody_waiting_starts_no_campaign(shop):
    products.upsert_product(shop, "MUG", {"mode": "notify"})
    assert restock(shop, "MUG", 5) is None
    sign_up(shop, "MUG", 1)
    products.upsert_product(shop, "MUG", {"on_hand": 0})
    assert restock(shop, "MUG", 5).status == "running"


def test_a_wave_larger_than_a_statements_parameter_limit_is_queued_whole(shop):
    """PostgreSQL takes at most 65,535 parameters a statement: a wave must never list its ids."""
    from backorder.models import Product

    shop.wave_factor = None
    db.session.commit()
    products.upsert_product(shop, "MUG", {"mode": "notify"})
    product_id = db.session.execute(db.select(Product.id).filter_by(sku="MUG")).scalar_one()
    waiting = 66_000
    db.session.execute(db.insert(Subscription), [
        {"store_id": shop.id, "product_id": product_id, "email": f"s{n}@example.com", "email_hash": f"{n:064x}",
         "locale": "en", "quantity": 1, "status": "active", "consent_version": 1,
         "created_at": T0 - timedelta(days=1, seconds=-n)} for n in range(waiting)])
    db.session.commit()
    restock(shop, "MUG", 1)
    assert campaigns.run_due_campaigns(now=T0) == waiting
    assert db.session.execute(db.select(db.func.count()).select_from(Subscription)
                              .filter_by(status="notified")).scalar_one() == waiting
