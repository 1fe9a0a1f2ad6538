"""A PostgreSQL restart kills every connection, also one whose request has done its work: its answer still stands.

Only this test's own server process is terminated (pg_terminate_backend), never the cluster:
benchmarks/faults.py `db-restart` restarts a cluster of its own under load.
"""

import pytest
import sqlalchemy as sa

from backorder.db import db
from conftest import POSTGRES_URL, make_app

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL (set BACKORDER_TEST_DATABASE_URL)")


def test_connection_killed_after_a_write_keeps_its_201_and_the_write(app, store, database_url):
    restarted = make_app(database_url)

    @restarted.after_request
    def database_restarts(response):  # the answer is made, the session's connection is still open
        pid = db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        with db.engine.connect() as other:
            other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return response

    answer = restarted.test_client().put("/api/v1/admin/products/LAMP", json={"on_hand": 4}, headers=store.headers)
    assert answer.status_code == 201
    with app.app_context():
        assert db.session.execute(sa.text("SELECT on_hand FROM product WHERE sku = 'LAMP'")).scalar_one() == 4
    with restarted.app_context():
        db.engine.dispose()
