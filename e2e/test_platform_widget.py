"""The widget as BigCommerce's Scripts API installs it: a `src` script with no attributes and the
store in its query (`/widget.js?store=pk_…`). It must find its store and behave like the snippet."""

from platforms import PLATFORMS, STATE_SKU, expect_state


def test_scripts_api_src_without_attributes_finds_its_store(visit, api, servers):
    sku = STATE_SKU["backorder"]
    with visit.page.expect_response(lambda answer: "/availability" in answer.url, timeout=10_000):
        visit.page.goto(f"{servers.shop}/pages/scripts-api.html?api={servers.api}&store={servers.public_key}")
    visit.settle()
    page = visit.page
    assert page.locator("script[src*='widget.js?store=']").get_attribute("data-store") == servers.public_key
    expect_state(page, PLATFORMS["plain"], sku, api.availability(sku), bool(api.store_settings().get("signup")))
    assert len(visit.availability_requests) == 1 and visit.errors == [] and visit.widget_messages() == []
