"""What happened per day: sign-ups, backorders and emails (the dashboard chart), backorder performance, email health."""

import sqlalchemy as sa

from ...db import db
from ...models import TASK_KINDS, Backorder, Message, Order, OrderLine, Product, Subscription, Suppression
from ..conversions import ALERT_KINDS
from ..stores import today_in
from . import by_day, day_map, days_between, per_day

DAILY = ("signups", "backordered_units", "restock_emails")


def daily_activity(store, period):
    """[{day, signups, backordered_units, restock_emails}]: the dashboard's chart, one row per day of the period."""
    signups = day_map(db.session.execute(
        per_day(period, Subscription.created_at, sa.func.count(Subscription.id))
        .where(Subscription.store_id == store.id)))
    units = day_map(db.session.execute(
        per_day(period, Order.created_at, sa.func.sum(OrderLine.backordered))
        .select_from(Order).join(OrderLine, OrderLine.order_id == Order.id)
        .where(Order.store_id == store.id, OrderLine.backordered > 0)))
    emails = day_map(db.session.execute(
        per_day(period, Message.created_at, sa.func.count(Message.id))
        .where(Message.store_id == store.id, Message.kind.in_(ALERT_KINDS), Message.status == "sent")))
    rows = [(day, *signups.get(day, (0,)), *units.get(day, (0,)), *emails.get(day, (0,)))
            for day in {*signups, *units, *emails}]
    return by_day(period, rows, DAILY)


def backorder_performance(store, period, now=None):
    """Per day: orders and units backordered and their value; overall: promised vs actual wait, what is late now."""
    value = OrderLine.backordered * sa.func.coalesce(OrderLine.unit_price, 0)
    rows = db.session.execute(
        per_day(period, Order.created_at, sa.func.count(sa.distinct(Order.id)),
                sa.func.sum(OrderLine.backordered), sa.func.sum(value))
        .select_from(Order).join(OrderLine, OrderLine.order_id == Order.id)
        .where(Order.store_id == store.id, OrderLine.backordered > 0)).all()
    items = by_day(period, rows, ("orders", "backordered_units", "backordered_value"))
    # Backorders filled in the period: how long they were promised to wait, and how long they waited.
    promised = days_between(OrderLine.eta, Order.created_at)
    actual = days_between(Backorder.allocated_at, Order.created_at)
    filled, avg_promised, avg_actual, late = db.session.execute(
        db.select(sa.func.count(Backorder.id), sa.func.avg(promised), sa.func.avg(actual),
                  sa.func.count(sa.case((sa.func.date(Backorder.allocated_at) > OrderLine.eta, 1))))
        .join(OrderLine, OrderLine.id == Backorder.order_line_id).join(Order, Order.id == OrderLine.order_id)
        .where(Order.store_id == store.id, Backorder.status == "allocated", period.contains(Backorder.allocated_at))
    ).one()
    past_eta = past_eta_backorders(store, now)
    summary = {
        "orders": sum(item["orders"] for item in items),
        "backordered_units": sum(item["backordered_units"] for item in items),
        "backordered_value": sum((item["backordered_value"] for item in items), 0),
        "filled_backorders": filled,
        "filled_late": late,
        "avg_promised_wait_days": None if avg_promised is None else round(float(avg_promised), 1),
        "avg_actual_wait_days": None if avg_actual is None else round(float(avg_actual), 1),
        "past_eta_backorders": past_eta["backorders"],
        "past_eta_units": past_eta["units"],
    }
    return items, summary


def past_eta_backorders(store, now=None):
    """Open backorders whose promised date has passed (store's today): how many, and their waiting units."""
    count, units = db.session.execute(
        db.select(sa.func.count(Backorder.id), sa.func.sum(Backorder.quantity - Backorder.allocated_quantity))
        .join(OrderLine, OrderLine.id == Backorder.order_line_id).join(Product, Product.id == Backorder.product_id)
        .where(Product.store_id == store.id, Backorder.status == "open", OrderLine.eta < today_in(store, now))
    ).one()
    return {"backorders": count, "units": units or 0}


EMAIL = ("sent", "failed", "suppressed", "queued", "unsubscribed", "clicked")


def email_health(store, period):
    """Per day (by when each email was queued): sent, failed, suppressed (skipped on purpose), still queued,
    clicked, and addresses that unsubscribed; plus every reason an email was not sent, most frequent first."""
    status = Message.status
    counts = day_map(db.session.execute(
        per_day(period, Message.created_at,
                *(sa.func.count(sa.case((status == name, 1))) for name in ("sent", "failed", "skipped", "queued")),
                sa.func.count(Message.clicked_at))
        .where(Message.store_id == store.id, Message.kind.not_in(TASK_KINDS))))  # tasks share the outbox
    unsubscribed = day_map(db.session.execute(
        per_day(period, Suppression.created_at, sa.func.count())
        .where(Suppression.store_id == store.id, Suppression.reason == "unsubscribed")))
    rows = [(day, *counts.get(day, (0,) * 5)[:4], *unsubscribed.get(day, (0,)), counts.get(day, (0,) * 5)[4])
            for day in {*counts, *unsubscribed}]
    reasons = db.session.execute(
        db.select(Message.status, Message.kind, sa.func.coalesce(Message.reason, ""), sa.func.count())
        .where(Message.store_id == store.id, Message.kind.not_in(TASK_KINDS), Message.status.in_(("failed", "skipped")),
               period.contains(Message.created_at))
        .group_by(Message.status, Message.kind, Message.reason).order_by(sa.func.count().desc())
    ).all()
    return by_day(period, rows, EMAIL), [
        {"status": "suppressed" if state == "skipped" else state, "kind": kind, "reason": reason, "count": count}
        for state, kind, reason, count in reasons]
