"""The admin's Platforms page: webhook URLs, secrets shown once, credentials never shown again,
errors next to their fields, CSRF, sync, and BigCommerce's webhooks and widget through its API."""

import re

from platform_server import BC_BASE, BC_TOKEN, platforms  # noqa: F401 (fixture)
from platform_world import fast_retries  # noqa: F401 (fixture)

from backorder.db import db
from backorder.models import TASK_KIND, Message, PlatformConnection


def test_page_shows_every_webhook_url(admin, store):
    page = admin.get("/admin/platforms")
    assert page.status_code == 200
    assert f"http://127.0.0.1:5000/hooks/{store.public_key}/bigcommerce" in page.text
    for platform in ("shopify", "woocommerce"):
        detail = admin.get(f"/admin/platforms/{platform}")
        assert f"http://127.0.0.1:5000/hooks/{store.public_key}/{platform}" in detail.text
    assert admin.get("/admin/platforms/magento").status_code == 404


def test_needs_login(client):
    answer = client.get("/admin/platforms")
    assert answer.status_code == 302 and "/admin/login" in answer.headers["Location"]


def test_credentials_are_saved_and_never_shown_again(app, admin, store):
    answer = admin.post("/admin/platforms/shopify/credentials",
                        data={"shop": "example.myshopify.com", "access_token": "shpat_topsecret42"})
    assert answer.status_code == 302
    page = admin.get("/admin/platforms/shopify")
    assert "shpat_topsecret42" not in page.text and "set (…et42)" in page.text
    with app.app_context():
        assert db.session.get(PlatformConnection, (store.id, "shopify")).credentials_hint == "…et42"


def test_credential_errors_sit_next_to_their_fields_and_secrets_are_not_echoed(admin):
    answer = admin.post("/admin/platforms/woocommerce/credentials",
                        data={"shop": "", "consumer_key": "ck_1", "consumer_secret": "cs_typed_secret"})
    assert answer.status_code == 422
    assert re.search(r'id="shop"[^>]*aria-invalid="true"', answer.text)
    assert 'id="shop-error"' in answer.text
    assert "cs_typed_secret" not in answer.text
    refused = admin.post("/admin/platforms/woocommerce/credentials",
                         data={"shop": "http://shop.example.com", "consumer_key": "ck_1", "consumer_secret": "cs_2"})
    assert refused.status_code == 422 and "https URL" in refused.text


def test_webhook_secret_is_shown_once(admin):
    made = admin.post("/admin/platforms/woocommerce/secret")
    secret = re.search(r'id="new-secret">([^<]+)<', made.text).group(1)
    assert secret.startswith("whsec_")
    assert secret not in admin.get("/admin/platforms/woocommerce").text
    pasted = admin.post("/admin/platforms/shopify/secret", data={"secret": ""})
    assert pasted.status_code == 422 and 'id="secret-error"' in pasted.text
    assert admin.post("/admin/platforms/shopify/secret", data={"secret": "shpss_0123456789"}).status_code == 200


def test_posts_without_the_csrf_token_are_refused(client, admin):
    answer = client.post("/admin/platforms/woocommerce/secret", data={})
    assert answer.status_code == 400


def test_sync_needs_credentials_then_is_queued(app, admin):
    refused = admin.post("/admin/platforms/bigcommerce/sync")
    assert refused.status_code == 409 and "No API credentials" in refused.text
    admin.post("/admin/platforms/bigcommerce/credentials", data={"shop": "abc123", "access_token": "t0ken"})
    queued = admin.post("/admin/platforms/bigcommerce/sync", follow_redirects=True)
    assert "Sync queued" in queued.text and "sync" in queued.text
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).where(Message.kind == TASK_KIND)).scalar() == 1


def test_schedule_is_validated(admin):
    assert admin.post("/admin/platforms/shopify/schedule", data={"sync_every_minutes": "2"}).status_code == 422
    assert admin.post("/admin/platforms/shopify/schedule", data={"sync_every_minutes": "60"}).status_code == 302
    assert 'value="60"' in admin.get("/admin/platforms/shopify").text


def test_bigcommerce_webhooks_and_widget_through_its_api(admin, store, platforms, runner, fast_retries):
    runner.invoke(args=["platform", "credentials", "--store", store.public_key, "--platform", "bigcommerce",
                        "--api-url", platforms.url + BC_BASE, "--access-token", BC_TOKEN])
    refused = admin.post("/admin/platforms/bigcommerce/webhooks")
    assert refused.status_code == 409 and "webhook secret first" in refused.text
    admin.post("/admin/platforms/bigcommerce/secret")
    assert "8 BigCommerce webhooks" in admin.post("/admin/platforms/bigcommerce/webhooks", follow_redirects=True).text
    installed = admin.post("/admin/platforms/bigcommerce/widget", follow_redirects=True)
    assert "widget is installed" in installed.text and "Remove the widget" in installed.text
    assert len(platforms.bc_scripts) == 1
    admin.post("/admin/platforms/bigcommerce/widget/remove")
    assert platforms.bc_scripts == {}
    platforms.fail_next(503, times=50)
    down = admin.post("/admin/platforms/bigcommerce/widget")
    assert down.status_code == 502 and "answered 503" in down.text
