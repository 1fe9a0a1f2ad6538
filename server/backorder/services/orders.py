"""Recording orders: units ship from stock first, the rest are backordered within the limit."""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError

from ..db import db
from ..models import MAX_UNITS, Backorder, Order, OrderLine, Product, utcnow
from . import availability as rules
from .conversions import attribute_order
from .errors import OrderRefConflict, TooManyUnits, UnknownProduct
from .products import handling_days_for, lock_products, planned_shipments
from .stores import today_in


@dataclass(frozen=True)
class LineResult:
    sku: str
    quantity: int
    ship_now: int
    backordered: int
    eta: date | None
    eta_source: str | None


@dataclass(frozen=True)
class OrderResult:
    order: Order
    lines: list[LineResult]
    created: bool  # False when this order_ref had been recorded before


def _result(order, created):
    lines = [
        LineResult(line.product.sku, line.quantity, line.ship_now, line.backordered, line.eta, line.eta_source)
        for line in order.lines
    ]
    return OrderResult(order, lines, created)


def _existing(store, order_ref, lines):
    order = db.session.execute(db.select(Order).filter_by(store_id=store.id, order_ref=order_ref)).scalar_one_or_none()
    if order is None:
        return None
    asked = Counter((line["sku"], line["quantity"]) for line in lines)
    if Counter((line.product.sku, line.quantity) for line in order.lines) != asked:
        raise OrderRefConflict(
            f"Order {order_ref!r} was recorded before with other lines", order_ref=order_ref
        )
    return _result(order, created=False)


def record_order(store, order_ref, lines, email=None, today=None):
    """Record an order's lines: ship what is in stock, backorder the rest, all lines or none.

    `lines` are dicts with sku, quantity and optionally unit_price. Repeating an order_ref
    returns the first answer and records nothing (a different body for it: OrderRefConflict).
    Raises UnknownProduct, NotBackorderable or BackorderLimitReached, recording nothing. The
    limit check and the write happen under the products' locks, so concurrent orders can
    never backorder more than the limit.
    """
    skus = {line["sku"] for line in lines}
    ids = dict(db.session.execute(
        db.select(Product.sku, Product.id).where(Product.store_id == store.id, Product.sku.in_(skus))
    ).all())
    missing = sorted(skus - ids.keys())
    if missing:
        raise UnknownProduct(f"No product with sku {missing[0]!r}", skus=missing)
    try:
        products = {product.sku: product for product in lock_products(ids.values())}
        replay = _existing(store, order_ref, lines)
        if replay is not None:
            db.session.rollback()
            return replay
        today = today or today_in(store)
        shipments = planned_shipments(list(ids.values()))
        order = Order(store_id=store.id, order_ref=order_ref, email=email)
        for line in lines:
            product = products[line["sku"]]
            plan = rules.plan_line(
                product, shipments[product.id], today, handling_days_for(product, store), line["quantity"]
            )
            order_line = OrderLine(
                order=order, product=product, quantity=line["quantity"], ship_now=plan.ship_now,
                backordered=plan.backordered, unit_price=line.get("unit_price"), eta=plan.eta,
                eta_source=plan.eta_source,
            )
            if product.backordered + plan.backordered > MAX_UNITS:
                raise TooManyUnits(f"{product.sku}: more backordered units than can be stored", sku=product.sku)
            if plan.backordered:
                db.session.add(Backorder(product=product, order_line=order_line, quantity=plan.backordered))
            product.on_hand -= plan.ship_now
            product.backordered += plan.backordered
        db.session.add(order)
        attribute_order(store, order, utcnow())  # did a restock email bring this order in? (reports)
        db.session.commit()
    except IntegrityError:
        # The same order_ref was recorded concurrently (for other products): answer as a repeat.
        db.session.rollback()
        replay = _existing(store, order_ref, lines)
        if replay is None:
            raise
        return replay
    except Exception:
        db.session.rollback()
        raise
    return _result(order, created=True)
