"""What a hostile page or shopper can send the public API: header injection and unicode tricks in the
sign-up's email (checked down to the raw bytes the real SMTP server receives), and CORS from origins
that are not the store's (checked on every API route, preflights included)."""

import re

import pytest
import sqlalchemy as sa
from test_outbox import send_due

from backorder.db import db
from backorder.models import Message, Store, Subscription
from backorder.services import stores

INJECTIONS = {  # a second recipient or a header smuggled into the address
    "crlf": "victim@example.com\r\nBcc: x@evil.example",
    "lf": "victim@example.com\nBcc: x@evil.example",
    "cr": "victim@example.com\rBcc: x@evil.example",
    "crlf-first": "\r\nBcc: x@evil.example",
    "crlf-in-quotes": '"victim\r\nBcc: x@evil.example"@example.com',
    "crlf-url-encoded-then-decoded": "victim@example.com\r\nX-Injected: 1",
    "line-separator": "victim@example.com\u2028Bcc: x@evil.example",
    "next-line": "victim@example.com\x85Bcc: x@evil.example",
    "tab-fold": "victim@example.com\r\n\tBcc: x@evil.example",
    "comma": "victim@example.com, x@evil.example",
    "display-name": "Victim <victim@example.com>",
    "encoded-word": "=?utf-8?q?victim=0d=0aBcc:_x@evil?=@example.com",
    "trailing-newline": "victim@example.com\n",
    "nul": "victim@example.com\x00Bcc: x@evil.example",
    "rtl-override": "victim\u202e@example.com",
    "zero-width": "vic\u200btim@example.com",
    "bom": "\ufeffvictim@example.com",
    "lone-surrogate": "victim\ud800@example.com",
    "full-width-at": "victim\uff20example.com",
}
# Addresses that are valid, tricky, and must each be one recipient: (sent, the address it is known as)
TRICKY = [
    ("e\u0301@example.com", "\u00e9@example.com"),  # NFD: the same address as its NFC form
    ("\u00e9@example.com", "\u00e9@example.com"),
    ("user@xn--bcher-kva.example", "user@b\u00fccher.example"),  # punycode: the same as the IDN
    ("user@b\u00fccher.example", "user@b\u00fccher.example"),
    ("user@ex\u0430mple.com", "user@ex\u0430mple.com"),  # Cyrillic а: a homoglyph, but another domain
    ("victim%0d%0aBcc@example.com", "victim%0d%0aBcc@example.com"),  # percent signs are only characters
    ("Shopper@EXAMPLE.com", "Shopper@example.com"),
]


@pytest.fixture
def shop(app, store, make_product, smtp_server):
    """LAMP sold out (notify), double opt-in, mail to the real test SMTP server (with SMTPUTF8)."""
    app.config.update(SMTP_URL=smtp_server.url, SIGNUP_LIMIT_EMAIL="100/minute", SIGNUP_LIMIT_IP="100/minute")
    make_product("LAMP", name="Lamp", mode="notify", on_hand=0)
    with app.app_context():
        stores.update_store(db.session.get(Store, store.id), {"sender_email": "alerts@shop.example"})
    return store


def sign_up(client, store, email):
    return client.post(f"/api/v1/stores/{store.public_key}/subscriptions", json={"sku": "LAMP", "email": email})


@pytest.mark.parametrize("email", INJECTIONS.values(), ids=INJECTIONS.keys())
def test_header_injection_or_unsafe_characters_in_a_sign_up_are_refused(app, client, shop, email):
    answer = sign_up(client, shop, email)
    assert answer.status_code == 422 and "email" in answer.get_json()["error"]["fields"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Message)) == 0


def test_tricky_valid_addresses_are_one_recipient_each_and_add_no_header(app, client, shop, smtp_server):
    for sent, _ in TRICKY:
        assert sign_up(client, shop, sent).status_code == 202, sent
    known = sorted({address for _, address in TRICKY})
    with app.app_context():  # NFD and NFC, punycode and IDN, any case: one sign-up each
        assert sorted(db.session.scalars(sa.select(Subscription.email))) == known
    send_due(app)  # é@example.com too: a UTF-8 local part goes out with SMTPUTF8 (was failed as "not valid")
    smtp_server.wait_for(len(known))
    deliveries = smtp_server.deliveries
    assert sorted(recipient for delivery in deliveries for recipient in delivery.recipients) == known
    for delivery in deliveries:
        assert len(delivery.recipients) == 1
        head = delivery.raw.split(b"\r\n\r\n", 1)[0].decode("utf-8")
        names = re.findall(r"^([!-9;-~]+):", head, re.MULTILINE)  # each header line's name (folds excluded)
        assert sorted(names) == ["Auto-Submitted", "Content-Type", "Date", "From", "MIME-Version", "Message-ID",
                                 "Subject", "To"], head


def test_an_address_in_another_unicode_form_or_case_is_the_same_for_erasure_and_lists(client, shop):
    assert sign_up(client, shop, "\u00e9lodie@example.com").status_code == 202  # NFC, as the edge stores it
    nfd = "E\u0301lodie@Example.com"
    listed = client.get("/api/v1/admin/subscriptions", query_string={"email": nfd}, headers=shop.headers)
    assert [item["email"] for item in listed.get_json()["items"]] == ["\u00e9lodie@example.com"]
    erased = client.post("/api/v1/admin/erasures", json={"email": nfd}, headers=shop.headers)
    assert erased.get_json()["subscriptions"] == 1


FOREIGN_ORIGINS = ["https://evil.example", "null", "https://shop.example.com.evil.example",
                   "https://evilshop.example.com", "http://shop.example.com", "https://shop.example.com:8443",
                   "https://shop.example.com/", "HTTPS://SHOP.EXAMPLE.COM"]


def api_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, re.sub(r"<(?:\w+:)?(\w+)>", "1", rule.rule)


def test_no_api_route_lets_a_foreign_origin_read_it(app, client, shop):
    for method, path in api_routes(app):
        path = path.replace("/stores/1/", f"/stores/{shop.public_key}/")
        for origin in FOREIGN_ORIGINS:
            preflight = client.options(path, headers={"Origin": origin, "Access-Control-Request-Method": method,
                                                      "Access-Control-Request-Headers": "authorization, content-type"})
            sent = client.open(path, method=method, json={}, headers={**shop.headers, "Origin": origin})
            for answer in (preflight, sent):
                cors = {name for name in answer.headers.keys() if name.lower().startswith("access-control-")}
                assert cors == set(), f"{method} {path} from {origin!r}: {cors}"


def test_the_admin_api_is_never_cross_origin_even_from_the_stores_own_site(app, client, shop):
    for method, path in api_routes(app):
        if path.startswith("/api/v1/admin/"):
            answer = client.options(path, headers={"Origin": shop.origin, "Access-Control-Request-Method": method,
                                                   "Access-Control-Request-Headers": "authorization"})
            assert "Access-Control-Allow-Origin" not in answer.headers, f"{method} {path}"


def test_the_stores_own_origin_may_sign_up_without_credentials(client, shop):
    preflight = client.options(f"/api/v1/stores/{shop.public_key}/subscriptions",
                               headers={"Origin": shop.origin, "Access-Control-Request-Method": "POST"})
    assert preflight.headers["Access-Control-Allow-Origin"] == shop.origin
    assert preflight.headers["Access-Control-Allow-Methods"] == "POST"
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    assert "authorization" not in preflight.headers["Access-Control-Allow-Headers"].lower()
