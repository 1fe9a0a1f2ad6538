"""The REST clients over real HTTP against the local stand-in (pagination, 429 with each platform's
headers, 500 then success, refusals), `backorder sync` with its progress bar, and the platform CLI."""

import json

import pytest
from platform_server import (  # noqa: F401 (fixture)
    BC_BASE, BC_TOKEN, SHOPIFY_BASE, SHOPIFY_TOKEN, WOO_BASE, WOO_KEY, WOO_SECRET, platforms,
)
from platform_world import SECRET, connect, fast_retries, fixture, level_payload, product, shopify_headers  # noqa: F401

from backorder.db import db
from backorder.integrations.bigcommerce import BigCommerceClient
from backorder.integrations.shopify import ShopifyClient
from backorder.models import PlatformConnection, Store
from backorder.services.errors import PlatformRefused, PlatformUnavailable


class Sleeps(list):
    """Records each wait instead of sleeping."""

    def __call__(self, seconds):
        self.append(round(seconds, 3))


def bc_products(count):
    base = fixture("bigcommerce_catalog_product")
    return [{**base, "id": n, "name": f"Jacket {n}", "inventory_tracking": "product", "inventory_level": n % 3,
             "variants": [{**base["variants"][0], "id": 1000 + n, "sku": f"J-{n}", "product_id": n}]}
            for n in range(1, count + 1)]


def test_bigcommerce_429_waits_as_long_as_its_reset_header_says(platforms):
    platforms.fail_next(429, headers={"X-Rate-Limit-Time-Reset-Ms": "1500", "X-Rate-Limit-Requests-Left": "0"})
    sleeps = Sleeps()
    client = BigCommerceClient(platforms.url + BC_BASE, {"access_token": BC_TOKEN}, sleep=sleeps)
    assert client.product_count() == 0
    assert sleeps == [1.5] and client.requests_made == 2


def test_bigcommerce_pauses_when_its_bucket_is_nearly_empty(platforms, monkeypatch):
    sleeps = Sleeps()
    client = BigCommerceClient(platforms.url + BC_BASE, {"access_token": BC_TOKEN}, sleep=sleeps)
    original = client.session.request

    def nearly_empty(*args, **kwargs):
        response = original(*args, **kwargs)
        response.headers["X-Rate-Limit-Requests-Left"] = "1"
        return response

    monkeypatch.setattr(client.session, "request", nearly_empty)
    client.product_count()
    assert sleeps == [1.0]


def test_shopify_429_waits_for_retry_after(platforms):
    platforms.fail_next(429, headers={"Retry-After": "2.0"})
    sleeps = Sleeps()
    client = ShopifyClient(platforms.url + SHOPIFY_BASE, {"access_token": SHOPIFY_TOKEN}, sleep=sleeps)
    assert client.product_count() == 0
    assert sleeps == [2.0]


def test_500_then_success_backs_off_and_retries(platforms):
    platforms.fail_next(500, times=2)
    sleeps = Sleeps()
    client = ShopifyClient(platforms.url + SHOPIFY_BASE, {"access_token": SHOPIFY_TOKEN}, sleep=sleeps, backoff=1.0)
    assert client.product_count() == 0
    assert len(sleeps) == 2 and 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0  # doubling, with jitter


def test_persistent_5xx_gives_up_as_unavailable(platforms):
    platforms.fail_next(502, times=10)
    client = ShopifyClient(platforms.url + SHOPIFY_BASE, {"access_token": SHOPIFY_TOKEN}, sleep=Sleeps(), retries=2)
    with pytest.raises(PlatformUnavailable, match="answered 502 after 2 retries"):
        client.product_count()
    assert client.requests_made == 3


def test_4xx_is_refused_at_once(platforms):
    client = ShopifyClient(platforms.url + SHOPIFY_BASE, {"access_token": "wrong"}, sleep=Sleeps())
    with pytest.raises(PlatformRefused, match="answered 401"):
        client.product_count()
    assert client.requests_made == 1


@pytest.mark.parametrize("url, why", [("http://127.0.0.1:9/admin", "connection refused"),
                                      ("http://no-such-host.invalid/admin", "host name not found")])
def test_a_connection_that_cannot_be_made_fails_at_once(url, why):
    sleeps = Sleeps()
    client = ShopifyClient(url, {"access_token": "x"}, sleep=sleeps, retries=4, timeout=1)
    with pytest.raises(PlatformUnavailable, match=f"cannot connect to {url.split('/')[2]} \\({why}"):
        client.product_count()
    assert client.requests_made == 1 and sleeps == []


def test_sync_bigcommerce_walks_every_page(app, store, platforms, fast_retries):
    connect(app, store, "bigcommerce", platforms.url + BC_BASE, {"access_token": BC_TOKEN})
    platforms.bc_products = bc_products(5)
    platforms.fail_next(429, headers={"X-Rate-Limit-Time-Reset-Ms": "10"}, path=BC_BASE + "/v3/catalog/products")
    from backorder.services.platform_sync import sync_store

    seen = []
    with app.app_context():
        from backorder.services import platform_sync

        original = platform_sync.bigcommerce.BigCommerceClient.product_pages
        platform_sync.bigcommerce.BigCommerceClient.product_pages = lambda self: original(self, per_page=2)
        try:
            result = sync_store(db.session.get(Store, store.id), "bigcommerce", lambda done, total: seen.append((done, total)))
        finally:
            platform_sync.bigcommerce.BigCommerceClient.product_pages = original
    assert result["products"] == 5 and result["variants"] == 5
    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]
    assert [product(app, store, f"J-{n}").on_hand for n in range(1, 6)] == [1, 2, 0, 1, 2]
    with app.app_context():
        assert db.session.get(PlatformConnection, (store.id, "bigcommerce")).last_sync_result.startswith("5 products")


def test_sync_shopify_follows_link_pages_and_sums_locations(app, store, platforms, fast_retries):
    connect(app, store, "shopify", platforms.url + SHOPIFY_BASE, {"access_token": SHOPIFY_TOKEN})
    base = fixture("shopify_products_update")
    platforms.shopify_products = [{**base, "id": n, "variants": [
        {**base["variants"][0], "id": 100 + n, "sku": f"S-{n}", "inventory_item_id": 500 + n}]} for n in range(1, 4)]
    platforms.shopify_levels = {"501": {"1": 2, "2": 3}, "502": {"1": -1}, "503": {"1": None}}
    with app.app_context():
        from backorder.services import platform_sync

        original = platform_sync.shopify.ShopifyClient.product_pages
        platform_sync.shopify.ShopifyClient.product_pages = lambda self: original(self, per_page=2)
        try:
            result = platform_sync.sync_store(db.session.get(Store, store.id), "shopify")
        finally:
            platform_sync.shopify.ShopifyClient.product_pages = original
    assert result["products"] == 3
    assert [product(app, store, f"S-{n}").on_hand for n in range(1, 4)] == [5, 0, 0]
    assert any("page_info=2" in path for path in platforms.paths())


def test_sync_woocommerce_reads_variations_of_variable_products(app, store, platforms, fast_retries):
    connect(app, store, "woocommerce", platforms.url + WOO_BASE,
            {"consumer_key": WOO_KEY, "consumer_secret": WOO_SECRET})
    simple = fixture("woocommerce_product_updated")
    platforms.woo_products = [{**simple, "id": n, "sku": f"W-{n}", "stock_quantity": n} for n in range(1, 13)] + [
        {"id": 810, "type": "variable", "name": "Tee", "sku": "TEE", "variations": [812]}]
    platforms.woo_variations = {"810": [fixture("woocommerce_variation_updated")]}
    with app.app_context():
        from backorder.services import platform_sync

        result = platform_sync.sync_store(db.session.get(Store, store.id), "woocommerce")
    assert (result["products"], result["variants"]) == (13, 13)
    assert product(app, store, "W-12").on_hand == 12
    assert product(app, store, "TEE-L").name == "Tee - L"


def test_sync_command_shows_progress_and_prints_counts(app, store, platforms, runner, fast_retries):
    connect(app, store, "bigcommerce", platforms.url + BC_BASE, {"access_token": BC_TOKEN})
    platforms.bc_products = bc_products(3)
    answer = runner.invoke(args=["sync", "--store", store.public_key, "--platform", "bigcommerce"])
    assert answer.exit_code == 0, answer.output
    assert json.loads(answer.stdout.strip().splitlines()[-1])["products"] == 3
    assert "Syncing bigcommerce" in answer.stderr


def test_sync_without_credentials_says_so(store, runner):
    answer = runner.invoke(args=["sync", "--store", store.public_key, "--platform", "shopify"])
    assert answer.exit_code == 1 and "No API credentials" in answer.output


def test_platform_cli_sets_credentials_and_secret_and_never_shows_them(app, store, runner):
    answer = runner.invoke(args=["platform", "credentials", "--store", store.public_key, "--platform", "shopify",
                                 "--shop", "https://Example.myshopify.com/admin"], input="shpat_supersecret\n")
    assert answer.exit_code == 0, answer.output
    assert json.loads(answer.stdout.splitlines()[-1]) == {
        "platform": "shopify", "api_url": "https://example.myshopify.com/admin/api/2025-07",
        "credentials_hint": "…cret"}
    refused = runner.invoke(args=["platform", "secret", "--store", store.public_key, "--platform", "shopify"])
    assert refused.exit_code == 1 and "paste it from Shopify" in refused.output
    made = runner.invoke(args=["platform", "secret", "--store", store.public_key, "--platform", "woocommerce"])
    secret = json.loads(made.stdout)["webhook_secret"]
    assert secret.startswith("whsec_") and json.loads(made.stdout)["webhook_url"].endswith(
        f"/hooks/{store.public_key}/woocommerce")
    shown = runner.invoke(args=["platform", "show", "--store", store.public_key])
    assert "shpat_supersecret" not in shown.output and secret not in shown.output
    described = {row["platform"]: row for row in json.loads(shown.output)}
    assert described["shopify"]["credentials_set"] and described["woocommerce"]["webhook_secret_set"]
    with app.app_context():  # stored encrypted: the token is nowhere in the row
        row = db.session.get(PlatformConnection, (store.id, "shopify"))
        assert "shpat_supersecret" not in row.credentials


def test_a_new_secret_key_makes_stored_credentials_unreadable_not_a_crash(app, store, runner, client):
    connect(app, store, "shopify", "https://example.myshopify.com/admin/api/2025-07", {"access_token": "shpat_x"})
    app.config["SECRET_KEY"] = "another-secret-key"
    answer = runner.invoke(args=["sync", "--store", store.public_key, "--platform", "shopify"])
    assert answer.exit_code == 1 and "SECRET_KEY changed" in answer.output
    body = json.dumps(level_payload(1)).encode()
    refused = client.post(f"/hooks/{store.public_key}/shopify", data=body,
                          headers=shopify_headers(body, "inventory_levels/update", secret=SECRET))
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "platform_not_configured"


def test_schedule_queues_a_sync_task_for_the_worker(app, store, platforms, runner, fast_retries):
    connect(app, store, "bigcommerce", platforms.url + BC_BASE, {"access_token": BC_TOKEN})
    platforms.bc_products = bc_products(2)
    answer = runner.invoke(args=["platform", "schedule", "--store", store.public_key, "--platform", "bigcommerce",
                                 "--every", "60"])
    assert answer.exit_code == 0
    from datetime import timedelta

    from backorder.models import utcnow
    from backorder.services.platform_tasks import run_due_tasks

    with app.app_context():
        row = db.session.get(PlatformConnection, (store.id, "bigcommerce"))
        row.next_sync_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        assert run_due_tasks("w", app.config).sent == 1
        assert run_due_tasks("w", app.config).sent == 0  # next one in an hour
    assert product(app, store, "J-2").on_hand == 2
