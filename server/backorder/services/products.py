"""Products: upserting them (one or in bulk), locking them, computing their availability."""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import flag_modified

from ..db import db
from ..models import Product, Shipment
from . import availability as rules
from .errors import PlatformIdTaken, UnknownProduct
from .stores import today_in

def _insert_ignoring_conflicts(model, rows, conflict_columns, returning):
    """INSERT … ON CONFLICT DO NOTHING RETURNING …, in the dialect of the session's database.

    Only the rows this statement inserted come back, so callers learn which ones are new.
    """
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model).on_conflict_do_nothing(index_elements=conflict_columns)
    # executemany, which SQLAlchemy batches into multi-row INSERTs ("insertmanyvalues"): one big
    # .values(rows) statement took 7 s to compile for a 10,000-row import
    return db.session.execute(statement.returning(returning), rows)


def lock_products(product_ids):
    """Lock these products for the rest of the transaction and return them fresh, ordered by id.

    PostgreSQL takes row locks in id order (so two orders never deadlock); SQLite has one
    database-wide write lock, which any write takes, so a no-op write takes it before we read.
    """
    ids = sorted(set(product_ids))
    if not ids:
        return []
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(
            db.update(Product).where(Product.id == ids[0]).values(on_hand=Product.on_hand, updated_at=Product.updated_at),
            execution_options={"no_answer_change": True},  # a lock, not a change (services/answers.py)
        )
    statement = (
        db.select(Product).where(Product.id.in_(ids)).order_by(Product.id)
        .with_for_update().execution_options(populate_existing=True)
    )
    return list(db.session.execute(statement).scalars())


def handling_days_for(product, store):
    """Days between stock arriving and the order shipping: the product's own, else the store's."""
    return store.handling_days if product.handling_days is None else product.handling_days


def planned_shipments(product_ids):
    """{product_id: [(expected_on, quantity), …]} for the planned shipments of these products."""
    by_product = defaultdict(list)
    if product_ids:
        rows = db.session.execute(
            db.select(Shipment.product_id, Shipment.expected_on, Shipment.quantity)
            .where(Shipment.product_id.in_(product_ids), Shipment.status == "planned")
        )
        for product_id, expected_on, quantity in rows:
            by_product[product_id].append((expected_on, quantity))
    return by_product


def availability_of_products(store, products, today=None):
    """{product_id: Availability} for loaded products of one store."""
    today = today or today_in(store)
    shipments = planned_shipments([product.id for product in products])
    return {
        product.id: rules.availability_for(product, shipments[product.id], today, handling_days_for(product, store))
        for product in products
    }


@dataclass(frozen=True)
class ProductView:
    """A product as the admin sees it: its settings and what shoppers are told today."""

    product: Product
    availability: rules.Availability
    created: bool | None = None


def describe_products(store, products, created=None):
    """ProductViews for loaded products of one store; `created` maps sku to True for new ones."""
    found = availability_of_products(store, products)
    return [
        ProductView(product, found[product.id], None if created is None else product.sku in created)
        for product in products
    ]


def get_product(store, sku):
    """The store's product with this sku, or UnknownProduct."""
    product = db.session.execute(db.select(Product).filter_by(store_id=store.id, sku=sku)).scalar_one_or_none()
    if product is None:
        raise UnknownProduct(f"No product with sku {sku!r}", sku=sku)
    return product


def list_products(store, limit=100, after=None):
    """One page of the store's products, ordered by sku, starting after the sku `after`."""
    statement = db.select(Product).where(Product.store_id == store.id).order_by(Product.sku).limit(limit)
    if after is not None:
        statement = statement.where(Product.sku > after)
    return db.session.execute(statement).scalars().all()


def _apply(product, fields):
    for name, value in fields.items():
        if name == "backorder_limit":
            product.limit_to_incoming = value == "incoming"
            product.backorder_limit = None if value == "incoming" else value
            flag_modified(product, "limit_to_incoming")
        else:
            setattr(product, name, value)
        # Written even when unchanged, so products given the same fields share one UPDATE shape and
        # the flush sends them as one executemany (a 10,000-row import: 2,000 statements became 1).
        flag_modified(product, "backorder_limit" if name == "backorder_limit" else name)


def _check_platform_ids(store, merged):
    """Refuse a platform id that another product of the store carries, or that two skus claim here."""
    claims = {}
    for sku, fields in merged.items():
        platform_id = fields.get("platform_id")
        if platform_id is not None:
            if platform_id in claims:
                raise PlatformIdTaken(f"Skus {claims[platform_id]!r} and {sku!r} both claim platform id "
                                      f"{platform_id!r}", platform_id=platform_id)
            claims[platform_id] = sku
    if claims:
        holders = db.session.execute(
            db.select(Product.platform_id, Product.sku)
            .where(Product.store_id == store.id, Product.platform_id.in_(list(claims)))
        )
        for platform_id, holder in holders:
            # the holder may be giving it up in this same call
            if holder != claims[platform_id] and merged.get(holder, {}).get("platform_id", platform_id) == platform_id:
                raise PlatformIdTaken(f"Platform id {platform_id!r} belongs to sku {holder!r}",
                                      platform_id=platform_id, sku=holder)


def upsert_products(store, items):
    """Create or update products from (sku, fields) pairs, all or nothing, then fill backorders.

    Returns [(product, created)] in the order given. Raising stock (or lowering safety stock)
    while units are backordered allocates them first come, first served (see receive_shipment).
    """
    from .campaigns import react_to_changes
    from .inventory import settle_backorders

    merged = {}
    for sku, fields in items:
        merged.setdefault(sku, {}).update(fields)
    skus = list(merged)
    # Sorted, so two bulk upserts of overlapping new skus wait for each other instead of deadlocking.
    created = set(_insert_ignoring_conflicts(
        Product, [{"store_id": store.id, "sku": sku} for sku in sorted(skus)], ["store_id", "sku"], returning=Product.sku,
    ).scalars())
    ids = db.session.execute(
        db.select(Product.id).where(Product.store_id == store.id, Product.sku.in_(skus))
    ).scalars()
    products = {product.sku: product for product in lock_products(ids)}
    _check_platform_ids(store, merged)
    before = availability_of_products(store, list(products.values()))
    giving_up = [products[sku] for sku, fields in merged.items()
                 if "platform_id" in fields and products[sku].platform_id not in (None, fields["platform_id"])]
    if giving_up:  # released first, so skus may swap ids in one call (the unique index checks each row)
        for product in giving_up:
            product.platform_id = None
        db.session.flush()
    for sku, fields in merged.items():
        _apply(products[sku], fields)
    db.session.flush()
    for product in products.values():
        settle_backorders(product)
    dates_moved = any(name in fields for fields in merged.values() for name in ("back_in_stock_date", "handling_days"))
    # A product this call created has nobody waiting for it yet: nothing to tell anyone.
    existing = [product for sku, product in products.items() if sku not in created]
    react_to_changes(store, existing, before, "stock_set", check_etas=dates_moved)
    db.session.commit()
    return [(products[sku], sku in created) for sku, _ in items]


def upsert_product(store, sku, fields):
    """Create or update one product; returns (product, created)."""
    return upsert_products(store, [(sku, fields)])[0]


def listed_backorders(store, limit=500):
    """ProductViews of the products a shopper can backorder or preorder now, by name."""
    candidates = db.session.execute(
        db.select(Product)
        .where(Product.store_id == store.id, Product.mode.in_(("backorder", "preorder")),
               Product.on_hand <= Product.safety_stock)
        .order_by(Product.name, Product.sku).limit(limit)
    ).scalars().all()
    return [
        view for view in describe_products(store, candidates)
        if view.availability.state in (rules.BACKORDER, rules.PREORDER)
    ]
