"""The demo pages under test: where each one shows the tee's status, its button, and how to pick a size."""

import os
import re
import time
from dataclasses import dataclass, field
from datetime import date

from playwright.sync_api import expect

# jQuery (for the WooCommerce page) and axe-core come from the repo's npm dev dependencies.
NODE_MODULES = os.environ.get("BACKORDER_E2E_NODE_MODULES") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "node_modules")
JQUERY = os.path.join(NODE_MODULES, "jquery", "dist", "jquery.min.js")
AXE = os.path.join(NODE_MODULES, "axe-core", "axe.min.js")

# The tee has one size in each state (server/backorder/demo.py).
STATE_SKU = {"in_stock": "DEMO-TEE-S", "backorder": "DEMO-TEE-M", "sold_out": "DEMO-TEE-L", "preorder": "DEMO-TEE-XL"}
STATES = tuple(STATE_SKU)
# sku: (size, Shopify variant / WooCommerce variation id, Cornerstone option value id, Dawn radio index)
TEE = {
    "DEMO-TEE-S": ("S", 41000000001, 150, 0),
    "DEMO-TEE-M": ("M", 41000000002, 151, 1),
    "DEMO-TEE-L": ("L", 41000000003, 152, 2),
    "DEMO-TEE-XL": ("XL", 41000000004, 153, 3),
}
DAWN_SECTION = "template--demo__main"


@dataclass
class Platform:
    name: str
    host: str  # the tee's status host; "{sku}" is filled in
    button: str | None = None  # the page's add-to-cart button
    quantity: str | None = None
    original_label: str | None = None
    label_is_value: bool = False  # <input type=submit>: the label is its value
    extra: dict = field(default_factory=dict)

    def host_for(self, sku):
        return self.host.format(sku=sku)

    def params(self, sku):
        """The query string that opens the page on this size, as the platform's own URLs do."""
        size, variant_id, _, _ = TEE[sku]
        if self.name == "cornerstone":
            return {"sku": sku}
        if self.name == "dawn":
            return {"variant": variant_id}
        if self.name == "woocommerce":
            return {"attribute_pa_size": size.lower()}
        return {}

    def choose(self, page, sku):
        """Pick this size the way a shopper does."""
        size, _, value_id, index = TEE[sku]
        if self.name == "cornerstone":
            page.click(f'label[for="attribute_rectangle__13_{value_id}"]')
        elif self.name == "dawn":
            page.click(f'label[for="{DAWN_SECTION}-1-{index}"]')
        elif self.name == "woocommerce":
            page.select_option("#pa_size", size.lower())
        else:
            raise AssertionError(f"{self.name} has no sizes to choose")

    def label(self, page):
        button = page.locator(self.button)
        return (button.input_value() if self.label_is_value else button.inner_text()).strip()

    def expect_label(self, page, pattern):
        button = page.locator(self.button)
        if self.label_is_value:
            expect(button).to_have_value(pattern)
        else:
            expect(button).to_have_text(pattern)


PLATFORMS = {
    "plain": Platform("plain", host='[data-backorder-sku="{sku}"]'),
    "cornerstone": Platform("cornerstone", host='.productView [data-backorder-host="status"]',
                            button="#form-action-addToCart", quantity='[name="qty[]"]', original_label="Add to Cart",
                            label_is_value=True),
    "dawn": Platform("dawn", host='product-info [data-backorder-host="status"]',
                     button=f"#ProductSubmitButton-{DAWN_SECTION}", quantity=f"#Quantity-{DAWN_SECTION}",
                     original_label="Add to cart"),
    "woocommerce": Platform("woocommerce", host='#product-4000000000 [data-backorder-host="status"]',
                            button="#product-4000000000 .single_add_to_cart_button", quantity="#quantity_tee",
                            original_label="Add to cart"),
}
PLATFORM_NAMES = tuple(PLATFORMS)
WITH_VARIANTS = ("cornerstone", "dawn", "woocommerce")


def exact(text):
    return re.compile(r"^\s*" + re.escape(text) + r"\s*$")


def status_text(page, host):
    """The text of the status part under `host` (shadow roots included), "" when there is none."""
    return page.evaluate("""(selector) => {
      const parts = [];
      for (const host of document.querySelectorAll(selector)) {
        const root = host.shadowRoot || host;
        root.querySelectorAll('[part~="status"]').forEach((part) => parts.push(part.textContent.trim()));
      }
      return parts.join(" | ");
    }""", host)


def eventually(page, check, timeout=5.0):
    """Retry an assertion until it holds or `timeout` seconds pass (the widget renders asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            page.wait_for_timeout(50)


def expect_state(page, platform, sku, item, signup):
    """Assert what a shopper sees for this sku in its state: status text, button, notify form."""
    host = platform.host_for(sku)
    status = page.locator(f"{host} [part~='status']")
    button = page.locator(platform.button) if platform.button else None
    state = item["state"]
    if state == "in_stock":
        def nothing_said():
            assert status_text(page, host) == ""
        eventually(page, nothing_said)
        if button:
            platform.expect_label(page, exact(platform.original_label))
            expect(button).to_be_enabled()
    elif state in ("backorder", "preorder"):
        word = "backorder" if state == "backorder" else "pre-?order"
        expect(status).to_have_text(re.compile(rf"{word}.*{date_pattern(item['eta'])}", re.I | re.S))
        if button:
            platform.expect_label(page, re.compile(word, re.I))
            expect(button).to_be_enabled()
    elif state == "sold_out":
        if button:
            expect(button).to_be_disabled()
        expect(status).to_have_text(re.compile("sold out", re.I))
        form = page.locator(f"{host} form[part~='notify']")
        if signup:
            open_notify_form(page, host)
            expect(form.locator('input[name="email"]')).to_be_visible()
            expect(form.locator('button[type="submit"]')).to_be_enabled()
        else:
            expect(form).to_have_count(0)
    else:
        raise AssertionError(f"unexpected state {state}")


def open_notify_form(page, host):
    """Show the notify-me form: it is either shown at once or behind a "Notify me" toggle."""
    form = page.locator(f"{host} form[part~='notify']")
    toggle = page.locator(f"{host} [part~='toggle']")
    expect(form.or_(toggle).first).to_be_visible()
    if not form.is_visible():
        expect(toggle).to_have_text(re.compile("notify", re.I))
        toggle.click()
    expect(form).to_be_visible()
    return form


def date_pattern(iso):
    """A regex for a date as a shopper reads it: "14 Dec" or "Dec 14", with or without a year."""
    day = date.fromisoformat(iso)
    month = day.strftime("%b")
    return rf"({day.day}\.? {month}|{month}\.? {day.day}\b)"
