"""schemathesis at length: every operation of /api/v1/openapi.json fed thousands of generated requests.

    .venv/bin/python benchmarks/fuzz_api.py                        # SQLite, 200 cases per operation and mode
    .venv/bin/python benchmarks/fuzz_api.py --examples 50 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

The same run as tests/test_api_fuzz.py (tests/fuzzing.py: in-process through the WSGI app, the store's
token, seeded ids, positive and negative cases; checks: no 5xx, documented status code, content type
and body schema), but random (a new seed each run), long, and going on past a failure so one run lists
them all. One database for the whole run (SQLite: a temp file; PostgreSQL: its own schema, dropped
after), so later operations meet what earlier ones wrote. BigCommerce calls go to a local stand-in.
Prints one line per operation and a total; exits 1 if any operation failed. Results: docs/security.md.
"""

import argparse
import os
import sys
import tempfile
import time
import traceback
from types import SimpleNamespace

import sqlalchemy as sa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "server"), os.path.join(ROOT, "tests")]

from flask_migrate import upgrade  # noqa: E402

from backorder import create_app  # noqa: E402
from backorder.services import stores  # noqa: E402
from fuzzing import fuzz, operations, seed  # noqa: E402
from platform_server import serving_fake_platforms  # noqa: E402

SCHEMA = "fuzz_bench"


def database(url):
    """(database URL for the app, cleanup): a temp SQLite file, or a fresh schema on PostgreSQL."""
    if not url:
        return "sqlite:///" + os.path.join(tempfile.mkdtemp(), "fuzz.sqlite"), lambda: None
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}"))

    def drop():
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        engine.dispose()

    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{SCHEMA}", drop


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200, help="cases per operation and generation mode")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a temp SQLite file)")
    parser.add_argument("--only", help="run the operations whose path contains this text")
    args = parser.parse_args()
    url, cleanup = database(args.database_url)
    app = create_app({"TESTING": True, "SECRET_KEY": "fuzz", "DATABASE_URL": url, "PASSWORD_HASH_FAST": True,
                      "SIGNUP_LIMIT_IP": "100000/second", "SIGNUP_LIMIT_EMAIL": "100000/second"})
    failed, total, started = [], 0, time.perf_counter()
    try:
        with app.app_context():
            upgrade()
            created, token = stores.create_store("Fuzz Shop", ["https://shop.example.com"])
            store = SimpleNamespace(public_key=created.public_key, id=created.id,
                                    headers={"Authorization": f"Bearer {token}"})
        with serving_fake_platforms() as platforms:
            seeded = seed(app, store, platforms.url)
            for method, path in operations(app):
                if args.only and args.only not in path:
                    continue
                began = time.perf_counter()
                try:
                    cases = fuzz(app, method, path, store.headers, seeded, args.examples)
                    outcome = "ok"
                except Exception as error:  # noqa: BLE001 (a failure is reported, and the run goes on)
                    cases, outcome = 0, "FAILED"
                    failed.append((method, path, "".join(traceback.format_exception_only(error))[-3000:]))
                total += cases
                print(f"{method:7} {path:60} {cases:6} cases {time.perf_counter() - began:7.1f} s  {outcome}",
                      flush=True)
    finally:
        cleanup()
    dialect = "PostgreSQL" if args.database_url else "SQLite"
    print(f"\n{total} cases over {len(operations(app))} operations on {dialect} in "
          f"{time.perf_counter() - started:.0f} s; {len(failed)} operations failed")
    for method, path, report in failed:
        print(f"\n== {method} {path}\n{report}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
