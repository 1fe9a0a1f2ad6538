"""Stock and incoming shipments: plan, edit, cancel, receive, and fill backorders from stock."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func

from ..db import db
from ..models import MAX_UNITS, Backorder, Order, OrderLine, Product, Shipment, utcnow
from .availability import sellable_now
from .campaigns import react_to_changes
from .errors import ShipmentNotPlanned, TooManyUnits, UnknownShipment
from .products import availability_of_products, lock_products


@dataclass(frozen=True)
class Allocation:
    """Stock assigned to one backorder: it can ship now."""

    backorder_id: int
    order_ref: str
    quantity: int
    complete: bool  # the whole backorder is now allocated


@dataclass
class Receipt:
    """What receiving stock did: units received, backorders filled, units left as a restock."""

    shipment: Shipment
    received: int
    allocations: list[Allocation] = field(default_factory=list)
    restocked: int = 0


def fills_of_stock(stock, waiting):
    """Which backorders `stock` units would fill: the rule settle_backorders applies, as a pure function.

    `waiting` is (backorder_id, order_ref, units still owed) of the open backorders, oldest first.
    Whole lines first, in order; the line the stock runs out in gets the rest (complete=False).
    """
    allocations = []
    for backorder_id, order_ref, owed in waiting:
        if stock <= 0:
            break
        part = min(stock, owed)
        allocations.append(Allocation(backorder_id, order_ref, part, part == owed))
        stock -= part
    return allocations


@dataclass(frozen=True)
class ReceiptPreview:
    """What receiving would do, before anything is written: the fills, and what is left as a restock."""

    shipment: Shipment
    received: int
    allocations: list[Allocation]
    restocked: int


def preview_receipt(shipment, quantity: int | None = None):
    """What receive_shipment(shipment, quantity) would do now: which backorders it fills, what is left."""
    product = shipment.product
    received = shipment.quantity if quantity is None else quantity
    stock = max(0, product.on_hand + received - product.safety_stock)
    waiting = db.session.execute(
        db.select(Backorder.id, Order.order_ref, Backorder.quantity - Backorder.allocated_quantity)
        .join(OrderLine, OrderLine.id == Backorder.order_line_id).join(Order, Order.id == OrderLine.order_id)
        .where(Backorder.product_id == product.id, Backorder.status == "open")
        .order_by(Backorder.created_at, Backorder.id)
        .limit(stock)  # each open backorder owes at least one unit: no more than `stock` can get any
    ).all()
    allocations = fills_of_stock(stock, [tuple(row) for row in waiting])
    return ReceiptPreview(shipment, received, allocations, stock - sum(part.quantity for part in allocations))


def settle_backorders(product):
    """Give sellable stock to open backorders, oldest first: whole lines, then part of the next one.

    The caller holds the product's lock (lock_products). Set-based: one read of the lines that
    get stock and two updates, however many lines there are.
    """
    stock = sellable_now(product)
    if stock <= 0 or product.backordered <= 0:
        return []
    left = (Backorder.quantity - Backorder.allocated_quantity).label("left")
    queue = (
        db.select(
            Backorder.id, left,
            func.sum(left).over(order_by=(Backorder.created_at, Backorder.id)).label("running"),
        )
        .where(Backorder.product_id == product.id, Backorder.status == "open")
        .subquery()
    )
    rows = db.session.execute(
        db.select(queue.c.id, queue.c.left, queue.c.running, Order.order_ref)
        .join(Backorder, Backorder.id == queue.c.id)
        .join(OrderLine, OrderLine.id == Backorder.order_line_id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(queue.c.running - queue.c.left < stock)
        .order_by(queue.c.running)
    ).all()
    now = utcnow()
    if any(row.running <= stock for row in rows):
        db.session.execute(
            db.update(Backorder).where(Backorder.id.in_(db.select(queue.c.id).where(queue.c.running <= stock)))
            .values(allocated_quantity=Backorder.quantity, status="allocated", allocated_at=now)
            .execution_options(synchronize_session=False)
        )
    allocations = [Allocation(row.id, row.order_ref, row.left, True) for row in rows if row.running <= stock]
    last = rows[-1] if rows else None
    if last is not None and last.running > stock:
        part = stock - (last.running - last.left)
        db.session.execute(
            db.update(Backorder).where(Backorder.id == last.id)
            .values(allocated_quantity=Backorder.allocated_quantity + part)
            .execution_options(synchronize_session=False)
        )
        allocations.append(Allocation(last.id, last.order_ref, part, False))
    total = sum(allocation.quantity for allocation in allocations)
    product.on_hand -= total
    product.backordered -= total
    db.session.flush()
    return allocations


def shipment_of(store, shipment_id):
    """The store's shipment with this id; UnknownShipment if none, or if another store's (ids never reveal tenants)."""
    if not 0 < shipment_id < 2**31:  # beyond any id a 32-bit key holds (and what SQLite can bind)
        raise UnknownShipment(f"No shipment {shipment_id}", shipment_id=shipment_id)
    found = db.session.execute(
        db.select(Shipment).join(Product).where(Shipment.id == shipment_id, Product.store_id == store.id)
    ).scalar_one_or_none()
    if found is None:
        raise UnknownShipment(f"No shipment {shipment_id}", shipment_id=shipment_id)
    return found


def _before(product):
    """The product's availability before a change, read under its lock."""
    return availability_of_products(product.store, [product])


def plan_shipment(product, quantity: int, expected_on: date):
    """Plan incoming stock for a product (which may give a sold-out product room for backorders)."""
    (product,) = lock_products([product.id])
    before = _before(product)
    shipment = Shipment(product=product, quantity=quantity, expected_on=expected_on)
    db.session.add(shipment)
    db.session.flush()
    react_to_changes(product.store, [product], before, "shipment_planned")
    db.session.commit()
    return shipment


def _lock_planned(shipment):
    """Lock the shipment's product (receiving and orders read its shipments under that lock),
    re-read the shipment, and refuse unless it is still planned. Returns the locked product."""
    (product,) = lock_products([shipment.product_id])
    db.session.refresh(shipment)
    if shipment.status != "planned":
        db.session.rollback()
        raise ShipmentNotPlanned(f"Shipment {shipment.id} is {shipment.status}", status=shipment.status)
    return product


def update_shipment(shipment, quantity: int | None = None, expected_on: date | None = None):
    """Change what is still expected of a planned shipment, or when; customers whose ETA slips hear of it."""
    product = _lock_planned(shipment)
    before = _before(product)
    if quantity is not None:
        shipment.quantity = quantity
    if expected_on is not None:
        shipment.expected_on = expected_on
    db.session.flush()
    react_to_changes(product.store, [product], before, "shipment_changed", check_etas=True)
    db.session.commit()
    return shipment


def cancel_shipment(shipment):
    """Stop expecting a planned shipment (the part already received stays received)."""
    product = _lock_planned(shipment)
    before = _before(product)
    shipment.status = "cancelled"
    db.session.flush()
    react_to_changes(product.store, [product], before, "shipment_cancelled", check_etas=True)
    db.session.commit()
    return shipment


def receive_shipment(shipment, quantity: int | None = None):
    """Receive all (default) or part of a planned shipment: add it to stock and fill backorders.

    Receiving part keeps the rest expected on the same date; receiving as much as is expected,
    or more, completes it. Returns a Receipt; its `restocked` units are free for new orders.
    """
    product = _lock_planned(shipment)
    before = _before(product)
    received = shipment.quantity if quantity is None else quantity
    if product.on_hand + received > MAX_UNITS or shipment.received_quantity + received > MAX_UNITS:
        db.session.rollback()
        raise TooManyUnits(f"Receiving {received} would put more units on hand than can be stored",
                           on_hand=product.on_hand, received=received, maximum=MAX_UNITS)
    shipment.received_quantity += received
    shipment.quantity = max(0, shipment.quantity - received)
    if shipment.quantity == 0:
        shipment.status = "received"
    shipment.received_at = utcnow()
    product.on_hand += received
    db.session.flush()
    allocations = settle_backorders(product)
    receipt = Receipt(shipment, received, allocations, sellable_now(product))
    react_to_changes(product.store, [product], before, "shipment_received")
    db.session.commit()
    return receipt


def shipments_of(product):
    """All of a product's shipments, by expected date."""
    return db.session.execute(
        db.select(Shipment).where(Shipment.product_id == product.id).order_by(Shipment.expected_on, Shipment.id)
    ).scalars().all()
