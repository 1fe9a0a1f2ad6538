"""The admin's lists in a real browser: Subscribers, Backorders and Messages pass axe-core, export CSV
downloads that read back row for row, erase an address, and retry an email the SMTP server refused.

Each test makes its own products, sign-ups and orders (admin_site is shared by every admin e2e file).
"""

import csv
import json
import time
import urllib.error
import urllib.request
import uuid
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

RUN = uuid.uuid4().hex[:8]  # names this run's data apart from every other test's


def call(site, method, path, body=None, token=None, origin=None):
    """(status, JSON) of one API request from the test itself; waits out a sign-up rate limit (429)."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if origin:
        headers["Origin"] = origin
    for _ in range(4):
        request = urllib.request.Request(site.api + path, method=method, headers=headers,
                                         data=json.dumps(body).encode() if body is not None else None)
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as error:
            with error:
                if error.code != 429:
                    return error.code, json.loads(error.read() or b"null")
                time.sleep(min(int(error.headers.get("Retry-After", "5")), 61))
    pytest.fail(f"{method} {path} stayed rate-limited")


def admin_api(site, method, path, body=None):
    status, answer = call(site, method, "/api/v1/admin" + path, body, token=site.token)
    assert status < 300, (status, answer)
    return answer


def sign_up(site, sku, email):
    status, answer = call(site, "POST", f"/api/v1/stores/{site.public_key}/subscriptions",
                          {"sku": sku, "email": email}, origin=site.shop)
    assert status == 202, answer


def product(site, sku, **fields):
    admin_api(site, "PUT", f"/products/{sku}", fields)
    return sku


def downloaded_csv(page, link_name):
    """Click the export link and read the downloaded file back with the csv module."""
    with page.expect_download() as download:
        page.get_by_role("link", name=link_name).click()
    assert download.value.suggested_filename.endswith(".csv")
    with open(download.value.path(), encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def message_to(site, recipient, status):
    """The admin API's delivery log entry for `recipient` once it has `status` (the worker runs in a thread)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for message in admin_api(site, "GET", f"/messages?status={status}&limit=500")["items"]:
            if message["recipient"] == recipient:
                return message
        time.sleep(0.2)
    pytest.fail(f"no {status} message to {recipient}")


def test_subscribers_page_passes_axe_and_its_csv_download_has_the_rows(admin_page, admin_site):
    sku = product(admin_site, f"E2E-CAP-{RUN}", name="Wool cap (lists test)", mode="notify", on_hand=0)
    emails = [f"lists-{RUN}-{n}@example.com" for n in range(2)]
    for email in emails:
        sign_up(admin_site, sku, email)
    page = admin_page.open("/admin/subscribers")
    page.get_by_label("Email contains").fill(f"lists-{RUN}")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("row")).to_have_count(3)  # the header and the two sign-ups
    expect(page.get_by_role("cell", name=emails[0], exact=True)).to_be_visible()
    assert admin_page.axe_violations() == []
    admin_page.screenshot("subscribers")
    rows = downloaded_csv(page, "Export CSV")
    assert sorted((row["email"], row["sku"], row["status"]) for row in rows) == [
        (email, sku, "pending") for email in emails]
    assert admin_page.errors == []


def test_erasing_a_subscriber_asks_first_then_removes_the_address(admin_page, admin_site):
    sku = product(admin_site, f"E2E-SCARF-{RUN}", name="Scarf (lists test)", mode="notify", on_hand=0)
    email = f"erase-{RUN}@example.com"
    sign_up(admin_site, sku, email)
    page = admin_page.open(f"/admin/subscribers?search=erase-{RUN}")
    page.get_by_role("link", name=f"Erase {email}").click()
    expect(page.get_by_role("heading", name=f"Erase {email}?")).to_be_visible()
    expect(page.get_by_text("1 sign-up and")).to_be_visible()
    assert admin_page.axe_violations() == []
    admin_page.screenshot("subscriber-erase")
    page.get_by_role("button", name=f"Erase {email}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Erased {email}: 1 sign-up")
    page = admin_page.open(f"/admin/subscribers?search=erase-{RUN}")
    expect(page.get_by_text("No sign-ups match these filters.")).to_be_visible()
    assert admin_api(admin_site, "GET", f"/subscriptions?search=erase-{RUN}")["items"] == []


def test_backorders_page_passes_axe_and_its_csv_says_what_ships_when(admin_page, admin_site):
    sku = product(admin_site, f"E2E-LAMP-{RUN}", name="Lamp (lists test)", mode="backorder", on_hand=0,
                  handling_days=0)
    expected_on = (date.today() + timedelta(days=8)).isoformat()
    shipment = admin_api(admin_site, "POST", f"/products/{sku}/shipments", {"quantity": 1, "expected_on": expected_on})
    refs = [f"E2E-{RUN}-{n}" for n in range(2)]
    for ref in refs:
        admin_api(admin_site, "POST", "/orders", {"order_ref": ref, "email": f"{ref.lower()}@example.com",
                                                 "lines": [{"sku": sku, "quantity": 1, "unit_price": "30.00"}]})
    page = admin_page.open("/admin/backorders")
    page.get_by_label("Product SKU").fill(sku)
    page.get_by_role("button", name="Filter").click()
    first, second = page.get_by_role("row").nth(1), page.get_by_role("row").nth(2)
    expect(first).to_contain_text(refs[0])
    expect(first).to_contain_text(f"Shipment #{shipment['id']}")
    expect(second).to_contain_text(refs[1])
    expect(second).to_contain_text("No shipment planned")
    assert admin_page.axe_violations() == []
    admin_page.screenshot("backorders")
    rows = downloaded_csv(page, "Export CSV")
    assert [(row["order_ref"], row["quantity"], row["unit_price"], row["eta"], row["shipment_id"]) for row in rows] == [
        (refs[0], "1", "30.00", expected_on, str(shipment["id"])), (refs[1], "1", "30.00", "", "")]
    assert admin_page.errors == []


def test_messages_page_passes_axe_and_retries_a_refused_email(admin_page, admin_site):
    sku = product(admin_site, f"E2E-MUG-{RUN}", name="Mug (lists test)", mode="notify", on_hand=0)
    email = f"bounce-{RUN}@example.com"
    admin_site.mailbox.reject(email)
    sign_up(admin_site, sku, email)
    failed = message_to(admin_site, email, "failed")
    page = admin_page.open("/admin/messages?status=failed")
    row = page.get_by_role("row").filter(has_text=email)
    expect(row).to_contain_text(failed["reason"])
    expect(row).to_contain_text("Mug (lists test)")
    assert admin_page.axe_violations() == []
    admin_page.screenshot("messages")
    admin_site.mailbox.reject(email, reply=None)  # the mailbox works again
    row.get_by_role("button", name=f"Retry the email to {email}").click()
    expect(page.get_by_role("status")).to_contain_text(f"The email to {email} is queued again.")
    message_to(admin_site, email, "sent")
    assert email in admin_site.mailbox.recipients
    page = admin_page.open("/admin/messages?status=sent&kind=confirm")
    expect(page.get_by_role("row").filter(has_text=email)).to_contain_text("sent")
    assert admin_page.errors == []


def test_the_lists_fit_a_phone(browser, admin_site):
    from conftest import TIMEZONE, AdminPage

    context = browser.new_context(viewport={"width": 390, "height": 844}, timezone_id=TIMEZONE)
    admin = AdminPage(context, admin_site).login()
    for path in ("/admin/subscribers", "/admin/backorders", "/admin/messages"):
        page = admin.open(path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways on a phone ({width}px); its table should scroll in its box"
    admin.screenshot("messages-phone")
    context.close()
