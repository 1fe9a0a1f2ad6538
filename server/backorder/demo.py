"""The demo store: one product in every state, rebuilt from scratch each time it is loaded."""

import secrets
from datetime import timedelta

from .db import db
from .demo_history import add_history
from .models import Order, Product, Store
from .services import inventory, orders, products, stores, users

DEMO_NAME = "Demo Store"
DEMO_ORIGINS = ["http://127.0.0.1:5000", "http://localhost:5000"]
DEMO_USER = "demo@example.com"  # the demo store's admin login; a demo on your own machine, never a real store
DEMO_PASSWORD = "demo-password"


def _products(today):
    """(sku, fields, [(shipment quantity, days from today)], units to backorder) for each demo product."""
    tee = dict(price="24.00", platform_product_id="4000000000")
    return [
        # One product with a variant in each state, for the platform-style demo pages.
        ("DEMO-TEE-S", dict(tee, name="Organic cotton tee (S)", on_hand=25, mode="backorder",
                            platform_id="41000000001"), [(40, 12)], 0),
        ("DEMO-TEE-M", dict(tee, name="Organic cotton tee (M)", on_hand=0, mode="backorder",
                            platform_id="41000000002"), [(10, 12)], 0),
        ("DEMO-TEE-L", dict(tee, name="Organic cotton tee (L)", on_hand=0, mode="notify",
                            platform_id="41000000003"), [], 0),
        ("DEMO-TEE-XL", dict(tee, name="Organic cotton tee (XL)", on_hand=0, mode="preorder",
                             release_date=today + timedelta(days=60), platform_id="41000000004"), [], 0),
        ("DEMO-MUG", dict(name="Stoneware mug", price="14.50", on_hand=0, mode="backorder", backorder_limit=10,
                          back_in_stock_date=today + timedelta(days=21)), [], 3),
        ("DEMO-LAMP", dict(name="Brass desk lamp", price="89.00", on_hand=0, mode="backorder",
                           message="Hand-finished in small batches."), [(3, 10), (5, 20)], 4),
        ("DEMO-BOOK", dict(name="The Backorder Cookbook (signed)", price="32.00", on_hand=0, mode="preorder",
                           release_date=today + timedelta(days=60), backorder_limit=200), [], 0),
        ("DEMO-CAP", dict(name="Wool cap", price="19.00", on_hand=0, mode="notify"), [(30, 18)], 0),
        ("DEMO-BAG", dict(name="Waxed canvas bag", price="120.00", on_hand=0, mode="backorder", backorder_limit=2),
         [], 2),
        ("DEMO-SCARF", dict(name="Merino scarf", price="45.00", on_hand=0, mode="backorder",
                            backorder_limit="incoming"), [(6, 14)], 0),
        ("DEMO-SOCKS", dict(name="Trail socks", price="12.00", on_hand=2, safety_stock=2, mode="notify"), [], 0),
    ]


def load_demo(origins=None):
    """Create the demo store, or reset it (same public key, a new API token); returns (public key, token, skus).

    `origins` are the storefronts allowed to call the API (default: this server on port 5000).
    """
    store = db.session.execute(db.select(Store).filter_by(name=DEMO_NAME)).scalars().first()
    if store is None:
        store, api_token = stores.create_store(DEMO_NAME, origins or DEMO_ORIGINS, timezone="UTC")
    else:
        store.allowed_origins = list(origins or DEMO_ORIGINS)
        db.session.execute(db.delete(Order).where(Order.store_id == store.id))
        db.session.execute(db.delete(Product).where(Product.store_id == store.id))
        api_token = "sk_" + secrets.token_urlsafe(32)
        store.api_token_hash = stores.hash_token(api_token)
        db.session.commit()
    store.sender_name, store.sender_email = DEMO_NAME, "alerts@demo-store.example"
    store.postal_address = "1 Example Street, 10115 Berlin, Germany"
    store.consent_text = "I agree that Demo Store may email me about this product. I can unsubscribe at any time."
    db.session.commit()
    users.create_user(store, DEMO_USER, DEMO_PASSWORD)
    today = stores.today_in(store)
    plan = _products(today)
    saved = products.upsert_products(store, [(sku, fields) for sku, fields, _, _ in plan])
    for (sku, _, shipments, backorder_units), (product, _) in zip(plan, saved):
        for quantity, days in shipments:
            inventory.plan_shipment(product, quantity, today + timedelta(days=days))
        for number in range(backorder_units):
            orders.record_order(store, f"DEMO-{sku}-{number + 1}", [{"sku": sku, "quantity": 1}],
                                email=f"shopper{number + 1}@example.com")
    add_history(store)  # 90 days of sign-ups, emails, orders and views, so the reports have something to say
    return store.public_key, api_token, [sku for sku, _, _, _ in plan]
