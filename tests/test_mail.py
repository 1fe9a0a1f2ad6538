"""Email: composed in five languages, sent over real SMTP (aiosmtpd), read back as a mailbox would."""

import datetime
import io
import shutil
import ssl
import subprocess
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest

from backorder.mail.compose import compose_message
from backorder.mail.i18n import LANGUAGES, PHRASES, format_date, format_price, phrase, placeholders
from backorder.mail.transports import (
    ConsoleTransport, PermanentFailure, SmtpTransport, TemporaryFailure, backoff_seconds, transport_from_url,
)
from smtp_mailbox import Mailbox

DOMAIN = "mail.backorder.example"
ETA = datetime.date(2026, 12, 14)
ETA_TEXT = {"en": "14 December 2026", "de": "14. Dezember 2026", "fr": "14 décembre 2026",
            "es": "14 de diciembre de 2026", "nl": "14 december 2026"}
PRICE_TEXT = {"en": "1,234.50 EUR", "de": "1.234,50 EUR", "fr": "1\u202f234,50 EUR", "es": "1.234,50 EUR",
              "nl": "1.234,50 EUR"}
SUBSCRIPTION_KINDS = ("restock", "room")
KINDS = ("confirm", "restock", "room", "eta_update")


def make_store(**overrides):
    fields = dict(name="Crème Brûlée Shop", sender_name="Ångström & Söhne", sender_email="alerts@shop.example",
                  postal_address="12 Rue de la Paix\n75002 Paris", public_key="pk_test123")
    return SimpleNamespace(**{**fields, **overrides})


def make_links(**overrides):
    links = dict(confirm="https://bo.example/s/confirm/c0nf1rm", product="https://bo.example/s/go/g0?a=1&b=2",
                 unsubscribe="https://bo.example/s/unsubscribe/uNsUb", manage="https://bo.example/s/manage/m4n4ge",
                 unsubscribe_mailto="mailto:unsubscribe+uNsUb@bo.example")
    return {**links, **overrides}


def compose(kind="restock", *, store=None, to="shopper@example.org", locale="en", links=None, **context):
    context = {"product_name": "Tee Größe M", "price": "1234.5", "currency": "EUR", "quantity": 2, "eta": ETA,
               "old_eta": datetime.date(2026, 11, 2), "new_eta": ETA, "order_ref": "#1001", **context}
    return compose_message(kind, store=store or make_store(), to=to, locale=locale, links=links or make_links(),
                           context=context, message_id_domain=DOMAIN)


def deliver(smtp_server, *messages):
    """Send `messages` in one batch and return them as the server parsed them."""
    with transport_from_url(smtp_server.url).connect() as connection:
        for message in messages:
            connection.send(message)
    return smtp_server.wait_for(len(messages))


def parts(message):
    """(text, html) bodies of a received multipart/alternative message."""
    assert message.get_content_type() == "multipart/alternative"
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


class Links(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.hrefs = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs)["href"])


# Composing, read back through a real SMTP server

@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_in_every_language_arrives_complete(smtp_server, kind, lang):
    [received] = deliver(smtp_server, compose(kind, locale=lang))
    text, html = parts(received)
    assert received["Subject"] == phrase(f"subject_{kind}", lang, product="Tee Größe M", order_ref="#1001")
    assert received["From"].addresses[0].display_name == "Ångström & Söhne"
    assert received["From"].addresses[0].addr_spec == "alerts@shop.example"
    assert received["To"] == "shopper@example.org"
    assert received["Message-ID"].endswith(f"@{DOMAIN}>")
    assert received["Date"].datetime.tzinfo is not None
    assert received["Auto-Submitted"] == "auto-generated"
    assert f'lang="{lang}"' in html
    assert "Tee Größe M" in text and "Tee Größe M" in html
    if kind in ("room", "eta_update"):
        assert ETA_TEXT[lang] in text and ETA_TEXT[lang] in html
    if kind == "restock":
        assert PRICE_TEXT[lang] in text and PRICE_TEXT[lang] in html
    if kind == "confirm":
        assert "https://bo.example/s/confirm/c0nf1rm" in text
        assert Links(html).hrefs == ["https://bo.example/s/confirm/c0nf1rm"]
    if kind in SUBSCRIPTION_KINDS:
        assert received["List-Unsubscribe"] == (
            "<https://bo.example/s/unsubscribe/uNsUb>, <mailto:unsubscribe+uNsUb@bo.example>")
        assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert received["List-Id"] == "Crème Brûlée Shop restock alerts <restock.pk_test123.mail.backorder.example>"
        assert "https://bo.example/s/unsubscribe/uNsUb" in text
        assert "https://bo.example/s/unsubscribe/uNsUb" in Links(html).hrefs
        assert "https://bo.example/s/go/g0?a=1&b=2" in text
        assert "https://bo.example/s/go/g0?a=1&b=2" in Links(html).hrefs
        assert "75002 Paris" in text and "75002 Paris" in html
    else:  # transactional: no list headers, no unsubscribe, no marketing footer
        for header in ("List-Unsubscribe", "List-Unsubscribe-Post", "List-Id"):
            assert header not in received
        assert "uNsUb" not in text + html
        assert "75002 Paris" not in text


def test_list_unsubscribe_stays_readable_however_long_the_link(smtp_server):
    long_link = "https://bo.example/s/unsubscribe/" + "eyJzIjoxMjM0NTY3ODl9.Zx-Yw_" * 8
    deliver(smtp_server, compose(links=make_links(unsubscribe=long_link)))
    delivery_raw = smtp_server.deliveries[0].raw.decode("ascii")
    header = delivery_raw.split("\r\nList-Unsubscribe:", 1)[1].split("\r\nList-Unsubscribe-Post:")[0]
    assert "=?" not in header  # RFC 2047 encoded words here would break every mailbox provider's button
    assert f"<{long_link}>" in header.replace("\r\n ", " ")
    assert "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in delivery_raw


def test_list_unsubscribe_without_a_mailto_has_just_the_link():
    message = compose("room", links=make_links(unsubscribe_mailto=None))
    assert message["List-Unsubscribe"] == "<https://bo.example/s/unsubscribe/uNsUb>"


def test_product_url_stands_in_for_a_missing_click_link():
    message = compose(links=make_links(product=None), product_url="https://shop.example/products/tee")
    assert "https://shop.example/products/tee" in message.get_body(("plain",)).get_content()


def test_list_id_quotes_an_ascii_store_name(smtp_server):
    [received] = deliver(smtp_server, compose(store=make_store(name='Tee "Shop"', public_key="pk_live_9")))
    assert received["List-Id"] == '"Tee \\"Shop\\" restock alerts" <restock.pk_live_9.mail.backorder.example>'


def test_every_message_has_its_own_message_id(smtp_server):
    received = deliver(smtp_server, *(compose() for _ in range(10)))
    assert len({message["Message-ID"] for message in received}) == 10


def test_product_name_is_escaped_in_html_and_kept_in_text_and_subject(smtp_server):
    [received] = deliver(smtp_server, compose(product_name="<b>Tee & Co</b>"))
    text, html = parts(received)
    assert "&lt;b&gt;Tee &amp; Co&lt;/b&gt;" in html and "<b>Tee" not in html
    assert "<b>Tee & Co</b>" in text
    assert received["Subject"] == "Back in stock: <b>Tee & Co</b>"


def test_line_breaks_in_names_never_add_headers(smtp_server):
    store = make_store(name="Shop\r\nBcc: store@evil.example", sender_name="Shop\nX-Evil: 1")
    [received] = deliver(smtp_server, compose(store=store, product_name="Tee\r\nBcc: x@evil.example\u2028Cc: y@evil"))
    assert received["Subject"] == "Back in stock: Tee Bcc: x@evil.example Cc: y@evil"
    assert received["From"].addresses[0].display_name == "Shop X-Evil: 1"
    for header in ("Bcc", "Cc", "X-Evil"):
        assert header not in received
    assert smtp_server.recipients == ["shopper@example.org"]


@pytest.mark.parametrize("field, value", [
    ("to", "shopper@example.org\r\nBcc: x@evil.example"),
    ("to", "not an address"),
    ("to", "nobody"),
    ("sender_email", "alerts@shop.example\nBcc: x@evil.example"),
    ("unsubscribe", "https://bo.example/u\r\nBcc: x@evil.example"),
    ("product", "javascript:alert(1)"),
    ("unsubscribe", "/s/unsubscribe/relative"),
    ("unsubscribe_mailto", "https://bo.example/not-mailto"),
])
def test_bad_addresses_and_links_are_refused(field, value):
    if field == "to":
        arguments = {"to": value}
    elif field == "sender_email":
        arguments = {"store": make_store(sender_email=value)}
    else:
        arguments = {"links": make_links(**{field: value})}
    with pytest.raises(ValueError):
        compose(**arguments)


def test_what_a_kind_needs_is_checked():
    with pytest.raises(ValueError, match="kind"):
        compose("newsletter")
    with pytest.raises(ValueError, match="unsubscribe"):
        compose("restock", links=make_links(unsubscribe=None))
    with pytest.raises(ValueError, match="confirm"):
        compose("confirm", links=make_links(confirm=""))
    with pytest.raises(ValueError, match="order_ref"):
        compose("eta_update", order_ref=None)
    with pytest.raises(ValueError, match="sender"):
        compose(store=make_store(sender_email=None))


def test_sender_falls_back_to_store_name_and_default_address():
    message = compose_message("restock", store=make_store(sender_name=None, sender_email=None), to="a@example.org",
                              locale="en", links=make_links(), context={"product_name": "Mug"},
                              message_id_domain=DOMAIN, default_sender_email="noreply@bo.example")
    assert str(message["From"]) == "Crème Brûlée Shop <noreply@bo.example>"


@pytest.mark.parametrize("locale, subject", [
    ("de-AT", "Wieder verfügbar: Mug"), ("fr_CA", "De retour en stock\u00a0: Mug"), ("NL", "Weer op voorraad: Mug"),
    ("pt-BR", "Back in stock: Mug"), (None, "Back in stock: Mug"),
])
def test_locale_falls_back_to_base_language_then_english(locale, subject):
    assert compose(locale=locale, product_name="Mug")["Subject"] == subject


def test_eta_update_without_a_new_date_says_so():
    text, _ = (part.get_content() for part in compose("eta_update", new_eta=None).iter_parts())
    assert "Now: to be confirmed" in text


def test_room_without_eta_promises_a_date_later():
    text, html = (part.get_content() for part in compose("room", locale="de", eta=None).iter_parts())
    assert "Den Versandtermin nennen wir Ihnen bald." in text and "Den Versandtermin" in html


def test_confirmation_has_no_marketing_content():
    text, html = (part.get_content() for part in compose("confirm").iter_parts())
    assert "1,234.50" not in text and "s/go/" not in text + html and "75002 Paris" not in text


# Dates, prices and phrases

@pytest.mark.parametrize("lang, expected", [*ETA_TEXT.items(), ("de-CH", "14. Dezember 2026")])
def test_dates_are_written_out_per_language(lang, expected):
    assert format_date(ETA, lang) == expected
    assert format_date("2026-12-14", lang) == expected
    assert format_date(datetime.datetime(2026, 12, 14, 23, 30), lang) == expected


def test_first_of_the_month_in_french_and_no_date():
    assert format_date(datetime.date(2027, 3, 1), "fr") == "1er mars 2027"
    assert format_date(datetime.date(2027, 3, 1), "es") == "1 de marzo de 2027"
    assert format_date(None, "en") is None


@pytest.mark.parametrize("amount, lang, currency, expected", [
    ("1234.5", "en", "EUR", "1,234.50 EUR"), (1234.5, "de", None, "1.234,50"), (0, "nl", "EUR", "0,00 EUR"),
    ("-7", "fr", None, "-7,00"), ("ask us", "en", None, "ask us"), (None, "en", "EUR", None),
])
def test_prices_are_written_per_language(amount, lang, currency, expected):
    assert format_price(amount, lang, currency) == expected


def test_every_phrase_exists_in_every_language_with_the_same_placeholders():
    for lang in LANGUAGES:
        assert PHRASES[lang].keys() == PHRASES["en"].keys(), lang
        for key, text in PHRASES[lang].items():
            assert placeholders(text) == placeholders(PHRASES["en"][key]), (lang, key)


def test_the_api_and_shopper_pages_find_their_phrases():
    keys = {"signup_pending", "signup_active", "confirm_title", "confirm_question", "confirm_button",
            "confirm_done_title", "confirm_done", "confirm_expired_title", "confirm_expired", "link_invalid_title",
            "link_invalid", "unsubscribe_title", "unsubscribe_question", "unsubscribe_button",
            "unsubscribe_done_title", "unsubscribe_done", "manage_title", "manage_intro", "manage_empty",
            "manage_remove", "manage_remove_all", "manage_removed", "manage_removed_all"}
    assert keys <= PHRASES["en"].keys()


def test_phrases_answer_in_the_asked_language():
    assert phrase("signup_pending", "en") == "Almost done: check your inbox to confirm your alert."
    assert phrase("signup_active", "en-GB") == "You're on the list. We'll email you when it's back."
    assert phrase("unsubscribe_done", "es-MX", store="Tienda", email="a@b.es") == "Tienda no volverá a escribir a a@b.es."
    assert phrase("manage_remove_all", "xx") == "Remove all"
    with pytest.raises(KeyError):
        phrase("unsubscribe_done", "de", store="Laden")


# Transports: batches and failures against the real server

def test_a_batch_uses_one_smtp_session(smtp_server):
    received = deliver(smtp_server, compose(to="a@example.org"), compose(to="b@example.org"), compose(to="c@example.org"))
    assert len(received) == 3
    assert smtp_server.sessions == 1
    assert smtp_server.recipients == ["a@example.org", "b@example.org", "c@example.org"]


def test_421_is_temporary_and_the_next_send_reconnects(smtp_server):
    smtp_server.fail_next(1, code=421, text="4.7.0 Too busy, try later")
    with transport_from_url(smtp_server.url).connect() as connection:
        with pytest.raises(TemporaryFailure) as failure:
            connection.send(compose(to="a@example.org"))
        connection.send(compose(to="b@example.org"))
    assert failure.value.reason == "421 4.7.0 Too busy, try later"
    assert smtp_server.recipients == ["b@example.org"]


def test_550_for_one_recipient_fails_it_for_good_and_the_rest_arrive(smtp_server):
    smtp_server.reject("gone@example.org", "550 5.1.1 No such user")
    with transport_from_url(smtp_server.url).connect() as connection:
        connection.send(compose(to="a@example.org"))
        with pytest.raises(PermanentFailure) as failure:
            connection.send(compose(to="gone@example.org"))
        connection.send(compose(to="b@example.org"))
    assert failure.value.reason == "550 5.1.1 No such user"
    assert smtp_server.recipients == ["a@example.org", "b@example.org"]
    assert smtp_server.sessions == 1


@pytest.mark.parametrize("reply, failure", [
    ("450 4.2.1 Mailbox busy", TemporaryFailure), ("554 5.7.1 Relay denied", PermanentFailure),
])
def test_recipient_refusals_follow_the_reply_class(smtp_server, reply, failure):
    smtp_server.reject("x@example.org", reply)
    with transport_from_url(smtp_server.url).connect() as connection, pytest.raises(failure) as raised:
        connection.send(compose(to="x@example.org"))
    assert raised.value.reason == reply


def test_5xx_to_mail_from_is_permanent(smtp_server):
    smtp_server.fail_next(1, code=553, text="5.7.1 Sender not allowed")
    with transport_from_url(smtp_server.url).connect() as connection, pytest.raises(PermanentFailure) as raised:
        connection.send(compose())
    assert raised.value.reason == "553 5.7.1 Sender not allowed"


def test_server_down_is_temporary_and_sending_resumes_after_restart(smtp_server):
    transport = transport_from_url(smtp_server.url)
    smtp_server.stop()
    with pytest.raises(TemporaryFailure, match="Connection refused"):
        transport.connect()
    smtp_server.start()
    deliver(smtp_server, compose())
    assert len(smtp_server.messages) == 1


def test_server_lost_mid_batch_is_temporary_and_the_connection_reopens(smtp_server):
    with transport_from_url(smtp_server.url).connect() as connection:
        connection.send(compose(to="a@example.org"))
        smtp_server.stop()
        with pytest.raises(TemporaryFailure):
            connection.send(compose(to="b@example.org"))
        with pytest.raises(TemporaryFailure, match="Connection refused"):
            connection.send(compose(to="b@example.org"))
        smtp_server.start()
        connection.send(compose(to="b@example.org"))
    assert smtp_server.recipients == ["a@example.org", "b@example.org"]
    assert [delivery.session for delivery in smtp_server.deliveries] == [1, 2]


def test_starttls_asked_of_a_server_without_it_is_temporary(smtp_server):
    with pytest.raises(TemporaryFailure, match="STARTTLS"):
        transport_from_url(smtp_server.url + "?starttls=1").connect()


# TLS, with a throwaway self-signed certificate

@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a test certificate")
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    return SimpleNamespace(server=server, client=ssl.create_default_context(cafile=str(cert)))


@pytest.fixture
def tls_mailbox(request, certificate):
    implicit = request.param == "smtps"
    mailbox = Mailbox(ssl_context=certificate.server if implicit else None,
                      tls_context=None if implicit else certificate.server, credentials=("us@er", "p:ss/w%rd"))
    mailbox.start()
    yield mailbox
    mailbox.stop()


@pytest.mark.parametrize("tls_mailbox", ["smtps", "starttls"], indirect=True)
def test_tls_and_login_with_percent_encoded_credentials(tls_mailbox, certificate):
    url = tls_mailbox.url.replace("://", "://us%40er:p%3Ass%2Fw%25rd@")
    url += "" if url.startswith("smtps") else "?starttls=1"
    with transport_from_url(url, ssl_context=certificate.client).connect() as connection:
        connection.send(compose())
    assert len(tls_mailbox.wait_for(1)) == 1
    assert tls_mailbox.logins == [("us@er", "p:ss/w%rd")]


@pytest.mark.parametrize("tls_mailbox", ["starttls"], indirect=True)
def test_wrong_password_or_untrusted_certificate_is_temporary(tls_mailbox, certificate):
    url = tls_mailbox.url.replace("://", "://us%40er:wrong@") + "?starttls=1"
    with pytest.raises(TemporaryFailure, match="535"):
        transport_from_url(url, ssl_context=certificate.client).connect()
    with pytest.raises(TemporaryFailure, match="CERTIFICATE_VERIFY_FAILED"):
        transport_from_url(url).connect()  # the system's trust store does not know our certificate


# Transport URLs, console, backoff

@pytest.mark.parametrize("url, expected", [
    ("smtp://mail.example.com", dict(host="mail.example.com", port=25, security="none", username=None)),
    ("smtp://mail.example.com?starttls=1", dict(port=587, security="starttls")),
    ("smtp://mail.example.com:2525?starttls=true&timeout=10", dict(port=2525, security="starttls", timeout=10.0)),
    ("smtps://mail.example.com", dict(port=465, security="tls", timeout=30.0)),
    ("SMTPS://u:p@[::1]:1465", dict(host="::1", port=1465, security="tls", username="u", password="p")),
    ("smtp://us%40er:p%40ss%3Aw%2Fd@h:587?starttls=0", dict(host="h", security="none", username="us@er",
                                                           password="p@ss:w/d")),
])
def test_smtp_urls_are_read(url, expected):
    transport = transport_from_url(url)
    assert isinstance(transport, SmtpTransport)
    assert {name: getattr(transport, name) for name in expected} == expected


@pytest.mark.parametrize("url, problem", [
    ("http://mail.example.com", "scheme"), ("mailhog:1025", "scheme"), ("smtp://", "host"),
    ("smtp://:25", "host"), ("smtp://h:99999", "port"), ("smtp://h:0", "port"), ("smtp://h:abc", "port"),
    ("smtp://h?starttls=maybe", "starttls"), ("smtps://h?starttls=1", "smtps"), ("smtp://h?timeout=0", "timeout"),
    ("smtp://h?timeout=abc", "timeout"), ("smtp://h?timeout=nan", "timeout"), ("smtp://h?startls=1", "unknown"),
    ("smtp://user@h", "password"), ("smtp://h/inbox", "path"), ("console://stderr", "console"),
])
def test_bad_urls_are_refused_with_a_clear_message(url, problem):
    with pytest.raises(ValueError, match=problem):
        transport_from_url(url)


def test_password_stays_out_of_logs():
    transport = transport_from_url("smtp://user:s3cret@h:587?starttls=1")
    assert "s3cret" not in repr(transport) and "s3cret" not in transport.describe()
    assert transport.describe() == "smtp://user@h:587?starttls=1"


@pytest.mark.parametrize("url", [None, "", "console://", "console:"])
def test_console_is_the_default(url, capsys):
    with transport_from_url(url).connect() as connection:
        connection.send(compose(locale="de"))
    out = capsys.readouterr().out
    assert "Subject: Wieder verfügbar: Tee Größe M" in out
    assert "List-Unsubscribe: <https://bo.example/s/unsubscribe/uNsUb>" in out
    assert "Gute Nachricht: Tee Größe M ist bei Crème Brûlée Shop wieder verfügbar." in out
    assert "<p>" not in out


def test_console_writes_to_the_given_stream():
    stream = io.StringIO()
    with ConsoleTransport(stream).connect() as connection:
        connection.send(compose("eta_update"))
    assert "From: Ångström & Söhne <alerts@shop.example>" in stream.getvalue()


@pytest.mark.parametrize("attempt, low, high", [(0, 15, 30), (1, 30, 60), (3, 120, 240), (7, 1800, 3600),
                                                (8, 1800, 3600), (10_000, 1800, 3600)])
def test_backoff_doubles_with_jitter_up_to_an_hour(attempt, low, high):
    assert backoff_seconds(attempt, rand=lambda: 0.0) == low
    assert backoff_seconds(attempt, rand=lambda: 1.0) == high
    assert low <= backoff_seconds(attempt) <= high


def test_backoff_refuses_negative_attempts():
    with pytest.raises(ValueError):
        backoff_seconds(-1)
