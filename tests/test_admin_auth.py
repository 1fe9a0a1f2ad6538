"""Admin access: login, logout, CSRF, rate limits, session cookie and headers, store switching."""

import re

import pytest

from backorder.db import db
from backorder.models import Store, User
from backorder.services import users
from conftest import ADMIN_PASSWORD, AdminClient


def test_pages_need_a_login(client, store):
    answer = client.get("/admin/settings")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/admin/login?next=/admin/settings")


def test_login_page_has_strict_headers(client):
    answer = client.get("/admin/login")
    assert answer.status_code == 200
    csp = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["Cache-Control"] == "no-store"
    assert "<script>" not in answer.text and " style=" not in answer.text  # nothing inline for the CSP to block


def test_good_login_lands_in_the_admin_with_a_safe_cookie(client, admin_user):
    browser = AdminClient(client)
    answer = browser.login(admin_user.email.upper(), admin_user.password)
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/"
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith("backorder_admin=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/admin/settings")
    assert page.status_code == 200 and "Test Shop" in page.text


def test_wrong_password_is_refused_and_keeps_the_email_only(client, admin_user):
    answer = AdminClient(client).login(admin_user.email, "not the password")
    assert answer.status_code == 401
    assert "do not match" in answer.text
    assert 'value="owner@example.com"' in answer.text and "not the password" not in answer.text
    assert client.get("/admin/settings").status_code == 302


def test_unknown_email_gets_the_same_answer(client, admin_user):
    answer = AdminClient(client).login("nobody@example.com", "whatever-password")
    assert answer.status_code == 401 and "do not match" in answer.text


def test_login_without_csrf_token_is_refused(client, admin_user):
    answer = client.post("/admin/login", data={"email": admin_user.email, "password": admin_user.password})
    assert answer.status_code == 400 and "expired" in answer.text
    assert client.get("/admin/settings").status_code == 302


def test_posts_without_the_csrf_token_change_nothing(app, admin, store):
    for token in (None, "forged", ""):
        data = {"name": "Hijacked"} if token is None else {"name": "Hijacked", "csrf_token": token}
        answer = admin.client.post("/admin/settings", data=data)
        assert answer.status_code == 400
    with app.app_context():
        assert db.session.get(Store, store.id).name == "Test Shop"


def test_csrf_token_in_a_header_is_accepted(admin):
    answer = admin.client.post("/admin/logout", headers={"X-CSRF-Token": admin.csrf})
    assert answer.status_code == 302


def test_login_attempts_are_rate_limited_per_email(app, client, admin_user):
    browser = AdminClient(client)
    for _ in range(10):
        assert browser.login(admin_user.email, "wrong password!").status_code == 401
    answer = browser.login(admin_user.email, admin_user.password)  # even the right one waits now
    assert answer.status_code == 429 and "Too many login attempts" in answer.text


def _sign_up(client, store, n):
    return client.post(f"/api/v1/stores/{store.public_key}/subscriptions", headers={"Origin": store.origin},
                       json={"sku": "CAP", "email": f"p{n}@example.com"})


def test_sign_ups_from_an_address_never_spend_its_admin_logins(app, client, store, admin_user, make_product):
    make_product("CAP", mode="notify")
    app.config.update(SIGNUP_LIMIT_IP="2/minute", ADMIN_LOGIN_LIMIT_IP="30/hour")
    assert [_sign_up(client, store, n).status_code for n in range(3)] == [202, 202, 429]  # all from 127.0.0.1
    assert AdminClient(client).login(admin_user.email, admin_user.password).status_code == 302


def test_admin_logins_from_an_address_never_spend_its_sign_ups(app, client, store, admin_user, make_product):
    make_product("CAP", mode="notify")
    app.config.update(SIGNUP_LIMIT_IP="10/minute", ADMIN_LOGIN_LIMIT_IP="2/hour")
    browser = AdminClient(client)
    assert [browser.login(admin_user.email, "wrong password!").status_code for _ in range(3)] == [401, 401, 429]
    assert _sign_up(client, store, 1).status_code == 202


@pytest.mark.parametrize("target", ["//evil.example/admin", "https://evil.example/admin", "/api/v1/x", "javascript:x"])
def test_login_never_redirects_off_the_admin(client, admin_user, target):
    client.get("/admin/login")
    with client.session_transaction() as session:
        token = session["csrf"]
    answer = client.post(f"/admin/login?next={target}",
                         data={"email": admin_user.email, "password": admin_user.password, "csrf_token": token})
    assert answer.headers["Location"] == "/admin/"


def test_login_returns_to_the_page_asked_for(client, admin_user):
    client.get("/admin/login")
    with client.session_transaction() as session:
        token = session["csrf"]
    answer = client.post("/admin/login?next=/admin/settings",
                         data={"email": admin_user.email, "password": admin_user.password, "csrf_token": token})
    assert answer.headers["Location"] == "/admin/settings"


def test_logout_ends_the_session(admin):
    assert admin.post("/admin/logout").status_code == 302
    assert admin.get("/admin/settings").status_code == 302


def test_a_new_password_ends_other_sessions(app, admin, admin_user):
    with app.app_context():
        users.set_password(users.user_by_email(admin_user.email), "a brand new password")
    assert admin.get("/admin/settings").status_code == 302


def test_operator_switches_between_own_stores_only(app, admin, store, other_store):
    with app.app_context():
        third, _ = __import__("backorder.services.stores", fromlist=["x"]).create_store("Third Shop")
        users.create_user(third, "owner@example.com")
        third_id = third.id
    assert "Test Shop" in admin.get("/admin/settings").text
    assert admin.post("/admin/store", data={"store_id": third_id}).status_code == 302
    page = admin.get("/admin/settings").text
    assert re.search(r'<input id="name" name="name" type="text" value="Third Shop"', page)
    refused = admin.post("/admin/store", data={"store_id": other_store.id})  # not a member
    assert refused.status_code == 404
    assert "Third Shop" in admin.get("/admin/settings").text
    assert "Other Shop" not in admin.get("/admin/settings").text


def test_user_without_a_store_is_told_what_to_do(app, client):
    with app.app_context():
        user = User(email="lonely@example.com", password_hash="x")
        db.session.add(user)
        db.session.commit()
        store, _ = __import__("backorder.services.stores", fromlist=["x"]).create_store("Gone")
        users.create_user(store, "alone@example.com", ADMIN_PASSWORD)
        db.session.delete(store)
        db.session.commit()
    browser = AdminClient(client)
    assert browser.login("alone@example.com", ADMIN_PASSWORD).status_code == 302
    answer = browser.get("/admin/settings")
    assert answer.status_code == 403 and "create-user" in answer.text


def test_passwords_are_stored_with_argon2(app, admin_user):
    with app.app_context():
        stored = users.user_by_email(admin_user.email).password_hash
    assert stored.startswith("$argon2id$") and ADMIN_PASSWORD not in stored


def test_a_cheap_test_hash_is_made_strong_at_the_next_login(app, admin_user, database_url):
    from conftest import make_app

    production = make_app(database_url, PASSWORD_HASH_FAST=False)
    with production.app_context():
        assert users.authenticate(admin_user.email, admin_user.password) is not None
        stored = users.user_by_email(admin_user.email).password_hash
        db.session.remove()
        db.engine.dispose()  # this second app's pooled connection, closed now rather than by the collector
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    with app.app_context():  # and the strong hash still verifies, whatever the current setting
        assert users.authenticate(admin_user.email, admin_user.password) is not None
