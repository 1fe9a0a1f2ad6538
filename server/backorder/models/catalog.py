"""The catalogue: products (one per sku) and the shipments coming in for them."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import db
from .common import utcnow
from .store import Store

MODES = ("notify", "backorder", "preorder")
SHIPMENT_STATUSES = ("planned", "received", "cancelled")


class Product(db.Model):
    """One sellable SKU of a store, with its stock and backorder settings."""

    __table_args__ = (
        UniqueConstraint("store_id", "sku"),
        # The platform's own id (a Shopify variant id, a WooCommerce variation id…), for pages without skus.
        UniqueConstraint("store_id", "platform_id", name="uq_product_store_id_platform_id"),
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("safety_stock >= 0", name="safety_stock_not_negative"),
        CheckConstraint("backordered >= 0", name="backordered_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(100))
    name: Mapped[str | None] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(2000))
    image_url: Mapped[str | None] = mapped_column(String(2000))
    price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    on_hand: Mapped[int] = mapped_column(default=0)
    safety_stock: Mapped[int] = mapped_column(default=0)
    mode: Mapped[str] = mapped_column(String(16), default="notify")
    # null: unlimited; ignored when limit_to_incoming is set (then the limit is what is on order)
    backorder_limit: Mapped[int | None]
    limit_to_incoming: Mapped[bool] = mapped_column(default=False)
    # Open backordered units, kept in step with the open backorder rows by services/ so the
    # limit can be checked and availability read without summing them.
    backordered: Mapped[int] = mapped_column(default=0)
    back_in_stock_date: Mapped[date | None]
    release_date: Mapped[date | None]
    handling_days: Mapped[int | None]
    message: Mapped[str | None] = mapped_column(String(1000))
    platform_id: Mapped[str | None] = mapped_column(String(64))
    platform_product_id: Mapped[str | None] = mapped_column(String(64))
    # Purchasing: who supplies it and the least they accept in one order (reports flag when backorders reach it)
    supplier: Mapped[str | None] = mapped_column(String(200))
    min_order_quantity: Mapped[int | None]
    # What the public availability endpoint answers for it (JSON), kept by services/answers.py on every
    # change, and the store-local days it holds for; null: not computed yet (reads compute it then).
    answer: Mapped[str | None] = mapped_column(Text)
    answer_from: Mapped[date | None]
    answer_until: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    store: Mapped[Store] = relationship()


class Shipment(db.Model):
    """Incoming stock for one product: planned until received (in one or several parts)."""

    __table_args__ = (
        Index("ix_shipment_product_status_date", "product_id", "status", "expected_on"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    quantity: Mapped[int]  # units still expected
    received_quantity: Mapped[int] = mapped_column(default=0)
    expected_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), default="planned")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_at: Mapped[datetime | None]

    product: Mapped[Product] = relationship()
