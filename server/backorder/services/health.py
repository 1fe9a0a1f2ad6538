"""Whether this process can serve: the database answers, and carries the schema this code needs."""

from functools import lru_cache

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from ..db import db
from .errors import Unavailable


@lru_cache(maxsize=4)
def newest_revision(migrations_directory):
    """The migration this code expects the database to be at (read from the package, once)."""
    return ScriptDirectory(migrations_directory).get_current_head()


def check(migrations_directory):
    """{"status", "database", "schema"} when the database answers at the newest revision.

    A database that cannot be reached raises SQLAlchemy's OperationalError (503 like every
    request); one that answers at an older revision raises Unavailable, naming both revisions.
    """
    needed = newest_revision(migrations_directory)
    with db.engine.connect() as connection:
        try:
            found = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        except sa.exc.ProgrammingError:  # no alembic_version table: never migrated
            found = None
        except sa.exc.OperationalError as error:
            if "no such table" not in str(error):  # SQLite's word for the same; anything else is an outage
                raise
            found = None
    if found != needed:
        raise Unavailable(f"The database schema is at {found or 'nothing'}; this code needs {needed}: "
                          "run `backorder db upgrade`", database_revision=found, code_revision=needed)
    return {"status": "ok", "database": "ok", "schema": found}
