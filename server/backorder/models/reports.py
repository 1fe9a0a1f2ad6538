"""What reports read that no other table holds: product-page views per day, and attributed conversions."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import db
from .common import utcnow
from .orders import OrderLine

CONVERSION_VIA = ("window", "click")


class ProductViewDay(db.Model):
    """Product-page views of a product on one store-local day, counted in memory and added in batches."""

    __tablename__ = "product_view_day"
    __table_args__ = (Index("ix_product_view_day_store_day", "store_id", "day", "product_id", "views"),)  # covering

    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id", ondelete="CASCADE"))
    views: Mapped[int] = mapped_column(default=0)


class Conversion(db.Model):
    """An order line for a product whose restock email the buyer had (attributed when the order is recorded)."""

    __table_args__ = (Index("ix_conversion_store_created", "store_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id", ondelete="CASCADE"), unique=True)
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("subscription.id", ondelete="SET NULL"),
                                                        index=True)
    units: Mapped[int]
    revenue: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    via: Mapped[str] = mapped_column(String(16))  # window: the email was within the store's window; click
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order_line: Mapped[OrderLine] = relationship()
