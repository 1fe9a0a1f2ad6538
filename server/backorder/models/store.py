"""The tenant: one merchant's shop and its settings."""

from datetime import datetime, time

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import db
from .common import utcnow


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

    # What the widget shows
    show_backorder_remaining: Mapped[bool] = mapped_column(default=False, server_default="0")
    widget_labels: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    consent_text: Mapped[str | None] = mapped_column(String(500))
    consent_version: Mapped[int] = mapped_column(default=1, server_default="1")

    # Who the emails come from (CAN-SPAM wants the postal address in commercial mail)
    sender_name: Mapped[str | None] = mapped_column(String(200))
    sender_email: Mapped[str | None] = mapped_column(String(320))
    postal_address: Mapped[str | None] = mapped_column(String(500))

    # Notification policy (DESIGN §3, restock campaign)
    double_opt_in: Mapped[bool] = mapped_column(default=True, server_default="1")
    wave_factor: Mapped[int | None] = mapped_column(default=3, server_default="3")  # null: all at once
    wave_interval_minutes: Mapped[int] = mapped_column(default=60, server_default="60")
    min_restock_quantity: Mapped[int] = mapped_column(default=1, server_default="1")
    quiet_hours_start: Mapped[time | None]  # store-local; both set or neither
    quiet_hours_end: Mapped[time | None]
    notify_on_room: Mapped[bool] = mapped_column(default=True, server_default="1")
    eta_tolerance_days: Mapped[int] = mapped_column(default=0, server_default="0")

    # Reports: an order counts as a conversion when it comes within this many days of the restock email
    attribution_days: Mapped[int] = mapped_column(default=7, server_default="7")
