"""Orders recorded through the admin API, and the backorders their lines left waiting."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import db
from .catalog import Product
from .common import utcnow

BACKORDER_STATUSES = ("open", "allocated", "cancelled")


class Order(db.Model):
    """An order recorded through the admin API; its ref makes recording it idempotent."""

    __tablename__ = "sales_order"
    __table_args__ = (
        UniqueConstraint("store_id", "order_ref"),
        Index("ix_sales_order_store_created", "store_id", "created_at"),  # reports: backorders per day
    )

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
        Index("ix_backorder_status_allocated", "status", "allocated_at"),  # reports: open ones, filled per day
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
