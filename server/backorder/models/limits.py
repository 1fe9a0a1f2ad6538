"""Token buckets for rate limits, shared by every web process through the database."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import db


class RateLimitBucket(db.Model):
    """One bucket: how many tokens were left at `stamp` (unix seconds)."""

    __tablename__ = "rate_limit_bucket"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    tokens: Mapped[float]
    stamp: Mapped[float]
