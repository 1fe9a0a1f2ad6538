"""The funnel: product-page views, then the sign-ups of the period and how far each got.

Views are counted on the day they happened. Sign-ups are a cohort: those made in the period,
and of them how many were confirmed, emailed (a restock or "order now" email sent), clicked the
email's link, and converted (an attributed order, see services/conversions). So each stage is a
subset of the one before, and the rates between them mean something.
"""

import sqlalchemy as sa

from ...db import db
from ...models import Conversion, Message, Product, ProductViewDay, Subscription
from ..conversions import ALERT_KINDS
from . import by_day, day_map, per_day, ratio

STAGES = ("views", "signups", "confirmed", "notified", "clicked", "converted", "converted_units", "converted_revenue")
SORTS = {"signups": "signups", "views": "views", "converted": "converted", "sku": None}


def _cohort_columns(period, store):
    """(FROM clause joined for the period's sign-ups, and their stage counts as columns)."""
    emails = (
        db.select(Message.subscription_id, sa.func.max(sa.case((Message.status == "sent", 1), else_=0)).label("sent"),
                  sa.func.max(sa.case((Message.clicked_at.is_not(None), 1), else_=0)).label("clicked"))
        .where(Message.store_id == store.id, Message.kind.in_(ALERT_KINDS), Message.created_at >= period.lo)
        .group_by(Message.subscription_id).subquery("emails")
    )
    sales = (
        db.select(Conversion.subscription_id, sa.func.sum(Conversion.units).label("units"),
                  sa.func.sum(Conversion.revenue).label("revenue"))
        .where(Conversion.store_id == store.id, Conversion.created_at >= period.lo)
        .group_by(Conversion.subscription_id).subquery("sales")
    )
    # Single opt-in alerts start active without a confirmed_at: they count as confirmed.
    confirmed = sa.or_(Subscription.confirmed_at.is_not(None), Subscription.status.in_(("active", "notified")))
    columns = (
        sa.literal(0).label("views"),
        sa.func.count(Subscription.id).label("signups"),
        sa.func.count(sa.case((confirmed, 1))).label("confirmed"),
        sa.func.coalesce(sa.func.sum(emails.c.sent), 0).label("notified"),
        sa.func.coalesce(sa.func.sum(emails.c.clicked), 0).label("clicked"),
        sa.func.count(sales.c.subscription_id).label("converted"),
        sa.func.coalesce(sa.func.sum(sales.c.units), 0).label("converted_units"),
        sa.func.coalesce(sa.func.sum(sales.c.revenue), 0).label("converted_revenue"),
    )
    joins = lambda statement: (statement  # noqa: E731
                               .outerjoin(emails, emails.c.subscription_id == Subscription.id)
                               .outerjoin(sales, sales.c.subscription_id == Subscription.id)
                               .where(Subscription.store_id == store.id))
    return joins, columns


def _zeros(*names):
    return [sa.literal(0).label(name) for name in names]


def funnel_by_product(store, period, sort="signups", limit=None, offset=0):
    """Rows of {sku, name, views, signups, confirmed, notified, clicked, converted, units, revenue, rates},
    one per product with views or sign-ups in the period; busiest first. Also returns the totals."""
    joins, columns = _cohort_columns(period, store)
    # Grouped by product_id + 0: SQLite would otherwise walk every sign-up of the store in product order
    # (an index sorted that way) instead of reading the period's from ix_subscription_store_created.
    product = (Subscription.product_id + 0).label("product_id")
    cohort = joins(db.select(product, *columns).where(period.contains(Subscription.created_at))).group_by(product)
    views = (db.select(ProductViewDay.product_id.label("product_id"), sa.func.sum(ProductViewDay.views).label("views"),
                       *_zeros(*STAGES[1:]))
             .where(ProductViewDay.store_id == store.id, ProductViewDay.day >= period.start,
                    ProductViewDay.day <= period.end).group_by(ProductViewDay.product_id))
    both = sa.union_all(cohort, views).subquery("both")
    sums = [sa.func.sum(both.c[name]) for name in STAGES]
    totals = [sa.func.sum(total).over().label(f"total_{name}") for total, name in zip(sums, STAGES)]  # before LIMIT
    statement = (db.select(Product.sku, Product.name, *[total.label(name) for total, name in zip(sums, STAGES)],
                           *totals)
                 .join(Product, Product.id == both.c.product_id).group_by(Product.id, Product.sku, Product.name))
    order = [sa.desc(sa.func.sum(both.c[SORTS[sort]]))] if SORTS.get(sort) else []
    statement = statement.order_by(*order, Product.sku).offset(offset)
    if limit is not None:
        statement = statement.limit(limit)
    rows = [dict(row._mapping) for row in db.session.execute(statement)]
    if rows:
        summary = {name: rows[0][f"total_{name}"] or 0 for name in STAGES}
    else:  # past the last page, or nothing at all
        summary = dict(zip(STAGES, db.session.execute(
            db.select(*[sa.func.coalesce(sa.func.sum(both.c[name]), 0) for name in STAGES])).one()))
    for row in rows:
        for name in STAGES:
            del row[f"total_{name}"]
        _with_rates(row)
    return rows, _with_rates(summary)


def funnel_by_day(store, period):
    """One row per day of the period: views that day, and the stages reached by that day's sign-ups."""
    joins, columns = _cohort_columns(period, store)
    stages = day_map(db.session.execute(
        joins(per_day(period, Subscription.created_at, *columns[1:]).select_from(Subscription))))
    views = day_map(db.session.execute(
        db.select(ProductViewDay.day, sa.func.sum(ProductViewDay.views))
        .where(ProductViewDay.store_id == store.id, ProductViewDay.day >= period.start,
               ProductViewDay.day <= period.end).group_by(ProductViewDay.day)))
    rows = [(day, *views.get(day, (0,)), *stages.get(day, (0,) * (len(STAGES) - 1))) for day in {*views, *stages}]
    return [_with_rates(row) for row in by_day(period, rows, STAGES)]


def _with_rates(row):
    row["converted_revenue"] = row["converted_revenue"] or 0
    row["signup_rate"] = ratio(row["signups"], row["views"])
    row["conversion_rate"] = ratio(row["converted"], row["notified"])
    return row


def totals(rows):
    """The stages summed over rows (the by-day funnel's totals), with their rates."""
    return _with_rates({name: sum(row[name] for row in rows) for name in STAGES})
