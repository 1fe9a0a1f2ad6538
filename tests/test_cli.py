"""The `backorder` command and start-up settings: create-store, demo, BACKORDER_* variables, gunicorn."""

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from backorder import create_app
from backorder.config import ConfigError
from backorder.db import db
from backorder.models import Backorder, Order, Product, Store
from backorder.services.stores import hash_token

BIN = Path(sys.executable).parent  # the venv's bin/, where `backorder` and `gunicorn` are installed
STATES = {"in_stock", "backorder", "preorder", "sold_out", "untracked"}


def count(model):
    return db.session.scalar(db.select(sa.func.count()).select_from(model))


def one_json_object(text):
    """The single JSON object printed on one line, nothing else."""
    assert text.count("\n") == 1 and text.endswith("\n"), text
    return json.loads(text)


# --- create-store ---------------------------------------------------------------------------

CREATE = ["create-store", "--name", "N", "--origin", "https://a.example", "--locale", "de",
          "--timezone", "Europe/Berlin"]


def test_create_store_prints_its_public_key_and_token_as_one_json_object(runner):
    result = runner.invoke(args=CREATE)
    assert result.exit_code == 0, result.output
    keys = one_json_object(result.stdout)
    assert list(keys) == ["public_key", "api_token"]
    assert keys["public_key"].startswith("pk_") and len(keys["api_token"]) >= 32
    assert result.stderr == ""


def test_created_store_token_opens_the_admin_api(runner, client):
    token = json.loads(runner.invoke(args=CREATE).stdout)["api_token"]
    answer = client.get("/api/v1/admin/products", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    assert answer.get_json() == {"items": [], "next_after": None}
    refused = client.get("/api/v1/admin/products", headers={"Authorization": f"Bearer {token}x"})
    assert refused.status_code == 401


def test_created_store_keeps_only_a_hash_of_its_token(runner, app):
    keys = json.loads(runner.invoke(args=CREATE).stdout)
    with app.app_context():
        row = db.session.execute(sa.text("SELECT * FROM store")).mappings().one()
        store = db.session.execute(db.select(Store)).scalar_one()
    assert keys["api_token"] not in json.dumps({name: str(value) for name, value in row.items()})
    assert row["api_token_hash"] == hash_token(keys["api_token"])
    assert (store.public_key, store.name, store.locale, store.timezone, store.allowed_origins) == (
        keys["public_key"], "N", "de", "Europe/Berlin", ["https://a.example"])


@pytest.mark.parametrize("option, value, message", [
    ("--timezone", "Mars/Olympus_Mons", "unknown time zone 'Mars/Olympus_Mons'"),
    ("--origin", "ftp://a.example", "not an http(s) origin: 'ftp://a.example'"),
    ("--origin", "a.example", "not an http(s) origin: 'a.example'"),
])
def test_create_store_rejects_bad_options_with_a_usage_error(runner, app, option, value, message):
    options = {"--name": "N", "--origin": "https://a.example", "--timezone": "Europe/Berlin", option: value}
    result = runner.invoke(args=["create-store", *(part for pair in options.items() for part in pair)])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)  # click's usage error, not a crash
    assert f"Invalid value for '{option}'" in result.stderr and message in result.stderr
    assert result.stdout == ""
    with app.app_context():
        assert count(Store) == 0


def backorder(*args, env, cwd):
    """Run the installed `backorder` console script."""
    return subprocess.run([str(BIN / "backorder"), *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=60)


@pytest.fixture
def process_env(tmp_path):
    """Only BACKORDER_* settings (and PATH, HOME): a temp instance folder and a temp SQLite file."""
    return {
        "PATH": os.defpath,
        "HOME": str(tmp_path),  # gunicorn 27 puts its control socket under ~/.gunicorn
        "BACKORDER_INSTANCE_PATH": str(tmp_path / "instance"),
        "BACKORDER_SECRET_KEY": "process-test-secret",
        "BACKORDER_DATABASE_URL": "sqlite:///" + str(tmp_path / "data" / "shop.sqlite"),
    }


def test_console_script_usage_error_has_no_traceback(process_env, tmp_path):
    result = backorder("create-store", "--name", "N", "--origin", "https://a.example", "--timezone", "Nowhere",
                       env=process_env, cwd=tmp_path)
    assert result.returncode == 2
    assert "Error: Invalid value for '--timezone'" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


# --- demo -----------------------------------------------------------------------------------

def run_demo(runner):
    """Run `backorder demo`: (its keys, the availability URL of its first curl line)."""
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    keys = one_json_object(result.stdout)
    curls = [shlex.split(line) for line in result.stderr.splitlines() if line.strip().startswith("curl")]
    base = runner.app.config["PUBLIC_URL"].rstrip("/")
    assert len(curls) == 2, result.stderr
    assert curls[1][1:] == ["-H", f"Authorization: Bearer {keys['api_token']}", f"{base}/api/v1/admin/products"]
    return keys, curls[0][1].removeprefix(base)


def states(client, availability_url, *more_skus):
    url = availability_url + "".join(f"&sku={sku}" for sku in more_skus)
    answer = client.get(url)
    assert answer.status_code == 200
    return {item["sku"]: item for item in answer.get_json()["items"]}


def test_demo_store_shows_every_state(runner, client):
    keys, availability_url = run_demo(runner)
    assert availability_url.startswith(f"/api/v1/stores/{keys['public_key']}/availability?sku=")
    items = states(client, availability_url, "NOT-A-DEMO-SKU")
    assert {item["state"] for item in items.values()} == STATES
    assert items["NOT-A-DEMO-SKU"]["state"] == "untracked"
    assert all(item["sku"].startswith("DEMO-") for item in items.values() if item["state"] != "untracked")
    admin = client.get("/api/v1/admin/products", headers={"Authorization": f"Bearer {keys['api_token']}"})
    assert admin.status_code == 200 and len(admin.get_json()["items"]) == len(items) - 1


def test_demo_twice_keeps_the_public_key_and_replaces_the_token(runner, client, app):
    first, availability_url = run_demo(runner)
    before = states(client, availability_url)
    with app.app_context():
        counts = [count(model) for model in (Store, Product, Order, Backorder)]

    second, _ = run_demo(runner)
    assert second["public_key"] == first["public_key"]
    assert second["api_token"] != first["api_token"]
    old = client.get("/api/v1/admin/products", headers={"Authorization": f"Bearer {first['api_token']}"})
    new = client.get("/api/v1/admin/products", headers={"Authorization": f"Bearer {second['api_token']}"})
    assert (old.status_code, new.status_code) == (401, 200)
    with app.app_context():
        assert [count(model) for model in (Store, Product, Order, Backorder)] == counts
    assert states(client, availability_url) == before
    assert counts[2] > 0  # the demo does record orders, so "not duplicated" means something


# --- settings -------------------------------------------------------------------------------

@pytest.fixture
def bare_env(monkeypatch, tmp_path):
    """No BACKORDER_* variable but a temp instance folder: the defaults, as a fresh shell has them."""
    for name in list(os.environ):
        if name.startswith("BACKORDER_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("BACKORDER_INSTANCE_PATH", str(tmp_path))
    return monkeypatch


def test_app_refuses_to_start_without_a_secret_key_outside_debug(bare_env):
    with pytest.raises(ConfigError, match=r"BACKORDER_SECRET_KEY is not set\. Set it to a long random string"):
        create_app()


@pytest.mark.parametrize("variable, value", [("BACKORDER_SECRET_KEY", "s3cret"), ("BACKORDER_DEBUG", "1")])
def test_app_starts_with_a_secret_key_or_in_debug(bare_env, tmp_path, variable, value):
    bare_env.setenv(variable, value)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + str(tmp_path / "backorder.sqlite")
    if variable == "BACKORDER_SECRET_KEY":
        assert (app.config["SECRET_KEY"], app.debug) == ("s3cret", False)
    else:
        assert app.debug is True


def test_environment_variables_override_defaults(bare_env, tmp_path):
    for name, value in {
        "SECRET_KEY": "from-env", "DEBUG": "yes", "DATABASE_URL": f"sqlite:///{tmp_path}/other.sqlite",
        "PUBLIC_URL": "https://backorder.example", "MAX_CONTENT_LENGTH": "2048", "SQLITE_BUSY_TIMEOUT": "7",
        "STORE_CACHE_SECONDS": "0", "LOG_LEVEL": "WARNING",
    }.items():
        bare_env.setenv(f"BACKORDER_{name}", value)
    config = create_app().config
    assert (config["SECRET_KEY"], config["DEBUG"], config["PUBLIC_URL"], config["LOG_LEVEL"]) == (
        "from-env", True, "https://backorder.example", "WARNING")
    assert (config["MAX_CONTENT_LENGTH"], config["STORE_CACHE_SECONDS"]) == (2048, 0)
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/other.sqlite"
    assert config["SQLALCHEMY_ENGINE_OPTIONS"] == {"connect_args": {"timeout": 7}}


def test_test_mapping_wins_over_the_environment(bare_env):
    bare_env.setenv("BACKORDER_PUBLIC_URL", "https://from-env.example")
    app = create_app({"TESTING": True, "PUBLIC_URL": "https://from-test.example"})
    assert app.config["PUBLIC_URL"] == "https://from-test.example"


@pytest.mark.parametrize("name, value, message", [
    ("DEBUG", "maybe", "BACKORDER_DEBUG must be true or false, not 'maybe'"),
    ("STORE_CACHE_SECONDS", "five", "BACKORDER_STORE_CACHE_SECONDS must be a whole number, not 'five'"),
    ("MAX_CONTENT_LENGTH", "1MB", "BACKORDER_MAX_CONTENT_LENGTH must be a whole number, not '1MB'"),
])
def test_bad_setting_value_is_a_config_error(bare_env, name, value, message):
    bare_env.setenv("BACKORDER_SECRET_KEY", "s3cret")
    bare_env.setenv(f"BACKORDER_{name}", value)
    with pytest.raises(ConfigError, match=re.escape(message)):
        create_app()


# --- a real server --------------------------------------------------------------------------

def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url, headers=None):
    """(status, body) of a GET; (None, reason) while nothing listens."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=2) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        return None, str(error)


def test_migrate_then_serve_with_gunicorn_from_environment_variables_only(process_env, tmp_path):
    upgraded = backorder("db", "upgrade", env=process_env, cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    assert (tmp_path / "data" / "shop.sqlite").is_file()
    created = backorder("create-store", "--name", "Shop", "--origin", "https://shop.example", env=process_env,
                        cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    keys = one_json_object(created.stdout)

    base = f"http://127.0.0.1:{free_port()}"
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "backorder:create_app()", "--bind", base.removeprefix("http://"),
             "--workers", "1"],
            env=process_env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 15
        status, body = get(f"{base}/api/v1/openapi.json")
        while status is None and server.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
            status, body = get(f"{base}/api/v1/openapi.json")
        assert status == 200, f"{body!r}\n{log_path.read_text()}"
        assert json.loads(body)["openapi"].startswith("3.")
        status, body = get(f"{base}/api/v1/admin/products", {"Authorization": f"Bearer {keys['api_token']}"})
        assert status == 200, body
        status, body = get(f"{base}/api/v1/stores/{keys['public_key']}/availability?sku=ANY")
        assert (status, json.loads(body)["items"][0]["state"]) == (200, "untracked")
    finally:
        server.terminate()
        try:
            exit_code = server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
            raise
    assert exit_code == 0, log_path.read_text()


@pytest.mark.parametrize("value, expected", [("debug", "DEBUG"), ("Warning", "WARNING")])
def test_log_level_is_read_in_any_case(monkeypatch, value, expected):
    monkeypatch.setenv("BACKORDER_LOG_LEVEL", value)
    assert create_app({"TESTING": True, "DATABASE_URL": "sqlite://"}).config["LOG_LEVEL"] == expected


def test_unknown_log_level_is_a_config_error(monkeypatch):
    monkeypatch.setenv("BACKORDER_LOG_LEVEL", "loud")
    with pytest.raises(ConfigError, match="BACKORDER_LOG_LEVEL"):
        create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})


@pytest.mark.parametrize("option, value", [("--locale", "x" * 40), ("--locale", "en_US!"), ("--name", " ")])
def test_create_store_checks_locale_and_name(runner, option, value):
    args = ["create-store", "--name", "Shop", "--origin", "https://a.example", option, value]
    result = runner.invoke(args=args)
    assert result.exit_code == 2 and "Invalid value" in result.output


def test_console_script_reports_a_config_error_without_a_traceback(tmp_path):
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "BACKORDER_INSTANCE_PATH": str(tmp_path)}
    result = subprocess.run([str(BIN / "backorder"), "db", "upgrade"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "BACKORDER_SECRET_KEY is not set" in result.stderr and "Traceback" not in result.stderr


def test_create_user_reads_the_password_from_stdin_and_can_log_in(app, runner, store, client):
    from conftest import AdminClient

    result = runner.invoke(args=["create-user", "--store", store.public_key, "--email", "Boss@Example.com",
                                 "--password-stdin"], input="a long enough password\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"email": "boss@example.com", "store": store.public_key, "created": True}
    assert AdminClient(client).login("boss@example.com", "a long enough password").status_code == 302


def test_create_user_asks_twice_and_refuses_a_short_password(runner, store):
    result = runner.invoke(args=["create-user", "--store", store.public_key, "--email", "a@example.com"],
                           input="short\nshort\n")
    assert result.exit_code == 2 and "at least 10 characters" in result.output
    mismatch = runner.invoke(args=["create-user", "--store", store.public_key, "--email", "a@example.com"],
                             input="long password one\nlong password two\n")
    assert mismatch.exit_code != 0 and "do not match" in mismatch.output


def test_create_user_adds_a_store_to_an_existing_user(app, runner, store, other_store):
    runner.invoke(args=["create-user", "--store", store.public_key, "--email", "ops@example.com",
                        "--password-stdin"], input="a long enough password\n")
    again = runner.invoke(args=["create-user", "--store", other_store.public_key, "--email", "ops@example.com"])
    assert again.exit_code == 0 and json.loads(again.output)["created"] is False
    with app.app_context():
        from backorder.services import users
        assert len(users.stores_of(users.user_by_email("ops@example.com").id)) == 2


def test_create_user_for_an_unknown_store_says_so(runner):
    result = runner.invoke(args=["create-user", "--store", "pk_nope", "--email", "a@example.com"])
    assert result.exit_code == 2 and "no store has the public key" in result.output


def test_refresh_answers_stores_the_answers_a_product_lacks(runner, app, store, make_product):
    make_product("OLD", mode="backorder", on_hand=2)
    with app.app_context():  # as after the upgrade that added stored answers, or a day later
        db.session.execute(sa.text("UPDATE product SET answer = NULL, answer_from = NULL, answer_until = NULL"))
        db.session.commit()
    result = runner.invoke(args=["refresh-answers"])
    assert result.exit_code == 0 and json.loads(result.output) == {"refreshed": 1}
    with app.app_context():
        product = db.session.execute(db.select(Product).filter_by(sku="OLD")).scalar_one()
        assert json.loads(product.answer)["state"] == "in_stock"
    assert json.loads(runner.invoke(args=["refresh-answers"]).output) == {"refreshed": 0}
