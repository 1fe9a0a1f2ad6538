"""The Dashboard and Reports in a real browser: the demo's 90 days in charts and tables, CSV downloads, axe."""

import csv
import io

from playwright.sync_api import expect

REPORTS = [("demand", "Demand and what to reorder"), ("suppliers", "Suppliers"), ("funnel", "Funnel"),
           ("backorders", "Backorder performance"), ("email", "Email health"), ("activity", "Activity per day")]


def test_admin_lands_on_the_dashboard_with_its_chart(admin_page):
    page = admin_page.open("/admin/")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Dashboard")).to_have_attribute("aria-current", "page")
    chart = page.get_by_role("img", name="Activity, last 30 days")
    expect(chart).to_be_visible()
    assert chart.locator("polyline").count() == 3
    expect(page.get_by_text("sold out with shoppers waiting")).to_be_visible()
    assert admin_page.axe_violations() == []
    admin_page.screenshot("dashboard")
    page.get_by_role("link", name="last 90 days").click()
    expect(page.get_by_role("img", name="Activity, last 90 days")).to_be_visible()
    admin_page.screenshot("dashboard-90-days")
    assert admin_page.errors == []  # nothing blocked by the CSP, no script errors


def test_every_report_page_passes_axe(admin_page):
    for name, title in REPORTS:
        page = admin_page.open(f"/admin/reports?report={name}&days=90")
        expect(page.get_by_role("heading", level=2)).to_contain_text(title)
        expect(page.locator("table[aria-label]")).to_be_visible()
        assert admin_page.axe_violations() == [], name
        admin_page.screenshot(f"report-{name}")
    assert admin_page.errors == []


def test_reports_show_what_to_reorder_and_download_it_as_csv(admin_page):
    page = admin_page.open("/admin/")
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("Demand and what to reorder")
    expect(page.get_by_role("img", name="Units to reorder, top 10")).to_be_visible()
    first_sku = page.locator("table[aria-label] tbody tr").first.locator("code").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"), newline="")))
    assert rows[0]["sku"] == first_sku and int(rows[0]["suggested_reorder"]) > 0
    assert {"waiting_units", "incoming_units", "order_quantity", "quota_reached"} <= set(rows[0])


def test_a_purchase_list_for_one_supplier(admin_page):
    page = admin_page.open("/admin/reports?report=purchase-list")
    page.get_by_role("link", name="Northwind Textiles").click()
    expect(page.get_by_label("Supplier")).to_have_value("Northwind Textiles")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"), newline="")))
    assert rows and all(row["supplier"] == "Northwind Textiles" and int(row["order_quantity"]) > 0 for row in rows)
    admin_page.screenshot("report-purchase-list")


def test_a_period_in_the_wrong_order_is_explained_next_to_the_field(admin_page):
    page = admin_page.open("/admin/reports?report=funnel")
    page.get_by_label("From").fill("2026-03-10")
    page.get_by_label("To").fill("2026-03-01")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#start-error")).to_contain_text("Must not be after end")
    assert admin_page.axe_violations() == []
