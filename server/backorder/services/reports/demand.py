"""Demand: what shoppers wait for, per product, and how many units to buy (docs/reports.md, "Demand").

suggested reorder = backordered units + expected conversions of the waiting subscribers − incoming
units, never below zero, where expected conversions = waiting units × the store's conversion rate
(measured over its last 90 days of restock emails, DEFAULT_CONVERSION_RATE until there are enough).
"""

from datetime import datetime, timezone

import sqlalchemy as sa

from ...db import db
from ...models import Backorder, Order, OrderLine, Product, Shipment, Subscription, utcnow
from ..conversions import measured_conversion_rate
from ..stores import today_in

DEFAULT_CONVERSION_RATE = 0.10  # the share of alerted shoppers assumed to buy, until the store has its own figure
SORTS = ("suggested", "backordered", "value", "waiting", "waiting_since", "sku")


def conversion_rate(store, now=None):
    """{rate, source ("measured" or "default"), sample}: what the suggested reorder quantity assumes."""
    measured, sample = measured_conversion_rate(store, now or utcnow())
    if measured is None:
        return {"rate": DEFAULT_CONVERSION_RATE, "source": "default", "sample": sample}
    return {"rate": round(measured, 3), "source": "measured", "sample": sample}


def _greater(a, b):
    return sa.case((a >= b, a), else_=b)


def _earlier(a, b):
    return sa.case((a.is_(None), b), (b.is_(None), a), (a <= b, a), else_=b)


def demand_query(store, period, rate, supplier=None, to_order=False):
    """SELECT of every product with open backorders or waiting subscribers, with its demand columns."""
    waiting = (
        db.select(Subscription.product_id, sa.func.count().label("subscribers"),
                  sa.func.sum(Subscription.quantity).label("units"), sa.func.min(Subscription.created_at).label("since"))
        .where(Subscription.store_id == store.id, Subscription.status == "active")
        .group_by(Subscription.product_id).subquery("waiting"))
    still_open = Backorder.quantity - Backorder.allocated_quantity
    backorders = (
        db.select(Backorder.product_id, sa.func.sum(still_open * sa.func.coalesce(OrderLine.unit_price, 0)).label("value"),
                  sa.func.min(Backorder.created_at).label("since"))
        .join(OrderLine, OrderLine.id == Backorder.order_line_id).join(Product, Product.id == Backorder.product_id)
        .where(Product.store_id == store.id, Backorder.status == "open")
        .group_by(Backorder.product_id).subquery("backorders"))
    incoming = (
        db.select(Shipment.product_id, sa.func.sum(Shipment.quantity).label("units"),
                  sa.func.min(Shipment.expected_on).label("next_on"))
        .join(Product, Product.id == Shipment.product_id)
        .where(Product.store_id == store.id, Shipment.status == "planned", Shipment.quantity > 0)
        .group_by(Shipment.product_id).subquery("incoming"))
    signups = (
        db.select(Subscription.product_id, sa.func.count().label("count"))
        .where(Subscription.store_id == store.id, period.contains(Subscription.created_at))
        .group_by(Subscription.product_id).subquery("signups"))
    ordered = (
        db.select(OrderLine.product_id, sa.func.sum(OrderLine.backordered).label("units"))
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.store_id == store.id, period.contains(Order.created_at), OrderLine.backordered > 0)
        .group_by(OrderLine.product_id).subquery("ordered"))

    waiting_units = sa.func.coalesce(waiting.c.units, 0)
    incoming_units = sa.func.coalesce(incoming.c.units, 0)
    permille = round(rate * 1000)
    expected = ((waiting_units * permille + 999) // 1000).label("expected_conversions")  # rounded up, whole units
    need = Product.backordered + expected - incoming_units
    columns = dict(
        sku=Product.sku, name=Product.name, supplier=Product.supplier, price=Product.price, mode=Product.mode,
        on_hand=Product.on_hand, backordered=Product.backordered,
        backordered_value=sa.func.coalesce(backorders.c.value, 0),
        waiting_subscribers=sa.func.coalesce(waiting.c.subscribers, 0), waiting_units=waiting_units,
        expected_conversions=expected, incoming_units=incoming_units, next_incoming_on=incoming.c.next_on,
        waiting_since=_earlier(waiting.c.since, backorders.c.since),
        signups_in_period=sa.func.coalesce(signups.c.count, 0),
        backordered_in_period=sa.func.coalesce(ordered.c.units, 0),
        min_order_quantity=Product.min_order_quantity,
        quota_reached=sa.and_(Product.min_order_quantity.is_not(None),
                              Product.backordered >= Product.min_order_quantity),
        suggested_reorder=_greater(need, 0),
        # what to put on the purchase order: the suggestion, raised to the supplier's minimum
        order_quantity=sa.case((need > 0, _greater(need, sa.func.coalesce(Product.min_order_quantity, 0))), else_=0),
    )
    statement = (
        db.select(*[column.label(name) for name, column in columns.items()])
        .outerjoin(waiting, waiting.c.product_id == Product.id)
        .outerjoin(backorders, backorders.c.product_id == Product.id)
        .outerjoin(incoming, incoming.c.product_id == Product.id)
        .outerjoin(signups, signups.c.product_id == Product.id)
        .outerjoin(ordered, ordered.c.product_id == Product.id)
        .where(Product.store_id == store.id, sa.or_(Product.backordered > 0, waiting.c.subscribers > 0))
    )
    if supplier is not None:
        statement = statement.where(Product.supplier == supplier)
    if to_order:
        statement = statement.where(need > 0)
    return statement


def demand(store, period, sort="suggested", limit=None, offset=0, supplier=None, to_order=False, now=None):
    """(rows, summary): products with unmet demand, what to buy first at the top. Rows are mappings."""
    rate = conversion_rate(store, now)
    query = demand_query(store, period, rate["rate"], supplier, to_order).subquery("demand")
    key = {"suggested": query.c.suggested_reorder, "backordered": query.c.backordered,
           "value": query.c.backordered_value, "waiting": query.c.waiting_units}.get(sort)
    if sort == "waiting_since":
        order = [query.c.waiting_since.asc()]
    else:
        order = [key.desc()] if key is not None else []
    statement = db.select(query).order_by(*order, query.c.sku).offset(offset)
    if limit is not None:
        statement = statement.limit(limit)
    today = today_in(store, now)
    rows = [_days_waiting(dict(row._mapping), store, today) for row in db.session.execute(statement)]
    totals = db.session.execute(db.select(
        sa.func.count(), sa.func.coalesce(sa.func.sum(query.c.backordered), 0),
        sa.func.coalesce(sa.func.sum(query.c.backordered_value), 0), sa.func.coalesce(sa.func.sum(query.c.waiting_units), 0),
        sa.func.coalesce(sa.func.sum(query.c.suggested_reorder), 0),
        sa.func.count(sa.case((query.c.quota_reached, 1))))).one()
    summary = dict(zip(("products", "backordered", "backordered_value", "waiting_units", "suggested_reorder",
                        "quota_reached"), totals))
    return rows, {**summary, "conversion_rate": rate}


def _days_waiting(row, store, today):
    """Days since the product's oldest unmet demand (its oldest open backorder or waiting sign-up)."""
    since = row["waiting_since"]
    if isinstance(since, str):  # SQLite may hand a CASE over timestamps back as text
        since = datetime.fromisoformat(since)
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=timezone.utc)
    row["waiting_since"] = None if since is None else today_in(store, since)
    row["days_waiting"] = None if since is None else (today - row["waiting_since"]).days
    row["quota_reached"] = bool(row["quota_reached"])
    return row


def suppliers(store, period, now=None):
    """Per supplier (None: products without one): products in demand, units backordered, products whose
    backorders reached the minimum order, and the units to order."""
    rate = conversion_rate(store, now)
    query = demand_query(store, period, rate["rate"]).subquery("demand")
    rows = db.session.execute(
        db.select(query.c.supplier, sa.func.count().label("products"), sa.func.sum(query.c.backordered).label("backordered"),
                  sa.func.sum(query.c.backordered_value).label("backordered_value"),
                  sa.func.sum(query.c.waiting_units).label("waiting_units"),
                  sa.func.count(sa.case((query.c.quota_reached, 1))).label("quota_reached"),
                  sa.func.sum(query.c.suggested_reorder).label("suggested_reorder"))
        .group_by(query.c.supplier)
        .order_by(sa.desc(sa.func.sum(query.c.suggested_reorder)), query.c.supplier.asc().nulls_last())
    ).all()
    return [dict(row._mapping) for row in rows], {"conversion_rate": rate}


def purchase_list(store, period, supplier, now=None):
    """What to order from one supplier: its products with a suggested quantity, raised to the minimum order."""
    rows, summary = demand(store, period, "sku", supplier=supplier, to_order=True, now=now)
    return rows, {**summary, "supplier": supplier}
