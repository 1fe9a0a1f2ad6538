"""Faults, run for real: the database restarted under load, the SMTP server down, workers killed, a full or read-only disk.

    .venv/bin/python benchmarks/faults.py all                 # every fault (about 30 minutes)
    .venv/bin/python benchmarks/faults.py db-restart          # PostgreSQL restarted, then stopped 5 s, under load
    .venv/bin/python benchmarks/faults.py smtp-down --down 60 # the SMTP server gone for a minute mid-campaign
    .venv/bin/python benchmarks/faults.py kill-loop --runs 50 # SIGKILL a sending worker at a random moment, 50 times
    .venv/bin/python benchmarks/faults.py disk                # SQLite on a full tmpfs, then on a read-only mount

PostgreSQL runs in a cluster of this script's own (`pg_createcluster 15 faults --port 5499`, dropped
at the end), never the shared one on 5432: db-restart restarts it. That and `disk` (tmpfs mounts)
need root; kill-loop runs on SQLite without. Each fault prints what it counted and exits 1 if
anything was lost or answered wrongly. Results and their reading: docs/reliability.md.
"""

import argparse
import collections
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

from availability import STARTED, serve, stop  # noqa: E402 (the script's folder is on sys.path)
from restock import make_app, restock, seed, start_workers, stop_workers  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from smtp_mailbox import Mailbox  # noqa: E402

import sqlalchemy as sa  # noqa: E402

BIN = Path(sys.executable).parent
CLUSTER, PORT = ("15", "faults"), 5499
SECRET = "bench-secret"
PROBLEMS = []  # what went wrong, for the exit status


def check(ok, what):
    """Print `what` with OK or FAIL; remember failures."""
    print(f"  {'OK  ' if ok else 'FAIL'} {what}", flush=True)
    if not ok:
        PROBLEMS.append(what)


# --- a PostgreSQL cluster of our own ------------------------------------------------------------

def pg_cluster(action, *options):
    subprocess.run([f"pg_{action}cluster", *CLUSTER, *options], check=True, capture_output=True)


class OwnCluster:
    """`with OwnCluster() as server:` a fresh cluster on PORT (trust auth), dropped on the way out."""

    def __enter__(self):
        if os.geteuid() != 0 or shutil.which("pg_createcluster") is None:
            raise SystemExit("PostgreSQL faults need root and Debian's postgresql-common (pg_createcluster)")
        subprocess.run(["pg_dropcluster", "--stop", *CLUSTER], capture_output=True)  # a leftover of a killed run
        pg_cluster("create", "--port", str(PORT), "--start", "--", "--auth-host=trust", "--auth-local=trust")
        self.base = f"postgresql+psycopg://postgres@127.0.0.1:{PORT}"
        return self

    def database(self, name):
        """A fresh, migrated database `name`: its URL."""
        engine = sa.create_engine(f"{self.base}/postgres", isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            connection.execute(sa.text(f"CREATE DATABASE {name}"))
        engine.dispose()
        return migrated(f"{self.base}/{name}")

    def __exit__(self, *exc):
        subprocess.run(["pg_dropcluster", "--stop", *CLUSTER], capture_output=True)


def migrated(url):
    subprocess.run([str(BIN / "backorder"), "db", "upgrade"], env=environment(url), check=True, capture_output=True)
    return url


def environment(url, **settings):
    return {**os.environ, "BACKORDER_DATABASE_URL": url, "BACKORDER_SECRET_KEY": SECRET,
            "BACKORDER_LOG_LEVEL": "WARNING", **{f"BACKORDER_{k}": str(v) for k, v in settings.items()}}


def call(method, url, body=None, headers=None):
    """(status, headers, parsed JSON or text) of one request; (None, {}, error) when no HTTP answer came."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.headers, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        with error:
            text = error.read().decode(errors="replace")
        try:
            return error.code, error.headers, json.loads(text)
        except ValueError:
            return error.code, error.headers, text
    except OSError as error:  # refused, reset, timed out
        return None, {}, f"{type(error).__name__}: {error}"


def clean_503(status, headers, body):
    """The documented answer while the database is away: 503, JSON code `unavailable`, Retry-After."""
    return (status == 503 and isinstance(body, dict) and body.get("error", {}).get("code") == "unavailable"
            and bool(headers.get("Retry-After")))


# --- 1. the database restarted under load --------------------------------------------------------

class Load:
    """Threads reading availability and writing (orders, products) through the admin API; every answer kept."""

    def __init__(self, base, public_key, token, readers=4, writers=2):
        self.base, self.key, self.admin = base, public_key, {"Authorization": f"Bearer {token}"}
        self.records, self.stopped, self.lock = [], threading.Event(), threading.Lock()
        self.serial = iter(range(10**9))
        kinds = ["read"] * readers + ["order", "product"] * (writers // 2)
        self.threads = [threading.Thread(target=self._run, args=(kind,), daemon=True) for kind in kinds]

    def _one(self, kind):
        n = next(self.serial)
        if kind == "read":
            return None, call("GET", f"{self.base}/api/v1/stores/{self.key}/availability?sku=P-{n % 20:02d}")
        if kind == "order":
            ref = f"R-{n}"
            return ref, call("POST", f"{self.base}/api/v1/admin/orders",
                             {"order_ref": ref, "lines": [{"sku": f"P-{n % 20:02d}", "quantity": 1}]}, self.admin)
        sku = f"W-{n}"
        return sku, call("PUT", f"{self.base}/api/v1/admin/products/{sku}", {"on_hand": n % 97}, self.admin)

    def _run(self, kind):
        while not self.stopped.is_set():
            started = time.monotonic()
            key, (status, headers, body) = self._one(kind)
            with self.lock:
                self.records.append((started, time.monotonic(), kind, key, status, clean_503(status, headers, body),
                                     body if status is None or status >= 300 else None))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        for thread in self.threads:
            thread.join(60)


def outage_figures(records, began, back):
    """Counts of the answers to requests made from `began` on, and when they were all 2xx again after `back`."""
    window = [r for r in records if r[0] >= began]
    ok = sum(1 for r in window if r[4] is not None and 200 <= r[4] < 300)
    clean = sum(1 for r in window if r[5])
    other = [r for r in window if not (r[5] or (r[4] is not None and 200 <= r[4] < 300))]
    failures_after = [r for r in window if r[1] >= back and not (r[4] is not None and 200 <= r[4] < 300)]
    recovered = max((r[1] for r in failures_after), default=back) - back
    first_ok = {kind: min((r[1] for r in window if r[2] == kind and r[1] >= back and r[4] and r[4] < 300),
                          default=None) for kind in ("read", "order", "product")}
    late = sorted(failures_after, key=lambda r: r[1])[-3:]
    return {"requests": len(window), "2xx": ok, "clean_503": clean, "other": len(other),
            "last_failures": [f"{r[2]} {r[4]} from {r[0] - back:+.2f} s to {r[1] - back:+.2f} s" for r in late],
            "other_examples": sorted({f"{r[4]} {str(r[6])[:160]}" for r in other})[:5],
            "recovered_s": recovered,
            "first_2xx_after_s": {k: (v - back if v else None) for k, v in first_ok.items()}}


def db_restart(args):
    """PostgreSQL restarted (`pg_ctlcluster … restart`), then stopped for --stop-seconds, under read and write load."""
    print("\n== db-restart: gunicorn (2 workers) under load while PostgreSQL restarts, then stops and starts")
    from backorder.db import db
    from backorder.models import Order, Product
    from backorder.services import products, stores

    results = {}
    with OwnCluster() as cluster, tempfile.TemporaryDirectory(prefix="faults-") as tmp:
        url = cluster.database("backorder_faults")
        app = make_app(url)
        with app.app_context():
            store, token = stores.create_store("Faults", ["https://shop.example.com"])
            for n in range(20):
                products.upsert_product(store, f"P-{n:02d}", {"mode": "backorder", "on_hand": 0})
            key = store.public_key
            db.engine.dispose()
        server, base = serve("backorder:create_app()", environment(url, STORE_CACHE_SECONDS=0), tmp)
        mailbox = Mailbox()
        mailbox.start()
        [worker], [worker_log] = start_workers(1, url, mailbox.url, tmp, "db-worker")  # must outlive the outages
        events = []
        try:
            with Load(base, key, token) as load:
                time.sleep(args.settle)
                for name, actions in [(f"restart #{n + 1}", [("restart",)]) for n in range(args.cycles)] + [
                        (f"stop {args.stop_seconds:g} s #{n + 1}", [("stop",), ("sleep",), ("start",)])
                        for n in range(args.cycles)]:
                    began = time.monotonic()
                    for action in actions:
                        if action == ("sleep",):
                            time.sleep(args.stop_seconds)
                        else:
                            subprocess.run(["pg_ctlcluster", *CLUSTER, *action], check=True, capture_output=True)
                    events.append((name, began, time.monotonic()))
                    time.sleep(args.settle)
            records = load.records
            alive = worker.poll() is None
        finally:
            stop(server)
            stop_workers([worker])
            mailbox.stop()
        retries = worker_log.read_text().count("database unavailable, retrying")
        print(f"  the worker: {'still running' if alive else 'DIED'} after the outages, having logged "
              f"{retries} 'database unavailable, retrying'")
        check(alive, "a `backorder worker` survives every outage")
        for number, (name, began, back) in enumerate(events):
            until = events[number + 1][1] if number + 1 < len(events) else float("inf")
            figures = outage_figures([r for r in records if r[0] < until], began, back)
            figures["database_away_s"] = back - began
            results[name] = figures
            print(f"  {name}: database away {back - began:.1f} s; {figures['requests']} requests from then on: "
                  f"{figures['2xx']} 2xx, {figures['clean_503']} clean 503, {figures['other']} other; "
                  f"all 2xx again {figures['recovered_s']:.2f} s after it was back; first 2xx after "
                  + ", ".join(f"{k} {v:.2f} s" if v is not None else f"{k} never"
                              for k, v in figures["first_2xx_after_s"].items()))
            if figures["recovered_s"] > 1:
                print(f"    the last failures (times from the database's return): {figures['last_failures']}")
            check(figures["other"] == 0, f"{name}: every failed request was a JSON 503 with Retry-After "
                                         f"(other: {figures['other_examples']})")
        errors = [block for block in (Path(tmp) / "gunicorn.log").read_text().split("\n20") if "Traceback" in block]
        if errors:
            print(f"  {len(errors)} traceback(s) in gunicorn's log; the last:\n" + errors[-1][-3000:])
        accepted = {kind: {r[3] for r in records if r[2] == kind and r[4] in (200, 201)} for kind in ("order", "product")}
        refused = {kind: {r[3] for r in records if r[2] == kind and not (r[4] and r[4] < 300)}
                   for kind in ("order", "product")}
        with app.app_context():
            saved_orders = set(db.session.scalars(db.select(Order.order_ref)))
            saved_products = set(db.session.scalars(db.select(Product.sku).where(Product.sku.like("W-%"))))
            db.engine.dispose()
        lost = {"order": accepted["order"] - saved_orders, "product": accepted["product"] - saved_products}
        results["writes"] = {"accepted_orders": len(accepted["order"]), "accepted_products": len(accepted["product"]),
                             "lost": sum(map(len, lost.values())),
                             "refused_yet_saved": len(refused["order"] & saved_orders)
                             + len(refused["product"] & saved_products),
                             "reads": sum(1 for r in records if r[2] == "read")}
        print(f"  writes: {len(accepted['order'])} orders and {len(accepted['product'])} products answered 2xx; "
              f"lost {results['writes']['lost']}; refused but saved anyway {results['writes']['refused_yet_saved']}")
        check(results["writes"]["lost"] == 0, "no write answered 2xx is missing from the database")
    return results


# --- 2. the SMTP server down for a while mid-campaign -------------------------------------------

def sqlite_url(tmp, name):
    return migrated(f"sqlite:///{tmp}/{name}.sqlite")


def statuses(app):
    from backorder.db import db
    from backorder.models import Message

    with app.app_context():
        found = dict(db.session.execute(db.select(Message.status, sa.func.count()).group_by(Message.status)).all())
        db.session.remove()
        return found


def wait_until(condition, timeout):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def delivery_tally(mailbox, expected):
    """(lost recipients, deliveries, distinct (recipient, Message-ID), recipients with two Message-IDs)."""
    ids = collections.defaultdict(set)
    deliveries = mailbox.deliveries
    for delivery in deliveries:
        for recipient in delivery.recipients:
            ids[recipient].add(delivery.message["Message-ID"])
    distinct = sum(len(found) for found in ids.values())
    return len(set(expected) - set(ids)), len(deliveries), distinct, sum(1 for f in ids.values() if len(f) > 1)


def smtp_down(args):
    """A campaign of --size messages, 2 workers; the SMTP server goes away for --down s once a quarter is sent."""
    print(f"\n== smtp-down: {args.size:,} restock emails, 2 workers, the SMTP server down {args.down:g} s mid-campaign")
    from backorder.db import db
    from backorder.models import Message

    mailbox = Mailbox()
    mailbox.start()
    with tempfile.TemporaryDirectory(prefix="faults-") as tmp:
        app = make_app(url := sqlite_url(tmp, "smtp"))
        store_id, _ = seed(app, args.size)
        expected = [f"shopper{n:06d}@example.org" for n in range(args.size)]
        workers, _ = start_workers(2, url, mailbox.url, tmp, "smtp", MAIL_BATCH=50)
        try:
            restock(app, store_id, 10)
            wait_until(lambda: len(mailbox.deliveries) >= args.size // 4, 120)
            mailbox.stop()
            down_at, before = time.monotonic(), len(mailbox.deliveries)
            time.sleep(args.down)
            mailbox.start()
            up_at, during = time.monotonic(), len(mailbox.deliveries)
            resumed = wait_until(lambda: len(mailbox.deliveries) > during, args.down + 900)
            first_after_up = time.monotonic() - up_at if resumed else None
            done = wait_until(lambda: statuses(app).get("sent", 0) + statuses(app).get("failed", 0) >= args.size,
                              args.down + 900)
            last = time.monotonic() if done else None
        finally:
            stop_workers(workers)
            mailbox.stop()
        lost, deliveries, distinct, two_ids = delivery_tally(mailbox, expected)
        with app.app_context():
            attempts = dict(db.session.execute(db.select(Message.attempts, sa.func.count())
                                               .group_by(Message.attempts)).all())
            db.engine.dispose()
        final = statuses_text(app)
    result = {"size": args.size, "down_s": up_at - down_at, "sent_before_down": before, "first_after_up_s": first_after_up,
              "all_sent_s_after_up": (last - up_at) if last else None, "statuses": final,
              "deliveries": deliveries, "distinct": distinct, "lost": lost, "two_message_ids": two_ids,
              "attempts": attempts}
    print(f"  down {result['down_s']:.0f} s after {before:,} deliveries; the first delivery "
          f"{first_after_up or float('nan'):.1f} s after the server was back, every message sent "
          f"{result['all_sent_s_after_up'] or float('nan'):.0f} s after the server was back; {deliveries:,} deliveries, "
          f"{distinct:,} distinct (recipient, Message-ID), lost {lost}; attempts per message {attempts}; {final}")
    check(lost == 0 and last is not None, "every message delivered after the server came back")
    check(two_ids == 0, "no shopper got two different messages")
    check(deliveries - distinct <= 2, f"raw repeats at most the two messages in flight when it went down "
                                      f"(found {deliveries - distinct})")
    return result


def statuses_text(app):
    return ", ".join(f"{k} {v}" for k, v in sorted(statuses(app).items()))


# --- 3. workers killed at random moments ------------------------------------------------------

def kill_loop(args):
    """--runs times per database: a worker sends --batch-size messages and is SIGKILLed at a random moment."""
    results = {}
    databases = [d for d in args.databases.split(",")]
    cluster = OwnCluster() if "postgres" in databases else None
    with tempfile.TemporaryDirectory(prefix="faults-") as tmp:
        if cluster:
            cluster.__enter__()
        try:
            for kind in databases:
                url = sqlite_url(tmp, "kill") if kind == "sqlite" else cluster.database("backorder_kill")
                results[kind] = kill_runs(kind, url, args, tmp)
        finally:
            if cluster:
                cluster.__exit__()
    return results


def kill_runs(kind, url, args, tmp):
    from backorder.db import db
    from backorder.models import Message, utcnow

    print(f"\n== kill-loop on {kind}: {args.runs} runs of {args.batch_size} emails, a worker SIGKILLed at a random moment")
    app = make_app(url)
    store_id, _ = seed(app, args.batch_size)
    expected = [f"shopper{n:06d}@example.org" for n in range(args.batch_size)]
    mailbox = Mailbox()
    mailbox.start()
    restock(app, store_id, 10)
    settings = {"MAIL_BATCH": 20, "MAIL_LEASE_SECONDS": 2}
    totals = collections.Counter()
    rng = random.Random(args.seed)
    try:
        for run in range(args.runs):
            with app.app_context():  # everything queued again, not yet due, as the victim starts
                db.session.execute(db.update(Message).values(
                    status="queued", due_at=utcnow() + timedelta(days=1), lease_until=None, claimed_by=None,
                    attempts=0, sent_at=None, reason=None))
                db.session.commit()
                db.session.remove()
            mailbox.clear()
            [victim], _ = start_workers(1, url, mailbox.url, tmp, f"{kind}-victim-{run}", **settings)
            with app.app_context():
                db.session.execute(db.update(Message).values(due_at=utcnow()))
                db.session.commit()
                db.session.remove()
            time.sleep(rng.uniform(0, args.window))
            victim.send_signal(signal.SIGKILL)
            stop_workers([victim])
            killed_after = len(mailbox.deliveries)
            [finisher], _ = start_workers(1, url, mailbox.url, tmp, f"{kind}-finisher-{run}", **settings)
            done = wait_until(lambda: statuses(app).get("sent", 0) == args.batch_size, 120)
            stop_workers([finisher])
            lost, deliveries, distinct, two_ids = delivery_tally(mailbox, expected)
            repeats = deliveries - distinct
            totals.update(runs=1, sent=deliveries, lost=lost, repeats=repeats, two_ids=two_ids,
                          unfinished=0 if done else 1, mid_batch=1 if 0 < killed_after < args.batch_size else 0,
                          over_one=1 if repeats > 1 else 0)
            print(f"  run {run + 1:>2}: killed after {killed_after:>4} deliveries; {deliveries} sent, "
                  f"{repeats} repeat(s), {lost} lost", flush=True)
    finally:
        mailbox.stop()
        if kind == "sqlite":
            with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
                totals["integrity_ok"] = connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            connection.close()
        with app.app_context():
            db.engine.dispose()
    print(f"  {kind}: {totals['runs']} runs ({totals['mid_batch']} killed mid-campaign), {totals['sent']:,} "
          f"deliveries, {totals['repeats']} repeats, {totals['lost']} lost, {totals['over_one']} runs with more than "
          f"one repeat")
    check(totals["lost"] == 0 and totals["unfinished"] == 0, f"{kind}: no message lost in {totals['runs']} kills")
    check(totals["two_ids"] == 0, f"{kind}: nobody got two different messages")
    check(totals["over_one"] == 0, f"{kind}: at most one repeat per kill (the message in flight)")
    if kind == "sqlite":
        check(totals["integrity_ok"], "sqlite: PRAGMA integrity_check = ok after the kills")
    return dict(totals)


# --- 4. SQLite on a full disk, then on a read-only one ---------------------------------------------

def disk(args):
    """SQLite on a small tmpfs under gunicorn: writes until the disk is full, reads, the CLI; then a read-only bind mount."""
    print("\n== disk: SQLite on a 4 MB tmpfs, filled up; then the same file through a read-only bind mount")
    if os.geteuid() != 0:
        raise SystemExit("disk needs root (it mounts a tmpfs)")
    from backorder.db import db
    from backorder.services import products, stores

    result = {}
    with tempfile.TemporaryDirectory(prefix="faults-") as tmp:
        mount = Path(tmp) / "disk"
        mount.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], check=True)
        try:
            url = migrated(f"sqlite:///{mount}/shop.sqlite")
            app = make_app(url)
            with app.app_context():
                store, token = stores.create_store("Disk", ["https://shop.example.com"])
                products.upsert_product(store, "KEEP", {"on_hand": 3})
                key = store.public_key
                db.engine.dispose()
            admin = {"Authorization": f"Bearer {token}"}
            server, base = serve("backorder:create_app()", environment(url), tmp)
            try:
                result["full"] = fill_up(base, key, admin, mount, url, tmp)
            finally:
                stop(server)
            view = Path(tmp) / "read-only"  # the same files through a read-only bind mount
            view.mkdir()
            subprocess.run(["mount", "--bind", str(mount), str(view)], check=True)
            try:
                subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], check=True)
                ro_url = f"sqlite:///{view}/shop.sqlite"
                server, base = serve("backorder:create_app()", environment(ro_url), tmp)
                try:
                    result["read_only"] = read_only(base, key, admin, ro_url, tmp)
                finally:
                    stop(server)
            finally:
                subprocess.run(["umount", "-l", str(view)], check=False)
            with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
                integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
                saved = {sku for (sku,) in connection.execute("SELECT sku FROM product")}
            connection.close()
        finally:
            subprocess.run(["umount", "-l", str(mount)], check=False)
    accepted = set(result["full"].pop("accepted")) | {"KEEP"}
    result.update(integrity=integrity, lost=len(accepted - saved), refused_yet_saved=len(
        set(result["full"].pop("refused")) & saved))
    print(f"  after: PRAGMA integrity_check = {integrity}; {len(accepted)} writes answered 2xx, "
          f"{result['lost']} missing; {result['refused_yet_saved']} refused but saved")
    check(integrity == "ok", "integrity_check ok after the full disk and the read-only mount")
    check(result["lost"] == 0, "every write answered 2xx is in the database")
    return result


def backorder_import(url, key, tmp):
    """`backorder import` of a 200-row CSV: (exit status, last line of stderr, whether it had a traceback)."""
    path = Path(tmp) / "stock.csv"
    path.write_text("sku,on_hand,name\n" + "".join(f"CSV-{n},{n},{'n' * 100}\n" for n in range(200)))
    done = subprocess.run([str(BIN / "backorder"), "import", str(path), "--store", key], env=environment(url),
                          capture_output=True, text=True, timeout=120)
    lines = done.stderr.strip().splitlines() or [""]
    return done.returncode, lines[-1][:200], "Traceback" in done.stderr


def fill_up(base, key, admin, mount, url, tmp):
    """Take the disk's last bytes, then PUT products until it refuses; reads, the CLI, and recovery once freed."""
    with open(mount / "filler", "wb") as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        except OSError:
            pass
    os.truncate(mount / "filler", (mount / "filler").stat().st_size - 256 * 1024)  # room for a few hundred rows
    answers, accepted, refused = collections.Counter(), [], []
    for n in range(2000):
        status, _, body = call("PUT", f"{base}/api/v1/admin/products/W-{n}", {"on_hand": 1, "name": "w" * 150}, admin)
        code = body.get("error", {}).get("code") if isinstance(body, dict) and status and status >= 300 else ""
        answers[f"{status} {code}".strip()] += 1
        (accepted if status and status < 300 else refused).append(f"W-{n}")
        if len(refused) >= 20:
            break
    read = call("GET", f"{base}/api/v1/stores/{key}/availability?sku=KEEP")[0]
    cli = backorder_import(url, key, tmp)
    (mount / "filler").unlink()
    after = call("PUT", f"{base}/api/v1/admin/products/AFTER", {"on_hand": 1}, admin)[0]
    if after and after < 300:
        accepted.append("AFTER")
    print(f"  full: {len(accepted)} writes fit, then {dict(answers)}; a read answered {read}; "
          f"`backorder import` exit {cli[0]}: {cli[1]!r}{' (with a traceback)' if cli[2] else ''}; "
          f"a write once space was freed: {after}")
    check(set(answers) <= {"200", "201", "507 storage_full"}, "a full disk answers 507 storage_full")
    check(read == 200, "reads still answer on a full disk")
    check(cli[0] == 1 and not cli[2] and "disk is full" in cli[1], "the CLI says the disk is full, no traceback")
    check(after in (200, 201), "writes work again once space is freed, without a restart")
    return {"answers": dict(answers), "read": read, "cli": cli, "after_freeing": after, "accepted": accepted,
            "refused": refused}


def read_only(base, key, admin, url, tmp):
    """With the mount read-only: a write, a read, the CLI."""
    write = call("PUT", f"{base}/api/v1/admin/products/RO", {"on_hand": 1}, admin)
    code = write[2].get("error", {}).get("code") if isinstance(write[2], dict) else write[2]
    read = call("GET", f"{base}/api/v1/stores/{key}/availability?sku=KEEP")[0]
    cli = backorder_import(url, key, tmp)
    print(f"  read-only: a write answered {write[0]} {code}; a read {read}; `backorder import` exit {cli[0]}: "
          f"{cli[1]!r}{' (with a traceback)' if cli[2] else ''}")
    check((write[0], code) == (503, "read_only"), "a read-only database answers 503 read_only")
    check(read == 200, "reads still answer on a read-only mount")
    check(cli[0] == 1 and not cli[2] and "read-only" in cli[1], "the CLI says the database is read-only")
    return {"write": [write[0], code], "read": read, "cli": cli}


# --- the command ---------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("fault", choices=["db-restart", "smtp-down", "kill-loop", "disk", "all"])
    parser.add_argument("--settle", type=float, default=10, help="db-restart: seconds of load before and after each")
    parser.add_argument("--cycles", type=int, default=3, help="db-restart: restarts, then as many stops")
    parser.add_argument("--stop-seconds", type=float, default=5, help="db-restart: how long the database stays down")
    parser.add_argument("--down", type=float, default=60, help="smtp-down: seconds the SMTP server is away")
    parser.add_argument("--size", type=int, default=5000, help="smtp-down: emails in the campaign")
    parser.add_argument("--runs", type=int, default=50, help="kill-loop: kills per database")
    parser.add_argument("--batch-size", type=int, default=200, help="kill-loop: emails per run")
    parser.add_argument("--window", type=float, default=3.0, help="kill-loop: the kill comes 0 to this many s in")
    parser.add_argument("--databases", default="sqlite,postgres", help="kill-loop: sqlite, postgres or both")
    parser.add_argument("--seed", type=int, default=8, help="kill-loop: random seed of the kill moments")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped (SIGTERM)"))
    faults = {"db-restart": db_restart, "smtp-down": smtp_down, "kill-loop": kill_loop, "disk": disk}
    chosen = list(faults) if args.fault == "all" else [args.fault]
    revision = subprocess.run(["git", "-C", str(Path(__file__).parent), "describe", "--always", "--dirty"],
                              capture_output=True, text=True).stdout.strip()
    print(f"faults at {revision}: {', '.join(chosen)}; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}", flush=True)
    results = {}
    try:
        for name in chosen:
            results[name] = faults[name](args)
    finally:
        for process in list(STARTED):
            stop(process)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"revision": revision, "results": results}, indent=1, default=str))
    print(f"\n{len(PROBLEMS)} problem(s)" + "".join(f"\n  - {p}" for p in PROBLEMS))
    sys.exit(1 if PROBLEMS else 0)


if __name__ == "__main__":
    main()
