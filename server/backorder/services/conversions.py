"""Attribution: which recorded orders a restock email brought in (docs/reports.md, "Attribution")."""

from datetime import timedelta

import sqlalchemy as sa

from ..db import db
from ..models import Conversion, Message
from .subscriptions import email_hash

ALERT_KINDS = ("restock", "room")  # the emails that tell a shopper they can buy now


def attribute_order(store, order, now):
    """Record a conversion for each line of `order` whose product was emailed to its buyer within the window.

    The window is the store's attribution_days, counted back from the order. The latest restock or
    "you can order now" email sent to the order's address for the line's product counts, whatever
    became of the alert since (an unsubscribe after the email does not undo the sale). `via` says
    whether the shopper had clicked the email's link before ordering. The caller commits.
    """
    if not order.email:
        return 0
    lines = {line.product.id: line for line in order.lines}  # product_id is set only at flush
    rows = db.session.execute(
        db.select(Message.product_id, Message.subscription_id, Message.clicked_at)
        .where(Message.store_id == store.id, Message.email_hash == email_hash(order.email),
               Message.kind.in_(ALERT_KINDS), Message.status == "sent", Message.product_id.in_(list(lines)),
               Message.sent_at > now - timedelta(days=store.attribution_days), Message.sent_at <= now)
        .order_by(Message.sent_at.desc(), Message.id.desc())
    ).all()
    attributed = {}
    for product_id, subscription_id, clicked_at in rows:  # newest first: the latest email per product wins
        attributed.setdefault(product_id, (subscription_id, clicked_at))
    for product_id, (subscription_id, clicked_at) in attributed.items():
        line = lines[product_id]
        db.session.add(Conversion(
            store_id=store.id, product_id=product_id, order_line=line, subscription_id=subscription_id,
            units=line.quantity, revenue=None if line.unit_price is None else line.unit_price * line.quantity,
            via="click" if clicked_at is not None and clicked_at <= now else "window", created_at=now))
    return len(attributed)


def measured_conversion_rate(store, now, days=90, minimum=30):
    """(rate, sample): the share of alert emails sent in the last `days` (whose window has closed) that
    converted; rate None when fewer than `minimum` emails make the sample. Read from an index alone."""
    window = timedelta(days=store.attribution_days)
    converted = sa.exists().where(Conversion.subscription_id == Message.subscription_id)
    sent, won = db.session.execute(
        db.select(sa.func.count(), sa.func.count(sa.case((converted, 1))))
        .where(Message.store_id == store.id, Message.kind.in_(ALERT_KINDS), Message.status == "sent",
               Message.created_at >= now - timedelta(days=days), Message.created_at <= now - window)
    ).one()
    return (won / sent if sent >= minimum else None), sent
