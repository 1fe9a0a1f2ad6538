"""Reports at scale: seed one store with 100,000 products, 1,000,000 sign-ups and 1,000,000 events, then time every report.

    .venv/bin/python benchmarks/reports.py                      # SQLite, then PostgreSQL if reachable
    .venv/bin/python benchmarks/reports.py --sqlite-only --scale 0.1 --json benchmarks/results/reports.json

For SQLite (a fresh file) and PostgreSQL (a fresh database `backorder_reports_bench` on the server of
--postgres-url, dropped at the end; skipped with a message when unreachable), it migrates with
`backorder db upgrade`, bulk-inserts a year of history for one store in Europe/Berlin, runs ANALYZE,
and then calls each report through the admin API in this process (Flask's test client: the query,
the shaping and the JSON or CSV bytes) three times, printing the median. The history, for --scale 1:

- 100,000 products (7 in 10 backorder, preorder or notify-only; 50 suppliers, a minimum order on 1 in 3),
  30,000 planned shipments;
- 1,000,000 sign-ups over 365 days (10 % never confirmed, 40 % waiting, 45 % emailed, 5 % unsubscribed);
- 1,000,000 events: 450,000 restock emails (sent, failed or suppressed; 1 in 5 clicked), 550,000
  confirmation emails, plus 1,000,000 product-page view rollups (a product's views on one day);
- 150,000 orders with backordered units (the last 60 days' still open), 22,500 attributed conversions.

It exits 0 whatever the timings; the issue's target is under 2 s per report. Results: docs/benchmarks.md.
"""

import argparse
import json
import os
import platform
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

try:
    import sqlalchemy as sa
except ImportError:
    sys.exit("Run it with the project venv (make install): .venv/bin/python benchmarks/reports.py")

from availability import postgres_admin, postgres_database  # noqa: E402 (the script's folder is on sys.path)

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BENCH_DB = "backorder_reports_bench"
CHUNK = 10_000
DAY = timedelta(days=1)
CASES = [  # (label, path after /api/v1/admin/reports/)
    ("demand, top 100", "demand"),
    ("demand, CSV of all", "demand?format=csv"),
    ("suppliers", "suppliers"),
    ("purchase list, one supplier CSV", "purchase-list?supplier=Supplier%2003&format=csv"),
    ("funnel by product, 30 days", "funnel"),
    ("funnel by product, 90 days", "funnel?days=90"),
    ("funnel by day, 90 days", "funnel?by=day&days=90"),
    ("backorders, 90 days", "backorders?days=90"),
    ("email health, 90 days", "email?days=90"),
    ("activity (chart), 90 days", "activity?days=90"),
    ("activity (chart), 365 days", "activity?days=365"),
]


def insert(connection, table, rows):
    """Insert rows in chunks; returns how many."""
    count = 0
    for start in range(0, len(rows), CHUNK):
        connection.execute(table.insert(), rows[start:start + CHUNK])
        count += len(rows[start:start + CHUNK])
    return count


def seed(app, scale, rng):
    """Bulk-insert the history; returns (store, api token, {table: rows})."""
    from backorder.db import db
    from backorder.models import (Backorder, Conversion, Message, Order, OrderLine, Product, ProductViewDay, Shipment,
                                  Subscription)
    from backorder.services import stores

    n_products, n_signups, n_views = int(100_000 * scale), int(1_000_000 * scale), int(1_000_000 * scale)
    counts = {}
    with app.app_context():
        store, token = stores.create_store("Reports bench", ["https://shop.example.com"], timezone="Europe/Berlin")
        now = datetime.now(timezone.utc)
        today = stores.today_in(store)
        with db.engine.begin() as connection:
            products = []
            for i in range(n_products):
                kind = i % 10
                mode = "backorder" if kind < 5 else "preorder" if kind == 5 else "notify" if kind < 7 else "backorder"
                products.append(dict(
                    store_id=store.id, sku=f"SKU-{i:06d}", name=f"Product {i}", price=f"{10 + i % 90}.00",
                    on_hand=0 if kind < 7 else 5 + i % 20, safety_stock=0, mode=mode, backordered=0,
                    limit_to_incoming=False, supplier=f"Supplier {i % 50:02d}",
                    min_order_quantity=(10 + i % 20) if i % 3 == 0 else None,
                    release_date=today + timedelta(days=60) if mode == "preorder" else None))
            counts["product"] = insert(connection, Product.__table__, products)
            ids = connection.execute(sa.select(Product.id).where(Product.store_id == store.id)
                                     .order_by(Product.id)).scalars().all()
            waiting_ids = [pid for n, pid in enumerate(ids) if n % 10 < 7]
            counts["shipment"] = insert(connection, Shipment.__table__, [
                dict(product_id=rng.choice(waiting_ids), quantity=rng.randint(5, 50), received_quantity=0,
                     expected_on=today + timedelta(days=rng.randint(3, 60)), status="planned", created_at=now)
                for _ in range(int(30_000 * scale))])

            signups, emails, notified = [], [], []
            for n in range(n_signups):
                created = now - timedelta(seconds=rng.randint(0, 365 * 86400))
                roll = rng.random()
                status = "pending" if roll < 0.10 else "active" if roll < 0.50 else "notified" if roll < 0.95 \
                    else "unsubscribed"
                signups.append(dict(
                    store_id=store.id, product_id=rng.choice(waiting_ids), email=f"s{n}@example.com",
                    email_hash=f"{n:064x}", locale="en", quantity=1 + (n % 7 == 0), status=status,
                    consent_version=1, created_at=created,
                    confirmed_at=None if status == "pending" else created + timedelta(hours=1),
                    notified_at=created + timedelta(days=5) if status == "notified" else None))
            counts["subscription"] = insert(connection, Subscription.__table__, signups)
            sub_ids = connection.execute(sa.select(Subscription.id).where(Subscription.store_id == store.id)
                                         .order_by(Subscription.id)).scalars().all()
            for sub_id, row in zip(sub_ids, signups):
                if row["status"] == "notified":
                    roll = rng.random()
                    status = "sent" if roll < 0.95 else "failed" if roll < 0.98 else "skipped"
                    sent = row["notified_at"]
                    emails.append(dict(
                        store_id=store.id, kind="restock", recipient=row["email"], email_hash=row["email_hash"],
                        locale="en", subscription_id=sub_id, product_id=row["product_id"], status=status,
                        reason=None if status == "sent" else "550 no such user" if status == "failed" else "suppressed",
                        attempts=1, due_at=sent, created_at=sent, sent_at=sent if status == "sent" else None,
                        clicked_at=sent + timedelta(hours=2) if status == "sent" and rng.random() < 0.2 else None,
                        payload={}))
                    if status == "sent":
                        notified.append((sub_id, row))
                else:
                    emails.append(dict(
                        store_id=store.id, kind="confirm", recipient=row["email"], email_hash=row["email_hash"],
                        locale="en", subscription_id=sub_id, product_id=row["product_id"], status="sent",
                        reason=None, attempts=1, due_at=row["created_at"], created_at=row["created_at"],
                        sent_at=row["created_at"], clicked_at=None, payload={}))
            counts["message"] = insert(connection, Message.__table__, emails)
            del signups, emails

            views = {}
            while len(views) < n_views:
                views[(rng.choice(waiting_ids), today - rng.randint(0, 364) * DAY)] = rng.randint(1, 40)
            counts["product_view_day"] = insert(connection, ProductViewDay.__table__, [
                dict(product_id=pid, day=day, store_id=store.id, views=count) for (pid, day), count in views.items()])
            del views

            # Orders: backordered lines over the year (the last 60 days' still open), then the conversions' orders.
            conversions = rng.sample(notified, int(len(notified) * 0.05))
            n_orders = int(150_000 * scale)
            orders = [dict(store_id=store.id, order_ref=f"B{n}", email=f"b{n}@example.com",
                           created_at=now - timedelta(seconds=rng.randint(0, 365 * 86400))) for n in range(n_orders)]
            orders += [dict(store_id=store.id, order_ref=f"C{n}", email=row["email"],
                            created_at=row["notified_at"] + timedelta(days=rng.random() * 6))
                       for n, (_, row) in enumerate(conversions)]
            counts["sales_order"] = insert(connection, Order.__table__, orders)
            order_ids = connection.execute(sa.select(Order.id).where(Order.store_id == store.id)
                                           .order_by(Order.id)).scalars().all()
            lines = []
            for n, (order_id, order) in enumerate(zip(order_ids, orders)):
                product_id = conversions[n - n_orders][1]["product_id"] if n >= n_orders else rng.choice(waiting_ids)
                backordered = rng.randint(1, 3) if n < n_orders else 0
                lines.append(dict(order_id=order_id, product_id=product_id, quantity=max(1, backordered),
                                  ship_now=0 if backordered else 1, backordered=backordered, unit_price="29.00",
                                  eta=(order["created_at"] + timedelta(days=14)).date(), eta_source="shipment"))
            counts["order_line"] = insert(connection, OrderLine.__table__, lines)
            line_ids = connection.execute(sa.select(OrderLine.id).join(Order).where(Order.store_id == store.id)
                                          .order_by(OrderLine.id)).scalars().all()
            backorders, open_units = [], {}
            for line_id, line, order in zip(line_ids[:n_orders], lines, orders):
                is_open = order["created_at"] > now - timedelta(days=60)
                backorders.append(dict(
                    product_id=line["product_id"], order_line_id=line_id, quantity=line["backordered"],
                    allocated_quantity=0 if is_open else line["backordered"],
                    status="open" if is_open else "allocated", created_at=order["created_at"],
                    allocated_at=None if is_open else order["created_at"] + timedelta(days=rng.randint(5, 25))))
                if is_open:
                    open_units[line["product_id"]] = open_units.get(line["product_id"], 0) + line["backordered"]
            counts["backorder"] = insert(connection, Backorder.__table__, backorders)
            for start in range(0, len(open_units), CHUNK):
                connection.execute(sa.update(Product).where(Product.id == sa.bindparam("pid"))
                                   .values(backordered=sa.bindparam("units")),
                                   [dict(pid=pid, units=units) for pid, units in list(open_units.items())[start:start + CHUNK]])
            counts["conversion"] = insert(connection, Conversion.__table__, [
                dict(store_id=store.id, product_id=row["product_id"], order_line_id=line_id, subscription_id=sub_id,
                     units=1, revenue="29.00", via="window", created_at=orders[n_orders + n]["created_at"])
                for n, ((sub_id, row), line_id) in enumerate(zip(conversions, line_ids[n_orders:]))])
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE" if connection.dialect.name == "postgresql" else "ANALYZE"))
        db.engine.dispose()
        return store.public_key, token, counts


def period_query(path, today):
    """Turn the cases' days=N into the report's start/end."""
    if "days=" not in path:
        return path
    base, _, query = path.partition("?")
    params = dict(part.split("=") for part in query.split("&"))
    days = int(params.pop("days"))
    params.update(start=(today - timedelta(days=days - 1)).isoformat(), end=today.isoformat())
    return base + "?" + "&".join(f"{key}={value}" for key, value in params.items())


def time_reports(app, token, repeat):
    """[{case, median_s, runs, bytes, rows}] for every case, through the admin API."""
    from backorder.db import db
    from backorder.models import Store
    from backorder.services import stores

    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    with app.app_context():
        today = stores.today_in(db.session.execute(sa.select(Store)).scalars().first())
    results = []
    for label, path in CASES:
        url = "/api/v1/admin/reports/" + period_query(path, today)
        runs, firsts = [], []
        for _ in range(repeat):
            started = time.perf_counter()
            answer = client.get(url, headers=headers)  # the view has run and the first chunk is out
            firsts.append(time.perf_counter() - started)
            body = answer.get_data()  # a CSV streams: the time includes every row
            runs.append(time.perf_counter() - started)
            assert answer.status_code == 200, (url, answer.status_code, body[:300])
        rows = body.count(b"\n") - 1 if "format=csv" in path else len(json.loads(body)["items"])
        results.append(dict(case=label, url=url, median_s=statistics.median(runs), runs=runs, bytes=len(body), rows=rows,
                            first_chunk_s=statistics.median(firsts)))
        first = f", first bytes after {statistics.median(firsts):.3f} s" if "format=csv" in path else ""
        print(f"  {label:<34} {statistics.median(runs):6.3f} s  (runs {', '.join(f'{r:.3f}' for r in runs)}; "
              f"{rows:,} rows, {len(body):,} bytes{first})", flush=True)
    return results


def run(label, url, args, tmp, seeded_already=False):
    env = dict(os.environ, BACKORDER_DATABASE_URL=url, BACKORDER_SECRET_KEY=secrets.token_urlsafe(32),
               BACKORDER_INSTANCE_PATH=tempfile.mkdtemp(dir=tmp), BACKORDER_LOG_LEVEL="WARNING")
    from backorder import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(32), "LOG_LEVEL": "WARNING",
                      "VIEW_FLUSH_SECONDS": 0})
    if seeded_already:  # a database kept by --keep-sqlite: time it again (after code changes) without seeding
        from backorder.db import db
        from backorder.models import Store
        from backorder.services.stores import rotate_api_token

        with app.app_context():
            token = rotate_api_token(db.session.execute(sa.select(Store)).scalars().first())
        counts, seeded = {}, 0
    else:
        print(f"\n== {label}: migrate and seed (scale {args.scale})", flush=True)
        subprocess.run([str(BIN / "backorder"), "db", "upgrade"], env=env, check=True, capture_output=True)
        started = time.monotonic()
        _key, token, counts = seed(app, args.scale, random.Random(7))
        seeded = time.monotonic() - started
        print("  seeded " + ", ".join(f"{count:,} {table}" for table, count in counts.items()) + f" in {seeded:.0f} s")
    print(f"\n== {label}: reports (median of {args.repeat})", flush=True)
    results = time_reports(app, token, args.repeat)
    with app.app_context():
        from backorder.db import db
        db.engine.dispose()
    return dict(database=label, seed_s=seeded, counts=counts, results=results)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 100,000 products, 1,000,000 sign-ups…")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true")
    parser.add_argument("--postgres-url", default=os.environ.get("BACKORDER_BENCH_DATABASE_URL", DEFAULT_PG))
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--keep-sqlite", type=Path, help="seed the SQLite database at this path and keep it")
    parser.add_argument("--reuse-sqlite", type=Path, help="time the reports on a database kept by --keep-sqlite")
    parser.add_argument("--keep-postgres", action="store_true",
                        help=f"keep the PostgreSQL database ({BENCH_DB}) for --reuse-postgres or EXPLAIN")
    parser.add_argument("--reuse-postgres", action="store_true", help="time the reports on the kept one, unseeded")
    args = parser.parse_args()
    revision = subprocess.run(["git", "-C", str(HERE), "describe", "--always", "--dirty"],
                              capture_output=True, text=True).stdout.strip()
    print(f"backorder at {revision}, {os.cpu_count()} cores, Python {platform.python_version()}")
    outcome = []
    with tempfile.TemporaryDirectory(prefix="backorder-reports-") as tmp:
        if not args.postgres_only:
            path = (args.reuse_sqlite or args.keep_sqlite or Path(tmp) / "reports.sqlite").resolve()
            outcome.append(run("SQLite", f"sqlite:///{path}", args, tmp, seeded_already=bool(args.reuse_sqlite)))
        if args.reuse_postgres:
            pg = args.postgres_url.rsplit("/", 1)[0] + "/" + BENCH_DB
        else:
            pg = None if args.sqlite_only else postgres_database(args.postgres_url, BENCH_DB)
        if pg:
            try:
                outcome.append(run("PostgreSQL", pg, args, tmp, seeded_already=args.reuse_postgres))
            finally:
                if not (args.keep_postgres or args.reuse_postgres):
                    postgres_admin(args.postgres_url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    slowest = max((r for o in outcome for r in o["results"]), key=lambda r: r["median_s"], default=None)
    if slowest:
        print(f"\nslowest: {slowest['case']} {slowest['median_s']:.3f} s (target: every report under 2 s)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(dict(date=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                             revision=revision, scale=args.scale, runs=outcome), indent=2, default=str))
        print(f"results written to {args.json}")


if __name__ == "__main__":
    main()
