"""The products admin in a real browser: dates and shipments the merchant sets show up in the widget on
the demo storefront, receiving sends the restock email, the CSV import reports a bad row, axe on every page.

Every product changed here is this file's own (E2E-PRODUCTS-…), made through the admin API, so the other
admin e2e files sharing admin_site see the demo products as the demo left them.
"""

import json
import re
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from playwright.sync_api import expect


def _api(site, method, path, body=None):
    request = urllib.request.Request(site.api + path, method=method, data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": f"Bearer {site.token}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def _product(site, sku, **fields):
    return _api(site, "PUT", f"/api/v1/admin/products/{sku}", fields)


def _today(site):
    with site.app.app_context():
        from backorder.services import stores

        return stores.today_in(stores.store_by_public_key(site.public_key))


def _widget_day(day):
    """How the widget writes a date in English ({day: numeric, month: short}): "Jan 15"."""
    return f"{day:%b} {day.day}"


def _storefront_list_item(browser, site, name):
    """The text of the storefront's "on backorder and preorder" list entry for a product, in a fresh browser."""
    context = browser.new_context()  # no HTTP cache from an earlier look
    page = context.new_page()
    page.goto(site.shop + "/plain")
    item = page.locator("[data-backorder-list] li", has_text=name)
    expect(item).to_be_visible()
    text = item.inner_text()
    context.close()
    return text


def test_products_list_product_page_and_import_pass_axe(admin_page):
    for path, name, heading in (("/admin/products", "products", "Products"),
                                ("/admin/products?q=DEMO-TEE&state=backorder", "products-filtered", "Products"),
                                ("/admin/products/DEMO-LAMP", "product", "DEMO-LAMP"),
                                ("/admin/import", "import", "Import products")):
        page = admin_page.open(path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        assert admin_page.axe_violations() == [], path
        admin_page.screenshot(name)
    assert admin_page.errors == []


def test_a_back_in_stock_date_set_in_the_admin_shows_on_the_storefront(admin_page, admin_site, browser):
    site = admin_site
    _product(site, "E2E-PRODUCTS-DATE", name="E2E date lamp", on_hand=0, mode="backorder")
    assert "date to be confirmed" in _storefront_list_item(browser, site, "E2E date lamp")
    page = admin_page.open("/admin/products/E2E-PRODUCTS-DATE")
    when = _today(site) + timedelta(days=40)
    page.get_by_label("Back-in-stock date").fill(when.isoformat())
    expect(page.locator("#preview")).to_contain_text(f"Backorder: ships around {when:%-d %b %Y}")  # live, unsaved
    admin_page.screenshot("product-preview")
    page.get_by_role("button", name="Save product").click()
    expect(page.get_by_role("status").first).to_contain_text("Saved.")
    expect(page.get_by_label("Back-in-stock date")).to_have_value(when.isoformat())
    assert f"ships around {_widget_day(when)}" in _storefront_list_item(browser, site, "E2E date lamp")
    assert admin_page.errors == []


def test_planning_a_shipment_moves_the_widgets_eta(admin_page, admin_site, browser):
    site = admin_site
    today = _today(site)
    _product(site, "E2E-PRODUCTS-SHIP", name="E2E shipment mug", on_hand=0, mode="backorder",
             back_in_stock_date=(today + timedelta(days=90)).isoformat())
    far = today + timedelta(days=90)
    assert f"ships around {_widget_day(far)}" in _storefront_list_item(browser, site, "E2E shipment mug")
    page = admin_page.open("/admin/products/E2E-PRODUCTS-SHIP")
    soon = today + timedelta(days=20)
    page.get_by_label("Units coming").fill("5")
    page.get_by_label("Expected on", exact=True).fill(soon.isoformat())
    page.get_by_role("button", name="Plan shipment").click()
    expect(page.get_by_role("status").first).to_contain_text("Planned 5 unit(s)")
    expect(page.locator("#shipments tbody tr").first).to_contain_text(f"{soon:%-d %b %Y}")
    # the demo store adds no handling days: the ETA is the shipment's date
    assert f"ships around {_widget_day(soon)}" in _storefront_list_item(browser, site, "E2E shipment mug")
    admin_page.screenshot("product-shipment-planned")


def test_receiving_a_shipment_fills_backorders_and_sends_the_restock_email(admin_page, admin_site):
    site = admin_site
    _product(site, "E2E-PRODUCTS-RESTOCK", name="E2E restock cap", on_hand=0, mode="backorder")
    _api(site, "POST", "/api/v1/admin/orders",
         {"order_ref": "E2E-PRODUCTS-O1", "email": "buyer@example.com",
          "lines": [{"sku": "E2E-PRODUCTS-RESTOCK", "quantity": 2}]})
    _confirmed_sign_up(site, "E2E-PRODUCTS-RESTOCK", "waiting.e2e@example.com")
    page = admin_page.open("/admin/products/E2E-PRODUCTS-RESTOCK")
    expect(page.get_by_text("Waiting for a restock email (1)")).to_be_visible()
    page.get_by_label("Units coming").fill("5")
    page.get_by_label("Expected on", exact=True).fill((_today(site) + timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Plan shipment").click()
    page.get_by_role("button", name="Review receipt…").click()
    fills = page.locator("#fills")
    expect(fills).to_contain_text("E2E-PRODUCTS-O1")
    expect(fills).to_contain_text("complete: ready to ship")
    expect(page.get_by_text("leave 3 unit(s) free to sell")).to_be_visible()
    assert admin_page.axe_violations() == []
    admin_page.screenshot("receive-review")
    page.get_by_role("button", name="Confirm: receive 5 unit(s)").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Received 5 unit(s): 1 backorder(s) filled, 3 unit(s) free")
    restock = _wait_for_mail(site.mailbox, "waiting.e2e@example.com", "Back in stock: E2E restock cap")
    assert "E2E restock cap" in restock.get_body(("plain",)).get_content()
    page.reload()
    expect(page.locator("[data-progress-text]")).to_have_text("1 of 1 sent · finished", timeout=10_000)
    expect(page.locator("#campaign-progress")).to_have_attribute("value", "1")
    admin_page.screenshot("product-campaign-progress")
    assert admin_page.errors == []


def _confirmed_sign_up(site, sku, email):
    with site.app.app_context():
        from backorder.db import db
        from backorder.models import Subscription
        from backorder.services import stores, subscriptions

        subscriptions.subscribe(stores.store_by_public_key(site.public_key), sku, email)
        alert = db.session.execute(db.select(Subscription).filter_by(email=email)).scalar_one()
        subscriptions.confirm(alert.id, alert.confirm_nonce)
        db.session.remove()


def test_send_restock_emails_now_shows_the_progress_as_it_goes(admin_page, admin_site):
    site = admin_site
    # orderable (on backorder) all along, so nothing but the button tells the waiting shopper
    _product(site, "E2E-PRODUCTS-MANUAL", name="E2E manual scarf", on_hand=0, mode="backorder")
    _confirmed_sign_up(site, "E2E-PRODUCTS-MANUAL", "manual.e2e@example.com")
    page = admin_page.open("/admin/products/E2E-PRODUCTS-MANUAL")
    expect(page.locator("[data-progress-url]")).to_have_count(0)  # no campaign yet
    page.once("dialog", lambda dialog: dialog.accept())  # "Email everyone waiting … now?"
    page.get_by_role("button", name="Send restock emails now").click()
    expect(page.get_by_role("status").first).to_contain_text("Restock emails are on their way")
    expect(page.locator("[data-progress-text]")).to_have_text("1 of 1 sent · finished", timeout=15_000)  # polled
    _wait_for_mail(site.mailbox, "manual.e2e@example.com", "You can order E2E manual scarf now")
    assert admin_page.errors == []


def _wait_for_mail(mailbox, recipient, subject, timeout=15):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in mailbox.messages:
            if message["To"] and recipient in message["To"] and message["Subject"] == subject:
                return message
        time.sleep(0.2)
    raise AssertionError(f"no {subject!r} to {recipient} within {timeout} s: "
                         f"{[(m['To'], m['Subject']) for m in mailbox.messages]}")


def test_a_csv_with_one_bad_row_shows_the_error_and_imports_nothing(admin_page, admin_site, tmp_path):
    site = admin_site
    bad = ("sku,name,on_hand,mode,back_in_stock_date\r\n"
           "E2E-PRODUCTS-IMP-1,Imported one,3,notify,\r\n"
           "E2E-PRODUCTS-IMP-2,Imported two,lots,backorder,2099-01-15\r\n")
    page = admin_page.open("/admin/import")
    page.evaluate("() => { window.stillHere = true; }")  # import.js uploads without leaving the page
    page.locator("input#file").set_input_files(
        files=[{"name": "products.csv", "mimeType": "text/csv", "buffer": bad.encode()}])
    page.get_by_role("button", name="Import").click()
    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("on_hand")
    expect(errors.locator("tbody tr")).to_have_count(1)
    expect(errors.locator("tbody tr").first).to_contain_text("3")
    expect(page.get_by_role("heading", name="Nothing was imported: 1 problem(s) in products.csv")).to_be_visible()
    assert page.evaluate("() => window.stillHere === true")  # sent by XMLHttpRequest, with the progress bar
    expect(page.locator("#import-progress")).to_be_hidden()
    assert admin_page.axe_violations() == []
    admin_page.screenshot("import-error")
    with pytest.raises(urllib.error.HTTPError):
        _api(site, "GET", "/api/v1/admin/products/E2E-PRODUCTS-IMP-1")
    page.locator("input#file").set_input_files(
        files=[{"name": "products.csv", "mimeType": "text/csv", "buffer": bad.replace("lots", "4").encode()}])
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("status").first).to_contain_text("2 row(s), 2 new product(s), 0 updated")
    assert _api(site, "GET", "/api/v1/admin/products/E2E-PRODUCTS-IMP-2")["back_in_stock_date"] == "2099-01-15"
    # the worker ran it; the address is now that import's page, and the list shows both uploads
    expect(page).to_have_url(re.compile(r"/admin/import/\d+$"))
    expect(page.locator("#recent-imports tbody tr")).to_have_count(2)
    expect(page.locator("#recent-imports tbody tr").first).to_contain_text("2 row(s): 2 new, 0 updated")
    expect(page.locator("#recent-imports tbody tr").nth(1)).to_contain_text("nothing imported: 1 problem(s)")
    admin_page.screenshot("import-done")
    assert admin_page.errors == []


def test_bulk_set_mode_on_selected_products(admin_page, admin_site):
    site = admin_site
    for sku in ("E2E-PRODUCTS-BULK-A", "E2E-PRODUCTS-BULK-B"):
        _product(site, sku, name=sku, on_hand=0, mode="notify")
    page = admin_page.open("/admin/products?q=E2E-PRODUCTS-BULK")
    page.get_by_label("Select all products on this page").check()
    page.get_by_label("Action").select_option("limit")
    page.get_by_label("Limit (for Set backorder limit)").select_option("number")
    page.get_by_label("Units (when the limit is a number)").fill("7")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_role("status").first).to_contain_text("Set backorder limit: done for 2 product(s).")
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("tbody tr").first).to_contain_text("0 / 7")
    assert _api(site, "GET", "/api/v1/admin/products/E2E-PRODUCTS-BULK-B")["backorder_limit"] == 7


def test_products_pages_fit_a_phone(browser, admin_site):
    from conftest import TIMEZONE, AdminPage

    context = browser.new_context(viewport={"width": 390, "height": 844}, timezone_id=TIMEZONE)
    admin = AdminPage(context, admin_site).login()
    for path, name in (("/admin/products", "products-phone"), ("/admin/products/DEMO-LAMP", "product-phone"),
                       ("/admin/import", "import-phone")):
        page = admin.open(path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways on a phone ({width}px)"
        admin.screenshot(name)
    context.close()
