"""What each transaction changes: the products whose stored answers must be computed again, the stores
whose public answers changed.

Session events note every product a transaction touches (its own row after a flush, the product of
a shipment, the rows a bulk UPDATE, DELETE or INSERT names, every product of a store whose handling
days or time zone change); just before COMMIT, answers.refresh_answers stores their new answers in
the same transaction. Every writer already locks a product (products.lock_products) before it
changes the product or its shipments, so two transactions never compute one product's answer from
each other's half.

After COMMIT, the stores it changed are counted in this process (stores.count_changes), so the
per-process caches of stores and public answers know at once that this process changed them.
"""

from typing import NamedTuple

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..db import db
from ..models import Product, Shipment, Store
from .answers import refresh_answers
from .stores import count_changes

_NOTES = "backorder.changes"  # session.info key of what the transaction touched


class _Notes(NamedTuple):
    product_ids: set
    product_keys: set  # (store_id, sku) of products inserted by a bulk INSERT
    whole_stores: set  # stores whose every product needs a new answer (handling days, time zone)
    stores: set  # stores whose public answers changed in any way (for store_generation)


def _notes(session):
    notes = session.info.get(_NOTES)
    if notes is None:
        notes = session.info[_NOTES] = _Notes(set(), set(), set(), set())
    return notes


def _after_flush(session, _context):
    """Note the products and stores this flush wrote (new, changed or deleted objects)."""
    notes = None
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Product):
            notes = notes or _notes(session)
            notes.stores.add(obj.store_id)
            if obj not in session.deleted:
                notes.product_ids.add(obj.id)
        elif isinstance(obj, Shipment):
            notes = notes or _notes(session)
            notes.product_ids.add(obj.product_id if obj.product_id is not None else obj.product.id)
        elif isinstance(obj, Store) and obj not in session.new:
            notes = notes or _notes(session)
            notes.stores.add(obj.id)  # widget settings ride along with every public answer
            state = db.inspect(obj)
            if state.attrs.handling_days.history.has_changes() or state.attrs.timezone.history.has_changes():
                notes.whole_stores.add(obj.id)


def _before_execute(state):
    """Note the products a bulk statement on products or shipments is about to write."""
    statement = state.statement
    if not (state.is_update or state.is_delete or state.is_insert) or state.execution_options.get("no_answer_change"):
        return
    table = getattr(getattr(statement, "table", None), "name", None)  # an ORM statement's table is annotated
    if table not in ("product", "shipment"):
        return
    notes = _notes(state.session)
    if state.is_insert:
        rows = state.parameters if isinstance(state.parameters, list) else [state.parameters or {}]
        if getattr(statement, "select", None) is not None or not all(rows):
            raise NotImplementedError("INSERT … SELECT into products or shipments: the stored answers "
                                      "cannot tell which products it touches (services/answers.py)")
        if table == "product":
            notes.product_keys.update((row["store_id"], row["sku"]) for row in rows)
        else:
            notes.product_ids.update(row["product_id"] for row in rows)
        return
    if table == "product":
        found = db.select(Product.id, Product.store_id)
    else:
        found = db.select(Shipment.product_id, Product.store_id).join(Product, Product.id == Shipment.product_id)
    if statement.whereclause is not None:
        found = found.where(statement.whereclause)
    for product_id, store_id in state.session.execute(found, execution_options={"no_answer_change": True}):
        notes.product_ids.add(product_id)
        notes.stores.add(store_id)


def _before_commit(session):
    """Compute and write the answers of everything the transaction touched, before it commits."""
    session.flush()  # the last changes, noted by _after_flush
    if _NOTES not in session.info:
        return
    notes = session.info[_NOTES]
    notes.stores.update(refresh_answers(session, notes.product_ids, notes.product_keys, notes.whole_stores))


def _after_commit(session):
    notes = session.info.pop(_NOTES, None)
    if notes is not None and notes.stores:
        count_changes(notes.stores)


def _after_rollback(session):
    session.info.pop(_NOTES, None)


def init_app(app):
    """Listen to every session of the process (once, however many apps are built)."""
    for name, listener in (("after_flush", _after_flush), ("do_orm_execute", _before_execute),
                           ("before_commit", _before_commit), ("after_commit", _after_commit),
                           ("after_rollback", _after_rollback)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)

