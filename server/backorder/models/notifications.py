"""Restock alerts: shoppers' sign-ups, the campaigns that answer a restock, and the email outbox."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import db
from .catalog import Product
from .common import utcnow

SUBSCRIPTION_STATUSES = ("pending", "active", "notified", "unsubscribed", "expired")
OPEN_SUBSCRIPTION = "status IN ('pending', 'active')"
CAMPAIGN_STATUSES = ("running", "finished", "stopped")
MESSAGE_KINDS = ("confirm", "restock", "room", "eta_update")
MESSAGE_STATUSES = ("queued", "sent", "failed", "skipped")


class Subscription(db.Model):
    """A shopper's "notify me" for one product, with the record of their consent (GDPR Art. 7(1))."""

    __table_args__ = (
        Index("ix_subscription_product_status_created", "product_id", "status", "created_at", "id"),
        Index("ix_subscription_store_email_hash", "store_id", "email_hash"),
        # Reports, read from the index alone: sign-ups per day and how far they got; who waits for what
        Index("ix_subscription_store_created", "store_id", "created_at", "product_id", "status", "confirmed_at"),
        Index("ix_subscription_store_status_product", "store_id", "status", "product_id", "quantity", "created_at"),
        # One open alert per address and product: a repeat sign-up finds it instead of adding one.
        Index("uq_subscription_open", "product_id", "email_hash", unique=True,
              postgresql_where=text(OPEN_SUBSCRIPTION), sqlite_where=text(OPEN_SUBSCRIPTION)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    email_hash: Mapped[str] = mapped_column(String(64))  # of the lower-cased address: suppression, limits
    locale: Mapped[str] = mapped_column(String(35))
    quantity: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    # Consent record: what was shown, where, when; and when and how it ended.
    consent_version: Mapped[int]
    consent_text: Mapped[str | None] = mapped_column(String(500))
    page_url: Mapped[str | None] = mapped_column(String(2000))
    source: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Random part of the confirmation link; cleared when used, so each link works once.
    confirm_nonce: Mapped[str | None] = mapped_column(String(32))
    confirmed_at: Mapped[datetime | None]
    notified_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    end_channel: Mapped[str | None] = mapped_column(String(32))  # one-click, link, manage, admin, expired
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id", ondelete="SET NULL"))

    product: Mapped[Product] = relationship()


class Campaign(db.Model):
    """One restock's notifications for one product, sent in waves while the product stays sellable."""

    __table_args__ = (Index("ix_campaign_status_next_wave", "status", "next_wave_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="restock")  # restock, room
    trigger: Mapped[str] = mapped_column(String(32))  # stock_set, shipment_received, manual, webhook, room
    status: Mapped[str] = mapped_column(String(16), default="running")
    reason: Mapped[str | None] = mapped_column(String(64))  # why it stopped or is waiting
    next_wave_at: Mapped[datetime | None]
    waves: Mapped[int] = mapped_column(default=0)
    queued: Mapped[int] = mapped_column(default=0)  # messages queued so far
    # Every decision, including each one not to send: [{"at", "event", "reason", "count"}]
    log: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    product: Mapped[Product] = relationship()


class Message(db.Model):
    """One email in the outbox: queued until a worker sends it, fails for good, or skips it with a reason."""

    __table_args__ = (
        Index("ix_message_status_due", "status", "due_at"),
        Index("ix_message_store_email_hash", "store_id", "email_hash"),
        # Reports, read from the index alone: emails per day by kind and outcome, and each alert's email
        Index("ix_message_store_created", "store_id", "created_at", "kind", "status", "clicked_at", "subscription_id"),
        # A subscription is told at most once per campaign, however often a wave is planned.
        UniqueConstraint("campaign_id", "subscription_id", name="uq_message_campaign_subscription"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(320))
    email_hash: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(35))
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("subscription.id", ondelete="SET NULL"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id", ondelete="SET NULL"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id", ondelete="SET NULL"))
    payload: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    status: Mapped[str] = mapped_column(String(16), default="queued")
    reason: Mapped[str | None] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A worker's claim: it owns the row until the lease ends; a dead worker's rows are taken again after.
    lease_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    message_id: Mapped[str | None] = mapped_column(String(250))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    clicked_at: Mapped[datetime | None]


class Suppression(db.Model):
    """An address (hashed) a store must never email again: it unsubscribed or bounced for good."""

    store_id: Mapped[int] = mapped_column(ForeignKey("store.id", ondelete="CASCADE"), primary_key=True)
    email_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    reason: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
