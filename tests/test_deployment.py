"""The documented deployment, run for real: the Procfile's processes on PostgreSQL, a restock end to end.

`release` migrates, `web` is gunicorn with 2 workers, `worker` runs twice; a shopper signs up over
HTTP, the merchant restocks over HTTP, and exactly one restock email reaches the SMTP server.
"""

import json
import os
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


def call(method, url, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode(errors="replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None, None


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
        "BACKORDER_LOG_LEVEL": "WARNING",
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


def test_procfile_deployment_sends_one_restock_email(deployment, smtp_server):
    created = subprocess.run([str(BIN / "backorder"), "create-store", "--name", "Deployed Shop",
                              "--origin", "https://shop.example.com"], env=deployment.env, cwd=deployment.cwd,
                             capture_output=True, text=True, timeout=60)
    assert created.returncode == 0, created.stderr
    keys = json.loads(created.stdout)
    admin = {"Authorization": f"Bearer {keys['api_token']}"}
    base = deployment.base
    assert call("PATCH", f"{base}/api/v1/admin/store", {"double_opt_in": False}, admin)[0] == 200
    assert call("PUT", f"{base}/api/v1/admin/products/LAMP", {"on_hand": 0, "mode": "notify"}, admin)[0] == 201
    status, body = call("POST", f"{base}/api/v1/stores/{keys['public_key']}/subscriptions",
                        {"sku": "LAMP", "email": "shopper@example.com"}, {"Origin": "https://shop.example.com"})
    assert (status, body["status"]) == (202, "active")

    assert len(children_of(deployment.processes["web"].pid)) == 2  # gunicorn's two workers
    assert call("PUT", f"{base}/api/v1/admin/products/LAMP", {"on_hand": 5}, admin)[0] == 200
    [restock] = smtp_server.wait_for(1, timeout=20)
    assert smtp_server.deliveries[0].recipients == ["shopper@example.com"]
    assert "LAMP" in restock.get_body(("plain",)).get_content()
    time.sleep(2)  # two workers polling: still exactly one email
    assert len(smtp_server.deliveries) == 1
    assert all(process.poll() is None for process in deployment.processes.values()), deployment.log.read_text()
