"""Each product's availability answer, stored on its row when it changes, so a product page reads one row a sku.

refresh_answers computes the answers of the products a transaction touched and writes them in that
transaction, just before COMMIT (services/changes.py notes them, so no write path can forget). An
answer holds from the store-local day it was computed through the last day the rules give it
unchanged (rules.answer_lasts_until); a read outside those days, or of a product without an answer
(never touched since the migration, or written behind the session's back), computes it from the
facts, as every read did before.
"""

import json
from collections import defaultdict
from datetime import date
from functools import lru_cache
from types import SimpleNamespace
from typing import NamedTuple

from sqlalchemy.exc import DBAPIError

from ..db import db
from ..models import Product, Shipment, Store
from . import availability as rules
from .products import handling_days_for
from .stores import today_in

CHUNK = 500  # products per refresh query


def item_of(availability):
    """The JSON-ready item the public API answers for an Availability: the AvailabilityOut schema's dump,
    written out because a refresh makes thousands (the schema takes 120 µs an item, this 3 µs;
    tests/test_stored_answers.py holds the two equal)."""
    eta = availability.eta
    return {
        "sku": availability.sku, "platform_id": None, "state": availability.state,
        "purchasable": availability.purchasable, "available_now": availability.available_now,
        "backorder_remaining": availability.backorder_remaining, "eta": eta.isoformat() if eta else None,
        "eta_source": availability.eta_source,
        "incoming": [{"eta": part.eta.isoformat(), "quantity": part.quantity} for part in availability.incoming],
        "message": availability.message, "notify": availability.notify,
    }


# --- computing and writing answers -------------------------------------------------------------

def _chunks(values):
    values = sorted(values)
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def refresh_answers(session, product_ids=(), product_keys=(), whole_stores=()):
    """Compute and store the answers of these products (ids, (store id, sku) pairs, whole stores).

    Returns the ids of the stores they belong to. Written with plain UPDATEs on the transaction's
    connection, so they neither dirty the session nor count as changes themselves.
    """
    connection = session.connection()
    ids = set(product_ids)
    by_store = defaultdict(set)
    for store_id, sku in product_keys:
        by_store[store_id].add(sku)
    for store_id, skus in by_store.items():
        if len(skus) > CHUNK:  # one pass over the store: a bulk insert's rows have no planner statistics yet,
            # and PostgreSQL then matched each chunk's IN list against every row (0.6 s a chunk at 20,000)
            ids.update(product_id for product_id, sku in connection.execute(
                db.select(Product.id, Product.sku).where(Product.store_id == store_id)) if sku in skus)
            continue
        ids.update(connection.execute(db.select(Product.id).where(
            Product.store_id == store_id, Product.sku.in_(list(skus)))).scalars())
    for store_id in whole_stores:  # locked first, as every writer locks a product before changing it
        ids.update(connection.execute(db.select(Product.id).where(Product.store_id == store_id)
                                      .order_by(Product.id).with_for_update()).scalars())
    ids.discard(None)
    stores = {}  # store id -> (its settings, its today), for every product seen
    # Driver SQL: SQLAlchemy's parameter processing took 4 of 7 s to store 20,000 answers. SQLite runs
    # an UPDATE a row in-process; PostgreSQL gets one UPDATE a chunk (500 round trips cost 10 times more).
    postgres = connection.dialect.name == "postgresql"
    update = ("UPDATE product SET answer = v.answer, answer_from = v.answer_from, answer_until = v.answer_until "
              "FROM unnest(%s::text[], %s::date[], %s::date[], %s::int[]) AS v(answer, answer_from, answer_until, id) "
              "WHERE product.id = v.id") if postgres else (
              "UPDATE product SET answer = ?, answer_from = ?, answer_until = ? WHERE id = ?")
    as_date = (lambda day: day) if postgres else str  # SQLite keeps dates as text
    for chunk in _chunks(ids):
        found, shipments = {}, defaultdict(list)
        for store_id, handling_days, timezone, *columns, expected_on, quantity in connection.execute(
                db.select(Product.store_id, Store.handling_days, Store.timezone, *FACTS,
                          Shipment.expected_on, Shipment.quantity)
                .join(Store, Store.id == Product.store_id)
                # the shipments' own IN list lets PostgreSQL use their index even without statistics yet
                # (a bulk insert in this transaction): a join alone scanned every shipment, chunk after chunk
                .outerjoin(Shipment, (Shipment.product_id == Product.id) & (Shipment.status == "planned")
                           & Shipment.product_id.in_(chunk))
                .where(Product.id.in_(chunk))):
            found[columns[0]] = (store_id, Facts(*columns))
            if store_id not in stores:
                store = SimpleNamespace(handling_days=handling_days, timezone=timezone)
                stores[store_id] = (store, today_in(store))
            if expected_on is not None:
                shipments[columns[0]].append((expected_on, quantity))
        changes = []
        for product_id, (store_id, facts) in found.items():
            store, today = stores[store_id]
            planned = shipments[product_id]
            answer = rules.availability_for(facts, planned, today, handling_days_for(facts, store))
            changes.append((json.dumps(item_of(answer)), as_date(today),
                            as_date(rules.answer_lasts_until(facts, planned, today)), product_id))
        if changes and postgres:
            connection.exec_driver_sql(update, tuple(map(list, zip(*changes))))
        elif changes:
            connection.exec_driver_sql(update, changes)
    return set(stores)


def refresh_lapsed_answers():
    """Store today's answer for every product whose stored one is missing or does not hold today; commits.

    Never needed for correct answers (reads compute those), only for fast ones: after the upgrade
    that added stored answers, and daily for products whose answer changes every day (an overdue
    shipment). Returns how many were stored.
    """
    refreshed = 0
    for store in db.session.execute(db.select(Store)).scalars().all():
        today = today_in(store)
        lapsed = db.session.execute(db.select(Product.id).where(
            Product.store_id == store.id,
            db.or_(Product.answer_from.is_(None), Product.answer_from > today, Product.answer_until < today),
        )).scalars().all()
        refresh_answers(db.session, lapsed)
        db.session.commit()
        refreshed += len(lapsed)
    return refreshed


# --- reading answers ---------------------------------------------------------------------------

# What the availability rules read of a product, in this order.
FACTS = (
    Product.id, Product.sku, Product.on_hand, Product.safety_stock, Product.mode, Product.backorder_limit,
    Product.limit_to_incoming, Product.backordered, Product.back_in_stock_date, Product.release_date,
    Product.handling_days, Product.message, Product.platform_id,
)


class Facts(NamedTuple):
    """A product's row as the availability rules read it (hashable, so answers can be remembered)."""

    id: int
    sku: str
    on_hand: int
    safety_stock: int
    mode: str
    backorder_limit: int | None
    limit_to_incoming: bool
    backordered: int
    back_in_stock_date: date | None
    release_date: date | None
    handling_days: int | None
    message: str | None
    platform_id: str | None


def _as_date(value):
    return date.fromisoformat(value) if isinstance(value, str) else value  # SQLite keeps dates as text


@lru_cache(maxsize=1024)
def _read_sql(dialect, sku_count, pid_count):
    """The product-page query for so many skus and platform ids, compiled once: (SQL, defaults, order).

    One row a product whose stored answer holds today; a product without one comes with its
    planned shipments (one row each), so it can be computed. Compiled by SQLAlchemy for the dialect
    in use and run as driver SQL: building and compiling a statement per request costs more than
    running it.
    """
    wanted = []
    if sku_count:
        wanted.append(Product.sku.in_([db.bindparam(f"sku_{n}") for n in range(sku_count)]))
    if pid_count:
        wanted.append(Product.platform_id.in_([db.bindparam(f"pid_{n}") for n in range(pid_count)]))
    today = db.bindparam("today", type_=db.Date)
    holds = (Product.answer_from <= today) & (Product.answer_until >= today)
    lapsed = db.or_(Product.answer_from.is_(None), Product.answer_from > today, Product.answer_until < today)
    statement = (
        db.select(db.case((holds, Product.answer)), *FACTS, Shipment.expected_on, Shipment.quantity)
        .outerjoin(Shipment, (Shipment.product_id == Product.id) & (Shipment.status == "planned") & lapsed)
        .where(Product.store_id == db.bindparam("store_id"), db.or_(*wanted))
    )
    compiled = statement.compile(dialect=dialect)
    return str(compiled), dict(compiled.params), compiled.positiontup


def _fetch(store_id, today, skus, pids=()):
    """Rows of (stored answer or None, *FACTS, expected_on, quantity) for these skus and platform ids."""
    dialect = db.engine.dialect
    postgres = dialect.name == "postgresql"
    sql, defaults, order = _read_sql(dialect, len(skus), len(pids))
    params = {**defaults, "store_id": store_id, "today": today if postgres else today.isoformat(),
              **{f"sku_{n}": sku for n, sku in enumerate(skus)}, **{f"pid_{n}": pid for n, pid in enumerate(pids)}}
    args = tuple(params[name] for name in order) if order else params
    connection = db.engine.raw_connection()  # the plain driver: a third of the time of exec_driver_sql
    cursor = None
    try:
        if postgres:  # one read needs no transaction: this saves the BEGIN and ROLLBACK round trips
            connection.dbapi_connection.autocommit = True
        cursor = connection.cursor()
        cursor.execute(sql, args)
        rows = cursor.fetchall()
        cursor.close()
    except dialect.loaded_dbapi.Error as error:
        if dialect.is_disconnect(error, connection.dbapi_connection, cursor):
            connection.invalidate(error)  # never hand a dead connection to the next request
        # raised as SQLAlchemy would raise it, so a lost database answers 503 like everywhere else
        raise DBAPIError.instance(sql, args, error, dialect.loaded_dbapi.Error) from error
    finally:
        if postgres and connection.is_valid:
            try:  # the pool's next user expects transactions again
                connection.dbapi_connection.autocommit = False
            except dialect.loaded_dbapi.Error:
                connection.invalidate()
        connection.close()
    return rows


def _facts(columns):
    """A row's FACTS columns as Facts, in Python's types: SQLite gives 0/1 and text for bool and date."""
    facts = Facts(*columns)
    return facts._replace(limit_to_incoming=bool(facts.limit_to_incoming),
                          back_in_stock_date=_as_date(facts.back_in_stock_date),
                          release_date=_as_date(facts.release_date))


@lru_cache(maxsize=20_000)
def _loaded(answer):
    """A stored answer as the item it stands for, parsed once per process (callers copy, never change it)."""
    return json.loads(answer)


@lru_cache(maxsize=20_000)
def _computed(facts, shipments, today, handling_days):
    """The item for a product without a stored answer for today, remembered per process by every input."""
    return item_of(rules.availability_for(facts, shipments, today, handling_days))


def answers_for(store, skus, today=None, pids=()):
    """The public API's item for each requested sku, then each platform id, in the order asked.

    Keys the store lacks are untracked (a platform id nobody mapped: sku None). One query, one row
    a product with an answer stored for today; see the module's docstring for the others.
    """
    today = today or today_in(store)
    found, by_pid, shipments = {}, {}, defaultdict(list)
    for answer, *columns, expected_on, quantity in _fetch(store.id, today, skus, pids):
        sku, platform_id = columns[1], columns[12]  # Facts.sku, Facts.platform_id
        found[sku] = answer, columns
        if platform_id is not None:
            by_pid[platform_id] = sku
        if answer is None and expected_on is not None:
            shipments[sku].append((_as_date(expected_on), quantity))

    def item(sku, key):
        if sku not in found:
            return item_of(rules.untracked(key))
        answer, columns = found[sku]
        if answer is not None:  # the common case: no Facts built, no rules run
            return _loaded(answer)
        facts = _facts(columns)
        return _computed(facts, tuple(sorted(shipments[sku])), today, handling_days_for(facts, store))

    return [item(sku, sku) for sku in skus] + [item(by_pid.get(pid), None) for pid in pids]
