"""Backorders: the merchant's list of what waits for stock, and telling customers, once, when an ETA slips."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import and_, func, or_

from ..db import db
from ..models import Backorder, Message, Order, OrderLine, Product, Shipment, utcnow
from . import availability as rules
from .products import get_product, handling_days_for, planned_shipments
from .stores import today_in
from .subscriptions import email_hash

LISTED = ("open", "allocated")  # cancelled lines have nothing left to ship


@dataclass(frozen=True)
class BackorderLine:
    """One backordered order line as the merchant sees it: what to ship, to whom, and when."""

    id: int
    order_ref: str
    ordered_at: datetime
    sku: str
    product_name: str | None
    quantity: int  # units backordered
    allocated: int  # units of them given stock (ready to ship)
    waiting: int  # units still waiting for stock
    status: str
    email: str | None
    unit_price: Decimal | None
    eta: date | None  # now, first come first served; None when allocated or no date is known
    eta_source: str | None
    promised_eta: date | None  # told to the customer (at order time, or in the last ETA update)
    shipment_id: int | None  # the planned shipment that brings its last unit
    shipment_expected_on: date | None
    allocated_at: datetime | None


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
    etas = rules.queue_etas(
        product, [backorder.quantity - backorder.allocated_quantity for backorder, _, _ in rows],
        planned_shipments([product.id])[product.id], today, handling_days_for(product, store),
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


def _queue_positions(open_ids, product_ids):
    """{backorder id: units queued up to and including it} among its product's open backorders."""
    if not open_ids:
        return {}
    waiting = Backorder.quantity - Backorder.allocated_quantity
    queue = (
        db.select(Backorder.id, func.sum(waiting).over(
            partition_by=Backorder.product_id, order_by=(Backorder.created_at, Backorder.id)).label("position"))
        .where(Backorder.product_id.in_(product_ids), Backorder.status == "open")
        .subquery()
    )
    return dict(db.session.execute(db.select(queue.c.id, queue.c.position).where(queue.c.id.in_(open_ids))).all())


def _planned_by_product(product_ids):
    """{product id: [(expected_on, quantity, shipment id), …]} of planned shipments."""
    by_product = {product_id: [] for product_id in product_ids}
    rows = db.session.execute(
        db.select(Shipment.product_id, Shipment.expected_on, Shipment.quantity, Shipment.id)
        .where(Shipment.product_id.in_(product_ids), Shipment.status == "planned")
    ) if product_ids else []
    for product_id, expected_on, quantity, shipment_id in rows:
        by_product[product_id].append((expected_on, quantity, shipment_id))
    return by_product


def backorder_lines(store, status=None, sku=None, limit=100, after=None, now=None, queued=None):
    """One page of the store's open and allocated backorders, oldest first, each with its ETA and shipment.

    An open backorder's ETA follows the ETA rules (availability.queue_etas): its place in its
    product's queue against the planned shipments, or a preorder's release date. `after` is the
    last id of the previous page. Four queries a page (five with a sku), however long it is.
    Raises UnknownProduct for a sku the store lacks. `queued` is for reading every page from the
    oldest: {product id: open units on the pages before}, counted on as the pages are read.
    """
    statement = (
        db.select(Backorder.id, Backorder.product_id, Backorder.created_at, Backorder.quantity,
                  Backorder.allocated_quantity, Backorder.status, Backorder.allocated_at,
                  Order.order_ref, Order.email, OrderLine.unit_price, OrderLine.eta)
        .join(OrderLine, OrderLine.id == Backorder.order_line_id).join(Order, Order.id == OrderLine.order_id)
        .where(Order.store_id == store.id, Backorder.status.in_((status,) if status else LISTED))
    )
    if sku is not None:
        statement = statement.where(Backorder.product_id == get_product(store, sku).id)
    if after is not None:
        anchor = db.select(Backorder.created_at).where(Backorder.id == after).scalar_subquery()
        statement = statement.where(or_(Backorder.created_at > anchor,
                                        and_(Backorder.created_at == anchor, Backorder.id > after)))
    # Plain rows, not objects: an export reads thousands of lines.
    rows = db.session.execute(statement.order_by(Backorder.created_at, Backorder.id).limit(limit)).all()
    product_ids = list({row.product_id for row in rows})
    products = {product.id: product for product in db.session.execute(
        db.select(Product).where(Product.id.in_(product_ids))).scalars()} if rows else {}
    if queued is None:
        positions = _queue_positions([row.id for row in rows if row.status == "open"], product_ids)
    else:  # every line from the oldest passes by in queue order: count the queue as it goes
        positions = {}
        for row in rows:
            if row.status == "open":
                queued[row.product_id] = positions[row.id] = (
                    queued.get(row.product_id, 0) + row.quantity - row.allocated_quantity)
    shipments = _planned_by_product(product_ids)
    today = today_in(store, now)
    return [_line(row, products[row.product_id], positions.get(row.id), shipments[row.product_id], store, today)
            for row in rows]


def _line(row, product, position, shipments, store, today):
    eta = source = shipment_id = expected_on = None
    if position is not None:
        (eta, source), = rules.queue_etas(
            product, [position], [(day, quantity) for day, quantity, _ in shipments], today,
            handling_days_for(product, store))
        shipment_id = rules.shipment_of_unit(position, shipments)
        expected_on = next((day for day, _, key in shipments if key == shipment_id), None)
    return BackorderLine(
        id=row.id, order_ref=row.order_ref, ordered_at=row.created_at, sku=product.sku,
        product_name=product.name, quantity=row.quantity, allocated=row.allocated_quantity,
        waiting=row.quantity - row.allocated_quantity, status=row.status, email=row.email,
        unit_price=row.unit_price, eta=eta, eta_source=source, promised_eta=row.eta,
        shipment_id=shipment_id, shipment_expected_on=expected_on, allocated_at=row.allocated_at,
    )


def all_backorder_lines(store, status=None, sku=None, batch=500):
    """Every listed backorder, oldest first, read a page at a time (for a streamed CSV).

    The first page is read at once, so an unknown sku raises UnknownProduct before any row is sent.
    """
    queued = {}
    first = backorder_lines(store, status=status, sku=sku, limit=batch, queued=queued)

    def pages(page):
        while True:
            yield from page
            if len(page) < batch:
                return
            page = backorder_lines(store, status=status, sku=sku, limit=batch, after=page[-1].id, queued=queued)

    return pages(first)
