"""The demo store's past: 90 days of sign-ups, restock emails, clicks, orders and product-page views.

Made up, but shaped like a shop's: more interest at weekends, a restock or two per product with
its wave of emails, about a third of the emailed clicking and a fraction of those buying within
the attribution window (and a few after it), bounces, unsubscribes, unconfirmed sign-ups that
expired, backorders filled mostly on time. Seeded, so every `backorder demo` makes the same history.
The open backorders and planned shipments of today stay those of demo.py.
"""

import random
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal

from .db import db
from .models import (Backorder, Conversion, Message, Order, OrderLine, Product, ProductViewDay, Subscription,
                     Suppression, utcnow)
from .services.stores import today_in
from .services.subscriptions import email_hash

DAYS = 90
# sku: (supplier, minimum order, sign-ups a day, backorders a day, restocks as days ago)
PROFILE = {
    "DEMO-TEE-S": ("Northwind Textiles", 24, 1.2, 0.0, (70, 3)),
    "DEMO-TEE-M": ("Northwind Textiles", 24, 1.6, 0.8, (55, 20)),
    "DEMO-TEE-L": ("Northwind Textiles", 24, 2.2, 0.0, (48,)),
    "DEMO-TEE-XL": ("Northwind Textiles", 24, 0.6, 0.3, ()),
    "DEMO-MUG": ("Kiln & Co", 6, 1.1, 0.4, (62, 30)),
    "DEMO-LAMP": ("Lumen Works", 2, 0.8, 0.3, (40,)),
    "DEMO-BOOK": ("Backorder Press", 50, 1.4, 1.2, ()),
    "DEMO-CAP": ("Northwind Textiles", 12, 2.6, 0.0, (66, 35, 12)),
    "DEMO-BAG": ("Canvas Goods", 3, 0.5, 0.2, (45,)),
    "DEMO-SCARF": ("Northwind Textiles", 10, 0.9, 0.4, (25,)),
    "DEMO-SOCKS": ("Northwind Textiles", 40, 1.0, 0.0, (58, 28)),
}


def _count(rng, rate, day):
    """How many events on a day with this mean rate (weekends busier): a cheap Poisson-like draw."""
    mean = rate * (1.4 if day.weekday() >= 5 else 0.9)
    return sum(1 for _ in range(int(mean * 3) + 1) if rng.random() < mean / (int(mean * 3) + 1))


def add_history(store, now=None, seed=7):
    """Insert the demo store's last DAYS days: returns {table: rows added}. Replaces an earlier history."""
    now = now or utcnow()
    rng = random.Random(seed)
    today = today_in(store, now)
    db.session.execute(db.delete(Message).where(Message.store_id == store.id))
    db.session.execute(db.delete(Suppression).where(Suppression.store_id == store.id))
    products = {product.sku: product for product in db.session.execute(
        db.select(Product).where(Product.store_id == store.id)).scalars()}
    signups, orders, views, messages, conversions, suppressed = [], [], [], [], [], []
    for sku, (supplier, minimum, signup_rate, order_rate, restocks) in PROFILE.items():
        product = products.get(sku)
        if product is None:
            continue
        product.supplier, product.min_order_quantity = supplier, minimum
        restock_days = sorted(today - timedelta(days=ago) for ago in restocks)
        for offset in range(DAYS, 0, -1):
            day = today - timedelta(days=offset)
            start = datetime.combine(day, time(), timezone.utc)
            new = _count(rng, signup_rate, day)
            in_stock_now = any(r <= day < r + timedelta(days=4) for r in restock_days)  # sells out in ~4 days
            if not in_stock_now:
                views.append(dict(product_id=product.id, store_id=store.id, day=day,
                                  views=new * rng.randint(9, 16) + rng.randint(3, 14)))
            for _ in range(0 if in_stock_now else new):
                created = start + timedelta(seconds=rng.randint(0, 86399))
                signups.append(dict(product=product, created=created, confirmed=rng.random() < 0.86,
                                    quantity=1 if rng.random() < 0.8 else 2))
            for _ in range(_count(rng, order_rate, day)):
                created = start + timedelta(seconds=rng.randint(0, 86399))
                eta = (created + timedelta(days=rng.randint(10, 18))).date()
                waited = (eta - created.date()).days + rng.choice((-4, -3, -2, -1, -1, 0, 0, 0, 1, 3))
                allocated = created + timedelta(days=max(2, waited), hours=rng.randint(0, 10))
                if allocated < now:
                    orders.append(dict(product=product, created=created, eta=eta, allocated=allocated,
                                       quantity=rng.choice((1, 1, 1, 2, 3)), email=None))
        # Each restock emails the confirmed alerts made before it that nobody emailed yet.
        for number, restock in enumerate(restock_days):
            sent_at = datetime.combine(restock, time(9), timezone.utc) + timedelta(minutes=number * 7)
            for alert in signups:
                if alert["product"] is product and alert["confirmed"] and "sent" not in alert \
                        and alert["created"] < sent_at:
                    alert["sent"] = sent_at
    # Rows: sign-ups first (their ids are needed), then their emails, clicks, orders and conversions.
    rows = []
    for n, alert in enumerate(signups):
        created, confirmed = alert["created"], alert["confirmed"]
        email = f"shopper{n:04d}@example.com"
        status = "notified" if "sent" in alert else "active" if confirmed else (
            "expired" if created < now - timedelta(days=7) else "pending")
        if status == "active" and rng.random() < 0.04:
            status = "unsubscribed"
        alert.update(email=email, status=status)
        rows.append(dict(
            store_id=store.id, product_id=alert["product"].id, email=email, email_hash=email_hash(email), locale="en",
            quantity=alert["quantity"], status=status, consent_version=store.consent_version,
            consent_text=store.consent_text, page_url=alert["product"].url, source="widget", created_at=created,
            confirmed_at=created + timedelta(minutes=rng.randint(2, 90)) if confirmed else None,
            notified_at=alert.get("sent"),
            ended_at=created + timedelta(days=3) if status in ("unsubscribed", "expired") else None,
            end_channel={"unsubscribed": "manage", "expired": "expired"}.get(status)))
    db.session.execute(db.insert(Subscription), rows)
    ids = dict(db.session.execute(db.select(Subscription.email, Subscription.id).where(
        Subscription.store_id == store.id, Subscription.email.like("shopper____@example.com"))).all())
    for alert in signups:
        alert_id, created = ids[alert["email"]], alert["created"]
        messages.append(dict(kind="confirm", subscription_id=alert_id, alert=alert, status="sent", created=created,
                             clicked=None, reason=None))
        if "sent" not in alert:
            continue
        roll = rng.random()
        status, reason = ("sent", None) if roll < 0.94 else ("failed", "550 5.1.1 mailbox unavailable") \
            if roll < 0.97 else ("skipped", "suppressed")
        clicked = alert["sent"] + timedelta(hours=rng.randint(1, 30)) if status == "sent" and rng.random() < 0.33 \
            else None
        messages.append(dict(kind="restock", subscription_id=alert_id, alert=alert, status=status,
                             created=alert["sent"], clicked=clicked, reason=reason))
        if status == "sent" and rng.random() < 0.05:  # unsubscribed from the email's one-click link
            suppressed.append(dict(store_id=store.id, email_hash=email_hash(alert["email"]), reason="unsubscribed",
                                   created_at=alert["sent"] + timedelta(hours=rng.randint(1, 48))))
        bought = status == "sent" and rng.random() < (0.45 if clicked else 0.06)
        late = status == "sent" and not bought and rng.random() < 0.04  # bought after the window: not counted
        if bought or late:
            after = rng.randint(1, 140) if bought else rng.randint(200, 400)  # hours; 7 days = 168
            placed = (clicked or alert["sent"]) + timedelta(hours=after)
            if placed < now:
                orders.append(dict(product=alert["product"], created=placed, eta=None, allocated=None,
                                   quantity=alert["quantity"], email=alert["email"],
                                   conversion=(alert_id, "click" if clicked and clicked <= placed else "window")
                                   if bought else None))
    db.session.execute(db.insert(Message), [dict(
        store_id=store.id, kind=m["kind"], recipient=m["alert"]["email"], email_hash=email_hash(m["alert"]["email"]),
        locale="en", subscription_id=m["subscription_id"], product_id=m["alert"]["product"].id, status=m["status"],
        reason=m["reason"], attempts=1, due_at=m["created"], created_at=m["created"],
        sent_at=m["created"] + timedelta(seconds=20) if m["status"] == "sent" else None, clicked_at=m["clicked"],
        payload={}) for m in messages])
    if suppressed:
        db.session.execute(db.insert(Suppression), list({row["email_hash"]: row for row in suppressed}.values()))
    db.session.execute(db.insert(ProductViewDay), views)
    _add_orders(store, orders, conversions)
    db.session.commit()
    return {"subscription": len(rows), "message": len(messages), "product_view_day": len(views),
            "sales_order": len(orders), "conversion": len(conversions)}


def _add_orders(store, orders, conversions):
    """Past orders: backordered lines long since filled, and the restock emails' sales."""
    for n, past in enumerate(sorted(orders, key=lambda row: row["created"])):
        product = past["product"]
        price = product.price or Decimal("20.00")
        backordered = past["quantity"] if past["eta"] else 0
        order = Order(store_id=store.id, order_ref=f"HIST-{n + 1:05d}", email=past["email"] or f"buyer{n}@example.com",
                      created_at=past["created"])
        line = OrderLine(order=order, product=product, quantity=past["quantity"],
                         ship_now=past["quantity"] - backordered, backordered=backordered, unit_price=price,
                         eta=past["eta"], eta_source="shipment" if past["eta"] else None)
        db.session.add_all([order, line])
        if backordered:
            db.session.add(Backorder(product=product, order_line=line, quantity=backordered,
                                     allocated_quantity=backordered, status="allocated", created_at=past["created"],
                                     allocated_at=past["allocated"]))
        if past.get("conversion"):
            subscription_id, via = past["conversion"]
            conversions.append(Conversion(store_id=store.id, product_id=product.id, order_line=line,
                                          subscription_id=subscription_id, units=past["quantity"],
                                          revenue=price * past["quantity"], via=via, created_at=past["created"]))
    db.session.add_all(conversions)
