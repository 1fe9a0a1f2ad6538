"""Tables only: what is stored. The rules live in services/."""

from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import db

MODES = ("notify", "backorder", "preorder")
MAX_UNITS = 2**31 - 1  # unit counts are 32-bit integer columns on PostgreSQL
BACKORDER_STATUSES = ("open", "allocated", "cancelled")
SHIPMENT_STATUSES = ("planned", "received", "cancelled")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Store(db.Model):
    """One merchant's shop: the tenant every other row belongs to."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    public_key: Mapped[str] = mapped_column(String(64), unique=True)
    api_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    allowed_origins: Mapped[list] = mapped_column(JSON, default=list)
    locale: Mapped[str] = mapped_column(String(35), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    handling_days: Mapped[int] = mapped_column(default=0)
    cache_max_age: Mapped[int] = mapped_column(default=30)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Product(db.Model):
    """One sellable SKU of a store, with its stock and backorder settings."""

    __table_args__ = (
        UniqueConstraint("store_id", "sku"),
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


class Order(db.Model):
    """An order recorded through the admin API; its ref makes recording it idempotent."""

    __tablename__ = "sales_order"
    __table_args__ = (UniqueConstraint("store_id", "order_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id", ondelete="CASCADE"))
    order_ref: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lines: Mapped[list["OrderLine"]] = relationship(back_populates="order", order_by="OrderLine.id")


class OrderLine(db.Model):
    """One line of an order: how many units shipped from stock and how many were backordered."""

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_order.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    quantity: Mapped[int]
    ship_now: Mapped[int]
    backordered: Mapped[int]
    unit_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    eta: Mapped[date | None]  # promised at order time, for the backordered units
    eta_source: Mapped[str | None] = mapped_column(String(32))

    order: Mapped[Order] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()


class Backorder(db.Model):
    """Units of an order line sold beyond stock: open until stock is allocated to them."""

    __table_args__ = (
        Index("ix_backorder_product_status_created", "product_id", "status", "created_at", "id"),
        CheckConstraint("allocated_quantity <= quantity", name="allocated_within_quantity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id", ondelete="CASCADE"), unique=True)
    quantity: Mapped[int]
    allocated_quantity: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    allocated_at: Mapped[datetime | None]

    product: Mapped[Product] = relationship()
    order_line: Mapped[OrderLine] = relationship()
