"""The catalogue as the admin reads it: find products by text and state, who waits for them, what the
widget would say for settings not yet saved, the open backorders with their ETAs, campaign progress.

Set-based throughout: a page of products costs a few queries however many rows it shows.
"""

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from ..db import db
from ..models import Message, Product, Shipment, Subscription
from . import availability as rules
from .answers import Facts
from .errors import UnknownProduct, UnknownShipment
from .products import availability_of_products, handling_days_for, planned_shipments, upsert_products
from .stores import today_in

SCAN_CHUNK = 500  # products read per query while looking for a page of one state


@dataclass(frozen=True)
class ProductRow:
    """One line of the products list: the product, what shoppers are told, how many wait for it."""

    product: Product
    availability: rules.Availability
    waiting: int


def waiting_counts(product_ids):
    """{product id: active sign-ups waiting for a restock} in one grouped query."""
    counts = defaultdict(int)
    if product_ids:
        rows = db.session.execute(
            db.select(Subscription.product_id, sa.func.count())
            .where(Subscription.product_id.in_(product_ids), Subscription.status == "active")
            .group_by(Subscription.product_id)
        )
        counts.update(dict(rows.all()))
    return counts


def _candidates(store, text, state, today):
    """The SQL part of a search: the store's products matching the text, narrowed to those that can
    be in `state` (rule 1 of DESIGN §3 is plain SQL; the others need the shipments, so are checked after)."""
    statement = db.select(Product).where(Product.store_id == store.id)
    if text:
        pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(sa.or_(sa.func.lower(Product.sku).like(pattern, escape="\\"),
                                           sa.func.lower(Product.name).like(pattern, escape="\\")))
    sellable = Product.on_hand > Product.safety_stock
    if state == rules.IN_STOCK:
        statement = statement.where(sellable)
    elif state == rules.PREORDER:
        statement = statement.where(~sellable, Product.mode == "preorder")
    elif state == rules.BACKORDER:
        statement = statement.where(~sellable, Product.mode.in_(("backorder", "preorder")))
    elif state == rules.SOLD_OUT:  # and not a backorder (or open preorder) whose limit leaves room
        room = ~Product.limit_to_incoming & sa.or_(Product.backorder_limit.is_(None),
                                                  Product.backorder_limit > Product.backordered)
        open_preorder = (Product.mode == "preorder") & sa.or_(Product.release_date.is_(None),
                                                              Product.release_date > today)
        statement = statement.where(~sellable, ~(room & ((Product.mode == "backorder") | open_preorder)))
    return statement.order_by(Product.sku)


def find_products(store, text=None, state=None, after=None, limit=50):
    """One page of the store's products (by sku, after the sku `after`) matching a text in sku or name
    and a state; returns (ProductRows, the sku to continue after or None).

    Reads candidates a chunk at a time (one query for the products, one for their shipments) and keeps
    those whose computed state matches, until the page is full.
    """
    today = today_in(store)
    base = _candidates(store, text, state, today)
    found, cursor = [], after
    while len(found) <= limit:
        statement = base.limit(SCAN_CHUNK)
        if cursor is not None:
            statement = statement.where(Product.sku > cursor)
        chunk = db.session.execute(statement).scalars().all()
        if not chunk:
            break
        known = availability_of_products(store, chunk, today)
        found += [(product, known[product.id]) for product in chunk
                  if state is None or known[product.id].state == state]
        cursor = chunk[-1].sku
        if len(chunk) < SCAN_CHUNK:
            break
    page = found[:limit]
    waiting = waiting_counts([product.id for product, _ in page])
    rows = [ProductRow(product, known, waiting[product.id]) for product, known in page]
    return rows, (page[-1][0].sku if len(found) > limit else None)


def update_products(store, skus, fields):
    """Give existing products of the store the same fields (a bulk action), all or nothing.

    Unknown skus are refused (UnknownProduct) rather than created: a bulk action only changes
    products the merchant picked from the list. Goes through upsert_products, like the API.
    """
    skus = list(dict.fromkeys(skus))
    known = set(db.session.execute(
        db.select(Product.sku).where(Product.store_id == store.id, Product.sku.in_(skus))).scalars())
    missing = [sku for sku in skus if sku not in known]
    if missing:
        raise UnknownProduct(f"No product with sku {missing[0]!r}", sku=missing[0])
    return upsert_products(store, [(sku, dict(fields)) for sku in skus])


def preview_availability(store, product, fields, today=None):
    """What the widget would show for this product if `fields` (ProductIn data) were saved: the same
    rules, on a copy, with the product's planned shipments. Nothing is written."""
    draft = Facts(*(getattr(product, name) for name in Facts._fields))  # the row the rules read, as a copy
    changes = {name: value for name, value in fields.items() if name in Facts._fields}
    if "backorder_limit" in changes:
        limit = changes.pop("backorder_limit")
        changes.update(limit_to_incoming=limit == "incoming", backorder_limit=None if limit == "incoming" else limit)
    draft = draft._replace(**changes)
    today = today or today_in(store)
    shipments = planned_shipments([product.id])[product.id]
    return rules.availability_for(draft, shipments, today, handling_days_for(draft, store))


def shipment_of_product(product, shipment_id):
    """The product's shipment with this id; any other (another product's, another store's) is not found."""
    shipment = db.session.get(Shipment, shipment_id) if 0 < shipment_id < 2**31 else None
    if shipment is None or shipment.product_id != product.id:
        raise UnknownShipment(f"No shipment {shipment_id} for {product.sku!r}", shipment_id=shipment_id)
    return shipment


@dataclass(frozen=True)
class Progress:
    """A campaign's progress for a progress bar: emails done (sent, failed or skipped) out of all it will send."""

    done: int
    sent: int
    total: int
    finished: bool
    status: str


def campaign_progress(campaign):
    """How far a campaign is: its messages by status, plus the sign-ups still waiting while it runs."""
    counts = dict(db.session.execute(
        db.select(Message.status, sa.func.count()).where(Message.campaign_id == campaign.id).group_by(Message.status)
    ).all())
    queued = counts.get("queued", 0)
    done = sum(counts.values()) - queued
    waiting = 0
    if campaign.status == "running":
        waiting = waiting_counts([campaign.product_id])[campaign.product_id]
    return Progress(done, counts.get("sent", 0), done + queued + waiting,
                    campaign.status != "running" and queued == 0, campaign.status)
