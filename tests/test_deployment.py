"""The documented deployment, run for real: the Procfile's processes on PostgreSQL behind nginx.

`release` migrates, `web` is gunicorn with 2 workers, `worker` runs twice, and nginx runs
deploy/nginx/backorder-locations.conf in front; a shopper signs up through nginx, the merchant
restocks through it, exactly one restock email reaches the SMTP server, and the product page's
availability is served from nginx's cache, then revalidated with the new answer.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import POSTGRES_URL
from smtp_mailbox import _free_port

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL (set BACKORDER_TEST_DATABASE_URL): "
                                "the production deployment runs several processes on one database")


def procfile():
    """{process type: command} from the Procfile at the repository's root."""
    lines = (REPO / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def fetch(url, headers=None, method="GET", data=None):
    """(status, headers, body bytes) of one request; (None, {}, b"") when no HTTP answer came."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None, {}, b""


def call(method, url, body=None, headers=None):
    """(status, parsed JSON) of a JSON request; an error's body as text; (None, None) when no answer came."""
    status, _, raw = fetch(url, {"Content-Type": "application/json", **(headers or {})}, method,
                           json.dumps(body).encode() if body is not None else None)
    if status is None:
        return None, None
    return (status, json.loads(raw or b"null")) if status < 400 else (status, raw.decode(errors="replace"))


def nginx_binary():
    """nginx's path, installing Debian's nginx-light when running as root; else skip, saying what is missing."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found is None and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "nginx-light"], capture_output=True, timeout=600)
        found = shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        pytest.skip("nginx is missing (the documented reverse proxy): `sudo apt-get install -y nginx-light`")
    return found


def children_of(pid):
    """Process ids whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.fixture
def deployment(database_url, smtp_server, tmp_path):
    """Start `web` and two `worker`s from the Procfile after `release`; stop them all afterwards."""
    port = _free_port()
    env = {
        "PATH": f"{BIN}:{os.defpath}", "HOME": str(tmp_path), "PORT": str(port), "WEB_CONCURRENCY": "2",
        "BACKORDER_SECRET_KEY": "deployment-test-secret", "BACKORDER_DATABASE_URL": database_url,
        "BACKORDER_PUBLIC_URL": f"http://127.0.0.1:{port}", "BACKORDER_SMTP_URL": smtp_server.url,
        "BACKORDER_LOG_LEVEL": "WARNING", "BACKORDER_TRUSTED_PROXIES": "1",
    }
    commands = procfile()
    release = subprocess.run(["sh", "-c", commands["release"]], env=env, cwd=tmp_path, capture_output=True,
                             text=True, timeout=120)
    assert release.returncode == 0, release.stderr
    log = open(tmp_path / "processes.log", "w")
    processes = {name: subprocess.Popen(["sh", "-c", "exec " + commands[kind]], env=env, cwd=tmp_path,
                                        stdout=log, stderr=subprocess.STDOUT)
                 for name, kind in [("web", "web"), ("worker-1", "worker"), ("worker-2", "worker")]}
    base = env["BACKORDER_PUBLIC_URL"]
    deadline = time.monotonic() + 20
    while call("GET", f"{base}/api/v1/openapi.json")[0] != 200:
        assert time.monotonic() < deadline and processes["web"].poll() is None, (tmp_path / "processes.log").read_text()
        time.sleep(0.2)
    yield type("Deployment", (), {"base": base, "env": env, "processes": processes, "cwd": tmp_path,
                                  "log": tmp_path / "processes.log"})
    for process in processes.values():
        process.send_signal(signal.SIGTERM)
    for process in processes.values():
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    log.close()


@pytest.fixture
def proxy(deployment, tmp_path):
    """nginx with the repository's location rules in front of the deployment's gunicorn; stopped afterwards."""
    nginx, port, work = nginx_binary(), _free_port(), tmp_path / "nginx"
    work.mkdir()
    locations = REPO / "deploy" / "nginx" / "backorder-locations.conf"
    # The production file's http-level lines, with this test's folders and ports.
    (work / "nginx.conf").write_text(f"""
        {"user root;" if os.geteuid() == 0 else ""}
        daemon off; worker_processes 1; pid {work}/nginx.pid; error_log {work}/error.log warn;
        events {{ worker_connections 256; }}
        http {{
            access_log off;
            client_body_temp_path {work}/body; proxy_temp_path {work}/proxy;
            fastcgi_temp_path {work}/fastcgi; uwsgi_temp_path {work}/uwsgi; scgi_temp_path {work}/scgi;
            proxy_cache_path {work}/cache levels=1:2 keys_zone=backorder:1m inactive=10m use_temp_path=off;
            upstream backorder_app {{ server {deployment.base.removeprefix("http://")}; }}
            server {{ listen 127.0.0.1:{port}; include {locations}; }}
        }}""")
    process = subprocess.Popen([nginx, "-c", str(work / "nginx.conf"), "-p", str(work)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while call("GET", f"{base}/api/v1/health")[0] != 200:
        error_log = work / "error.log"
        assert time.monotonic() < deadline and process.poll() is None, \
            error_log.read_text() if error_log.exists() else "nginx did not start"
        time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(timeout=10)


def test_procfile_deployment_behind_nginx_sends_one_restock_email(deployment, proxy, smtp_server):
    created = subprocess.run([str(BIN / "backorder"), "create-store", "--name", "Deployed Shop",
                              "--origin", "https://shop.example.com"], env=deployment.env, cwd=deployment.cwd,
                             capture_output=True, text=True, timeout=60)
    assert created.returncode == 0, created.stderr
    keys = json.loads(created.stdout)
    admin = {"Authorization": f"Bearer {keys['api_token']}"}
    base = proxy  # every request goes through nginx, as in production
    assert call("PATCH", f"{base}/api/v1/admin/store", {"double_opt_in": False, "cache_max_age": 2}, admin)[0] == 200
    assert call("PUT", f"{base}/api/v1/admin/products/LAMP", {"on_hand": 0, "mode": "notify"}, admin)[0] == 201
    status, body = call("POST", f"{base}/api/v1/stores/{keys['public_key']}/subscriptions",
                        {"sku": "LAMP", "email": "shopper@example.com"}, {"Origin": "https://shop.example.com"})
    assert (status, body["status"]) == (202, "active")
    shop = {"Origin": "https://shop.example.com"}
    availability = f"{base}/api/v1/stores/{keys['public_key']}/availability?sku=LAMP"
    first, second = fetch(availability, shop), fetch(availability, shop)
    assert [first[1]["X-Cache-Status"], second[1]["X-Cache-Status"]] == ["MISS", "HIT"]
    assert second[1]["Access-Control-Allow-Origin"] == "https://shop.example.com"
    assert json.loads(second[2])["items"][0]["state"] == "sold_out"
    foreign = fetch(availability, {"Origin": "https://evil.example"})  # Vary: Origin: its own entry
    assert foreign[1]["X-Cache-Status"] == "MISS" and "Access-Control-Allow-Origin" not in foreign[1]
    assert [fetch(f"{base}/widget.js")[1]["X-Cache-Status"] for _ in range(2)] == ["MISS", "HIT"]

    assert len(children_of(deployment.processes["web"].pid)) == 2  # gunicorn's two workers
    assert call("PUT", f"{base}/api/v1/admin/products/LAMP", {"on_hand": 5}, admin)[0] == 200
    [restock] = smtp_server.wait_for(1, timeout=20)
    assert smtp_server.deliveries[0].recipients == ["shopper@example.com"]
    assert "LAMP" in restock.get_body(("plain",)).get_content()
    # The store's max age (2 s here) runs out (nginx counts whole seconds: 3 s to be sure): the next
    time.sleep(3.1)  # shopper gets the stale answer at once while nginx revalidates in the background
    status, headers, answer = fetch(availability, shop)
    assert (status, headers["X-Cache-Status"], json.loads(answer)["items"][0]["state"]) == (200, "STALE", "sold_out")
    deadline = time.monotonic() + 5
    while json.loads(answer)["items"][0]["state"] != "in_stock":
        assert time.monotonic() < deadline, "nginx never took the new answer"
        time.sleep(0.1)
        status, headers, answer = fetch(availability, shop)
    assert (status, headers["X-Cache-Status"]) == (200, "HIT")
    status, headers, _ = fetch(f"{base}/api/v1/admin/products/LAMP", admin)
    assert status == 200 and "X-Cache-Status" not in headers  # the admin API is never cached
    time.sleep(2)  # two workers polling: still exactly one email
    assert len(smtp_server.deliveries) == 1
    assert all(process.poll() is None for process in deployment.processes.values()), deployment.log.read_text()
