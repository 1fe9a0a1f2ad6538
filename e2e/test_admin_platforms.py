"""The Platforms admin page in Chromium: accessible (axe-core), no CSP violation, secrets shown once."""

import re

import pytest
from playwright.sync_api import expect


@pytest.mark.parametrize("platform", ["bigcommerce", "shopify", "woocommerce"])
def test_platform_pages_are_accessible(admin_page, platform):
    page = admin_page.open(f"/admin/platforms/{platform}")
    expect(page.get_by_role("heading", name="Webhook URL")).to_be_visible()
    assert admin_page.axe_violations() == []
    admin_page.screenshot(f"platforms-{platform}")
    assert admin_page.errors == []


def test_credentials_error_sits_by_its_field_and_the_secret_is_shown_once(admin_page):
    page = admin_page.open("/admin/platforms/woocommerce")
    page.get_by_label("Consumer key").fill("ck_1")
    page.get_by_label("Consumer secret").fill("cs_typed")
    page.get_by_role("button", name="Save credentials").click()
    expect(page.get_by_label("Site URL")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#shop-error")).to_be_visible()
    expect(page.get_by_label("Consumer secret")).to_have_value("")
    assert admin_page.axe_violations() == []
    page.get_by_role("button", name=re.compile("Make a (new )?secret")).click()
    secret = page.locator("#new-secret").text_content()
    assert secret.startswith("whsec_")
    admin_page.open("/admin/platforms/woocommerce")
    assert secret not in page.content()
    assert [error for error in admin_page.errors if "status of 422" not in error] == []  # the refused form is a 422
