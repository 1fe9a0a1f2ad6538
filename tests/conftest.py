"""Fixtures: one migrated database per run (SQLite, or PostgreSQL when asked), emptied before each test."""

import os
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from backorder import create_app, init_process_state
from backorder.db import db
from backorder.models import Store
from backorder.services import products, stores, users

pytest_plugins = ["smtp_mailbox"]

POSTGRES_URL = os.environ.get("BACKORDER_TEST_DATABASE_URL")


def pytest_report_header(config):
    if POSTGRES_URL:
        return f"database: PostgreSQL at {sa.make_url(POSTGRES_URL).render_as_string(hide_password=True)}"
    return "database: SQLite (set BACKORDER_TEST_DATABASE_URL to also run on PostgreSQL)"


def _postgres_problem(url):
    """Why this PostgreSQL cannot be used, or None when it can."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as error:  # any failure means: skip the run, loudly
        return f"{type(error).__name__}: {str(error).splitlines()[0]}"
    finally:
        engine.dispose()
    return None


def make_app(database_url, **settings):
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database_url,
                       "PASSWORD_HASH_FAST": True, **settings})


def _own_schema(url):
    """A PostgreSQL schema of this run's own, so parallel runs on one database never collide."""
    schema = f"test_run_{os.getpid()}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    separator = "&" if "?" in url else "?"
    return schema, f"{url}{separator}options=-csearch_path%3D{schema}"


def _drop_schema(url, schema):
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A database migrated to the newest revision, shared by the run and emptied before each test."""
    schema = None
    if POSTGRES_URL:
        problem = _postgres_problem(POSTGRES_URL)
        if problem:
            pytest.skip(f"PostgreSQL run SKIPPED: cannot connect to BACKORDER_TEST_DATABASE_URL ({problem})")
        schema, url = _own_schema(POSTGRES_URL)
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")
    app = make_app(url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield url
    if schema:
        _drop_schema(POSTGRES_URL, schema)


def _empty_tables():
    """Delete every row a test left, children first, and restart the id sequences it moved.

    On PostgreSQL only the tables holding rows are touched: TRUNCATE gives every table and index a
    new file (and CASCADE from `store` reaches them all), about 80 ms a test; this is a few ms."""
    tables = [table.name for table in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            holding = " UNION ALL ".join(f"(SELECT '{table}' FROM {table} LIMIT 1)" for table in tables)
            used = {name for (name,) in connection.execute(sa.text(holding))}
            for table in tables:
                if table in used:
                    connection.execute(sa.text(f"DELETE FROM {table}"))
            connection.execute(sa.text(
                "SELECT setval(format('%I', sequencename)::regclass, 1, false) FROM pg_sequences"
                " WHERE schemaname = current_schema() AND last_value IS NOT NULL"))
        else:
            for table in tables:
                connection.execute(sa.text(f"DELETE FROM {table}"))


@pytest.fixture(scope="session")
def shared_app(database_url):
    """One app for the whole run: building one costs about 0.1 s (Werkzeug compiles every URL rule),
    and a thousand tests on two databases would spend minutes on it. `app` resets it per test."""
    return make_app(database_url)


@pytest.fixture
def app(shared_app):
    """The app on empty tables, with fresh per-process state; settings a test changes are put back after it."""
    app = shared_app
    settings = dict(app.config)
    init_process_state(app)
    with app.app_context():
        _empty_tables()
    yield app
    app.config.clear()
    app.config.update(settings)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def store(app):
    """A store with a storefront origin, as SimpleNamespace(id, public_key, token, headers, origin)."""
    with app.app_context():
        created, token = stores.create_store("Test Shop", ["https://shop.example.com"])
        return SimpleNamespace(
            id=created.id, public_key=created.public_key, token=token, origin="https://shop.example.com",
            headers={"Authorization": f"Bearer {token}"},
        )


@pytest.fixture
def make_product(app, store):
    """make_product(sku, **fields): create a product in `store` through the service, return its sku."""

    def make(sku="SKU-1", **fields):
        with app.app_context():
            products.upsert_product(db.session.get(Store, store.id), sku, fields)
        return sku

    return make


class AdminClient:
    """A browser-like client for the admin pages: log in once, and every post carries the CSRF token."""

    def __init__(self, client):
        self.client = client
        self.csrf = None

    def login(self, email, password):
        self.client.get("/admin/login")
        with self.client.session_transaction() as session:
            token = session.get("csrf")
        answer = self.client.post("/admin/login", data={"email": email, "password": password, "csrf_token": token})
        with self.client.session_transaction() as session:  # logging in starts a new session, with a new token
            self.csrf = session.setdefault("csrf", "csrf-" + email)
        return answer

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url, data=None, **kwargs):
        data = {"csrf_token": self.csrf, **(data or {})}
        return self.client.post(url, data=data, **kwargs)


ADMIN_PASSWORD = "correct horse battery"


@pytest.fixture
def admin_user(app, store):
    """owner@example.com, who manages `store`, as SimpleNamespace(email, password)."""
    with app.app_context():
        users.create_user(db.session.get(Store, store.id), "owner@example.com", ADMIN_PASSWORD)
    return SimpleNamespace(email="owner@example.com", password=ADMIN_PASSWORD)


@pytest.fixture
def admin(client, admin_user):
    """An AdminClient logged in as the owner of `store`."""
    browser = AdminClient(client)
    answer = browser.login(admin_user.email, admin_user.password)
    assert answer.status_code == 302, answer.text
    return browser


@pytest.fixture
def other_store(app):
    """A second tenant with its own owner: other@example.com (same password), for isolation tests."""
    with app.app_context():
        created, token = stores.create_store("Other Shop", ["https://other.example.com"])
        users.create_user(created, "other@example.com", ADMIN_PASSWORD)
        return SimpleNamespace(id=created.id, public_key=created.public_key, token=token,
                               headers={"Authorization": f"Bearer {token}"})
