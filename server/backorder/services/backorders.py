"""Open backorders: telling their customers, once, when an ETA slips later."""

from ..db import db
from ..models import Backorder, Message, Order, OrderLine, utcnow
from . import availability as rules
from .products import handling_days_for, planned_shipments
from .stores import today_in
from .subscriptions import email_hash


def notify_later_etas(store, product, now=None):
    """Queue one transactional update for each open backorder whose ETA moved later than promised.

    The new date becomes the promise, so each slip is told once. The caller holds the product's
    lock and commits. Returns the number of updates queued.
    """
    now = now or utcnow()
    rows = db.session.execute(
        db.select(Backorder, OrderLine, Order)
        .join(OrderLine, OrderLine.id == Backorder.order_line_id).join(Order, Order.id == OrderLine.order_id)
        .where(Backorder.product_id == product.id, Backorder.status == "open")
        .order_by(Backorder.created_at, Backorder.id)
    ).all()
    if not rows:
        return 0
    today = today_in(store, now)
    etas = rules.backorder_etas(
        [backorder.quantity - backorder.allocated_quantity for backorder, _, _ in rows],
        planned_shipments([product.id])[product.id], product.back_in_stock_date, today,
        handling_days_for(product, store),
    )
    queued = 0
    for (backorder, line, order), (eta, source) in zip(rows, etas):
        if not rules.moved_later(line.eta, eta, store.eta_tolerance_days):
            continue
        if order.email:
            db.session.add(Message(
                store_id=store.id, kind="eta_update", recipient=order.email, email_hash=email_hash(order.email),
                locale=store.locale, product_id=product.id, due_at=now, created_at=now,
                payload={"order_ref": order.order_ref, "old_eta": line.eta.isoformat(),
                         "new_eta": eta.isoformat() if eta else None, "quantity": backorder.quantity},
            ))
            queued += 1
        line.eta, line.eta_source = eta, source
    return queued
