"""Sign-up floods against gunicorn with 4 workers: do the rate limits hold across processes?

    .venv/bin/python benchmarks/signup_flood.py                  # SQLite, then PostgreSQL
    .venv/bin/python benchmarks/signup_flood.py --requests 300 --threads 32 --sqlite-only

For each database it migrates a fresh one (`backorder db upgrade`; PostgreSQL: the database
`backorder_flood_bench`, dropped at the end), creates a store with one sold-out product for each flood, and serves
the app with gunicorn -w 4 (sync workers, rate limits in the database, BACKORDER_TRUSTED_PROXIES=1
so each request names its client in X-Forwarded-For: documentation addresses, never contacted).
Then three floods of --requests concurrent sign-ups, each aimed at one limit:

    one client, a new address each time     -> SIGNUP_LIMIT_IP    (10/minute, the default)
    a new client each time, one address     -> SIGNUP_LIMIT_EMAIL (5/hour, the default)
    a new client and address each time      -> SIGNUP_LIMIT_STORE (set to 100/minute here, default 600)

and counts the answers. A bucket holds `capacity` and refills at capacity/period, so the most a flood
may get accepted is capacity + rate x the flood's seconds; more is a limit that did not hold across
workers. Last, a 10 MB chunked body (no Content-Length) must be refused with 413. Exits 1 when a
limit did not hold, an answer was a 5xx, or the chunked body was not refused. Results: docs/security.md.
"""

import argparse
import http.client
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from availability import BIN, DEFAULT_PG, free_port, postgres_admin, postgres_database, start, stop

BENCH_DB = "backorder_flood_bench"
LIMITS = {"SIGNUP_LIMIT_IP": "10/minute", "SIGNUP_LIMIT_EMAIL": "5/hour", "SIGNUP_LIMIT_STORE": "100/minute"}
UNITS = {"second": 1, "minute": 60, "hour": 3600}


def backorder(env, *args):
    done = subprocess.run([str(BIN / "backorder"), *args], env=env, capture_output=True, text=True, timeout=120)
    if done.returncode:
        raise RuntimeError(f"backorder {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def request(port, method, path, body=None, headers=None, timeout=30):
    """(status, parsed JSON or text) over a fresh connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        connection.request(method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
        answer = connection.getresponse()
        text = answer.read().decode(errors="replace")
        return answer.status, text
    finally:
        connection.close()


def serve(env, tmp):
    """gunicorn -w 4 on a free port; (process, port) once it answers."""
    port = free_port()
    proc = start([str(BIN / "gunicorn"), "--workers", "4", "--worker-class", "sync", "--log-level", "warning",
                  "--no-control-socket", "--bind", f"127.0.0.1:{port}", "backorder:create_app()"],
                 env, tmp, Path(tmp) / "gunicorn.log")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited:\n" + (Path(tmp) / "gunicorn.log").read_text()[-3000:])
        try:
            request(port, "GET", "/api/v1/openapi.json", timeout=2)
            return proc, port
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 30 s")


def most_allowed(limit, seconds):
    """The most sign-ups a bucket lets through in `seconds`: its capacity plus what it refills."""
    count, unit = limit.split("/")
    capacity = int(count)
    return capacity + math.floor(capacity / UNITS[unit] * seconds)


def flood(port, public_key, requests, threads, client_of, email_of):
    """Fire the sign-ups all at once; ({status: count}, seconds)."""
    def one(n):
        status, _ = request(port, "POST", f"/api/v1/stores/{public_key}/subscriptions",
                            {"sku": "LAMP", "email": email_of(n)}, {"X-Forwarded-For": client_of(n)})
        return status

    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        statuses = list(pool.map(one, range(requests)))
    counts = {status: statuses.count(status) for status in sorted(set(statuses))}
    return counts, time.monotonic() - started


def chunked_oversize(port, public_key, megabytes=10):
    """Status of a sign-up whose body streams `megabytes` MB chunked, without a Content-Length."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    chunk = b" " * 65536
    try:
        connection.putrequest("POST", f"/api/v1/stores/{public_key}/subscriptions")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Transfer-Encoding", "chunked")
        connection.endheaders()
        try:
            for _ in range(megabytes * 16):
                connection.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            connection.send(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before the end: the answer says how
        return connection.getresponse().status
    finally:
        connection.close()


def run(label, database_url, args, tmp):
    env = {**os.environ, "BACKORDER_DATABASE_URL": database_url, "BACKORDER_SECRET_KEY": "flood",
           "BACKORDER_TRUSTED_PROXIES": "1", "BACKORDER_RUN_WORKER": "0", "BACKORDER_LOG_LEVEL": "WARNING",
           **{f"BACKORDER_{name}": value for name, value in LIMITS.items()}}
    backorder(env, "db", "upgrade")
    proc, port = serve(env, tmp)
    failures = []

    def new_store():
        """A store of its own for each flood, so one flood's sign-ups leave the next one's store bucket full."""
        keys = json.loads(backorder(env, "create-store", "--name", "Flood Shop",
                                    "--origin", "https://shop.example.com"))
        status, text = request(port, "PUT", "/api/v1/admin/products/LAMP", {"mode": "notify", "on_hand": 0},
                               {"Authorization": f"Bearer {keys['api_token']}"})
        assert status == 201, text
        return keys["public_key"]

    try:
        floods = [  # (limit, client of request n, address of request n)
            ("SIGNUP_LIMIT_IP", lambda n: "198.51.100.7", lambda n: f"ip-flood-{n}@example.com"),
            ("SIGNUP_LIMIT_EMAIL", lambda n: f"2001:db8:2:{n:x}::1", lambda n: "same@example.com"),
            ("SIGNUP_LIMIT_STORE", lambda n: f"2001:db8:1:{n:x}::1", lambda n: f"store-flood-{n}@example.com"),
        ]
        for limit, client_of, email_of in floods:
            counts, seconds = flood(port, new_store(), args.requests, args.threads, client_of, email_of)
            allowed = most_allowed(LIMITS[limit], seconds)
            accepted = counts.get(202, 0)
            held = accepted <= allowed and all(status in (202, 429) for status in counts)
            print(f"{label:10} {limit:19} {LIMITS[limit]:>11}  {args.requests} sign-ups in {seconds:5.2f} s: "
                  f"{json.dumps(counts)}  202s {accepted} <= {allowed} allowed: {'held' if held else 'BROKEN'}")
            if not held:
                failures.append(limit)
        status = chunked_oversize(port, new_store())
        print(f"{label:10} 10 MB chunked body (no Content-Length): {status}")
        if status != 413:
            failures.append("chunked body")
    finally:
        stop(proc)
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="sign-ups per flood")
    parser.add_argument("--threads", type=int, default=32, help="concurrent connections")
    parser.add_argument("--postgres-url", default=os.environ.get("BACKORDER_BENCH_DATABASE_URL", DEFAULT_PG))
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        failures += run("SQLite", "sqlite:///" + os.path.join(tmp, "flood.sqlite"), args, tmp)
        pg = None if args.sqlite_only else postgres_database(args.postgres_url, BENCH_DB)
        if pg:
            try:
                failures += run("PostgreSQL", pg, args, tmp)
            finally:
                postgres_admin(args.postgres_url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    print("every limit held" if not failures else f"FAILED: {', '.join(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
