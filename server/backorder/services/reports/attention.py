"""What needs the merchant's attention now (the dashboard): each a short list and a count."""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from ...db import db
from ...models import TASK_KINDS, Backorder, Message, OrderLine, Product, Shipment, Subscription, utcnow
from .. import availability as rules
from ..products import availability_of_products
from ..stores import today_in

SHOWN = 10
CANDIDATES = 200  # sold-out checks run the availability rules on at most this many products


@dataclass(frozen=True)
class Attention:
    sold_out_waiting: list  # [(product, waiting shoppers, units they want)], most waiting first
    sold_out_count: int
    past_eta: list  # [(sku, name, backorders, units, oldest promised date)]
    past_eta_count: int
    shipments_due: list  # [(shipment, sku, name, overdue?)], by date
    shipments_due_count: int
    failing: list  # the latest failed emails
    failed_count: int  # failed in the last 7 days
    retrying_count: int  # queued again after a temporary failure


def attention(store, now=None):
    """Sold-out products people wait for, backorders past their date, shipments due within 7 days, failing emails."""
    now = now or utcnow()
    today = today_in(store, now)
    return Attention(*_sold_out_waiting(store), *_past_eta(store, today), *_shipments_due(store, today),
                     *_failing(store, now))


def _sold_out_waiting(store):
    waiting = (
        db.select(Subscription.product_id, sa.func.count().label("shoppers"),
                  sa.func.sum(Subscription.quantity).label("units"))
        .where(Subscription.store_id == store.id, Subscription.status == sa.literal_column("'active'"))
        .group_by(Subscription.product_id).subquery())
    rows = db.session.execute(
        db.select(Product, waiting.c.shoppers, waiting.c.units).join(waiting, waiting.c.product_id == Product.id)
        .where(Product.on_hand <= Product.safety_stock)  # nothing sellable now: the rules decide the rest
        .order_by(waiting.c.shoppers.desc(), Product.sku).limit(CANDIDATES)).all()
    found = availability_of_products(store, [product for product, _, _ in rows])
    sold_out = [row for row in rows if found[row[0].id].state == rules.SOLD_OUT]
    return [tuple(row) for row in sold_out[:SHOWN]], len(sold_out)


def _past_eta(store, today):
    late = (
        db.select(Product.sku, Product.name, sa.func.count(Backorder.id).label("backorders"),
                  sa.func.sum(Backorder.quantity - Backorder.allocated_quantity).label("units"),
                  sa.func.min(OrderLine.eta).label("oldest"))
        .join(OrderLine, OrderLine.id == Backorder.order_line_id).join(Product, Product.id == Backorder.product_id)
        .where(Product.store_id == store.id, Backorder.status == "open", OrderLine.eta < today)
        .group_by(Product.id, Product.sku, Product.name))
    rows = db.session.execute(late.order_by(sa.text("oldest"), Product.sku).limit(SHOWN)).all()
    count = db.session.execute(db.select(sa.func.coalesce(sa.func.sum(late.subquery().c.backorders), 0))).scalar_one()
    return [tuple(row) for row in rows], count


def _shipments_due(store, today):
    due = (Shipment.status == "planned", Shipment.expected_on <= today + timedelta(days=7),
           Product.store_id == store.id)
    rows = db.session.execute(
        db.select(Shipment, Product.sku, Product.name).join(Product, Product.id == Shipment.product_id).where(*due)
        .order_by(Shipment.expected_on, Product.sku).limit(SHOWN)).all()
    count = db.session.execute(db.select(sa.func.count()).select_from(Shipment)
                               .join(Product, Product.id == Shipment.product_id).where(*due)).scalar_one()
    return [(shipment, sku, name, shipment.expected_on < today) for shipment, sku, name in rows], count


def _failing(store, now):
    week = now - timedelta(days=7)
    emails = (Message.store_id == store.id, Message.kind.not_in(TASK_KINDS))  # tasks share the outbox
    failed = (*emails, Message.status == "failed", Message.created_at >= week)
    latest = db.session.execute(db.select(Message).where(*failed).order_by(Message.id.desc()).limit(5)).scalars().all()
    failed_count = db.session.execute(db.select(sa.func.count()).select_from(Message).where(*failed)).scalar_one()
    retrying = db.session.execute(db.select(sa.func.count()).select_from(Message).where(
        *emails, Message.status == "queued", Message.attempts > 0)).scalar_one()
    return latest, failed_count, retrying
