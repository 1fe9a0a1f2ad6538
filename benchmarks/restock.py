"""Restock benchmark: planning the campaign, sending throughput, and restock-to-first-email latency.

    .venv/bin/python benchmarks/restock.py                       # sizes 1000,10000,100000 (about 8 minutes)
    .venv/bin/python benchmarks/restock.py --quick --json benchmarks/results/restock.json

For SQLite (a temp file) and PostgreSQL (database `backorder_bench` at --postgres-url's server,
created if missing; this script works in its own schema `restock_bench`, dropped and recreated for
each size), and for each size N it migrates a fresh database, bulk-inserts N active alerts for one
sold-out product (executemany, 10,000 rows a statement) and measures:

  (a) plan:  the restock (products.upsert_product on_hand 0 → 10, which starts the campaign) and
             campaigns.plan_wave with wave_factor None (one wave for everyone), timed separately;
  (b) send:  `backorder worker` processes (1, then 4; batch 100, lease 60 s: the defaults) sending
             the N queued messages to a counting aiosmtpd server in this process; messages/s from the
             first delivery to the last one within --send-seconds (then the workers are killed: one
             told to stop would first drain the whole queue);
  (c) first: one `backorder worker` already polling (1 s), then a restock by service call; seconds
             until the SMTP server has the first email (at most --first-seconds, or until the worker
             logs an error).

A phase that fails is reported with its error and the next phase goes on (if planning failed,
the messages are queued with one INSERT … SELECT so sending can still be measured). Targets (issue
4): plan < 2 s at 10,000, >= 200 messages/s per worker, first email < 5 s. Exits 0 whatever the
figures: it measures, it does not judge. Results: docs/benchmarks.md, "Restock emails".
"""

import argparse
import hashlib
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

try:
    import sqlalchemy as sa
    from aiosmtpd.controller import Controller
except ImportError:
    sys.exit("Run it with the project venv and test extras (make install): .venv/bin/python benchmarks/restock.py")

BIN = Path(sys.executable).parent
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BENCH_DB, SCHEMA = "backorder_bench", "restock_bench"
STARTED = []  # worker processes, stopped on the way out whatever happens


# --- the SMTP server: counts what it is given ---------------------------------------------------

class Counter:
    def __init__(self):
        self.count, self.first, self.last = 0, None, None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        now = time.monotonic()
        with self.lock:
            self.count += 1
            self.first = self.first or now
            self.last = now
        return "250 OK"


def counting_server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    return counter, controller, f"smtp://127.0.0.1:{port}"


# --- databases ---------------------------------------------------------------------------------

def postgres_url(base_url):
    """The URL of SCHEMA in BENCH_DB (created if missing), or None when the server cannot be reached."""
    engine = sa.create_engine(base_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            if not connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": BENCH_DB}):
                connection.execute(sa.text(f"CREATE DATABASE {BENCH_DB}"))
    except sa.exc.OperationalError as error:
        print(f"PostgreSQL at {base_url} is not reachable ({str(error.orig).splitlines()[0]}): SKIPPED.")
        return None
    finally:
        engine.dispose()
    url = sa.make_url(base_url).set(database=BENCH_DB).render_as_string(hide_password=False)
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{SCHEMA}"


def fresh_database(kind, size, pg_url, tmp):
    """A migrated (`backorder db upgrade`), empty database for one size: its URL."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp}/restock-{size}.sqlite"
    else:
        url = pg_url
        engine = sa.create_engine(url.split("?")[0])
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            connection.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
        engine.dispose()
    env = {**os.environ, "BACKORDER_DATABASE_URL": url, "BACKORDER_SECRET_KEY": "bench-secret"}
    subprocess.run([str(BIN / "backorder"), "db", "upgrade"], env=env, check=True, capture_output=True)
    return url


def make_app(url):
    from backorder import create_app

    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret", "LOG_LEVEL": "WARNING"})


def seed(app, size):
    """One store (single opt-in, one wave), one sold-out product, `size` active alerts: (store id, seconds)."""
    from backorder.db import db
    from backorder.models import Subscription, utcnow
    from backorder.services import products, stores

    started = time.perf_counter()
    with app.app_context():
        store, _ = stores.create_store("Bench Shop", ["https://shop.example.com"])
        stores.update_store(store, {"wave_factor": None, "double_opt_in": False, "sender_email": "alerts@shop.example",
                                    "postal_address": "1 Market Street\nSpringfield"})
        product, _ = products.upsert_product(store, "HOT", {"name": "Hot Tee", "mode": "notify", "on_hand": 0,
                                                            "price": "19.90", "url": "https://shop.example.com/hot"})
        start = utcnow() - timedelta(days=1)
        for first in range(0, size, 10_000):
            rows = []
            for n in range(first, min(size, first + 10_000)):
                email = f"shopper{n:06d}@example.org"
                rows.append({"store_id": store.id, "product_id": product.id, "email": email,
                             "email_hash": hashlib.sha256(email.encode()).hexdigest(), "locale": "en",
                             "status": "active", "consent_version": 1, "created_at": start + timedelta(seconds=n)})
            db.session.execute(sa.insert(Subscription), rows)
        db.session.commit()
        store_id = store.id
        analyze(db)
        db.session.remove()
        return store_id, time.perf_counter() - started


def analyze(db):
    """Statistics for the planner, as autovacuum would give it soon after a bulk load."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))
    else:
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


# --- phases --------------------------------------------------------------------------------------

def restock(app, store_id, units):
    from backorder.db import db
    from backorder.models import Store
    from backorder.services import products

    with app.app_context():
        products.upsert_product(db.session.get(Store, store_id), "HOT", {"on_hand": units})
        db.session.remove()


def plan(app, store_id):
    """(a) restock, then plan the one wave: {restock_s, plan_s, queued} or {error}."""
    from backorder.db import db
    from backorder.models import Campaign
    from backorder.services import campaigns

    result = {}
    started = time.perf_counter()
    restock(app, store_id, 10)
    result["restock_s"] = time.perf_counter() - started
    with app.app_context():
        campaign = db.session.execute(db.select(Campaign).where(Campaign.status == "running")).scalar_one()
        started = time.perf_counter()
        try:
            result["queued"] = campaigns.plan_wave(campaign)
            result["plan_s"] = time.perf_counter() - started
        except Exception as error:  # reported in the table, and the run goes on
            db.session.rollback()
            result["plan_s"] = time.perf_counter() - started
            result["error"] = f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
            queue_directly(db, campaign)
        db.session.remove()
    return result


def queue_directly(db, campaign):
    """After a failed plan: the same message rows, from one INSERT … SELECT, so sending can be measured."""
    from backorder.models import Message, Subscription, utcnow

    now = utcnow()
    chosen = db.select(
        sa.literal(campaign.store_id), sa.literal("restock"), Subscription.email, Subscription.email_hash,
        Subscription.locale, Subscription.id, sa.literal(campaign.id), sa.literal(campaign.product_id),
        sa.literal("queued"), sa.literal(now, Message.due_at.type), sa.literal(now, Message.created_at.type),
    ).where(Subscription.product_id == campaign.product_id, Subscription.status == "active")
    db.session.execute(db.insert(Message).from_select(
        ["store_id", "kind", "recipient", "email_hash", "locale", "subscription_id", "campaign_id", "product_id",
         "status", "due_at", "created_at"], chosen))
    db.session.execute(db.update(Subscription).where(Subscription.product_id == campaign.product_id)
                       .values(status="notified", campaign_id=campaign.id))
    db.session.execute(db.update(type(campaign)).where(type(campaign).id == campaign.id)
                       .values(status="finished", next_wave_at=None))
    db.session.commit()


def start_workers(count, url, smtp_url, tmp, label, **settings):
    """`count` `backorder worker` processes, once each has logged that it runs; settings: more BACKORDER_* values."""
    env = {**os.environ, "BACKORDER_DATABASE_URL": url, "BACKORDER_SECRET_KEY": "bench-secret",
           "BACKORDER_SMTP_URL": smtp_url, "BACKORDER_LOG_LEVEL": "INFO", "BACKORDER_WORKER_POLL_SECONDS": "1",
           **{f"BACKORDER_{name}": str(value) for name, value in settings.items()}}
    logs = []
    for n in range(count):
        logs.append(Path(tmp) / f"{label}-{n}.log")
        with open(logs[-1], "w") as log:
            STARTED.append(subprocess.Popen([str(BIN / "backorder"), "worker"], env=env, stdout=log, stderr=log))
    deadline = time.monotonic() + 60
    while not all("sending through" in log.read_text() for log in logs):
        if time.monotonic() > deadline:
            raise RuntimeError(f"workers did not start: {[log.read_text()[-300:] for log in logs]}")
        time.sleep(0.1)
    return STARTED[-count:], logs


def stop_workers(processes, signum=signal.SIGTERM):
    for process in processes:
        if process.poll() is None:
            process.send_signal(signum)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        STARTED.remove(process)


def throughput(app, url, workers, size, seconds, tmp):
    """(b) messages/s of `workers` processes sending `size` queued messages (at most `seconds`)."""
    from backorder.db import db
    from backorder.models import Message, utcnow

    with app.app_context():  # queued again, not yet due, so every worker is up before the clock starts
        db.session.execute(db.update(Message).values(
            status="queued", due_at=utcnow() + timedelta(days=1), lease_until=None, claimed_by=None, attempts=0,
            sent_at=None, reason=None))
        db.session.commit()
        counter, controller, smtp_url = counting_server()
        processes, _ = start_workers(workers, url, smtp_url, tmp, f"send-{workers}")
        db.session.execute(db.update(Message).values(due_at=utcnow()))
        db.session.commit()
        db.session.remove()
    started = time.monotonic()
    try:
        while counter.count < size and time.monotonic() - started < seconds:
            time.sleep(0.05)
        with counter.lock:
            sent, first, last = counter.count, counter.first, counter.last
    finally:
        # SIGKILL: a worker told to stop (SIGTERM) first drains every due message, which takes minutes here
        stop_workers(processes, signal.SIGKILL)
        controller.stop()
    span = (last - first) if sent > 1 else None
    rate = (sent - 1) / span if span else None
    return {"workers": workers, "sent": sent, "span_s": span, "rate": rate,
            "per_worker": rate / workers if rate else None, "complete": sent >= size}


def first_email(app, url, store_id, seconds, tmp):
    """(c) the product sells out and everyone waits again; a worker polls; restock → first email (s)."""
    from backorder.db import db
    from backorder.models import Message, Subscription

    restock(app, store_id, 0)
    with app.app_context():
        db.session.execute(db.delete(Message))
        db.session.execute(db.update(Subscription).values(status="active", notified_at=None, campaign_id=None))
        db.session.commit()
        analyze(db)
        db.session.remove()
    counter, controller, smtp_url = counting_server()
    processes, logs = start_workers(1, url, smtp_url, tmp, "first")
    try:
        time.sleep(0.5)
        started = time.monotonic()
        restock(app, store_id, 10)
        errors = []
        while counter.count == 0 and time.monotonic() - started < seconds and not errors:
            time.sleep(0.01)
            errors = [line for line in logs[0].read_text().splitlines() if " ERROR " in line]
        if counter.count == 0:  # the worker logs an error and retries the same plan a minute later: give up
            return {"first_s": None, "waited_s": time.monotonic() - started,
                    "error": errors[-1][-200:] if errors else "no email"}
        return {"first_s": counter.first - started}
    finally:
        stop_workers(processes, signal.SIGKILL)
        controller.stop()


# --- the run -------------------------------------------------------------------------------------

def fmt(value, digits=2):
    return "–" if value is None else f"{value:,.{digits}f}"


def run_size(kind, size, pg_url, args, tmp):
    row = {"database": kind, "size": size}
    url = fresh_database(kind, size, pg_url, tmp)
    app = make_app(url)
    store_id, row["seed_s"] = seed(app, size)
    row["plan"] = plan(app, store_id)
    for workers in (1, 4):
        row[f"send_{workers}"] = throughput(app, url, workers, size, args.send_seconds, tmp)
    row["first"] = first_email(app, url, store_id, args.first_seconds, tmp)
    with app.app_context():
        from backorder.db import db
        db.engine.dispose()
    return row


def print_row(row):
    plan_, one, four, first = row["plan"], row["send_1"], row["send_4"], row["first"]
    sent = lambda r: f"{fmt(r['rate'], 0)}" + ("" if r["complete"] else f" ({r['sent']:,} in window)")  # noqa: E731
    print(f"| {row['database']:10} | {row['size']:>9,} | {fmt(row['seed_s'], 1):>6} | {fmt(plan_['restock_s'], 3):>9} "
          f"| {fmt(plan_['plan_s']):>7}{' ERR' if 'error' in plan_ else ''} | {sent(one):>12} | {sent(four):>12} "
          f"| {fmt(four['per_worker'], 0):>10} | {fmt(first['first_s']) if first['first_s'] is not None else 'none, ' + fmt(first['waited_s'], 0) + ' s':>9} |",
          flush=True)
    for name in ("plan", "first"):
        if "error" in row[name]:
            print(f"    {name} error: {row[name]['error']}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="sizes 1000,10000 and 10 s send windows")
    parser.add_argument("--sizes", default=None, help="comma-separated subscriber counts (default 1000,10000,100000)")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--send-seconds", type=float, default=None, help="longest send window (default 60, quick 10)")
    parser.add_argument("--first-seconds", type=float, default=180, help="longest wait for the first email")
    parser.add_argument("--postgres-url", default=os.environ.get("BACKORDER_BENCH_DATABASE_URL", DEFAULT_PG))
    parser.add_argument("--json", help="write the results here too")
    args = parser.parse_args()
    sizes = [int(size) for size in (args.sizes or ("1000,10000" if args.quick else "1000,10000,100000")).split(",")]
    args.send_seconds = args.send_seconds or (10 if args.quick else 60)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=Path(__file__).parent).stdout.strip()
    print(f"restock benchmark at {commit}: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, "
          f"Python {platform.python_version()}, sizes {sizes}, send window {args.send_seconds:.0f} s", flush=True)
    print("| database   |  waiting  | seed s | restock s |  plan s | 1 worker m/s | 4 workers m/s | per worker "
          "| first s   |\n|------------|----------:|-------:|----------:|--------:|-------------:|--------------:|"
          "-----------:|----------:|", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="restock-bench-") as tmp:
        try:
            for kind in args.databases.split(","):
                pg_url = postgres_url(args.postgres_url) if kind == "postgres" else None
                if kind == "postgres" and pg_url is None:
                    continue
                for size in sizes:
                    results.append(run_size(kind, size, pg_url, args, tmp))
                    print_row(results[-1])
        finally:
            stop_workers(list(STARTED))
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({"commit": commit, "cpus": os.cpu_count(), "results": results}, indent=1))


if __name__ == "__main__":
    main()
