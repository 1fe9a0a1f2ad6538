"""Product imports uploaded on the admin's Import page: the file waits here until a worker checks and saves it."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import db
from .common import utcnow
from .platforms import TASK_KIND

IMPORT_STATUSES = ("queued", "running", "done", "rejected", "failed")
IMPORT_KIND = "import"  # the outbox row asking a worker to run one import (services/imports.py)
TASK_KINDS = (TASK_KIND, IMPORT_KIND)  # outbox rows that are work for the worker, not emails


class ImportJob(db.Model):
    """One uploaded CSV: queued, running, then done (counts), rejected (errors by row) or failed (reason).

    The file itself is kept only until the import has finished.
    """

    __tablename__ = "import_job"
    __table_args__ = (Index("ix_import_job_store", "store_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    csv: Mapped[str | None] = mapped_column(Text)
    rows: Mapped[int | None]
    created: Mapped[int | None]
    updated: Mapped[int | None]
    errors: Mapped[list] = mapped_column(JSON, default=list)  # the first SHOWN_ERRORS, as {row, column, message}
    error_count: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
