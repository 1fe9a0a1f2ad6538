"""Demand: what shoppers wait for, per product, and how many units to buy (docs/reports.md, "Demand").

suggested reorder = backordered units + expected conversions of the waiting subscribers − incoming
units, never below zero, where expected conversions = waiting units × the store's conversion rate
(measured over its last 90 days of restock emails, DEFAULT_CONVERSION_RATE until there are enough).
"""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

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
                  sa.func.sum(Subscription.quantity).label("units"),
                  sa.func.min(Subscription.created_at).label("since"))
        .where(Subscription.store_id == store.id, Subscription.status == sa.literal_column("'active'"))  # its index
        .group_by(Subscription.product_id).subquery("waiting"))
    still_open = Backorder.quantity - Backorder.allocated_quantity
    backorders = (
        db.select(Backorder.product_id,  # valued at the order's price, else the product's
                  sa.func.sum(still_open * sa.func.coalesce(OrderLine.unit_price, Product.price, 0)).label("value"),
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


TOTALS = ("products", "backordered", "backordered_value", "waiting_units", "suggested_reorder", "quota_reached")


def demand(store, period, sort="suggested", limit=None, offset=0, supplier=None, to_order=False, now=None,
           stream=False):
    """(rows, summary): products with unmet demand, what to buy first at the top. Rows are mappings.

    The summary's totals come with the rows, from window functions over the whole result (one query).
    With stream=True the rows are an iterator, shaped one by one as a CSV download writes them out
    (no list of them all), and the summary holds only the conversion rate.
    """
    rate = conversion_rate(store, now)
    query = demand_query(store, period, rate["rate"], supplier, to_order).subquery("demand")
    key = {"suggested": query.c.suggested_reorder, "backordered": query.c.backordered,
           "value": query.c.backordered_value, "waiting": query.c.waiting_units}.get(sort)
    if sort == "waiting_since":
        order = [query.c.waiting_since.asc()]
    else:
        order = [key.desc()] if key is not None else []
    everything = sa.over  # totals over every row, computed before LIMIT
    totals = [
        everything(sa.func.count()), everything(sa.func.sum(query.c.backordered)),
        everything(sa.func.sum(query.c.backordered_value)), everything(sa.func.sum(query.c.waiting_units)),
        everything(sa.func.sum(query.c.suggested_reorder)),
        everything(sa.func.sum(sa.case((query.c.quota_reached, 1), else_=0))),
    ]
    statement = (db.select(query, *[total.label(f"total_{name}") for total, name in zip(totals, TOTALS)])
                 .order_by(*order, query.c.sku).offset(offset))
    if limit is not None:
        statement = statement.limit(limit)
    today, zone = today_in(store, now), ZoneInfo(store.timezone)
    if stream:
        rows = (_days_waiting(dict(row._mapping), zone, today) for row in db.session.execute(statement))
        return rows, {"conversion_rate": rate}
    rows = [_days_waiting(dict(row._mapping), zone, today) for row in db.session.execute(statement)]
    if rows:
        summary = {name: rows[0][f"total_{name}"] or 0 for name in TOTALS}
    else:  # past the last page (or nothing at all): count without rows to carry the totals
        summary = dict(zip(TOTALS, db.session.execute(db.select(*[
            sa.func.coalesce(total.element, 0) for total in totals])).one()))
    for row in rows:
        for name in TOTALS:
            del row[f"total_{name}"]
    return rows, {**summary, "conversion_rate": rate}


def _days_waiting(row, zone, today):
    """Days since the product's oldest unmet demand (its oldest open backorder or waiting sign-up)."""
    since = row["waiting_since"]
    if isinstance(since, str):  # SQLite may hand a CASE over timestamps back as text
        since = datetime.fromisoformat(since)
    if since is not None:
        since = (since if since.tzinfo else since.replace(tzinfo=timezone.utc)).astimezone(zone).date()
    row["waiting_since"] = since
    row["days_waiting"] = None if since is None else (today - since).days
    row["quota_reached"] = bool(row["quota_reached"])
    return row


def suppliers(store, period, now=None):
    """Per supplier (None: products without one): products in demand, units backordered, products whose
    backorders reached the minimum order, and the units to order."""
    rate = conversion_rate(store, now)
    query = demand_query(store, period, rate["rate"]).subquery("demand")
    rows = db.session.execute(
        db.select(query.c.supplier, sa.func.count().label("products"),
                  sa.func.sum(query.c.backordered).label("backordered"),
                  sa.func.sum(query.c.backordered_value).label("backordered_value"),
                  sa.func.sum(query.c.waiting_units).label("waiting_units"),
                  sa.func.count(sa.case((query.c.quota_reached, 1))).label("quota_reached"),
                  sa.func.sum(query.c.suggested_reorder).label("suggested_reorder"))
        .group_by(query.c.supplier)
        .order_by(sa.desc(sa.func.sum(query.c.suggested_reorder)), query.c.supplier.asc().nulls_last())
    ).all()
    return [dict(row._mapping) for row in rows], {"conversion_rate": rate}


def purchase_list(store, period, supplier, now=None, stream=False):
    """What to order from one supplier: its products with a suggested quantity, raised to the minimum order."""
    rows, summary = demand(store, period, "sku", supplier=supplier, to_order=True, now=now, stream=stream)
    return rows, {**summary, "supplier": supplier}


def supplier_names(store):
    """The store's suppliers, by name (for choosing a purchase list)."""
    return db.session.execute(
        db.select(Product.supplier).where(Product.store_id == store.id, Product.supplier.is_not(None))
        .distinct().order_by(Product.supplier)).scalars().all()
