"""The admin REST API for platform connections: credentials in and never out, secrets shown once,
sync queued for the worker, the BigCommerce widget through the Scripts API."""

import json
import time

import pytest
from platform_server import BC_BASE, BC_TOKEN, platforms  # noqa: F401 (fixture)
from platform_world import fast_retries  # noqa: F401 (fixture)

from backorder.db import db
from backorder.models import TASK_KIND, Message, PlatformConnection

ADMIN = "/api/v1/admin/platforms"


def test_listing_shows_each_webhook_url_and_nothing_set(client, store):
    answer = client.get(ADMIN, headers=store.headers)
    assert answer.status_code == 200
    items = {item["platform"]: item for item in answer.get_json()["items"]}
    assert list(items) == ["bigcommerce", "shopify", "woocommerce"]
    assert items["shopify"]["webhook_url"] == f"http://127.0.0.1:5000/hooks/{store.public_key}/shopify"
    assert not any(item["credentials_set"] or item["webhook_secret_set"] for item in items.values())


def test_credentials_are_stored_and_never_returned(app, client, store):
    answer = client.put(f"{ADMIN}/shopify/credentials", headers=store.headers,
                        json={"shop": "Example.myshopify.com", "access_token": "shpat_0123456789"})
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["credentials_set"] and body["credentials_hint"] == "…6789"
    assert body["api_url"] == "https://example.myshopify.com/admin/api/2025-07"
    assert "shpat_0123456789" not in answer.get_data(as_text=True)
    assert "shpat_0123456789" not in client.get(ADMIN, headers=store.headers).get_data(as_text=True)
    with app.app_context():
        assert "shpat_0123456789" not in db.session.get(PlatformConnection, (store.id, "shopify")).credentials


@pytest.mark.parametrize("platform, body, field", [
    ("shopify", {"shop": "example.com", "access_token": "t"}, "_schema"),  # not a myshopify domain
    ("woocommerce", {"shop": "http://shop.example.com", "consumer_key": "k", "consumer_secret": "s"}, "_schema"),
    ("woocommerce", {"shop": "https://shop.example.com", "consumer_key": "k"}, "_schema"),
    ("bigcommerce", {"shop": "abc/../x", "access_token": "t"}, "_schema"),
    ("bigcommerce", {"shop": "abc", "access_token": "t", "api_url": "http://10.0.0.1"}, "api_url"),
])
def test_bad_credentials_are_422(client, store, platform, body, field):
    answer = client.put(f"{ADMIN}/{platform}/credentials", headers=store.headers, json=body)
    assert answer.status_code == 422 and field in answer.get_json()["error"]["fields"]


def test_webhook_secret_is_shown_once_and_rotates(client, store):
    first = client.post(f"{ADMIN}/woocommerce/webhook-secret", headers=store.headers)
    second = client.post(f"{ADMIN}/woocommerce/webhook-secret", headers=store.headers)
    assert first.status_code == second.status_code == 200
    assert first.get_json()["webhook_secret"] != second.get_json()["webhook_secret"]
    listing = client.get(ADMIN, headers=store.headers).get_data(as_text=True)
    assert second.get_json()["webhook_secret"] not in listing
    shopify = client.post(f"{ADMIN}/shopify/webhook-secret", headers=store.headers)
    assert shopify.status_code == 422
    given = client.post(f"{ADMIN}/shopify/webhook-secret", headers=store.headers, json={"secret": "shpss_0123456789"})
    assert given.get_json()["webhook_secret"] == "shpss_0123456789"


def test_sync_is_queued_for_the_worker_once(app, client, store):
    assert client.post(f"{ADMIN}/bigcommerce/sync", headers=store.headers).status_code == 409
    client.put(f"{ADMIN}/bigcommerce/credentials", headers=store.headers, json={"shop": "abc123", "access_token": "t"})
    assert client.post(f"{ADMIN}/bigcommerce/sync", headers=store.headers).status_code == 202
    assert client.post(f"{ADMIN}/bigcommerce/sync", headers=store.headers).status_code == 202
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).where(Message.kind == TASK_KIND)).scalar() == 1


def test_widget_install_and_remove(app, client, store, platforms, runner, fast_retries):
    assert client.post(f"{ADMIN}/bigcommerce/widget", headers=store.headers).status_code == 409
    runner.invoke(args=["platform", "credentials", "--store", store.public_key, "--platform", "bigcommerce",
                        "--api-url", platforms.url + BC_BASE, "--access-token", BC_TOKEN])
    installed = client.post(f"{ADMIN}/bigcommerce/widget", headers=store.headers)
    assert installed.status_code == 200 and installed.get_json()["installed"]
    assert len(platforms.bc_scripts) == 1
    assert client.delete(f"{ADMIN}/bigcommerce/widget", headers=store.headers).get_json() == {
        "installed": False, "script_id": None}
    assert platforms.bc_scripts == {}
    assert client.delete(f"{ADMIN}/bigcommerce/widget", headers=store.headers).status_code == 409


def test_platform_down_is_502_not_500(client, store, platforms, runner, fast_retries):
    runner.invoke(args=["platform", "credentials", "--store", store.public_key, "--platform", "bigcommerce",
                        "--api-url", platforms.url + BC_BASE, "--access-token", BC_TOKEN])
    platforms.fail_next(500, times=20)
    answer = client.post(f"{ADMIN}/bigcommerce/widget", headers=store.headers)
    assert answer.status_code == 502 and answer.get_json()["error"]["code"] == "platform_unavailable"


def test_platform_that_cannot_be_reached_is_502_at_once(client, store, runner):
    runner.invoke(args=["platform", "credentials", "--store", store.public_key, "--platform", "bigcommerce",
                        "--api-url", "http://127.0.0.1:9" + BC_BASE, "--access-token", BC_TOKEN])
    started = time.monotonic()
    answer = client.post(f"{ADMIN}/bigcommerce/widget", headers=store.headers)  # default retries and backoff
    assert time.monotonic() - started < 2  # was 13 s of backoff before the 502
    assert answer.status_code == 502
    assert answer.get_json()["error"]["message"].startswith("bigcommerce: cannot connect to 127.0.0.1:9")


def test_bigcommerce_webhooks_are_registered_with_the_secret_header_once(app, client, store, platforms, runner,
                                                                         fast_retries):
    runner.invoke(args=["platform", "credentials", "--store", store.public_key, "--platform", "bigcommerce",
                        "--api-url", platforms.url + BC_BASE, "--access-token", BC_TOKEN])
    assert client.post(f"{ADMIN}/bigcommerce/webhooks", headers=store.headers).status_code == 409  # no secret yet
    secret = client.post(f"{ADMIN}/bigcommerce/webhook-secret", headers=store.headers).get_json()["webhook_secret"]
    answer = client.post(f"{ADMIN}/bigcommerce/webhooks", headers=store.headers)
    assert answer.status_code == 200 and answer.get_json() == {"webhooks": 8}
    hooks = list(platforms.bc_hooks.values())
    assert {hook["destination"] for hook in hooks} == {f"http://127.0.0.1:5000/hooks/{store.public_key}/bigcommerce"}
    assert {hook["scope"] for hook in hooks} >= {"store/sku/inventory/updated", "store/order/created"}
    assert all(hook["headers"] == {"X-Backorder-Secret": secret} and hook["is_active"] for hook in hooks)
    rotated = runner.invoke(args=["platform", "secret", "--store", store.public_key, "--platform", "bigcommerce"])
    again = runner.invoke(args=["platform", "webhooks", "--store", store.public_key])
    assert again.exit_code == 0 and len(platforms.bc_hooks) == 8  # updated, not duplicated
    new_secret = json.loads(rotated.stdout)["webhook_secret"]
    assert all(hook["headers"] == {"X-Backorder-Secret": new_secret} for hook in platforms.bc_hooks.values())
