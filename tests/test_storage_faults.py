"""SQLite out of room, read-only or gone: a clear JSON error naming the problem, a CLI message, a database left whole.

The disk is made full with SQLite's own `PRAGMA max_page_count` on every connection (the file may not
grow: SQLITE_FULL, as on a full disk); read-only is the file opened with `mode=ro` (what a read-only
mount or a file the server's user cannot write gives: SQLITE_READONLY). benchmarks/faults.py `disk`
does the same on a real full filesystem and a read-only bind mount.
"""

import os
import sqlite3

import pytest
from sqlalchemy import event

from backorder.db import db
from conftest import POSTGRES_URL, make_app
from test_cli import backorder

pytestmark = pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite's own files: PostgreSQL keeps its own")


@pytest.fixture
def shop_file(app, store, client, tmp_path):
    """A copy of the test database holding `store` with one product, A (on hand 7): its path."""
    assert client.put("/api/v1/admin/products/A", json={"on_hand": 7}, headers=store.headers).status_code == 201
    path = tmp_path / "shop.sqlite"
    with sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")) as source, \
            sqlite3.connect(path) as copy:
        source.backup(copy)
    copy.execute("VACUUM")  # no free pages left over from earlier tests: a full file is full
    copy.close()
    return path


def full_disk_app(path):
    """The app on `path`, which may not grow by a single page."""
    full = make_app(f"sqlite:///{path}")
    with full.app_context():
        @event.listens_for(db.engine, "connect")
        def no_room(connection, _record):
            pages = connection.execute("PRAGMA page_count").fetchone()[0]
            connection.execute(f"PRAGMA max_page_count={pages}")
    return full


def still_whole(path):
    """(PRAGMA integrity_check, the skus saved) of the file, read without the app."""
    with sqlite3.connect(path) as connection:
        check = connection.execute("PRAGMA integrity_check").fetchone()[0]
        skus = [sku for (sku,) in connection.execute("SELECT sku FROM product ORDER BY sku")]
    connection.close()
    return check, skus


def test_full_disk_answers_507_naming_it_and_keeps_what_was_saved(shop_file, store):
    many = [{"sku": f"BIG-{n:04d}", "name": "x" * 200, "on_hand": 1} for n in range(500)]
    answer = full_disk_app(shop_file).test_client().put("/api/v1/admin/products", json=many, headers=store.headers)
    assert answer.status_code == 507
    assert answer.get_json()["error"]["code"] == "storage_full"
    assert "disk is full" in answer.get_json()["error"]["message"]
    assert still_whole(shop_file) == ("ok", ["A"])  # all or nothing: none of the 500, A untouched


def test_read_only_database_refuses_writes_with_503_naming_it_and_still_serves_reads(shop_file, store):
    client = make_app(f"sqlite:///file:{shop_file}?mode=ro&uri=true").test_client()
    answer = client.put("/api/v1/admin/products/B", json={"on_hand": 1}, headers=store.headers)
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    assert answer.get_json()["error"]["code"] == "read_only"
    assert "read-only" in answer.get_json()["error"]["message"]
    assert client.get("/api/v1/admin/products/A", headers=store.headers).get_json()["on_hand"] == 7
    assert still_whole(shop_file) == ("ok", ["A"])


def test_cli_import_into_a_read_only_database_says_so_without_a_traceback(shop_file, store, tmp_path):
    (tmp_path / "stock.csv").write_text("sku,on_hand\nB,3\n")
    env = {"PATH": os.defpath, "HOME": str(tmp_path), "BACKORDER_SECRET_KEY": "test-secret",
           "BACKORDER_DATABASE_URL": f"sqlite:///file:{shop_file}?mode=ro&uri=true"}
    result = backorder("import", "stock.csv", "--store", store.public_key, env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "The database is read-only" in result.stderr and "Traceback" not in result.stderr
    assert still_whole(shop_file) == ("ok", ["A"])


def test_a_database_file_that_cannot_be_opened_answers_503_even_on_the_raw_read_path(shop_file, store, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    shop_file.rename(folder / "shop.sqlite")
    app = make_app(f"sqlite:///{folder}/shop.sqlite")
    client = app.test_client()
    url = f"/api/v1/stores/{store.public_key}/availability?sku=A"
    assert client.get(url).status_code == 200  # the store is now cached: the next read goes straight to products
    with app.app_context():
        db.engine.dispose()
    folder.rename(tmp_path / "unmounted")  # a new connection cannot open the file: the driver's own error
    answer = client.get(url + "&sku=B")  # another question: the same one is answered from memory (recent.py)
    assert answer.status_code == 503 and answer.get_json()["error"]["code"] == "unavailable"
