"""Product-page views, counted without a write per request.

The availability endpoint counts, in this process's memory, each product it answered for that
shoppers cannot simply buy (backorder, preorder, sold out). A thread adds the counts to the
daily rollup (product_view_day) in one batch every VIEW_FLUSH_SECONDS, and once more when the
process exits. Views answered by a CDN from its cache never reach us: the count is a lower bound.
"""

import atexit
import logging
import threading
from collections import Counter

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from ..db import db
from ..models import Product, ProductViewDay
from . import availability as rules
from .stores import today_in

log = logging.getLogger(__name__)
COUNTED_STATES = frozenset((rules.BACKORDER, rules.PREORDER, rules.SOLD_OUT))
CHUNK = 500  # skus per lookup, rows per upsert


class ViewCounter:
    """Views per (store id, store-local day, sku) held in memory until the next flush."""

    def __init__(self, app, seconds):
        self.app, self.seconds = app, seconds
        self._counts = Counter()
        self._lock = threading.Lock()
        self._thread = None

    def count(self, store, items):
        """Count one view of each product in `items` (the public answer's items) that is not plainly in stock."""
        skus = [item["sku"] for item in items if item["state"] in COUNTED_STATES]
        if not skus:
            return
        day = today_in(store)
        with self._lock:
            for sku in skus:
                self._counts[store.id, day, sku] += 1
        if self._thread is None and not self.app.testing:
            self._start()

    def take(self):
        """The counts so far, leaving zero behind."""
        with self._lock:
            counts, self._counts = self._counts, Counter()
        return counts

    def give_back(self, counts):
        """Counts a flush could not write: kept for the next one."""
        with self._lock:
            self._counts.update(counts)

    def flush(self):
        """Add the counts to the database (inside an app context); returns the views written."""
        counts = self.take()
        if not counts:
            return 0
        try:
            written = add_views(counts)
        except SQLAlchemyError:
            db.session.rollback()
            self.give_back(counts)
            log.warning("could not write %d view counts; keeping them for the next flush", len(counts))
            return 0
        return written

    def _start(self):
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name="backorder-views", daemon=True)
        self._thread.start()
        atexit.register(self._flush_in_context)

    def _flush_in_context(self):
        with self.app.app_context():
            self.flush()

    def _run(self):
        stop = threading.Event()
        while not stop.wait(self.seconds):
            try:
                self._flush_in_context()
            except Exception:  # the thread must outlive any one failure
                log.exception("view count flush failed")


def add_views(counts):
    """Upsert {(store id, day, sku): views} into product_view_day in a few statements; returns views written."""
    by_store = {}
    for (store_id, day, sku), views in counts.items():
        by_store.setdefault(store_id, []).append((day, sku, views))
    rows = []
    for store_id, entries in by_store.items():
        skus = sorted({sku for _, sku, _ in entries})
        ids = {}
        for start in range(0, len(skus), CHUNK):
            ids.update(db.session.execute(
                db.select(Product.sku, Product.id)
                .where(Product.store_id == store_id, Product.sku.in_(skus[start:start + CHUNK]))).all())
        rows += [dict(product_id=ids[sku], day=day, store_id=store_id, views=views)
                 for day, sku, views in entries if sku in ids]  # a product deleted meanwhile: its views go too
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    for start in range(0, len(rows), CHUNK):
        statement = dialect.insert(ProductViewDay).values(rows[start:start + CHUNK])
        db.session.execute(statement.on_conflict_do_update(
            index_elements=["product_id", "day"],
            set_={"views": ProductViewDay.views + statement.excluded.views}))
    db.session.commit()
    return sum(row["views"] for row in rows)


def init_app(app):
    """One counter per process; VIEW_FLUSH_SECONDS = 0 turns counting off."""
    seconds = app.config["VIEW_FLUSH_SECONDS"]
    app.extensions["backorder.views"] = ViewCounter(app, seconds) if seconds > 0 else None
