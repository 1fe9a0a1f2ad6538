"""CSV import benchmark: how long `services.imports.import_products` takes for a file of N rows.

    .venv/bin/python benchmarks/import_csv.py                    # SQLite, 1,000 and 10,000 rows
    .venv/bin/python benchmarks/import_csv.py --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Each size gets a fresh database (SQLite: a temp file; PostgreSQL: its own schema `import_bench`,
dropped afterwards) and a file of N products with the columns a merchant typically fills (sku,
name, price, on_hand, safety_stock, mode, backorder_limit, back_in_stock_date, handling_days,
message, url). Measured, best of --repeat runs: reading and checking the rows (the schema, row by
row), then the import of N new products, then importing the same file again (N updates). Exits 0:
it measures, it does not judge. Results: docs/admin.md, "Import".
"""

import argparse
import csv
import io
import json
import os
import sys
import tempfile
import time

import sqlalchemy as sa

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "server"))

from flask_migrate import upgrade  # noqa: E402

from backorder import create_app  # noqa: E402
from backorder.db import db  # noqa: E402
from backorder.services import imports, stores  # noqa: E402

SCHEMA = "import_bench"


def products_csv(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["sku", "name", "price", "on_hand", "safety_stock", "mode", "backorder_limit",
                     "back_in_stock_date", "handling_days", "message", "url"])
    for n in range(rows):
        writer.writerow([f"SKU-{n:06}", f"Product number {n}", "12.50", n % 5, 1, "backorder", 50, "2099-01-15", 2,
                         "Back from the workshop in January.", f"https://shop.example.com/products/{n}"])
    return out.getvalue()


def timed(function):
    """(wall seconds, this process's CPU seconds): on a busy machine the second is the steadier figure
    (on SQLite it is all the work; PostgreSQL's own work is in its server process)."""
    started, cpu = time.perf_counter(), time.process_time()
    function()
    return time.perf_counter() - started, time.process_time() - cpu


def run(url, rows, repeat):
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": url, "LOG_LEVEL": "WARNING"})
    text = products_csv(rows)
    with app.app_context():
        upgrade()
        check = min(timed(lambda: imports.read_products_csv(text)) for _ in range(repeat))
        new, update = [], []
        for attempt in range(repeat):
            store, _ = stores.create_store(f"Bench {attempt}", ["https://shop.example.com"])
            new.append(timed(lambda: imports.import_products(store, text)))
            update.append(timed(lambda: imports.import_products(store, text)))
        db.engine.dispose()
    return {"rows": rows, "bytes": len(text.encode()), "check": check, "new": min(new), "update": min(update)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--postgres-url", help="also run on this PostgreSQL server, in schema " + SCHEMA)
    parser.add_argument("--json", help="also write the results here (seconds as [wall, CPU] pairs)")
    args = parser.parse_args()
    targets, results = [], []
    with tempfile.TemporaryDirectory() as folder:
        for size in map(int, args.sizes.split(",")):
            targets.append(("sqlite", size, f"sqlite:///{folder}/bench-{size}.sqlite"))
        if args.postgres_url:
            for size in map(int, args.sizes.split(",")):
                targets.append(("postgresql", size, args.postgres_url))
        print("seconds as wall / CPU of this process")
        print(f"{'database':<11} {'rows':>7} {'MB':>5} {'check':>12} {'new':>12} {'update':>12}")
        for name, size, url in targets:
            if name == "postgresql":
                engine = sa.create_engine(url)
                with engine.begin() as connection:
                    connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}"))
                separator = "&" if "?" in url else "?"
                url = f"{url}{separator}options=-csearch_path%3D{SCHEMA}"
            found = run(url, size, args.repeat)
            results.append({"database": name, **found})
            timings = (found["check"], found["new"], found["update"])
            cells = " ".join(f"{wall:>6.2f}/{cpu:<5.2f}" for wall, cpu in timings)
            print(f"{name:<11} {size:>7} {found['bytes'] / 1e6:>5.1f} {cells}", flush=True)
            if name == "postgresql":
                with engine.begin() as connection:
                    connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
                engine.dispose()
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"repeat": args.repeat, "results": results}, out, indent=1)


if __name__ == "__main__":
    main()
