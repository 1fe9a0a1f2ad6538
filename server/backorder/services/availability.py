"""The availability and ETA rules of DESIGN §3, as pure functions over plain values.

Nothing here touches the database or Flask: callers pass a product (any object with the
Product attributes), its planned shipments as (expected_on, quantity) pairs, today's date in
the store's timezone and the handling days that apply.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from .errors import BackorderLimitReached, NotBackorderable

IN_STOCK = "in_stock"
BACKORDER = "backorder"
PREORDER = "preorder"
SOLD_OUT = "sold_out"
UNTRACKED = "untracked"
STATES = (IN_STOCK, BACKORDER, PREORDER, SOLD_OUT, UNTRACKED)


@dataclass(frozen=True)
class Incoming:
    """Units of planned shipments not yet claimed by open backorders, and when they ship."""

    eta: date
    quantity: int


@dataclass(frozen=True)
class Availability:
    sku: str
    state: str
    purchasable: bool
    available_now: int
    backorder_remaining: int | None  # None: no limit
    eta: date | None  # when the next unit beyond available_now is expected to ship
    eta_source: str | None  # "shipment", "back_in_stock_date", "release_date" or None
    incoming: tuple[Incoming, ...]
    message: str | None
    notify: bool


@dataclass(frozen=True)
class LinePlan:
    """How one order line of `quantity` units is served: from stock now, the rest backordered."""

    ship_now: int
    backordered: int
    eta: date | None
    eta_source: str | None


def untracked(sku):
    """The answer for a sku the store does not track: the widget leaves the page alone."""
    return Availability(sku, UNTRACKED, True, 0, None, None, None, (), None, False)


def sellable_now(product):
    """Units that can ship now: on hand less the safety stock, never below zero."""
    return max(0, product.on_hand - product.safety_stock)


def unclaimed_incoming(shipments, queued, today, handling_days):
    """Parts of planned shipments left after `queued` backordered units claim theirs, first come first served.

    A shipment that is overdue counts as arriving today; handling days are added to each date.
    """
    incoming = []
    for expected_on, quantity in sorted(shipments):
        claimed = min(queued, quantity)
        queued -= claimed
        if quantity > claimed:
            eta = max(expected_on, today) + timedelta(days=handling_days)
            if incoming and incoming[-1].eta == eta:
                incoming[-1] = Incoming(eta, incoming[-1].quantity + quantity - claimed)
            else:
                incoming.append(Incoming(eta, quantity - claimed))
    return tuple(incoming)


def eta_of_unit(position, incoming, back_in_stock_date, today):
    """ETA of the `position`-th unit ordered from now on (1 = the next one), and where it comes from."""
    covered = 0
    for part in incoming:
        covered += part.quantity
        if covered >= position:
            return part.eta, "shipment"
    if back_in_stock_date is not None and back_in_stock_date > today:
        return back_in_stock_date, "back_in_stock_date"
    return None, None


def backorder_etas(waiting, shipments, back_in_stock_date, today, handling_days):
    """ETA of each open backorder, given its waiting units in queue order (oldest first).

    A backorder ships when its last unit arrives: the unit at its place in the queue.
    """
    incoming = unclaimed_incoming(shipments, 0, today, handling_days)
    etas, position = [], 0
    for units in waiting:
        position += units
        etas.append(eta_of_unit(position, incoming, back_in_stock_date, today))
    return etas


def queue_etas(product, waiting, shipments, today, handling_days):
    """ETAs of a product's open backorders, given their waiting units in queue order (oldest first).

    A preorder still taking orders ships on its release date (rule 2), as its lines were promised;
    anything else first come, first served (backorder_etas).
    """
    if preorder_open(product, today):
        return [(product.release_date, "release_date") if product.release_date else (None, None)] * len(waiting)
    return backorder_etas(waiting, shipments, product.back_in_stock_date, today, handling_days)


def shipment_of_unit(position, shipments):
    """The planned shipment that brings the `position`-th queued unit, first come first served, or None.

    `shipments` are (expected_on, quantity, key) triples; they are claimed by date, as in
    unclaimed_incoming, and the key of the one that covers the unit is returned.
    """
    covered = 0
    for expected_on, quantity, key in sorted(shipments, key=lambda shipment: shipment[:2]):
        covered += quantity
        if covered >= position:
            return key
    return None


def moved_later(promised, new, tolerance_days):
    """Whether a backorder's customer should hear that its ETA slipped: by more than the tolerance,
    or from a date to no date at all."""
    if promised is None:
        return False
    if new is None:
        return True
    return (new - promised).days > tolerance_days


def preorder_open(product, today):
    """A preorder product takes orders until its release date (or while it has none)."""
    return product.mode == "preorder" and (product.release_date is None or today < product.release_date)


def backorder_room(product, incoming):
    """How many more units may be backordered: None for no limit."""
    if product.limit_to_incoming:
        return sum(part.quantity for part in incoming)
    if product.backorder_limit is None:
        return None
    return max(0, product.backorder_limit - product.backordered)


def availability_for(product, shipments, today, handling_days):
    """What a shopper may do with this product today (DESIGN §3, rules 1 to 4)."""
    available = sellable_now(product)
    incoming = unclaimed_incoming(shipments, product.backordered, today, handling_days)
    preorder = preorder_open(product, today)
    backorderable = preorder or product.mode == "backorder"
    room = backorder_room(product, incoming) if backorderable else 0
    if preorder:
        eta, source = (product.release_date, "release_date") if product.release_date else (None, None)
    else:
        eta, source = eta_of_unit(1, incoming, product.back_in_stock_date, today)

    if available > 0:
        state = IN_STOCK
        if room == 0:  # the units beyond stock cannot be ordered, so they have no date
            eta, source = None, None
    elif room != 0:
        state = PREORDER if preorder else BACKORDER
    else:
        state = SOLD_OUT
    return Availability(
        sku=product.sku,
        state=state,
        purchasable=state != SOLD_OUT,
        available_now=available,
        backorder_remaining=room,
        eta=eta,
        eta_source=source,
        incoming=incoming,
        message=product.message or None,
        notify=state == SOLD_OUT,
    )


def answer_lasts_until(product, shipments, today):
    """The last day availability_for gives the answer it gives `today` (date.max: for good), facts unchanged.

    The rules read the date in three places only: an overdue shipment counts as arriving today,
    a preorder closes on its release date, and a back-in-stock date counts while it is ahead.
    """
    last = date.max
    for expected_on, _quantity in shipments:
        last = min(last, max(expected_on, today))
    for day in (product.release_date if product.mode == "preorder" else None, product.back_in_stock_date):
        if day is not None and day > today:
            last = min(last, day - timedelta(days=1))
    return last


def plan_line(product, shipments, today, handling_days, quantity):
    """Split an order line: units from stock first, the rest backordered within the limit.

    Raises NotBackorderable when units beyond stock cannot be backordered at all, and
    BackorderLimitReached when they would exceed the backorder limit.
    """
    available = sellable_now(product)
    ship_now = min(quantity, available)
    beyond = quantity - ship_now
    if beyond == 0:
        return LinePlan(ship_now, 0, None, None)

    preorder = preorder_open(product, today)
    if not (preorder or product.mode == "backorder"):
        raise NotBackorderable(
            f"Only {available} of {product.sku} in stock and it cannot be backordered",
            sku=product.sku, requested=quantity, available_now=available,
        )
    incoming = unclaimed_incoming(shipments, product.backordered, today, handling_days)
    room = backorder_room(product, incoming)
    if room is not None and beyond > room:
        raise BackorderLimitReached(
            f"Cannot backorder {beyond} more of {product.sku}: {room} may still be backordered",
            sku=product.sku, requested=quantity, available_now=available, backorder_remaining=room,
        )
    if preorder:
        eta, source = (product.release_date, "release_date") if product.release_date else (None, None)
    else:
        eta, source = eta_of_unit(beyond, incoming, product.back_in_stock_date, today)
    return LinePlan(ship_now, beyond, eta, source)
