"""The admin in a real browser: logging in, the settings form, the snippet, accessibility, phone size."""

from playwright.sync_api import expect


def test_login_and_settings_page_pass_axe(admin_page):
    page = admin_page.open("/admin/settings")
    expect(page.get_by_role("heading", name="Settings", exact=True)).to_be_visible()
    expect(page.locator("#snippet")).to_contain_text(admin_page.site.public_key)
    assert admin_page.axe_violations() == []
    admin_page.screenshot("settings")
    assert admin_page.errors == []


def test_login_page_passes_axe_and_refuses_a_wrong_password(browser, admin_site):
    context = browser.new_context()
    page = context.new_page()
    page.goto(admin_site.api + "/admin/login")
    page.get_by_label("Email").fill("demo@example.com")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    expect(page.get_by_label("Email")).to_have_value("demo@example.com")
    from conftest import AdminPage  # the same axe check, on a page without a login
    checker = AdminPage.__new__(AdminPage)
    checker.page = page
    assert checker.axe_violations() == []
    context.close()


def test_a_settings_error_shows_beside_its_field_and_keeps_the_input(admin_page):
    page = admin_page.open("/admin/settings")
    page.get_by_label("Handling days").fill("-3")
    page.get_by_label("Sender name").fill("Kept Name")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#handling_days-error")).to_be_visible()
    expect(page.get_by_label("Sender name")).to_have_value("Kept Name")
    admin_page.screenshot("settings-error")


def test_settings_save_and_the_widget_wording_changes(admin_page, admin_site):
    page = admin_page.open("/admin/settings")
    page.get_by_label("Your own wording").fill("soldOut: All gone for now")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status").first).to_contain_text("Settings saved")
    expect(page.get_by_label("Your own wording")).to_have_value("soldOut: All gone for now")


def test_pages_are_usable_at_phone_size(browser, admin_site):
    from conftest import TIMEZONE, AdminPage

    context = browser.new_context(viewport={"width": 390, "height": 844}, timezone_id=TIMEZONE)
    admin = AdminPage(context, admin_site).login()
    page = admin.open("/admin/settings")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the settings page scrolls sideways on a phone ({width}px)"
    admin.screenshot("settings-phone")
    context.close()
