"""The outbox end to end: restock → campaign → worker → a real SMTP server, and the links shoppers follow.

Services are called in-process; every email is read back as the SMTP server (aiosmtpd) received it,
and every link in it is followed through the app as a shopper or a mailbox provider would.
"""

import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from backorder.db import db
from backorder.mail.transports import transport_from_url
from backorder.models import Campaign, Message, Product, Store, Subscription, Suppression, utcnow
from backorder.services import campaigns, outbox, products, stores, subscriptions

PUBLIC_URL = "https://bo.example"
SENDER = "alerts@shop.example"
POSTAL = "1 Market Street\nSpringfield 12345"
SHOPPERS = [f"shopper{n}@example.org" for n in range(5)]


@pytest.fixture
def shop(app, store, smtp_server):
    """The store sending through the test SMTP server: single opt-in, all waiting shoppers in one wave."""
    app.config.update(SMTP_URL=smtp_server.url, PUBLIC_URL=PUBLIC_URL, MAIL_LEASE_SECONDS=60)
    with app.app_context():
        stores.update_store(db.session.get(Store, store.id), {
            "sender_email": SENDER, "postal_address": POSTAL, "double_opt_in": False, "wave_factor": None})
    return store


@pytest.fixture
def sold_out(app, shop, make_product):
    """make a sold-out notify product with a name, price and product page; returns its sku."""

    def make(sku="TEE"):
        return make_product(sku, name=f"Tee {sku}", mode="notify", on_hand=0, price="19.90",
                            url=f"https://shop.example.com/products/{sku.lower()}")

    return make


def sign_up(app, shop, sku, emails):
    with app.app_context():
        for email in emails:
            assert subscriptions.subscribe(db.session.get(Store, shop.id), sku, email) == "active"


def restock(app, shop, sku, units=10):
    with app.app_context():
        products.upsert_product(db.session.get(Store, shop.id), sku, {"on_hand": units})


def send_due(app, worker="worker-1"):
    """One pass of the worker, as `backorder send-due` runs it."""
    with app.app_context():
        try:
            return outbox.send_due(transport_from_url(app.config["SMTP_URL"]), worker, app.config)
        finally:
            db.session.remove()


def time_passes(app):
    """Everything queued for later is due now (as if the backoff had elapsed)."""
    with app.app_context():
        db.session.execute(db.update(Message).where(Message.status == "queued")
                           .values(due_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()


def rows(app, model, *where):
    with app.app_context():
        found = db.session.execute(db.select(model).where(*where).order_by(*model.__table__.primary_key)).scalars().all()
        db.session.expunge_all()
        return found


def product_id(app, sku):
    with app.app_context():
        return db.session.scalar(db.select(Product.id).where(Product.sku == sku))


def alerts(app, email):
    """{sku: (status, end channel)} of an address's alerts."""
    with app.app_context():
        return dict((sku, (status, channel)) for sku, status, channel in db.session.execute(
            db.select(Product.sku, Subscription.status, Subscription.end_channel)
            .join(Product, Product.id == Subscription.product_id).where(Subscription.email == email)))


def by_recipient(app):
    return {message.recipient: message for message in rows(app, Message)}


def text_of(message):
    return message.get_body(("plain",)).get_content()


def html_of(message):
    return message.get_body(("html",)).get_content()


class Page(HTMLParser):
    """The links, forms and text of an HTML page or email, as a browser would see them."""

    def __init__(self, html):
        super().__init__()
        self.hrefs, self.forms, self.buttons, self.text = [], [], [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self.hrefs.append(attrs.get("href"))
        elif tag == "form":
            self.forms.append({"method": attrs.get("method", "get").lower(), "fields": {}})
        elif tag == "input" and self.forms:
            self.forms[-1]["fields"][attrs.get("name")] = attrs.get("value", "")
        elif tag == "button":
            self.buttons.append(attrs)

    def handle_data(self, data):
        if data.strip():
            self.text.append(data.strip())


def page(answer):
    return Page(answer.get_data(as_text=True))


def path_of(url):
    assert url.startswith(PUBLIC_URL + "/s/"), url
    return urlsplit(url).path


def list_unsubscribe(message):
    """The targets of List-Unsubscribe, in order."""
    return re.findall(r"<([^>]+)>", message["List-Unsubscribe"])


def link(message, prefix):
    """The one link in the text part that starts with PUBLIC_URL + prefix."""
    found = set(re.findall(re.escape(PUBLIC_URL + prefix) + r"[^\s<>\"]+", text_of(message)))
    assert len(found) == 1, (prefix, found)
    return found.pop()


def restocked(app, shop, sold_out, smtp_server, emails=SHOPPERS, sku="TEE"):
    """Shoppers wait for a sold-out product, it comes back, the worker runs: {recipient: email received}."""
    sold_out(sku)
    sign_up(app, shop, sku, emails)
    restock(app, shop, sku)
    send_due(app)
    received = {str(message["To"]): message for message in smtp_server.messages}
    assert len(received) == len(smtp_server.messages)
    return received


# --- sending ---------------------------------------------------------------------------------

def test_restock_emails_each_waiting_shopper_exactly_once(app, shop, sold_out, smtp_server):
    received = restocked(app, shop, sold_out, smtp_server)

    assert sorted(received) == SHOPPERS
    assert sorted(smtp_server.recipients) == SHOPPERS
    for address, message in received.items():
        assert message["From"].addresses[0].addr_spec == SENDER
        assert "Tee TEE" in message["Subject"]
        unsubscribe_url, mailto = list_unsubscribe(message)
        assert urlsplit(unsubscribe_url).scheme in ("https", "http") and "/s/unsubscribe/" in unsubscribe_url
        assert mailto.startswith(f"mailto:{SENDER}")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["List-Id"].endswith(f"<restock.{shop.public_key}.bo.example>")
        for body in (text_of(message), html_of(message)):
            assert "1 Market Street" in body and "Springfield 12345" in body
        assert unsubscribe_url in Page(html_of(message)).hrefs  # visible, not only in the header
        assert unsubscribe_url in text_of(message)
    assert len({message["Message-ID"] for message in received.values()}) == 5
    assert {row.status for row in rows(app, Subscription)} == {"notified"}
    for row in rows(app, Message):
        assert (row.status, row.attempts, row.message_id) == ("sent", 1, received[row.recipient]["Message-ID"])

    again = send_due(app)

    assert (again.sent, again.retried, again.failed) == (0, 0, 0)
    assert len(smtp_server.deliveries) == 5
    [campaign] = rows(app, Campaign)
    assert (campaign.status, campaign.queued) == ("finished", 5)


# --- one-click unsubscribe (RFC 8058) ---------------------------------------------------------

def multipart(fields, boundary="----mailbox-provider-7d3f"):
    body = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
                   for name, value in fields.items()) + f"--{boundary}--\r\n"
    return body.encode(), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("encoding", ["form-urlencoded", "multipart"])
def test_one_click_unsubscribe_as_a_mailbox_provider_posts_it(app, shop, sold_out, smtp_server, encoding):
    leaving, staying = SHOPPERS[:2]
    sold_out("CAP")
    sign_up(app, shop, "CAP", [leaving, staying])
    received = restocked(app, shop, sold_out, smtp_server, emails=[leaving])
    unsubscribe_url = list_unsubscribe(received[leaving])[0]
    provider = app.test_client(use_cookies=False)

    looked = provider.get(path_of(unsubscribe_url))  # a link scanner, or the shopper reading the page

    assert looked.status_code == 200
    assert page(looked).forms[0]["method"] == "post" and page(looked).buttons
    with app.app_context():
        assert db.session.scalar(db.select(sa.func.count()).select_from(Suppression)) == 0
    assert alerts(app, leaving) == {"TEE": ("notified", None), "CAP": ("active", None)}

    if encoding == "multipart":
        body, content_type = multipart({"List-Unsubscribe": "One-Click"})
        answer = provider.post(path_of(unsubscribe_url), data=body, content_type=content_type)
    else:
        answer = provider.post(path_of(unsubscribe_url), data="List-Unsubscribe=One-Click",
                               content_type="application/x-www-form-urlencoded")

    assert answer.status_code == 200 and "Location" not in answer.headers
    assert "Set-Cookie" not in answer.headers
    assert alerts(app, leaving) == {"TEE": ("notified", None), "CAP": ("unsubscribed", "one-click")}
    [suppression] = rows(app, Suppression)
    assert suppression.reason == "unsubscribed" and leaving not in suppression.email_hash

    smtp_server.clear()
    restock(app, shop, "CAP")
    send_due(app)

    assert smtp_server.recipients == [staying]


def test_an_alert_that_raced_an_unsubscribe_is_skipped_as_suppressed(app, shop, sold_out, smtp_server, monkeypatch):
    leaving, staying = SHOPPERS[:2]
    received = restocked(app, shop, sold_out, smtp_server, emails=[leaving])
    app.test_client().post(path_of(list_unsubscribe(received[leaving])[0]), data={"List-Unsubscribe": "One-Click"})
    sold_out("CAP")
    sign_up(app, shop, "CAP", [staying])
    # The sign-up read "not suppressed" just before the unsubscribe committed: its alert is active.
    monkeypatch.setattr(subscriptions, "is_suppressed", lambda store_id, hashed: False)
    sign_up(app, shop, "CAP", [leaving])
    monkeypatch.undo()
    smtp_server.clear()

    restock(app, shop, "CAP")
    send_due(app)

    assert smtp_server.recipients == [staying]
    [skipped] = rows(app, Message, Message.status == "skipped")
    assert (skipped.recipient, skipped.reason) == (leaving, "suppressed")
    campaign = rows(app, Campaign)[-1]
    assert [(e["event"], e.get("reason"), e.get("count")) for e in campaign.log if e["event"] != "started"] == [
        ("skipped", "suppressed", 1), ("wave", None, 1), ("finished", None, None)]


def test_a_suppressed_address_that_signs_up_again_must_confirm_first(app, shop, sold_out, smtp_server):
    received = restocked(app, shop, sold_out, smtp_server, emails=[SHOPPERS[0]])
    app.test_client().post(path_of(list_unsubscribe(received[SHOPPERS[0]])[0]),
                           data={"List-Unsubscribe": "One-Click"})
    sold_out("CAP")
    smtp_server.clear()

    with app.app_context():
        answer = subscriptions.subscribe(db.session.get(Store, shop.id), "CAP", SHOPPERS[0])
    restock(app, shop, "CAP")
    send_due(app)

    assert answer == "active"  # the same answer as for anyone: the form reveals nothing
    [confirmation] = smtp_server.messages
    assert "/s/confirm/" in text_of(confirmation) and "List-Unsubscribe" not in confirmation
    assert alerts(app, SHOPPERS[0]) == {"TEE": ("notified", None), "CAP": ("pending", None)}


# --- double opt-in ------------------------------------------------------------------------------

def test_double_opt_in_confirmation_link_works_once(app, shop, sold_out, smtp_server, client):
    with app.app_context():
        stores.update_store(db.session.get(Store, shop.id), {"double_opt_in": True})
    sold_out("TEE")
    sold_out("MUG")
    sign_up_url = f"/api/v1/stores/{shop.public_key}/subscriptions"

    first = client.post(sign_up_url, json={"sku": "TEE", "email": "ann@example.org"})
    send_due(app)

    assert first.status_code == 202 and first.get_json()["status"] == "pending"
    [confirmation] = smtp_server.messages
    assert confirmation["To"] == "ann@example.org" and "List-Unsubscribe" not in confirmation
    confirm_url = link(confirmation, "/s/confirm/")
    assert confirm_url in Page(html_of(confirmation)).hrefs

    repeat = client.post(sign_up_url, json={"sku": "TEE", "email": "ann@example.org"})
    other = client.post(sign_up_url, json={"sku": "MUG", "email": "ann@example.org"})
    send_due(app)

    assert (repeat.status_code, repeat.get_json()) == (202, first.get_json())
    assert other.status_code == 202
    assert len(smtp_server.messages) == 1  # one confirmation a day, however often the form is sent

    shown = client.get(path_of(confirm_url))

    assert shown.status_code == 200
    assert page(shown).forms and page(shown).forms[0]["method"] == "post" and page(shown).buttons
    assert {s.status for s in rows(app, Subscription)} == {"pending"}  # a GET (a link scanner) changes nothing

    confirmed = client.post(path_of(confirm_url))

    assert confirmed.status_code == 200
    assert {(s.status, s.confirmed_at is not None) for s in rows(app, Subscription)} == {("active", True)}

    confirmed_at = {s.confirmed_at for s in rows(app, Subscription)}
    again = client.post(path_of(confirm_url))  # a double click: told it is done, nothing changes

    assert again.status_code == 200
    assert {s.confirmed_at for s in rows(app, Subscription)} == confirmed_at


def test_a_used_confirmation_link_cannot_renew_an_alert_the_shopper_ended(app, shop, sold_out, smtp_server, client):
    with app.app_context():
        stores.update_store(db.session.get(Store, shop.id), {"double_opt_in": True})
    sold_out("TEE")
    client.post(f"/api/v1/stores/{shop.public_key}/subscriptions", json={"sku": "TEE", "email": "ann@example.org"})
    send_due(app)
    confirm_path = path_of(link(smtp_server.messages[0], "/s/confirm/"))
    assert client.post(confirm_path).status_code == 200
    with app.app_context():
        [alert] = subscriptions.alerts_of(shop.id, subscriptions.email_hash("ann@example.org"))
        subscriptions.remove_alert(alert)

    followed_again = client.post(confirm_path)

    assert followed_again.status_code == 410
    assert [s.status for s in rows(app, Subscription)] == ["unsubscribed"]


# --- temporary and permanent failures -------------------------------------------------------

def test_421_replies_are_retried_later_and_nothing_is_lost_or_doubled(app, shop, sold_out, smtp_server):
    sold_out("TEE")
    sign_up(app, shop, "TEE", SHOPPERS)
    restock(app, shop, "TEE")
    smtp_server.fail_next(2, 421)
    before = utcnow()

    first = send_due(app)

    assert (first.sent, first.retried, first.failed) == (3, 2, 0)
    assert len(smtp_server.messages) == 3
    waiting = rows(app, Message, Message.status == "queued")
    assert len(waiting) == 2
    for message in waiting:
        assert message.attempts == 1 and message.due_at > before + timedelta(seconds=10)
        assert message.reason.startswith("421") and message.lease_until is None

    assert send_due(app).sent == 0  # not due yet

    time_passes(app)
    second = send_due(app)

    assert second.sent == 2
    assert sorted(smtp_server.recipients) == SHOPPERS
    assert {(m.status, m.reason) for m in rows(app, Message)} == {("sent", None)}
    assert sorted(m.attempts for m in rows(app, Message)) == [1, 1, 1, 2, 2]


def test_550_for_one_address_fails_that_message_and_suppresses_the_address(app, shop, sold_out, smtp_server):
    smtp_server.reject(SHOPPERS[1], "550 5.1.1 <shopper1@example.org>: no such user")
    sold_out("CAP")
    sign_up(app, shop, "CAP", SHOPPERS[:2])

    restocked(app, shop, sold_out, smtp_server)

    messages = by_recipient(app)
    assert sorted(smtp_server.recipients) == sorted(set(SHOPPERS) - {SHOPPERS[1]})
    bounced = messages[SHOPPERS[1]]
    assert (bounced.status, bounced.attempts) == ("failed", 1)
    assert bounced.reason == "550 5.1.1 <shopper1@example.org>: no such user"
    assert [s.reason for s in rows(app, Suppression)] == ["bounced"]
    assert {m.status for r, m in messages.items() if r != SHOPPERS[1]} == {"sent"}

    smtp_server.clear()
    restock(app, shop, "CAP")  # the bounced address also waits for another product
    send_due(app)

    assert smtp_server.recipients == [SHOPPERS[0]]
    [skipped] = rows(app, Message, Message.status == "skipped")
    assert (skipped.recipient, skipped.reason) == (SHOPPERS[1], "suppressed")


def test_after_a_hard_bounce_the_addresss_other_queued_emails_are_skipped(app, shop, sold_out, smtp_server):
    app.config["MAIL_BATCH"] = 1  # the bounce is recorded before the next email is claimed
    smtp_server.reject(SHOPPERS[1])
    for sku in ("TEE", "CAP"):
        sold_out(sku)
        sign_up(app, shop, sku, SHOPPERS[:2])
        restock(app, shop, sku)

    send_due(app)

    assert sorted(smtp_server.recipients) == [SHOPPERS[0]] * 2
    assert [(m.status, m.reason) for m in rows(app, Message, Message.recipient == SHOPPERS[1])] == [
        ("failed", "550 5.1.1 No such user"), ("skipped", "bounced")]


def test_smtp_server_down_keeps_every_message_for_later_without_spending_attempts(app, shop, sold_out, smtp_server):
    sold_out("TEE")
    sign_up(app, shop, "TEE", SHOPPERS)
    restock(app, shop, "TEE")
    smtp_server.stop()

    down = send_due(app)

    assert (down.sent, down.retried, down.failed) == (0, 5, 0)
    for message in rows(app, Message):  # not the messages' fault: an outage of hours must not fail them
        assert (message.status, message.attempts, message.lease_until) == ("queued", 0, None)
        assert "cannot connect" in message.reason

    smtp_server.start()
    time_passes(app)
    up = send_due(app)

    assert up.sent == 5
    assert sorted(smtp_server.recipients) == SHOPPERS
    assert {m.status for m in rows(app, Message)} == {"sent"}


def test_smtp_server_down_ends_the_pass_after_one_batch(app, shop, sold_out, smtp_server):
    app.config["MAIL_BATCH"] = 2
    sold_out("TEE")
    sign_up(app, shop, "TEE", SHOPPERS)
    restock(app, shop, "TEE")
    smtp_server.stop()

    down = send_due(app)

    assert (down.sent, down.retried) == (0, 2)  # one connection refused: the other batches are not even claimed
    assert sorted(message.reason is None for message in rows(app, Message)) == [False] * 2 + [True] * 3


# --- leases ------------------------------------------------------------------------------------

def test_an_expired_lease_is_claimed_again_and_a_live_one_is_not(app, shop, sold_out, smtp_server):
    sold_out("TEE")
    sign_up(app, shop, "TEE", SHOPPERS)
    restock(app, shop, "TEE")
    now = utcnow()
    with app.app_context():
        campaigns.run_due_campaigns(now)
        crashed = outbox.claim_due_messages("worker-a", 100, 60, now=now)
        assert len(crashed) == 5
        # worker-a died holding them: within the lease nobody else may send them
        assert outbox.claim_due_messages("worker-b", 100, 60, now=now + timedelta(seconds=59)) == []
        taken = outbox.claim_due_messages("worker-b", 100, 60, now=now + timedelta(seconds=61))
        assert taken == crashed
        settings = outbox.mail_settings(app.config)
        transport = transport_from_url(smtp_server.url)
        late = outbox.deliver(crashed, transport, "worker-a", settings)  # worker-a was not dead after all
        sent = outbox.deliver(taken, transport, "worker-b", settings)

    assert (late.sent, sent.sent) == (0, 5)
    assert sorted(smtp_server.recipients) == SHOPPERS
    assert {m.status for m in rows(app, Message)} == {"sent"}


# --- links in the email -------------------------------------------------------------------------

def test_product_link_counts_the_click_and_redirects_to_the_product(app, shop, sold_out, smtp_server, client):
    received = restocked(app, shop, sold_out, smtp_server, emails=[SHOPPERS[0]])
    go_url = link(received[SHOPPERS[0]], "/s/go/")
    assert go_url in Page(html_of(received[SHOPPERS[0]])).hrefs
    assert by_recipient(app)[SHOPPERS[0]].clicked_at is None

    answer = client.get(path_of(go_url))

    assert answer.status_code == 302
    assert answer.headers["Location"] == "https://shop.example.com/products/tee"
    assert by_recipient(app)[SHOPPERS[0]].clicked_at is not None


def test_manage_page_lists_the_addresss_alerts_and_removes_one_or_all(app, shop, sold_out, smtp_server, client):
    address = SHOPPERS[0]
    for sku in ("MUG", "CAP", "BAG"):
        sold_out(sku)
    sign_up(app, shop, "MUG", [address, SHOPPERS[1]])
    sign_up(app, shop, "CAP", [address])
    sign_up(app, shop, "BAG", [address])
    received = restocked(app, shop, sold_out, smtp_server, emails=[address])
    manage_path = path_of(link(received[address], "/s/manage/"))

    shown = client.get(manage_path)

    assert shown.status_code == 200
    text = " ".join(page(shown).text)
    assert address in text and "Tee MUG" in text and "Tee CAP" in text and "Tee BAG" in text
    assert "Tee TEE" not in text  # notified: no longer an open alert
    removable = {f["fields"]["remove"] for f in page(shown).forms if "remove" in f["fields"]}
    assert len(removable) == 3

    [mug] = rows(app, Subscription, Subscription.email == address, Subscription.product_id == product_id(app, "MUG"))
    after_one = client.post(manage_path, data={"remove": str(mug.id)})

    assert after_one.status_code == 200
    text = " ".join(page(after_one).text)
    assert "Tee MUG" not in text and "Tee CAP" in text and "Tee BAG" in text
    assert rows(app, Suppression) == []  # still welcome for the other alerts
    restock(app, shop, "MUG")
    smtp_server.clear()
    send_due(app)
    assert smtp_server.recipients == [SHOPPERS[1]]

    after_all = client.post(manage_path, data={"remove_all": "1"})

    assert after_all.status_code == 200
    text = " ".join(page(after_all).text)
    assert "Tee CAP" not in text and "Tee BAG" not in text
    assert {s.status for s in rows(app, Subscription, Subscription.email == address)} == {"notified", "unsubscribed"}
    assert [s.reason for s in rows(app, Suppression)] == ["unsubscribed"]


# --- GDPR erasure ------------------------------------------------------------------------------

def test_erasure_removes_alerts_and_queued_emails_and_kills_the_links(app, shop, sold_out, smtp_server, client):
    address = SHOPPERS[0]
    sold_out("CAP")
    sign_up(app, shop, "CAP", [address, SHOPPERS[1]])
    received = restocked(app, shop, sold_out, smtp_server, emails=[address])
    email = received[address]
    restock(app, shop, "CAP")
    with app.app_context():
        assert campaigns.run_due_campaigns() == 2  # queued, not yet sent

    answer = client.post("/api/v1/admin/erasures", json={"email": address.upper()}, headers=shop.headers)

    assert answer.status_code == 200
    assert answer.get_json() == {"subscriptions": 2, "messages": 2}
    assert rows(app, Subscription, Subscription.email == address) == []
    assert rows(app, Message, Message.recipient == address) == []
    for prefix in ("/s/unsubscribe/", "/s/manage/", "/s/go/"):
        followed = client.get(path_of(link(email, prefix)))
        assert followed.status_code == 404, prefix
        assert "not valid" in " ".join(page(followed).text)
    assert client.post(path_of(list_unsubscribe(email)[0]),
                       data={"List-Unsubscribe": "One-Click"}).status_code == 404

    smtp_server.clear()
    send_due(app)
    assert smtp_server.recipients == [SHOPPERS[1]]


def test_a_worker_pass_turns_to_its_tasks_while_a_campaign_is_still_sending(app, shop, sold_out, smtp_server):
    """An import (or a platform task) runs between batches of a big campaign, not after its last email."""
    from backorder.models import ImportJob
    from backorder.services import imports
    from backorder.worker import one_pass

    sold_out("TEE")
    sign_up(app, shop, "TEE", [f"waiting{n}@example.org" for n in range(12)])
    restock(app, shop, "TEE")
    with app.app_context():
        imports.queue_import(db.session.get(Store, shop.id), "sku,on_hand\r\nNEW,3\r\n", "new.csv")
        db.session.commit()
    app.config["MAIL_BATCH"] = 4
    tally = one_pass(app, transport_from_url(smtp_server.url), "worker-1", mail_seconds=0)  # one batch, then tasks
    assert tally.more and len(smtp_server.messages) == 4
    with app.app_context():
        assert db.session.execute(sa.select(ImportJob.status)).scalar_one() == "done"
        assert db.session.execute(sa.select(sa.func.count()).select_from(Message)
                                  .where(Message.status == "queued", Message.kind == "restock")).scalar_one() == 8
    while one_pass(app, transport_from_url(smtp_server.url), "worker-1", mail_seconds=0).more:
        pass
    assert len(smtp_server.messages) == 12  # the rest, a batch a pass
