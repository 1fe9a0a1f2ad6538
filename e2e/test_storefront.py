"""What a shopper sees on each demo storefront page: every state, size changes, the notify-me form."""

import re

import pytest
from playwright.sync_api import expect

from platforms import (PLATFORM_NAMES, PLATFORMS, STATE_SKU, STATES, WITH_VARIANTS, date_pattern, expect_state,
                       exact, open_notify_form)


@pytest.fixture(scope="module")
def signup(api):
    """Whether the store offers the notify-me sign-up (false until the sign-up endpoint exists)."""
    return bool(api.store_settings().get("signup"))


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("platform", PLATFORM_NAMES)
def test_each_state_shows_what_the_shopper_needs(visit, api, signup, platform, state):
    page_kind, sku = PLATFORMS[platform], STATE_SKU[state]
    item = api.availability(sku)
    assert item["state"] == state, f"demo data: {sku} should be {state}, is {item}"

    page = visit.open(platform, **page_kind.params(sku))
    expect_state(page, page_kind, sku, item, signup)
    assert len(visit.availability_requests) == 1, visit.availability_requests
    visit.screenshot(f"{platform}-{state}")

    if state == "in_stock" and page_kind.quantity:
        # More than is on hand: say how many ship now and when the rest do.
        page.fill(page_kind.quantity, "30")
        later = date_pattern(item["incoming"][0]["eta"])
        status = page.locator(f"{page_kind.host_for(sku)} [part~='status']")
        expect(status).to_have_text(re.compile(rf"25\b.*ships? now.*\b5\b.*{later}", re.I | re.S))
        visit.screenshot(f"{platform}-{state}-quantity-30")
        assert len(visit.availability_requests) == 1, "a quantity change needs no request"
    assert visit.errors == []


@pytest.mark.parametrize("platform", WITH_VARIANTS)
def test_size_change_updates_the_status_with_at_most_one_request(visit, api, signup, platform):
    page_kind = PLATFORMS[platform]
    page = visit.open(platform, **page_kind.params("DEMO-TEE-S"))
    assert len(visit.availability_requests) == 1, "one request per page view"
    asked = {"DEMO-TEE-S"}
    for sku in ("DEMO-TEE-M", "DEMO-TEE-L", "DEMO-TEE-XL", "DEMO-TEE-S", "DEMO-TEE-M", "DEMO-TEE-L"):
        before = len(visit.availability_requests)
        page_kind.choose(page, sku)
        expect_state(page, page_kind, sku, api.availability(sku), signup)
        visit.settle()
        added = visit.availability_requests[before:]
        if sku in asked:
            assert added == [], f"switching back to {sku} asked again: {added}"
        else:
            assert len(added) <= 1, f"switching to {sku} cost {len(added)} requests: {added}"
        asked.add(sku)
    visit.screenshot(f"{platform}-after-size-changes")
    assert visit.errors == []


@pytest.mark.parametrize("platform", PLATFORM_NAMES)
def test_notify_me_form_signs_the_shopper_up(visit, api, signup, platform):
    assert signup, "the availability answer must offer sign-up (store.signup)"
    page_kind, sku = PLATFORMS[platform], STATE_SKU["sold_out"]
    page = visit.open(platform, **page_kind.params(sku))
    host = page_kind.host_for(sku)
    form = open_notify_form(page, host)
    email = f"e2e-{platform}@example.com"
    form.locator('input[name="email"]').fill(email)
    with page.expect_response(lambda answer: "/subscriptions" in answer.url
                              and answer.request.method == "POST") as posted:
        form.locator('button[type="submit"]').click()
    answer = posted.value
    body = answer.json()
    assert answer.status == 202, body
    expect(page.locator(f"{host} [part~='result']")).to_have_text(exact(body["message"]))
    visit.screenshot(f"{platform}-sold_out-signed-up")

    status, listed = api.call("GET", f"/api/v1/admin/subscriptions?sku={sku}", admin=True)
    assert status == 200, listed
    mine = [item for item in listed["items"] if item["email"] == email]
    assert [item["status"] for item in mine] == ["pending"], f"{email}: {listed}"
    assert mine[0]["page_url"] and mine[0]["page_url"].startswith("http"), mine
    assert visit.errors == []


def test_plain_page_lists_everything_on_backorder_or_preorder(visit, api):
    status, listed = api.call("GET", f"/api/v1/stores/{api.public_key}/backorders")
    assert status == 200, listed
    page = visit.open("plain")
    rows = page.locator("[data-backorder-list] ul[part~='list'] > li[part~='item']")
    expect(rows).to_have_count(len(listed["items"]))
    for row, product in zip(rows.all(), listed["items"]):
        expect(row).to_contain_text(product["name"])
        if product["availability"]["eta"]:
            expect(row).to_contain_text(re.compile(date_pattern(product["availability"]["eta"])))
    assert len(visit.availability_requests) <= 1
    visit.screenshot("plain-list")


def test_woocommerce_simple_product_shows_backorder_and_the_merchants_message(visit, api):
    item = api.availability("DEMO-LAMP")
    page = visit.open("woocommerce", attribute_pa_size="s")
    host = '#product-4000000006 [data-backorder-host="status"]'
    expect(page.locator(f"{host} [part~='status']")).to_have_text(
        re.compile(rf"backorder.*{date_pattern(item['eta'])}", re.I | re.S))
    expect(page.locator(f"{host} [part~='message']")).to_have_text(exact("Hand-finished in small batches."))
    expect(page.locator("#product-4000000006 .single_add_to_cart_button")).to_have_text(re.compile("backorder", re.I))
    assert len(visit.availability_requests) == 1
