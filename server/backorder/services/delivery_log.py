"""The delivery log as the admin shows it: each email of the outbox beside the product it is about."""

from dataclasses import dataclass

from ..db import db
from ..models import Message, Product
from .outbox import messages_of


@dataclass(frozen=True)
class LogEntry:
    message: Message
    sku: str | None  # None: the email names no product, or the product was deleted
    product_name: str | None


def delivery_log(store, status=None, kind=None, limit=100, after=None):
    """One page of the store's emails, newest first, with their products (two queries a page)."""
    messages = messages_of(store, status=status, kind=kind, limit=limit, after=after)
    ids = {message.product_id for message in messages if message.product_id is not None}
    names = {
        row.id: row for row in db.session.execute(
            db.select(Product.id, Product.sku, Product.name).where(Product.store_id == store.id, Product.id.in_(ids)))
    } if ids else {}
    entries = []
    for message in messages:
        product = names.get(message.product_id)
        entries.append(LogEntry(message, product.sku if product else None, product.name if product else None))
    return entries
