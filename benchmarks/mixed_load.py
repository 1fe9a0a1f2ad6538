"""Mixed load: product-page reads at full speed while a 100,000-email restock campaign sends and a 10,000-row CSV imports.

    .venv/bin/python benchmarks/mixed_load.py                          # PostgreSQL, then SQLite
    .venv/bin/python benchmarks/mixed_load.py --databases postgres --gunicorn-workers 2 --duration 30

For each database it migrates a fresh one (PostgreSQL: database `backorder_mixed` on --postgres-url's
server, dropped at the end; SQLite: a temp file), seeds a store of --products products in every state
(availability.py's seed) and, in a second store, --subscribers shoppers waiting for one sold-out
product (restock.py's seed). It serves the app with gunicorn and starts 2 `backorder worker`
processes sending to a counting aiosmtpd server, then runs wrk on one product page's availability
(1 sku, as the widget asks):

  idle     wrk alone for --duration s (the workers polling an empty outbox);
  loaded   the product is restocked (the 100,000 emails are planned and sent) and the merchant uploads
           a --rows-row CSV on the admin's Import page (logged in, with its CSRF token) as wrk starts,
           then asks the import's page every second until a worker has imported it (as import.js
           does); wrk runs --duration s, and the import must finish within it;
  after    wrk alone again, to see drift on a shared machine.

Printed: req/s and p99 of each phase, the loaded p99 over the idle one (target: at most 2), wrk's
non-2xx/3xx answers and socket errors (target: 0), the import's status and seconds, and the emails
sent during the loaded phase. --worker-nice N starts the workers under `nice -n N`, --worker-sched idle
under SCHED_IDLE, and --worker-cpu-weight W in a CPU control group of weight W (as the systemd unit's
CPUWeight=; root only). It exits 0
whatever the figures: it measures, it does not judge. Results: docs/reliability.md, "Mixed load".
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from availability import (GUNICORN, ONE_SKU, STARTED, postgres_admin, postgres_database, seed, serve, stop,  # noqa: E402
                          wrk)
from import_csv import products_csv  # noqa: E402
from restock import counting_server, make_app, restock, start_workers, stop_workers  # noqa: E402
from restock import seed as seed_waiting  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BENCH_DB = "backorder_mixed"
BIN = Path(sys.executable).parent
SECRET = "bench-secret"
ADMIN = ("merchant@example.com", "correct horse battery")


def prepare(url, args):
    """Migrate and seed: (catalogue store's public key, restock store id)."""
    env = {**os.environ, "BACKORDER_DATABASE_URL": url, "BACKORDER_SECRET_KEY": SECRET}
    subprocess.run([str(BIN / "backorder"), "db", "upgrade"], env=env, check=True, capture_output=True)
    keys, _body = seed(url, [args.products])
    app = make_app(url)
    from backorder.db import db
    from backorder.services import stores, users

    with app.app_context():
        users.create_user(stores.store_by_public_key(keys[args.products]), *ADMIN)
        db.session.remove()
    started = time.monotonic()
    restock_store, _ = seed_waiting(app, args.subscribers)
    print(f"  seeded {args.subscribers:,} waiting shoppers in {time.monotonic() - started:.0f} s", flush=True)
    return app, keys[args.products], restock_store


def import_as_merchant(base, text, outcome):
    """Log in on the admin pages, upload the CSV on the Import page and ask its page until a worker has
    imported it, as import.js does every second; outcome gets the upload's status and seconds, and
    the seconds until the import was done."""
    browser = requests.Session()

    def csrf(page):
        return re.search(r'name="csrf_token" value="([^"]+)"', browser.get(base + page, timeout=30).text).group(1)

    login = browser.post(base + "/admin/login", data={"email": ADMIN[0], "password": ADMIN[1],
                                                     "csrf_token": csrf("/admin/login")}, allow_redirects=False)
    token = csrf("/admin/import")
    started = time.monotonic()
    answer = browser.post(base + "/admin/import", data={"csrf_token": token}, timeout=600,
                          files={"file": ("products.csv", text.encode(), "text/csv")}, allow_redirects=False)
    outcome.update(login=login.status_code, status=answer.status_code, upload_seconds=time.monotonic() - started)
    job_page = base + answer.headers.get("Location", "/admin/import")
    while True:
        page = browser.get(job_page, timeout=60).text
        if "data-pending" not in page or time.monotonic() - started > 900:
            break
        time.sleep(1)
    outcome.update(seconds=time.monotonic() - started, saved="Imported products.csv" in page)


def phase(name, url, args, extra=""):
    figures = wrk(url, args.duration, args)
    print(f"  {name:<7} {figures['rps']:7.0f} req/s  p50 {figures['p50_ms']:6.1f} ms  p99 {figures['p99_ms']:6.1f} ms  "
          f"non-2xx/3xx {figures['non_2xx_3xx']}  socket errors {figures['socket_errors']}{extra}", flush=True)
    return figures


def measure(label, url, args, tmp):
    print(f"\n== {label}: seed", flush=True)
    app, key, restock_store = prepare(url, args)
    counter, controller, smtp_url = counting_server()
    env = {**os.environ, "BACKORDER_DATABASE_URL": url, "BACKORDER_SECRET_KEY": SECRET,
           "BACKORDER_LOG_LEVEL": "WARNING", "BACKORDER_INSTANCE_PATH": tempfile.mkdtemp(dir=tmp)}
    gunicorn = ["--workers", str(args.gunicorn_workers), "--timeout", str(args.gunicorn_timeout), *GUNICORN[2:]]
    server, base = serve_with(gunicorn, env, tmp)
    page = f"{base}/api/v1/stores/{key}/availability?sku={ONE_SKU}"
    workers, _ = start_workers(2, url, smtp_url, tmp, f"{label}-worker", **({"MAIL_BATCH": args.mail_batch}
                                                                             if args.mail_batch else {}))
    if args.worker_cpu_weight:
        into_cpu_group([worker.pid for worker in workers], args.worker_cpu_weight)
    for worker in workers:
        if args.worker_nice:
            os.setpriority(os.PRIO_PROCESS, worker.pid, args.worker_nice)
        if args.worker_sched == "idle":  # as systemd's CPUSchedulingPolicy=idle (deploy/systemd/)
            os.sched_setscheduler(worker.pid, os.SCHED_IDLE, os.sched_param(0))
    result = {"database": label, "gunicorn_workers": args.gunicorn_workers, "worker_nice": args.worker_nice,
              "worker_sched": args.worker_sched, "worker_cpu_weight": args.worker_cpu_weight}
    print(f"== {label}: measure ({args.gunicorn_workers} gunicorn workers, workers at nice {args.worker_nice}, "
          f"scheduling policy {args.worker_sched}, CPU weight {args.worker_cpu_weight or 'not set'})")
    try:
        wrk(page, 3, args)  # warm-up
        result["idle"] = phase("idle", page, args)
        outcome = {}
        importer = threading.Thread(target=import_as_merchant, args=(base, products_csv(args.rows), outcome))
        sent_before = counter.count
        restock(app, restock_store, 10)
        importer.start()
        result["loaded"] = phase("loaded", page, args)
        result["emails_in_window"] = counter.count - sent_before
        importer.join()
        result["import"] = outcome
        print(f"          import: login {outcome.get('login')}, upload {outcome.get('status')} in "
              f"{outcome.get('upload_seconds', 0):.1f} s, {'imported' if outcome.get('saved') else 'NOT imported'} "
              f"after {outcome.get('seconds', 0):.1f} s; {result['emails_in_window']:,} emails sent during the phase",
              flush=True)
        stop_workers(workers)
        result["after"] = phase("after", page, args)
    finally:
        stop_workers([w for w in workers if w.poll() is None])
        stop(server)
        controller.stop()
        with app.app_context():
            from backorder.db import db
            db.engine.dispose()
    result["ratio"] = result["loaded"]["p99_ms"] / result["idle"]["p99_ms"]
    print(f"  p99 loaded / idle: {result['ratio']:.2f} (target <= 2); the import {'finished' if result['import']['seconds'] < args.duration else 'outlasted the phase'}")
    return result


def into_cpu_group(pids, weight):
    """Move the processes into one CPU control group of `weight` (systemd's CPUWeight=, 1-10000; every other
    process keeps 100), as deploy/systemd/backorder-worker@.service does. Needs root and a cpu controller."""
    v2, v1 = Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup/cpu")
    if (v2 / "cgroup.controllers").exists() and "cpu" in (v2 / "cgroup.controllers").read_text().split():
        group, setting, value = v2 / "backorder-bench-workers", "cpu.weight", str(weight)
    elif (v1 / "cpu.shares").exists():
        group, setting, value = v1 / "backorder-bench-workers", "cpu.shares", str(max(2, weight * 1024 // 100))
    else:
        raise SystemExit("--worker-cpu-weight needs a cgroup cpu controller (/sys/fs/cgroup)")
    try:
        group.mkdir(exist_ok=True)
        (group / setting).write_text(value)
        for pid in pids:
            (group / "cgroup.procs").write_text(str(pid))
    except PermissionError as error:
        raise SystemExit(f"--worker-cpu-weight needs root: {error}")


def serve_with(gunicorn, env, tmp):
    """availability.serve with other gunicorn options."""
    import availability

    saved, availability.GUNICORN = availability.GUNICORN, gunicorn
    try:
        return serve("backorder:create_app()", env, tmp)
    finally:
        availability.GUNICORN = saved


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--databases", default="postgres,sqlite")
    parser.add_argument("--postgres-url", default=os.environ.get("BACKORDER_BENCH_DATABASE_URL", DEFAULT_PG))
    parser.add_argument("--products", type=int, default=10_000, help="catalogue the reads come from")
    parser.add_argument("--subscribers", type=int, default=100_000, help="shoppers the restock emails")
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the CSV import")
    parser.add_argument("--duration", type=int, default=60, help="seconds of each wrk phase")
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    parser.add_argument("--gunicorn-timeout", type=int, default=120, help="seconds (the Procfile's; gunicorn's own is 30)")
    parser.add_argument("--worker-nice", type=int, default=0, help="niceness of the `backorder worker` processes")
    parser.add_argument("--worker-sched", choices=("other", "idle"), default="other",
                        help="their CPU scheduling policy: idle runs them only when the web leaves a core free")
    parser.add_argument("--worker-cpu-weight", type=int, default=0,
                        help="put the workers in a CPU control group of this weight (systemd's CPUWeight=; "
                             "everything else has 100); 0: leave them where they are")
    parser.add_argument("--mail-batch", type=int, default=0, help="BACKORDER_MAIL_BATCH of the workers (0: default)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    revision = subprocess.run(["git", "-C", str(Path(__file__).parent), "describe", "--always", "--dirty"],
                              capture_output=True, text=True).stdout.strip()
    print(f"mixed load at {revision}: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; wrk {args.threads} "
          f"threads, {args.connections} connections, {args.duration} s a phase", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="mixed-") as tmp:
        try:
            for kind in args.databases.split(","):
                if kind == "postgres":
                    url = postgres_database(args.postgres_url, BENCH_DB)
                    if url is None:
                        continue
                else:
                    url = f"sqlite:///{tmp}/mixed.sqlite"
                results.append(measure(kind, url, args, tmp))
        finally:
            for process in list(STARTED):
                stop(process)
            if "postgres" in args.databases:
                postgres_admin(args.postgres_url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"revision": revision, "args": vars(args), "results": results},
                                        indent=1, default=str))


if __name__ == "__main__":
    main()
