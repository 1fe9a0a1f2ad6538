"""Applying what a platform says: its products, its stock counts, its orders.

Semantics (docs/platforms/*.md): a connected platform owns the stock count. Its count is net of
its own orders and goes negative when it oversells (Shopify `available`, WooCommerce
`stock_quantity`), so setting our on hand to it would count every backordered unit twice: once in
the platform's count, once in our open backorders. A count P therefore sets on hand to
max(0, P + open backordered units) and the units P no longer owes are allocated to the oldest
open backorders; sellable stock becomes max(0, P). Orders from a platform record their
backordered lines but leave on hand alone: the platform's next count carries the units it shipped.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.dialects import postgresql, sqlite

from ..db import db
from ..models import MAX_UNITS, Backorder, Order, OrderLine, PlatformItem, Product, Store
from . import availability as rules
from .errors import BadPayload
from .products import handling_days_for, lock_products, planned_shipments, upsert_products
from .stores import today_in


@dataclass
class PlatformVariant:
    """One sellable variant as a platform describes it; None fields are left as they are."""

    sku: str
    platform_id: str | None = None  # variant id (what the widget's ?pid= names)
    platform_product_id: str | None = None
    name: str | None = None
    price: Decimal | None = None
    stock: int | None = None  # the platform's count, net of its orders (negative: oversold); None: unknown
    sells_at_zero: bool | None = None  # the platform keeps selling at zero (continue, backorders yes/notify)
    inventory_item_id: str | None = None  # Shopify: what inventory_levels/update names
    release_date: date | None = None  # BigCommerce pre-order
    backorder_limit: int | None = None  # BigCommerce native backorders (beta), when the store uses them


def _insert_ignore(model, row, keys):
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model).values(**row).on_conflict_do_nothing(index_elements=keys)
    return db.session.execute(statement).rowcount


def fresh(store_id, platform, kind, ref, as_of, location="", quantity=None):
    """Record that this item's state as of `as_of` is being applied; False when a newer one already was.

    The row is locked for the rest of the transaction (PostgreSQL), so two deliveries for one item
    apply one after the other. Equal times count as fresh: applying the same state twice is harmless.
    """
    keys = {"store_id": store_id, "platform": platform, "kind": kind, "ref": str(ref), "location": str(location)}
    _insert_ignore(PlatformItem, {**keys, "as_of": None}, list(keys))
    item = db.session.execute(
        db.select(PlatformItem).filter_by(**keys).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    if as_of is not None and item.as_of is not None and as_of < item.as_of:
        return False
    if as_of is not None:
        item.as_of = as_of
    item.quantity = quantity
    return True


def units(count):
    return max(-MAX_UNITS, min(MAX_UNITS, int(count)))


def _on_hand_for(count, product):
    """on hand for a platform count: the count plus the units our open backorders still wait for."""
    return max(0, min(MAX_UNITS, units(count) + (product.backordered if product is not None else 0)))


def _mode_for(variant, product):
    """The platform's policy decides the mode of products it creates, and stops our backorders when
    it refuses to sell at zero (it would refuse the order anyway). Turning overselling on in the
    platform leaves an existing product's mode to the merchant."""
    if variant.backorder_limit is not None:
        return "backorder"
    if variant.release_date is not None:
        return "preorder"
    if variant.sells_at_zero is False and (product is None or product.mode == "backorder"):
        return "notify"
    if variant.sells_at_zero is True and product is None:
        return "backorder"
    return None


def apply_variants(store, platform, variants):
    """Create or update products from a platform's variants, their counts included; one transaction.

    A platform id another sku holds (the merchant renamed a sku on the platform) moves to the new
    sku. Returns [(product, created)].
    """
    if not variants:
        return []
    store = db.session.get(Store, store.id)
    by_sku = {variant.sku: variant for variant in variants}
    existing = {product.sku: product for product in lock_products(db.session.execute(
        db.select(Product.id).where(Product.store_id == store.id, Product.sku.in_(list(by_sku)))).scalars())}
    claims = {}
    for sku, variant in by_sku.items():
        if variant.platform_id:
            if claims.setdefault(variant.platform_id, sku) != sku:
                raise BadPayload(f"Two variants claim platform id {variant.platform_id}", field="id")
    if claims:
        # Whoever holds a claimed id gives it up first, so ids can move (even swap) between skus
        # without a moment where two products carry one id.
        holders = [product_id for product_id, sku, platform_id in db.session.execute(
            db.select(Product.id, Product.sku, Product.platform_id).where(
                Product.store_id == store.id, Product.platform_id.in_(list(claims)))) if claims[platform_id] != sku]
        if holders:
            db.session.execute(db.update(Product).where(Product.id.in_(holders)).values(platform_id=None)
                               .execution_options(synchronize_session="fetch"))
    items = []
    for sku, variant in by_sku.items():
        product = existing.get(sku)
        fields = {name: getattr(variant, name) for name in ("name", "price", "platform_id", "platform_product_id")
                  if getattr(variant, name) is not None}
        if "name" in fields:
            fields["name"] = fields["name"][:300]
        if variant.stock is not None:
            fields["on_hand"] = _on_hand_for(variant.stock, product)
        mode = _mode_for(variant, product)
        if mode is not None:
            fields["mode"] = mode
        if variant.release_date is not None:
            fields["release_date"] = variant.release_date
        if variant.backorder_limit is not None:
            fields["backorder_limit"] = units(max(0, variant.backorder_limit))
        items.append((sku, fields))
    saved = upsert_products(store, items)
    mapped = [(product, by_sku[product.sku].inventory_item_id) for product, _ in saved
              if product.sku in by_sku and by_sku[product.sku].inventory_item_id]
    for product, item_id in mapped:
        fresh(store.id, platform, "inventory_item", item_id, None)
        db.session.execute(db.update(PlatformItem).values(product_id=product.id).filter_by(
            store_id=store.id, platform=platform, kind="inventory_item", ref=str(item_id)))
    if mapped:
        counted = dict(db.session.execute(
            db.select(PlatformItem.ref, db.func.sum(PlatformItem.quantity)).where(
                PlatformItem.store_id == store.id, PlatformItem.platform == platform, PlatformItem.kind == "level",
                PlatformItem.ref.in_([str(item_id) for _, item_id in mapped])).group_by(PlatformItem.ref)).all())
        # Levels that arrived before we knew their product count now (unless the variant brought a count).
        set_counts(store, {product.id: counted[str(item_id)] or 0 for product, item_id in mapped
                           if str(item_id) in counted and by_sku[product.sku].stock is None})
    return [(product, created) for product, created in saved if product.sku in by_sku]


def set_counts(store, counts):
    """Set platform counts on products: {product_id: count}. One transaction; campaigns start on restocks."""
    if not counts:
        db.session.commit()
        return []
    store = db.session.get(Store, store.id)
    products = lock_products(counts)
    return upsert_products(store, [(product.sku, {"on_hand": _on_hand_for(counts[product.id], product)})
                                   for product in products])


def apply_level(store, platform, item_id, location_id, available, as_of):
    """A stock level at one location (Shopify inventory_levels/update): "applied", "stale" or "unmapped".

    The product's count is the sum of its levels at every location we have heard of.
    """
    if not fresh(store.id, platform, "level", item_id, as_of, location_id, units(available)):
        db.session.commit()
        return "stale"
    product_id = db.session.execute(db.select(PlatformItem.product_id).filter_by(
        store_id=store.id, platform=platform, kind="inventory_item", ref=str(item_id))).scalar()
    if product_id is None:
        db.session.commit()
        return "unmapped"
    total = db.session.execute(db.select(db.func.sum(PlatformItem.quantity)).filter_by(
        store_id=store.id, platform=platform, kind="level", ref=str(item_id))).scalar()
    set_counts(store, {product_id: total or 0})
    return "applied"


def products_by_platform_ids(store, platform_ids=(), skus=()):
    """({platform_id: product}, {sku: product}) for the store's products with these ids or skus."""
    conditions = []
    if platform_ids:
        conditions.append(Product.platform_id.in_([str(value) for value in platform_ids]))
    if skus:
        conditions.append(Product.sku.in_(list(skus)))
    if not conditions:
        return {}, {}
    found = db.session.execute(db.select(Product).where(Product.store_id == store.id, db.or_(*conditions))).scalars()
    found = list(found)
    return ({product.platform_id: product for product in found if product.platform_id},
            {product.sku: product for product in found})


def record_platform_order(store, order_ref, lines, email=None):
    """Record an order a platform has already taken: "recorded", "duplicate" or "no_known_products".

    `lines`: dicts with platform_id and/or sku, quantity, unit_price, and backordered when the
    platform says how many units it oversold (else: the units beyond our sellable stock). No limit
    is checked (the platform sold them; they must ship) and on hand is left to the platform's count.
    """
    store = db.session.get(Store, store.id)
    by_id, by_sku = products_by_platform_ids(
        store, [line["platform_id"] for line in lines if line.get("platform_id")],
        [line["sku"] for line in lines if line.get("sku")])
    known = [(by_id.get(str(line.get("platform_id"))) or by_sku.get(line.get("sku")), line) for line in lines]
    known = [(product, line) for product, line in known if product is not None and line["quantity"] > 0]
    if not known:
        db.session.commit()
        return "no_known_products"
    products = {product.id: product for product in lock_products([product.id for product, _ in known])}
    if db.session.execute(db.select(Order.id).filter_by(store_id=store.id, order_ref=order_ref)).scalar() is not None:
        db.session.commit()
        return "duplicate"
    today = today_in(store)
    shipments = planned_shipments(list(products))
    order = Order(store_id=store.id, order_ref=order_ref, email=email)
    for product, line in known:
        product = products[product.id]
        quantity = units(max(0, line["quantity"]))
        told = line.get("backordered")
        if told is not None:
            backordered = min(quantity, max(0, told))
        else:
            backordered = max(0, quantity - max(0, rules.sellable_now(product)))
        eta = source = None
        if backordered:
            handling = handling_days_for(product, store)
            if rules.preorder_open(product, today) and product.release_date:
                eta, source = product.release_date, "release_date"
            else:
                incoming = rules.unclaimed_incoming(shipments[product.id], product.backordered, today, handling)
                eta, source = rules.eta_of_unit(backordered, incoming, product.back_in_stock_date, today)
        order_line = OrderLine(order=order, product=product, quantity=quantity, ship_now=quantity - backordered,
                               backordered=backordered, unit_price=line.get("unit_price"), eta=eta, eta_source=source)
        if backordered:
            db.session.add(Backorder(product=product, order_line=order_line, quantity=backordered))
            product.backordered = min(MAX_UNITS, product.backordered + backordered)
    db.session.add(order)
    db.session.commit()
    return "recorded"
