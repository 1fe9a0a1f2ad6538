"""The SQLAlchemy object the models and services share, and SQLite's connection settings."""

import logging

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from datetime import datetime, timezone

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import TypeDecorator
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, registry

# Named constraints, so migrations can alter them on SQLite and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A UTC timestamp that reads back timezone-aware on every database (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    # Datetimes are always UTC, stored with their zone on PostgreSQL.
    registry = registry(metadata=MetaData(naming_convention=NAMING), type_annotation_map={datetime: UTCDateTime})


log = logging.getLogger(__name__)


class Database(SQLAlchemy):
    """Flask-SQLAlchemy, whose end-of-request cleanup survives a connection the database dropped meanwhile."""

    def remove_session(self):
        """Close this context's session. A restarted database kills its connections: the closing ROLLBACK then
        fails after the answer was made (and any commit done), so the lost connection is dropped, not raised."""
        try:
            self.session.remove()
        except DBAPIError as error:
            log.warning("database connection lost at the end of a request: %s", str(error).splitlines()[0])
            self.session.registry.clear()

    def _teardown_session(self, exc):
        self.remove_session()


db = Database(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)


@event.listens_for(Engine, "connect")
def _postgres_settings(dbapi_connection, _record):
    """No JIT compilation: it starts only for the costliest queries (the reports), and there it took
    ~100 ms of a 0.8 s query and made the reports 5-15 % slower (docs/benchmarks.md, reports)."""
    if not type(dbapi_connection).__module__.startswith("psycopg"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("SET jit = off")
    cursor.close()
    dbapi_connection.commit()  # a session setting, kept when the pool rolls back later transactions


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """WAL lets readers run beside the one writer; foreign keys are off by default in SQLite."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
