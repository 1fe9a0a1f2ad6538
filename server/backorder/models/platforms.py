"""Platform integrations: a store's connection to BigCommerce, Shopify or WooCommerce, the webhook
deliveries already seen, and the last state applied for each platform item (to ignore stale ones)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import db
from .common import utcnow

PLATFORMS = ("bigcommerce", "shopify", "woocommerce")


class PlatformConnection(db.Model):
    """One store's link to one platform: where its API is, its credentials and webhook secret (both
    encrypted with a key derived from SECRET_KEY, never shown again), the widget script, the sync schedule."""

    __table_args__ = (Index("ix_platform_connection_next_sync_at", "next_sync_at"),)

    store_id: Mapped[int] = mapped_column(ForeignKey("store.id", ondelete="CASCADE"), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    shop: Mapped[str | None] = mapped_column(String(300))  # store hash, *.myshopify.com domain, or site URL
    api_url: Mapped[str | None] = mapped_column(String(500))  # the REST base the client calls
    credentials: Mapped[str | None] = mapped_column(Text)  # Fernet token of a JSON object
    credentials_hint: Mapped[str | None] = mapped_column(String(32))  # "…wxyz": which token is set
    webhook_secret: Mapped[str | None] = mapped_column(Text)  # Fernet token
    webhook_secret_set_at: Mapped[datetime | None]
    widget_script_id: Mapped[str | None] = mapped_column(String(64))  # BigCommerce Scripts API uuid
    sync_every_minutes: Mapped[int | None]  # null: no scheduled sync
    next_sync_at: Mapped[datetime | None]
    last_sync_at: Mapped[datetime | None]
    last_sync_result: Mapped[str | None] = mapped_column(String(500))
    last_webhook_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(db.Model):
    """A webhook delivery already accepted: a repeat of its id changes nothing. Pruned after a week."""

    __table_args__ = (Index("ix_webhook_delivery_received_at", "received_at"),)

    store_id: Mapped[int] = mapped_column(ForeignKey("store.id", ondelete="CASCADE"), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    topic: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlatformItem(db.Model):
    """What was last applied for one platform item, and when the platform said it.

    kind "level": a stock level at one location (ref: inventory item, location: location id);
    "inventory_item": which product a Shopify inventory item is (product_id); "product": the
    version of a product's details. A delivery older than `as_of` is stale and changes nothing.
    """

    store_id: Mapped[int] = mapped_column(ForeignKey("store.id", ondelete="CASCADE"), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    location: Mapped[str] = mapped_column(String(64), primary_key=True, default="")
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[int | None]
    as_of: Mapped[datetime | None]

# Outbox rows of this kind are not emails but platform work for the worker (services/platform_tasks.py).
TASK_KIND = "platform"
