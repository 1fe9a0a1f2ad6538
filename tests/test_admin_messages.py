"""The Messages page: the delivery log with the reason for anything not sent, filters, retrying a failed email."""

import pytest

from backorder.db import db
from backorder.mail.transports import transport_from_url
from backorder.models import Message, Store
from backorder.services import outbox, products, stores, subscriptions


def send_due(app):
    """One pass of the mail worker against the test SMTP server."""
    with app.app_context():
        try:
            return outbox.send_due(transport_from_url(app.config["SMTP_URL"]), "worker-1", app.config)
        finally:
            db.session.remove()


def message_of(app, recipient):
    with app.app_context():
        return db.session.execute(db.select(Message).filter_by(recipient=recipient)).scalar_one()


@pytest.fixture
def delivered(app, store, smtp_server, make_product):
    """Confirmation emails for CAP: one to ann (sent), one to bounce@ (refused by the SMTP server: failed)."""
    app.config.update(SMTP_URL=smtp_server.url, PUBLIC_URL="https://bo.example")
    make_product("CAP", mode="notify", name="Wool cap")
    smtp_server.reject("bounce@example.com")
    with app.app_context():
        shop = db.session.get(Store, store.id)
        stores.update_store(shop, {"sender_email": "alerts@shop.example", "postal_address": "1 Road"})
        for email in ("ann@example.com", "bounce@example.com"):
            subscriptions.subscribe(shop, "CAP", email)
    send_due(app)
    assert message_of(app, "bounce@example.com").status == "failed"
    return smtp_server


def test_the_page_needs_a_login(client):
    assert client.get("/admin/messages").status_code == 302


def test_every_email_is_listed_with_kind_status_attempts_product_and_why_not(app, admin, delivered):
    page = admin.get("/admin/messages").text
    assert "ann@example.com" in page and "bounce@example.com" in page
    assert '<span class="state sent">sent</span>' in page and '<span class="state failed">failed</span>' in page
    assert "<td>confirm</td>" in page and "Wool cap" in page and "<code>CAP</code>" in page
    failed = message_of(app, "bounce@example.com")
    assert failed.reason and failed.reason in page
    assert page.count(">Retry</button>") == 1  # only the failed one


def test_filters_by_status_and_kind(admin, delivered):
    page = admin.get("/admin/messages?status=failed").text
    assert "bounce@example.com" in page and "ann@example.com" not in page
    assert "ann@example.com" not in admin.get("/admin/messages?kind=restock").text
    answer = admin.get("/admin/messages?kind=fax")
    assert answer.status_code == 422 and 'id="kind-error"' in answer.text


def test_retry_queues_a_failed_email_again_and_it_is_sent(app, admin, delivered):
    failed = message_of(app, "bounce@example.com")
    delivered.reject("bounce@example.com", reply=None)  # the address works now
    answer = admin.post(f"/admin/messages/{failed.id}/retry?status=failed")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/admin/messages?status=failed")
    assert "The email to bounce@example.com is queued again." in admin.get("/admin/messages").text
    retried = message_of(app, "bounce@example.com")
    assert (retried.status, retried.attempts, retried.reason) == ("queued", 0, None)
    send_due(app)
    assert message_of(app, "bounce@example.com").status == "sent"
    assert "bounce@example.com" in delivered.recipients


def test_retry_needs_the_csrf_token(app, admin, delivered):
    failed = message_of(app, "bounce@example.com")
    assert admin.client.post(f"/admin/messages/{failed.id}/retry", data={}).status_code == 400
    assert message_of(app, "bounce@example.com").status == "failed"


def test_the_list_is_paginated(app, admin, store, make_product):
    make_product("CAP", mode="notify")
    with app.app_context():
        shop = db.session.get(Store, store.id)
        for number in range(51):
            subscriptions.subscribe(shop, "CAP", f"shopper{number:02}@example.com")
        oldest_on_first_page = message_of(app, "shopper01@example.com").id
    first = admin.get("/admin/messages").text
    assert "shopper50@example.com" in first and "shopper00@example.com" not in first and 'rel="next"' in first
    second = admin.get(f"/admin/messages?after={oldest_on_first_page}").text
    assert "shopper00@example.com" in second and "shopper01@example.com" not in second


def test_another_stores_messages_are_never_listed_nor_retried(app, admin, other_store):
    with app.app_context():
        other = db.session.get(Store, other_store.id)
        products.upsert_product(other, "CAP", {"mode": "notify"})
        subscriptions.subscribe(other, "CAP", "eve@example.com")
        theirs = db.session.execute(db.select(Message).filter_by(recipient="eve@example.com")).scalar_one()
        theirs.status, theirs.reason = "failed", "550 No such user"
        db.session.commit()
        foreign = theirs.id
    assert "eve@example.com" not in admin.get("/admin/messages").text
    assert admin.post(f"/admin/messages/{foreign}/retry").status_code == 404
    assert admin.post("/admin/messages/99999999999/retry").status_code == 404
    assert message_of(app, "eve@example.com").status == "failed"
