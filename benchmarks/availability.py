"""Load benchmark of the public availability endpoint, against a bare Flask baseline.

    make bench                                   # = .venv/bin/python benchmarks/availability.py
    .venv/bin/python benchmarks/availability.py --quick --json benchmarks/results/run.json

Needs: the project venv (`make install`), `wrk` (apt-get install -y wrk) and, for the PostgreSQL
part, a server at --postgres-url (default $BACKORDER_BENCH_DATABASE_URL, else
postgresql+psycopg://postgres@127.0.0.1:5432/test). On that server the database `backorder_bench`
is dropped and recreated each run and dropped at the end; the URL's own database is not touched.
Unreachable: the PostgreSQL part is skipped, and the output says so.

For SQLite, then PostgreSQL, it migrates a fresh database with `backorder db upgrade`, seeds two
stores in it with bulk inserts (50 and 100,000 products, in every state, with shipments), serves the
app with gunicorn (2 sync workers on 127.0.0.1, no access log) and runs wrk on
GET /api/v1/stores/{key}/availability with 1 sku, 20 skus and a 304 revalidation (If-None-Match).
baseline_app.py, a bare Flask app answering the same 1-sku body under the same gunicorn settings,
gives the baseline req/s (measured first, and again at the end to show drift). wrk, gunicorn and
PostgreSQL share the machine's cores, so read the ratios, not the absolute figures; on a small shared
machine single runs vary, so `--repeat 3` takes the median of three runs per case. It exits 0
whatever the figures are: it measures, it does not judge. Results: docs/benchmarks.md.
"""

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

try:
    import sqlalchemy as sa
except ImportError:
    sys.exit("Run it with the project venv (make install): .venv/bin/python benchmarks/availability.py")

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BENCH_DB = "backorder_bench"
GUNICORN = ["--workers", "2", "--worker-class", "sync", "--log-level", "warning", "--no-control-socket"]
ONE_SKU = "SKU-000003"  # on backorder, 3 units queued against two shipments: the whole ETA computation
TARGETS = {"1 sku": 0.70, "20 skus": 0.50}  # share of the baseline's req/s (the targets)
NOISE = 0.10  # "unchanged within noise": the 100,000-product store within 10% of the small one
STARTED = []  # every process we started, stopped by process group on the way out


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(command, env, cwd=None, log=None):
    """Start a process in its own process group; its output goes to the file `log`, else to a pipe."""
    out = open(log, "a") if log else subprocess.PIPE
    proc = subprocess.Popen(command, env=env, cwd=cwd, start_new_session=True,
                            stdout=out, stderr=subprocess.STDOUT, text=True)
    if log:
        out.close()
    STARTED.append(proc)
    return proc


def stop(proc):
    """SIGTERM the process group, SIGKILL it if it is still there 10 s later."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if proc.poll() is not None:
            break
        try:
            os.killpg(proc.pid, sig)
            proc.wait(10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    if proc in STARTED:
        STARTED.remove(proc)


def get(url, headers=None):
    """(status, headers, body) of a GET; error statuses and 304 come back instead of raising."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def serve(app, env, tmp, cwd=None):
    """Run gunicorn on a free port (its log in tmp); returns (process, base URL) once it answers."""
    port = free_port()
    log = Path(tmp) / "gunicorn.log"
    proc = start([str(BIN / "gunicorn"), *GUNICORN, "--bind", f"127.0.0.1:{port}", app], env, cwd, log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn {app} exited:\n{log.read_text()[-3000:]}")
        try:
            get(base + "/")
            return proc, base
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn {app} did not answer on {base} within 30 s")


def wrk(url, seconds, args, headers=(), rotate=None):
    """Run wrk against url; returns req/s, p50 and p99 (ms), request and error counts.

    rotate=(prefix, count): each request asks for prefix + a random number below count instead
    (rotate.lua), so no two requests in a row ask the same question.
    """
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    if rotate:
        command += ["-s", str(HERE / "rotate.lua")]
        url = [url, "--", *map(str, rotate)]
    else:
        url = [url]
    proc = start(command + url, env=os.environ)
    try:
        out, _ = proc.communicate(timeout=seconds + 30)
    finally:
        stop(proc)
    if proc.returncode != 0 or "Requests/sec" not in out:
        raise RuntimeError(f"wrk failed:\n{out}")

    def ms(text):
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]

    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.M))  # wrk's "Latency Distribution"
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    bad_status = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": ms(percentiles["50"]),
        "p99_ms": ms(percentiles["99"]),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "socket_errors": sum(map(int, socket_errors.groups())) if socket_errors else 0,
        "non_2xx_3xx": int(bad_status.group(1)) if bad_status else 0,
    }


def load(url, args, headers=(), rotate=None):
    """wrk `args.repeat` times: the median run's figures, with every run's req/s in rps_runs."""
    runs = sorted((wrk(url, args.duration, args, headers, rotate) for _ in range(args.repeat)), key=lambda r: r["rps"])
    return dict(runs[len(runs) // 2], rps_runs=[r["rps"] for r in runs])


def postgres_admin(base_url, *statements):
    """Run statements outside a transaction (CREATE/DROP DATABASE) on the server of base_url."""
    engine = sa.create_engine(base_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            for statement in statements:
                connection.execute(sa.text(statement))
    finally:
        engine.dispose()


def postgres_database(base_url, name=BENCH_DB):
    """A fresh database `name` on the server of base_url: its URL, or None (and a message) if unreachable."""
    try:
        postgres_admin(base_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")
    except sa.exc.OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0]
        print(f"PostgreSQL at {base_url} is not reachable ({reason}): the PostgreSQL part is SKIPPED.")
        return None
    return sa.make_url(base_url).set(database=name).render_as_string(hide_password=False)


def product_row(store_id, i, today):
    """Product i of a store and its planned shipments [(quantity, days from today)]; i % 10 picks the state."""
    row = dict(store_id=store_id, sku=f"SKU-{i:06d}", name=f"Product {i}", price="19.90", on_hand=0,
               mode="backorder", backordered=0, backorder_limit=None, limit_to_incoming=False,
               back_in_stock_date=None, release_date=None)  # the same keys in every row, for executemany
    kind, shipments = i % 10, []
    if kind < 3:  # in stock, more on the way
        row.update(on_hand=5 + i % 40)
        shipments = [(20, 15)]
    elif kind < 5:  # backorder: 3 units queued against two shipments, limit 40
        row.update(backordered=3, backorder_limit=40)
        shipments = [(4, 10), (12, 30)]
    elif kind == 5:  # backorder only what is on order
        row.update(limit_to_incoming=True)
        shipments = [(6, 14)]
    elif kind == 6:  # backorder without shipment: the back-in-stock date
        row.update(backordered=2, backorder_limit=10, back_in_stock_date=today + timedelta(days=21))
    elif kind == 7:  # preorder until its release date
        row.update(mode="preorder", release_date=today + timedelta(days=60), backorder_limit=200, backordered=5)
    elif kind == 8:  # sold out: notify only, a shipment planned
        row.update(mode="notify")
        shipments = [(30, 18)]
    else:  # sold out: backorder limit reached
        row.update(backorder_limit=2, backordered=2)
    return row, shipments


def seed(url, sizes):
    """One store per catalogue size, bulk-inserted; returns ({size: public key}, the 1-sku answer's body).

    The `backordered` counters are set directly: the availability path reads them, never the
    backorder rows behind them, so none are made. VACUUM ANALYZE at the end, as autovacuum would.
    """
    from backorder import create_app
    from backorder.db import db
    from backorder.models import Product, Shipment
    from backorder.services import stores

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(32), "LOG_LEVEL": "WARNING"})
    keys = {}
    with app.app_context():
        for size in sizes:
            started = time.monotonic()
            store, _token = stores.create_store(f"Bench {size}", ["https://shop.example.com"])
            today = stores.today_in(store)
            rows = [product_row(store.id, i, today) for i in range(size)]
            for chunk in range(0, size, 10_000):
                db.session.execute(Product.__table__.insert(), [row for row, _ in rows[chunk:chunk + 10_000]])
            ids = dict(db.session.execute(sa.select(Product.sku, Product.id).where(Product.store_id == store.id)).all())
            planned = [dict(product_id=ids[row["sku"]], quantity=quantity, expected_on=today + timedelta(days=days))
                       for row, shipments in rows for quantity, days in shipments]
            for chunk in range(0, len(planned), 10_000):
                db.session.execute(Shipment.__table__.insert(), planned[chunk:chunk + 10_000])
            db.session.commit()
            keys[size] = store.public_key
            print(f"  seeded {size:,} products, {len(planned):,} shipments in {time.monotonic() - started:.1f} s")
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            # Planner statistics for the new rows (PostgreSQL plans by them), and no autovacuum mid-run.
            connection.execute(sa.text("VACUUM ANALYZE" if connection.dialect.name == "postgresql" else "ANALYZE"))
        body = app.test_client().get(f"/api/v1/stores/{keys[sizes[0]]}/availability?sku={ONE_SKU}").data
        db.engine.dispose()
    return keys, body


def twenty_skus(size):
    """20 skus spread over the catalogue, two of each of the ten kinds of product_row."""
    step = max(1, size // 20)
    return [f"SKU-{(j * step // 10) * 10 + j % 10:06d}" for j in range(20)]


def prepare(label, url, args, tmp):
    """Migrate and seed one database; returns (the server's environment, {size: public key}, 1-sku body)."""
    print(f"\n== {label}: migrate and seed")
    env = dict(os.environ, BACKORDER_DATABASE_URL=url, BACKORDER_SECRET_KEY=secrets.token_urlsafe(32),
               BACKORDER_INSTANCE_PATH=tempfile.mkdtemp(dir=tmp), BACKORDER_LOG_LEVEL="WARNING")
    subprocess.run([str(BIN / "backorder"), "db", "upgrade"], env=env, check=True, capture_output=True)
    return env, *seed(url, [args.small, args.products])


def measure_baseline(body, args, tmp, why="bare Flask, the same 1-sku body, the same gunicorn settings"):
    print(f"\n== baseline: {why}")
    server, base = serve("baseline_app:app", dict(os.environ, BENCH_BASELINE_BODY=body.decode()), tmp, cwd=HERE)
    try:
        assert get(base + "/baseline")[2] == body, "the baseline does not answer the 1-sku body"
        wrk(base + "/baseline", 2, args)  # warm-up
        baseline = load(base + "/baseline", args)
    finally:
        stop(server)
    print(f"  baseline          {baseline['rps']:8.0f} req/s  p99 {baseline['p99_ms']:6.1f} ms  ({len(body)} bytes)")
    return baseline


def measure(label, env, keys, args, tmp, baseline_rps, results):
    """Serve the app on one database and run wrk on each case for each store, with the per-process
    answer cache on (the default) and off (BACKORDER_ANSWER_CACHE_SECONDS=0), as --answer-cache asks."""
    for cache in args.answer_cache.split(","):
        print(f"\n== {label}: measure, answer cache {cache}")
        seconds = {"on": env.get("BACKORDER_ANSWER_CACHE_SECONDS", "5"), "off": "0"}[cache]
        server, base = serve("backorder:create_app()", dict(env, BACKORDER_ANSWER_CACHE_SECONDS=seconds), tmp)
        try:
            for size, key in keys.items():
                endpoint = f"{base}/api/v1/stores/{key}/availability?"
                one, twenty = endpoint + "sku=" + ONE_SKU, endpoint + "&".join(f"sku={s}" for s in twenty_skus(size))
                status, headers, _ = get(one)
                assert status == 200 and headers["ETag"], f"{one} answered {status}"
                revalidate = f"If-None-Match: {headers['ETag']}"
                assert get(one, {"If-None-Match": headers["ETag"]})[0] == 304, "no 304 for a matching If-None-Match"
                assert get(twenty)[0] == 200, f"{twenty} did not answer 200"
                wrk(one, 3, args)  # warm-up: both workers, statement caches, page cache
                cases = (("1 sku", one, (), None), ("20 skus", twenty, (), None), ("304", one, (revalidate,), None),
                         ("1 sku, rotating", endpoint + "sku=SKU-", (), ("/api/v1/stores/" + key
                                                                          + "/availability?sku=SKU-", size)))
                for case, url, extra, rotate in cases:
                    figures = load(url, args, extra, rotate)
                    results.append(dict(database=label, products=size, case=case, cache=cache, **figures,
                                        ratio=figures["rps"] / baseline_rps))
                    print(f"  {size:>7,} products  {case:<16} {figures['rps']:6.0f} req/s  p99 {figures['p99_ms']:6.1f} ms")
        finally:
            stop(server)


def median(runs):
    return sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]


def alternate(variants, cases, args, tmp):
    """Serve each variant in turn, `args.repeat` rounds, and run wrk on each of its cases, so drift hits
    every variant alike. variants: name -> (gunicorn app, environment, cwd); cases(base URL) -> {case:
    (path, headers, rotate)}. Returns {(case, variant): [wrk figures of each round]}."""
    runs = defaultdict(list)
    for round_ in range(args.repeat):
        for name, (app, env, cwd) in variants.items():
            server, base = serve(app, env, tmp, cwd)
            try:
                chosen = cases(base) if app != "baseline_app:app" else {"baseline": ("/baseline", (), None)}
                wrk(base + next(iter(chosen.values()))[0], 2, args)  # warm-up
                for case, (path, headers, rotate) in chosen.items():
                    runs[case, name].append(wrk(base + path, args.duration, args, headers, rotate))
                print(f"  round {round_ + 1}, {name}: " + ", ".join(
                    f"{case} {runs[case, name][-1]['rps']:.0f}" for case in chosen), flush=True)
            finally:
                stop(server)  # SIGTERM: each worker writes its last view counts as it exits
    return runs


def compare_view_counting(label, env, keys, args, tmp):
    """The large store's 1-sku and 20-sku cases with view counting off (BACKORDER_VIEW_FLUSH_SECONDS=0) and on
    (the default, 10 s), alternating off/on `args.repeat` times so drift hits both alike; returns result rows."""
    size = max(keys)
    endpoint = f"/api/v1/stores/{keys[size]}/availability?"
    cases = {"1 sku": (endpoint + "sku=" + ONE_SKU, (), None),
             "20 skus": (endpoint + "&".join(f"sku={s}" for s in twenty_skus(size)), (), None)}
    print(f"\n== {label}: view counting off vs on, {size:,} products, {args.repeat} alternating rounds")
    variants = {mode: ("backorder:create_app()", dict(env, BACKORDER_VIEW_FLUSH_SECONDS=seconds), None)
                for mode, seconds in (("off", "0"), ("on", "10"))}
    runs = alternate(variants, lambda base: cases, args, tmp)
    rows = []
    for case in cases:
        off, on = median(runs[case, "off"]), median(runs[case, "on"])
        change = on["rps"] / off["rps"] - 1
        rows.append(dict(database=label, products=size, case=case, rps_off=off["rps"], rps_on=on["rps"],
                         p99_off_ms=off["p99_ms"], p99_on_ms=on["p99_ms"], change=change,
                         rps_runs_off=[r["rps"] for r in runs[case, "off"]],
                         rps_runs_on=[r["rps"] for r in runs[case, "on"]]))
        print(f"  {case:<8} off {off['rps']:6.0f} req/s  on {on['rps']:6.0f} req/s  {change:+.1%}  "
              f"({'within' if abs(change) <= NOISE else 'OUTSIDE'} the {NOISE:.0%} noise allowance)")
    return rows


def compare_code(label, env, keys, body, args, tmp):
    """The baseline, the server code at --compare-with (PYTHONPATH), and this checkout's with the answer cache
    off and on, served in turn `args.repeat` rounds on one database; returns result rows (median runs, and
    each ratio to the median baseline of the same rounds)."""
    older = str(Path(args.compare_with).resolve() / "server")
    variants = {
        "baseline": ("baseline_app:app", dict(os.environ, BENCH_BASELINE_BODY=body.decode()), HERE),
        "before": ("backorder:create_app()", dict(env, PYTHONPATH=older), None),
        "cache off": ("backorder:create_app()", dict(env, BACKORDER_ANSWER_CACHE_SECONDS="0"), None),
        "cache on": ("backorder:create_app()", env, None),
    }

    def cases(base):
        found = {}
        for size, key in keys.items():
            endpoint = f"/api/v1/stores/{key}/availability?"
            etag = get(base + endpoint + "sku=" + ONE_SKU)[1]["ETag"]
            found.update({
                f"{size:,} products, 1 sku": (endpoint + "sku=" + ONE_SKU, (), None),
                f"{size:,} products, 20 skus": (endpoint + "&".join(f"sku={s}" for s in twenty_skus(size)), (), None),
                f"{size:,} products, 304": (endpoint + "sku=" + ONE_SKU, (f"If-None-Match: {etag}",), None),
                f"{size:,} products, 1 sku rotating": (endpoint + "sku=SKU-", (), (endpoint + "sku=SKU-", size)),
            })
        return found

    print(f"\n== {label}: {args.compare_with} against this checkout, {args.repeat} alternating rounds")
    runs = alternate(variants, cases, args, tmp)
    baseline = median(runs["baseline", "baseline"])["rps"]
    rows = [dict(database=label, case="baseline", variant="baseline", rps=baseline, ratio=1.0,
                 rps_runs=[r["rps"] for r in runs["baseline", "baseline"]])]
    for (case, variant), found in runs.items():
        if variant != "baseline":
            rows.append(dict(database=label, case=case, variant=variant, rps=median(found)["rps"],
                             p99_ms=median(found)["p99_ms"], ratio=median(found)["rps"] / baseline,
                             rps_runs=[r["rps"] for r in found]))
    print(f"\n{'case':<34}" + "".join(f"{name:>18}" for name in variants if name != "baseline")
          + f"   (ratio to the baseline's {baseline:.0f} req/s)")
    for case in dict.fromkeys(row["case"] for row in rows if row["variant"] != "baseline"):
        ratios = {row["variant"]: row for row in rows if row["case"] == case}
        print(f"{case:<34}" + "".join(f"{ratios[name]['rps']:10.0f} {ratios[name]['ratio']:5.2f}  "
                                      for name in variants if name != "baseline"))
    return rows


def in_process(label, url, keys, body, args):
    """Milliseconds per request through Flask's test client in this process (one thread, no HTTP, no wrk):
    steadier than wrk on a shared machine. The baseline is a bare Flask app with the same body; the app
    runs with the answer cache off and on (code that has none ignores the setting). Returns result rows."""
    from flask import Flask

    from backorder import create_app

    def per_request(client, path, headers=None, count=2000):
        client.get(path, headers=headers or {})
        runs = []
        for _ in range(max(3, args.repeat)):
            started = time.perf_counter()
            for _ in range(count):
                client.get(path, headers=headers or {})
            runs.append((time.perf_counter() - started) / count * 1000)
        return min(runs)  # the least disturbed run

    bare = Flask("baseline")
    bare.json.sort_keys = False
    constant = json.loads(body)
    bare.get("/baseline")(lambda: constant)
    baseline = per_request(bare.test_client(), "/baseline")
    rows = [dict(database=label, case="baseline", cache="", ms=baseline, ratio=1.0)]
    print(f"\n== {label}: in-process, ms per request (baseline {baseline:.3f} ms)")
    for cache in args.answer_cache.split(","):
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(32), "LOG_LEVEL": "WARNING",
                          "VIEW_FLUSH_SECONDS": 0, "ANSWER_CACHE_SECONDS": 5 if cache == "on" else 0})
        client = app.test_client()
        for size, key in keys.items():
            endpoint = f"/api/v1/stores/{key}/availability?"
            one = endpoint + "sku=" + ONE_SKU
            etag = client.get(one).headers["ETag"]
            for case, path, headers in (("1 sku", one, None),
                                        ("20 skus", endpoint + "&".join(f"sku={s}" for s in twenty_skus(size)), None),
                                        ("304", one, {"If-None-Match": etag})):
                ms = per_request(client, path, headers)
                rows.append(dict(database=label, products=size, case=case, cache=cache, ms=ms, ratio=baseline / ms))
                print(f"  {size:>7,} products  {case:<8} cache {cache:<3} {ms:6.3f} ms  {baseline / ms:5.2f} of the "
                      f"baseline's rate")
        with app.app_context():
            from backorder.db import db
            db.engine.dispose()
    return rows


def counted_views(url):
    """Views the counting run wrote to the database (all stores)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT coalesce(sum(views), 0) FROM product_view_day")).scalar_one()
    finally:
        engine.dispose()


def judge(row, results):
    """Fill row's target text and PASS/MISS: the ratio target, and for the large store its change."""
    notes, ok = [], True
    if row["case"] in TARGETS:
        notes.append(f">= {TARGETS[row['case']]:.2f}")
        ok = row["ratio"] >= TARGETS[row["case"]]
    small = min((r for r in results if (r["database"], r["case"], r.get("cache")) ==
                 (row["database"], row["case"], row.get("cache"))), key=lambda r: r["products"])
    if row["products"] > small["products"]:
        row["change_vs_small"] = row["rps"] / small["rps"] - 1
        notes.append(f"{row['change_vs_small']:+.0%} vs small")
        ok = ok and abs(row["change_vs_small"]) <= NOISE
    row.update(target=", ".join(notes) or "-", verdict=("PASS" if ok else "MISS") if notes else "")


def report(baseline, results):
    repeated = len(baseline["rps_runs"]) > 1  # then req/s is the median run's, and "runs" their range

    def line(database, products, case, cache, row, target=""):
        runs = f"{min(row['rps_runs']):7.0f}-{max(row['rps_runs']):<7.0f}" if repeated else ""
        print(f"{database:<11}{products:>9}  {case:<17}{cache:<6}{row['rps']:7.0f}{runs}{row['p99_ms']:8.1f}"
              f"{row['ratio']:7.2f}  {target}".rstrip())

    print(f"\n{'database':<11}{'products':>9}  {'case':<17}{'cache':<6}{'req/s':>7}"
          f"{'  runs (min-max)' if repeated else ''}{'p99 ms':>8}{'ratio':>7}  target")
    line("-", "-", "baseline", "", dict(baseline, ratio=1.0))
    for row in results:
        judge(row, results)
        line(row["database"], f"{row['products']:,}", row["case"], row["cache"], row,
             f"{row['target']} {row['verdict']}")
    print(f"ratio: req/s over the baseline's. Targets: 1 sku >= 0.70, 20 skus >= 0.50, and the "
          f"{max(r['products'] for r in results):,}-product store within {NOISE:.0%} of the small one.")
    drift = baseline["rps_at_end"] / baseline["rps"] - 1
    print(f"The baseline measured again at the end: {baseline['rps_at_end']:.0f} req/s ({drift:+.0%}"
          f"{', more than the noise allowance: the machine was busier or quieter' if abs(drift) > NOISE else ''}).")
    if any(row["socket_errors"] or row["non_2xx_3xx"] for row in [baseline, *results]):
        print("WARNING: wrk saw socket errors or unexpected statuses (see the JSON output).")


def run(args, tmp):
    """Prepare every database, measure the baseline, then each database; stops all it started."""
    targets = [("SQLite", f"sqlite:///{tmp}/bench.sqlite")]
    pg_url = postgres_database(args.postgres_url)
    if pg_url:
        targets.append(("PostgreSQL", pg_url))
    results = []
    try:
        prepared = [(label, *prepare(label, url, args, tmp)) for label, url in targets]
        if args.view_counting:
            for (label, env, keys, _body), (_, url) in zip(prepared, targets):
                results += compare_view_counting(label, env, keys, args, tmp)
                print(f"  views written by the counting servers: {counted_views(url):,}")
            return None, results
        if args.in_process:
            for (label, _env, keys, body), (_, url) in zip(prepared, targets):
                results += in_process(label, url, keys, body, args)
            return None, results
        if args.compare_with:
            for label, env, keys, body in prepared:
                results += compare_code(label, env, keys, body, args, tmp)
            return None, results
        baseline = measure_baseline(prepared[0][3], args, tmp)
        for label, env, keys, _body in prepared:
            measure(label, env, keys, args, tmp, baseline["rps"], results)
        baseline["rps_at_end"] = measure_baseline(prepared[0][3], args, tmp, "again, to see drift")["rps"]
    finally:
        for proc in list(STARTED):
            stop(proc)
        if pg_url:
            try:
                postgres_admin(args.postgres_url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
            except sa.exc.SQLAlchemyError as error:
                print(f"could not drop the database {BENCH_DB}: {error}")
    return baseline, results


def git_revision():
    """The checkout's commit, with -dirty when tracked files differ from it (the servers run this code)."""
    command = ["git", "-C", str(HERE), "describe", "--always", "--dirty"]
    return subprocess.run(command, capture_output=True, text=True).stdout.strip() or "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--quick", action="store_true", help="3 s per wrk run")
    parser.add_argument("--repeat", type=int, default=1, help="wrk runs per case; the median counts (default 1)")
    parser.add_argument("--postgres-url", default=os.environ.get("BACKORDER_BENCH_DATABASE_URL", DEFAULT_PG),
                        help="PostgreSQL server to use (its database is not touched; default %(default)s)")
    parser.add_argument("--products", type=int, default=100_000, help="large catalogue (default 100,000)")
    parser.add_argument("--small", type=int, default=50, help="small catalogue (default 50)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here (e.g. benchmarks/results/)")
    parser.add_argument("--answer-cache", default="on,off", choices=["on,off", "on", "off"],
                        help="serve with the per-process answer cache on, off, or both in turn (default on,off)")
    parser.add_argument("--compare-with", metavar="CHECKOUT",
                        help="only compare, in alternating rounds, the server code of another checkout (e.g. a git "
                             "worktree of an older commit) with this one's, answer cache off and on")
    parser.add_argument("--in-process", action="store_true",
                        help="only time requests through Flask's test client in this process (no wrk): steadier; "
                             "run it again with PYTHONPATH=OTHER/server to time another checkout's code")
    parser.add_argument("--view-counting", action="store_true",
                        help="only compare the large store with product-page view counting off and on (reports)")
    args = parser.parse_args()
    if args.quick:
        args.duration = 3
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: install it with: apt-get install -y wrk")
    if not (BIN / "gunicorn").exists() or not (BIN / "backorder").exists():
        sys.exit(f"gunicorn or backorder is not in {BIN}: run `make install` and use .venv/bin/python")
    # Ctrl-C and SIGTERM unwind through the `finally` blocks, which stop every process started.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped (SIGTERM)"))

    cores, revision = os.cpu_count(), git_revision()
    print(f"backorder at {revision}. {cores} cores shared by wrk ({args.threads} threads, {args.connections} "
          f"connections), gunicorn (2 sync workers) and PostgreSQL: compare ratios, not absolute req/s. "
          f"{args.duration} s per run.")
    started_at = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory(prefix="backorder-bench-") as tmp:
        baseline, results = run(args, tmp)
    if baseline is not None:
        report(baseline, results)
    if git_revision() != revision:
        print(f"WARNING: the code changed during the run ({revision} -> {git_revision()}): measure again.")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        machine = dict(cores=cores, python=platform.python_version(), platform=platform.platform(),
                       revision=revision)
        settings = dict(duration_s=args.duration, repeat=args.repeat, answer_cache=args.answer_cache, wrk_threads=args.threads,
                        wrk_connections=args.connections, gunicorn=GUNICORN, small=args.small, products=args.products)
        args.json.write_text(json.dumps(dict(date=started_at.isoformat(timespec="seconds"), machine=machine,
                                             settings=settings, baseline=baseline, results=results), indent=2))
        print(f"results written to {args.json}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted: every process this run started has been stopped")
