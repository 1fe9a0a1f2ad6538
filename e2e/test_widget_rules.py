"""The rules the widget keeps on any page: no globals, silent failure, isolated CSS, idempotent, text only."""

import json
import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from platforms import PLATFORM_NAMES, PLATFORMS, STATE_SKU, date_pattern, exact, status_text

KEYS = "() => Object.keys(window).sort()"
DRAWN = """(selector) => [...document.querySelectorAll(selector)].some((host) => host.shadowRoot
  && host.shadowRoot.querySelector('[part~="status"]') && host.shadowRoot.textContent.trim() !== '')"""


def _wait_drawn(page, selector='[data-backorder-host]'):
    page.wait_for_function(DRAWN, arg=selector, timeout=10_000)


@pytest.mark.parametrize("platform", PLATFORM_NAMES)
def test_no_new_globals(visit, platform):
    params = PLATFORMS[platform].params(STATE_SKU["backorder"])
    without = visit.open(platform, wait_for_api=False, widget="0", **params).evaluate(KEYS)
    page = visit.open(platform, **params)
    _wait_drawn(page)
    assert sorted(set(page.evaluate(KEYS)) - set(without)) == []
    assert visit.errors == []


def _answer(kind, origin):
    """A route handler that makes the availability API misbehave in one way."""
    cors = {"Access-Control-Allow-Origin": origin, "Content-Type": "application/json"}

    def handle(route):
        if kind == "down":
            route.abort("connectionrefused")
        elif kind == "slow":
            pass  # never answered: the widget's own timeout must end the wait
        elif kind == "garbage":
            route.fulfill(status=200, headers=cors, body="<html><h1>Welcome to nginx!</h1>")
        elif kind == "wrong_shape":
            route.fulfill(status=200, headers=cors, body=json.dumps(
                {"items": [{"sku": None, "state": "teleported", "incoming": "soon", "eta": 12}, None, 7],
                 "store": []}))
        elif kind == "error_500":
            route.fulfill(status=500, headers=cors,
                          body=json.dumps({"error": {"code": "internal_error", "message": "boom"}}))
    return handle


# Down and 500 on every page; garbage, a wrong shape and silence on some (each case costs a page load).
TROUBLE = [(kind, platform) for kind in ("down", "error_500") for platform in PLATFORM_NAMES] + [
    ("garbage", "plain"), ("garbage", "cornerstone"), ("wrong_shape", "dawn"), ("wrong_shape", "woocommerce"),
    ("slow", "plain")]


@pytest.mark.parametrize(("kind", "platform"), TROUBLE)
def test_api_trouble_breaks_nothing_and_warns_at_most_once(visit, servers, kind, platform):
    page_kind = PLATFORMS[platform]
    page = visit.page
    page.route(re.compile(r".*/availability\?.*"), _answer(kind, servers.shop))
    visit.open(platform, wait_for_api=False, **page_kind.params(STATE_SKU["backorder"]))
    if kind == "slow":
        # The widget's own timeout must abort the request (a browser would wait for minutes).
        page.wait_for_event("requestfailed", lambda failed: "/availability" in failed.url, timeout=15_000)
    visit.settle()
    if not visit.widget_messages():  # it may give up with one warning: wait for it, if it is still to come
        try:
            page.wait_for_event("console", lambda message: message.text.startswith("[backorder]"), timeout=2_000)
        except PlaywrightTimeoutError:
            pass
    page.wait_for_timeout(100)  # room for a second warning or a late error to show
    record = visit.record()
    assert visit.errors == [], "uncaught errors"
    assert record["rejections"] == [], "unhandled promise rejections"
    messages = visit.widget_messages()
    assert len(messages) <= 1 and all(kind == "warning" for kind, _ in messages), messages
    if page_kind.button:
        # The page still sells as the theme left it: label untouched.
        assert page_kind.label(page) == page_kind.original_label
    for host in page.locator("[data-backorder-host]").all():
        assert "undefined" not in host.evaluate("(host) => (host.shadowRoot || host).textContent")


STYLE = """(element) => { const style = getComputedStyle(element); return {
  color: style.color, font: style.fontFamily + ' ' + style.fontSize, transform: style.textTransform,
  background: style.backgroundColor, border: style.borderTopStyle + ' ' + style.borderTopColor,
  outline: style.outlineStyle + ' ' + style.outlineColor, letterSpacing: style.letterSpacing,
  before: getComputedStyle(element, '::before').content }; }"""
INSIDE = """(host) => [...host.shadowRoot.querySelectorAll('[part]')].map((element) => {
  const style = getComputedStyle(element); return { part: element.getAttribute('part'), color: style.color,
  size: style.fontSize, font: style.fontFamily, transform: style.textTransform, background: style.backgroundColor,
  border: style.borderTopStyle + ' ' + style.borderTopColor, before: getComputedStyle(element, '::before').content }; })"""
HOSTILE = {"color": "rgb(255, 0, 0)", "size": "40px", "transform": "uppercase", "background": "rgb(255, 255, 0)",
           "border": "dashed rgb(0, 255, 0)", "before": '"HACKED "'}


def _sentinels(page):
    return [page.locator("#sentinels").locator(selector).first.evaluate(STYLE)
            for selector in (".status", "[role=status]", "form", "input", "button[type=button]", "ul", "li", "a")]


def test_hostile_page_styles_cannot_reach_the_widget_nor_its_styles_the_page(visit):
    before = _sentinels(visit.open("hostile", wait_for_api=False, widget="0"))
    sheets = visit.page.evaluate("() => [document.styleSheets.length, document.adoptedStyleSheets.length]")
    page = visit.open("hostile")
    _wait_drawn(page)
    hosts = page.locator("[data-backorder-host]").all()
    assert hosts, "the widget drew nothing on the hostile page"
    for host in hosts:
        for styled in host.evaluate(INSIDE):
            leaked = {key: value for key, value in HOSTILE.items() if styled.get(key) == value}
            assert leaked == {}, f"page CSS reached the widget's {styled['part']}: {leaked}"
    assert _sentinels(page) == before, "the widget's CSS changed the page's own elements"
    assert page.evaluate("() => [document.styleSheets.length, document.adoptedStyleSheets.length]") == sheets
    visit.screenshot("hostile")


def test_hostile_page_keeps_its_own_backorder_global_and_strict_csp_still_works(visit, api):
    page = visit.open("hostile")
    _wait_drawn(page)
    assert page.evaluate("() => window.backorder") == {
        "own": True, "version": "shop-1.0", "cart": [{"sku": "SHOP-1", "quantity": 2}]}
    assert page.evaluate("() => typeof window.define === 'function' && !!window.define.amd")
    mug = api.availability("DEMO-MUG")
    expect(page.locator('[data-backorder-sku="DEMO-MUG"] [part~="status"]')).to_have_text(
        re.compile(rf"backorder.*{date_pattern(mug['eta'])}", re.I | re.S))
    assert visit.record()["csp"] == [], "the widget needs something the strict policy forbids"
    assert visit.errors == []
    assert len(visit.availability_requests) == 1


@pytest.mark.parametrize("platform", ["plain", "dawn"])
def test_pasted_twice_renders_once(visit, platform):
    page_kind = PLATFORMS[platform]
    page = visit.open(platform, twice="1", **page_kind.params(STATE_SKU["backorder"]))
    assert page.locator('script[src$="/widget.js"]').count() == 2
    visit.settle()
    if platform == "plain":
        for placeholder in page.locator("[data-backorder-sku]").all():
            assert placeholder.evaluate("(host) => host.shadowRoot ? host.shadowRoot.querySelectorAll("
                                        "'[part~=\"status\"]').length : 0") <= 1
        assert page.locator("[data-backorder-host]").count() <= page.locator(
            "[data-backorder-sku], [data-backorder-list]").count()
        assert page.locator("[data-backorder-list] li[part~='item']").count() == len(
            set(page.locator("[data-backorder-list] li[part~='item']").all_inner_texts()))
    else:
        expect(page.locator('[data-backorder-host="status"]')).to_have_count(1)
    assert status_text(page, page_kind.host_for("DEMO-TEE-M")).lower().count("backorder") == 1
    assert len(visit.availability_requests) == 1, visit.availability_requests
    assert visit.errors == []


XSS = '<img src=x onerror="document.documentElement.dataset.xss = 1">'


def test_merchant_message_with_markup_shows_as_text(visit, api):
    path = "/api/v1/admin/products/DEMO-MUG"
    status, body = api.call("PUT", path, {"message": XSS}, admin=True)
    assert status in (200, 201), body
    try:
        page = visit.open("plain")
        message = page.locator('[data-backorder-sku="DEMO-MUG"] [part~="message"]')
        expect(message).to_have_text(exact(XSS))
        assert page.locator('[data-backorder-sku="DEMO-MUG"] img').count() == 0
        page.wait_for_timeout(200)
        assert page.evaluate("() => document.documentElement.dataset.xss") is None
        visit.screenshot("plain-message-as-text")
    finally:
        status, body = api.call("PUT", path, {"message": None}, admin=True)
        assert status in (200, 201), body
