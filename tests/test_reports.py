"""Reports against a small store whose history was counted by hand (Europe/Berlin, UTC+1 in January).

The period is 10–12 January 2026, store time. Rows sit either side of local midnights: 22:59 UTC on
the 10th is 23:59 in Berlin (the 10th), 23:01 UTC is 00:01 on the 11th.
"""

import csv
import io
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from backorder.db import db
from backorder.models import (
    Backorder, Conversion, Message, Order, OrderLine, Product, ProductViewDay, Shipment, Store, Subscription,
    Suppression,
)
from backorder.services import stores
from backorder.services.reports import Period
from backorder.services.reports import activity, demand, funnel

START, END = date(2026, 1, 10), date(2026, 1, 12)


def utc(day, hour, minute=0):
    return datetime(2026, 1, day, hour, minute, tzinfo=timezone.utc)


@pytest.fixture
def shop(app):
    """The hand-counted store; returns its id (see the module docstring for the clock)."""
    with app.app_context():
        store, _ = stores.create_store("Berlin Shop", ["https://shop.example.com"], timezone="Europe/Berlin")
        lamp = Product(store_id=store.id, sku="LAMP", name="Desk lamp", price=Decimal("89.00"), mode="backorder",
                       supplier="Acme", min_order_quantity=2, backordered=2)
        mug = Product(store_id=store.id, sku="MUG", name="Mug", price=Decimal("14.50"), mode="backorder",
                      supplier="Acme", min_order_quantity=3)
        cap = Product(store_id=store.id, sku="CAP", name="=cap", mode="notify")
        db.session.add_all([lamp, mug, cap])
        db.session.flush()

        def alert(product, created, status, confirmed=None, quantity=1, email=None):
            subscription = Subscription(
                store_id=store.id, product_id=product.id, email=email or f"{product.sku}-{created:%d%H%M}@example.com",
                email_hash=f"h{product.sku}{created:%d%H%M}", locale="en", status=status, quantity=quantity,
                consent_version=1, created_at=created, confirmed_at=confirmed)
            db.session.add(subscription)
            db.session.flush()
            return subscription

        s1 = alert(lamp, utc(10, 22, 59), "notified", utc(10, 23, 10))  # Jan 10, 23:59 Berlin
        s2 = alert(lamp, utc(10, 23, 1), "notified", utc(10, 23, 20))  # Jan 11, 00:01 Berlin
        s3 = alert(mug, utc(9, 23, 30), "pending")  # Jan 10, 00:30 Berlin: never confirmed
        alert(mug, utc(12, 22, 30), "active", utc(12, 22, 40))  # Jan 12, 23:30 Berlin: waiting
        alert(cap, utc(12, 23, 0), "active", utc(12, 23, 5), quantity=12)  # Jan 13, 00:00 Berlin: after the period
        alert(cap, utc(9, 22, 59), "expired")  # Jan 9, 23:59 Berlin: before it

        def email(subscription, kind, status, created, clicked=None, reason=None):
            db.session.add(Message(
                store_id=store.id, kind=kind, recipient=subscription.email, email_hash=subscription.email_hash,
                locale="en", subscription_id=subscription.id, product_id=subscription.product_id, status=status,
                reason=reason, created_at=created, due_at=created, sent_at=created if status == "sent" else None,
                clicked_at=clicked))

        email(s1, "restock", "sent", utc(11, 10), clicked=utc(11, 11))
        email(s2, "restock", "sent", utc(11, 10), clicked=utc(11, 13))  # clicked after unsubscribing at 12:00
        email(s3, "confirm", "failed", utc(10, 8), reason="550 mailbox unavailable")
        email(s3, "confirm", "skipped", utc(12, 22, 59), reason="suppressed")  # Jan 12, 23:59 Berlin
        email(s3, "confirm", "sent", utc(12, 23, 0))  # Jan 13 in Berlin: after the period
        db.session.add(Suppression(store_id=store.id, email_hash=s2.email_hash, reason="unsubscribed",
                                   created_at=utc(11, 12)))

        for product, day, views in [(lamp, 10, 10), (lamp, 12, 5), (cap, 11, 7), (cap, 13, 100), (mug, 9, 3)]:
            db.session.add(ProductViewDay(store_id=store.id, product_id=product.id, day=date(2026, 1, day),
                                          views=views))

        def order(ref, product, quantity, backordered, price, created, eta):
            placed = Order(store_id=store.id, order_ref=ref, email="buyer@example.com", created_at=created)
            line = OrderLine(order=placed, product=product, quantity=quantity, ship_now=quantity - backordered,
                             backordered=backordered, unit_price=price, eta=eta)
            db.session.add_all([placed, line])
            db.session.flush()
            return line

        lamp_line = order("O1", lamp, 2, 2, Decimal("89.00"), utc(10, 23, 30), date(2026, 1, 20))  # Jan 11 Berlin
        mug_line = order("O2", mug, 3, 1, Decimal("14.50"), utc(10, 10), date(2026, 1, 15))  # Jan 10
        db.session.add(Backorder(product=lamp, order_line=lamp_line, quantity=2, created_at=utc(10, 23, 30)))
        db.session.add(Backorder(product=mug, order_line=mug_line, quantity=1, allocated_quantity=1,
                                 status="allocated", created_at=utc(10, 10), allocated_at=utc(12, 12)))
        db.session.add(Conversion(store_id=store.id, product_id=lamp.id, order_line=lamp_line, subscription_id=s1.id,
                                  units=1, revenue=Decimal("89.00"), via="click", created_at=utc(11, 12)))
        db.session.add(Shipment(product=lamp, quantity=1, expected_on=date(2030, 1, 1)))
        db.session.commit()
        return store.id


def period():
    return Period(START, END, "Europe/Berlin")


def store_of(shop):
    return db.session.get(Store, shop)


def test_funnel_by_product_counts_each_stage_on_the_store_calendar(app, shop):
    with app.app_context():
        rows, totals = funnel.funnel_by_product(store_of(shop), period())
    by_sku = {row["sku"]: row for row in rows}
    assert [row["sku"] for row in rows] == ["LAMP", "MUG", "CAP"]  # by sign-ups, then sku
    lamp = by_sku["LAMP"]
    assert (lamp["views"], lamp["signups"], lamp["confirmed"], lamp["notified"], lamp["clicked"], lamp["converted"]) \
        == (15, 2, 2, 2, 2, 1)
    assert (lamp["converted_units"], Decimal(lamp["converted_revenue"])) == (1, Decimal("89.00"))
    assert (lamp["signup_rate"], lamp["conversion_rate"]) == (0.133, 0.5)
    mug = by_sku["MUG"]
    assert (mug["views"], mug["signups"], mug["confirmed"], mug["notified"], mug["signup_rate"]) == (0, 2, 1, 0, None)
    assert (by_sku["CAP"]["views"], by_sku["CAP"]["signups"]) == (7, 0)  # the 13th's 100 views are outside
    assert {name: totals[name] for name in ("views", "signups", "confirmed", "notified", "clicked", "converted")} \
        == {"views": 22, "signups": 4, "confirmed": 3, "notified": 2, "clicked": 2, "converted": 1}


def test_funnel_by_day_splits_at_the_store_midnight(app, shop):
    with app.app_context():
        rows = funnel.funnel_by_day(store_of(shop), period())
    assert [(row["day"], row["views"], row["signups"], row["confirmed"], row["notified"], row["clicked"],
             row["converted"]) for row in rows] == [
        (date(2026, 1, 10), 10, 2, 1, 1, 1, 1),  # s1 (23:59) and s3 (00:30)
        (date(2026, 1, 11), 7, 1, 1, 1, 1, 0),  # s2 (00:01): unsubscribed after its email, clicked anyway
        (date(2026, 1, 12), 5, 1, 1, 0, 0, 0),
    ]


def test_daily_activity_feeds_the_chart(app, shop):
    with app.app_context():
        rows = activity.daily_activity(store_of(shop), period())
    assert [(row["signups"], row["backordered_units"], row["restock_emails"]) for row in rows] == [
        (2, 1, 0), (1, 2, 2), (1, 0, 0)]


def test_backorder_performance(app, shop):
    with app.app_context():
        rows, summary = activity.backorder_performance(store_of(shop), period())
    assert [(row["day"], row["orders"], row["backordered_units"], Decimal(row["backordered_value"])) for row in rows] \
        == [(date(2026, 1, 10), 1, 1, Decimal("14.50")), (date(2026, 1, 11), 1, 2, Decimal("178.00")),
            (date(2026, 1, 12), 0, 0, 0)]
    # MUG: ordered Jan 10 10:00 UTC, promised Jan 15 (4.58 days), filled Jan 12 12:00 UTC (2.08 days)
    assert (summary["filled_backorders"], summary["filled_late"]) == (1, 0)
    assert (summary["avg_promised_wait_days"], summary["avg_actual_wait_days"]) == (4.6, 2.1)
    assert (summary["past_eta_backorders"], summary["past_eta_units"]) == (1, 2)  # LAMP, promised 20 Jan 2026


def test_email_health_per_day_with_reasons(app, shop):
    with app.app_context():
        rows, reasons = activity.email_health(store_of(shop), period())
    assert [(row["sent"], row["failed"], row["suppressed"], row["unsubscribed"], row["clicked"]) for row in rows] == [
        (0, 1, 0, 0, 0), (2, 0, 0, 1, 2), (0, 0, 1, 0, 0)]
    assert sorted((r["status"], r["kind"], r["reason"], r["count"]) for r in reasons) == [
        ("failed", "confirm", "550 mailbox unavailable", 1), ("suppressed", "confirm", "suppressed", 1)]


def test_failed_platform_tasks_are_not_counted_as_emails(app, shop):
    from backorder.models import TASK_KIND
    from backorder.services.reports import attention

    with app.app_context():
        for status in ("failed", "skipped"):
            db.session.add(Message(store_id=shop, kind=TASK_KIND, recipient="bigcommerce", email_hash="", locale="",
                                   payload={"platform": "bigcommerce", "task": "sync"}, status=status,
                                   reason="502 bad gateway", created_at=utc(11, 9), due_at=utc(11, 9)))
        db.session.commit()
        rows, reasons = activity.email_health(store_of(shop), period())
        needs = attention.attention(store_of(shop), now=utc(12, 9))
    assert [(row["failed"], row["suppressed"]) for row in rows] == [(1, 0), (0, 0), (0, 1)]
    assert "502 bad gateway" not in [r["reason"] for r in reasons]
    assert needs.failed_count == 1 and [m.kind for m in needs.failing] == ["confirm"]


def test_demand_suggests_what_to_reorder_first(app, shop):
    with app.app_context():
        store = store_of(shop)
        rows, summary = demand.demand(store, period())
        today = stores.today_in(store)
    assert summary["conversion_rate"] == {"rate": demand.DEFAULT_CONVERSION_RATE, "source": "default", "sample": 0}
    assert [row["sku"] for row in rows] == ["CAP", "LAMP", "MUG"]
    cap, lamp, mug = rows
    # CAP: 12 units wanted × 10% = 1.2, rounded up to 2; nothing backordered or incoming
    assert (cap["waiting_units"], cap["expected_conversions"], cap["suggested_reorder"], cap["order_quantity"]) \
        == (12, 2, 2, 2)
    # LAMP: 2 backordered − 1 incoming; its minimum order (2) is reached, and raises what to order
    assert (lamp["backordered"], lamp["incoming_units"], lamp["suggested_reorder"], lamp["quota_reached"],
            lamp["order_quantity"]) == (2, 1, 1, True, 2)
    assert (Decimal(lamp["backordered_value"]), lamp["signups_in_period"], lamp["backordered_in_period"]) \
        == (Decimal("178.00"), 2, 2)
    assert lamp["waiting_since"] == date(2026, 1, 11) and lamp["days_waiting"] == (today - date(2026, 1, 11)).days
    # MUG: one shopper waits for one unit: 0.1 rounded up to 1; the minimum order is 3
    assert (mug["suggested_reorder"], mug["quota_reached"], mug["order_quantity"]) == (1, False, 3)
    assert mug["waiting_since"] == date(2026, 1, 12)
    assert (summary["products"], summary["suggested_reorder"], summary["quota_reached"]) == (3, 4, 1)


def test_suppliers_and_purchase_list(app, shop):
    with app.app_context():
        rows, _ = demand.suppliers(store_of(shop), period())
        items, summary = demand.purchase_list(store_of(shop), period(), "Acme")
    assert [(row["supplier"], row["products"], row["backordered"], row["quota_reached"], row["suggested_reorder"])
            for row in rows] == [("Acme", 2, 2, 1, 2), (None, 1, 0, 0, 2)]
    assert [(row["sku"], row["order_quantity"]) for row in items] == [("LAMP", 2), ("MUG", 3)]


def test_days_follow_daylight_saving_time(app):
    """Berlin moves to UTC+2 at 01:00 UTC on 29 March 2026: that day has 23 hours, and midnights move."""
    with app.app_context():
        store, _ = stores.create_store("DST Shop", ["https://shop.example.com"], timezone="Europe/Berlin")
        product = Product(store_id=store.id, sku="DST")
        db.session.add(product)
        db.session.flush()
        for n, stamp in enumerate([
            datetime(2026, 3, 28, 22, 59, tzinfo=timezone.utc),  # 23:59 CET, 28 March
            datetime(2026, 3, 28, 23, 1, tzinfo=timezone.utc),  # 00:01 CET, 29 March
            datetime(2026, 3, 29, 21, 59, tzinfo=timezone.utc),  # 23:59 CEST, 29 March
            datetime(2026, 3, 29, 22, 1, tzinfo=timezone.utc),  # 00:01 CEST, 30 March
        ]):
            db.session.add(Subscription(store_id=store.id, product_id=product.id, email=f"d{n}@example.com",
                                        email_hash=f"d{n}", locale="en", status="active", consent_version=1,
                                        created_at=stamp))
        db.session.commit()
        period = Period(date(2026, 3, 28), date(2026, 3, 30), "Europe/Berlin")
        assert [(row["day"].day, row["signups"]) for row in activity.daily_activity(store, period)] == [
            (28, 1), (29, 2), (30, 1)]
        assert period.hi - period.lo == timedelta(hours=71)


def test_postgres_sessions_run_reports_without_jit(app):
    """JIT made the reports slower on PostgreSQL (docs/benchmarks.md): every connection turns it off."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL's JIT: SQLite has none")
        assert db.session.execute(sa.text("SHOW jit")).scalar_one() == "off"
        db.session.rollback()  # a session setting: still off in the next transaction
        assert db.session.execute(sa.text("SHOW jit")).scalar_one() == "off"
