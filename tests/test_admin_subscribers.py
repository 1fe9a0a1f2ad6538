"""The Subscribers page: every sign-up with its consent record, search and filters, CSV export, GDPR erasure."""

import csv
import io

import pytest

from backorder.db import db
from backorder.models import Message, Store, Subscription
from backorder.services import subscriptions

ORIGIN = "https://shop.example.com"


def sign_up(client, store, email, sku="CAP", **extra):
    answer = client.post(f"/api/v1/stores/{store.public_key}/subscriptions", json={"sku": sku, "email": email, **extra},
                         headers={"Origin": ORIGIN}, environ_base={"REMOTE_ADDR": f"10.0.{len(email)}.1"})
    assert answer.status_code == 202, answer.text
    return answer


def parsed(answer):
    """A CSV download read back with the csv module: (header, rows as dicts)."""
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert "attachment" in answer.headers["Content-Disposition"]
    reader = csv.DictReader(io.StringIO(answer.get_data().decode("utf-8"), newline=""))
    return reader.fieldnames, list(reader)


def ids_of(app, store_id, email):
    with app.app_context():
        return db.session.execute(db.select(Subscription.id).where(
            Subscription.store_id == store_id, Subscription.email == email)).scalars().all()


@pytest.fixture
def signed_up(client, store, make_product):
    make_product("CAP", mode="notify", name="Wool cap")
    make_product("MUG", mode="notify", name="Stoneware mug")
    sign_up(client, store, "ann@example.com", page_url="https://shop.example.com/cap")
    sign_up(client, store, "bob@example.com", sku="MUG", quantity=3, locale="de")
    sign_up(client, store, "ann@example.com", sku="MUG")


def test_the_page_needs_a_login(client):
    answer = client.get("/admin/subscribers")
    assert answer.status_code == 302 and "/admin/login" in answer.headers["Location"]
    assert client.get("/admin/subscribers.csv").status_code == 302


def test_every_sign_up_is_listed_with_product_status_quantity_locale_and_consent(admin, signed_up):
    page = admin.get("/admin/subscribers").text
    assert page.count("ann@example.com") >= 2 and "bob@example.com" in page
    assert "Wool cap" in page and "Stoneware mug" in page
    assert '<span class="state pending">pending</span>' in page
    assert '<td class="num">3</td>' in page and "<td>de</td>" in page
    assert "On https://shop.example.com/cap" in page and "Version 1" in page


def test_search_finds_part_of_an_address_in_any_case(admin, signed_up):
    page = admin.get("/admin/subscribers?search=ANN@").text
    assert "ann@example.com" in page and "bob@example.com" not in page


def test_a_percent_sign_in_the_search_is_not_a_wildcard(admin, signed_up):
    assert "ann@example.com" not in admin.get("/admin/subscribers?search=%25").text


def test_filters_by_status_and_product(app, admin, store, signed_up):
    with app.app_context():
        bob = db.session.execute(db.select(Subscription).filter_by(email="bob@example.com")).scalar_one()
        bob.status = "active"
        db.session.commit()
    page = admin.get("/admin/subscribers?status=active").text
    assert "bob@example.com" in page and "ann@example.com" not in page
    page = admin.get("/admin/subscribers?sku=CAP").text
    assert "ann@example.com" in page and "bob@example.com" not in page


def test_a_bad_filter_says_why_beside_its_field(admin, signed_up):
    answer = admin.get("/admin/subscribers?status=lost")
    assert answer.status_code == 422 and 'id="status-error"' in answer.text
    answer = admin.get("/admin/subscribers?sku=NOPE")
    assert answer.status_code == 422 and 'id="sku-error"' in answer.text and "ann@example.com" not in answer.text


def test_the_list_is_paginated_newest_first(app, admin, client, store, make_product):
    make_product("CAP", mode="notify")
    with app.app_context():  # through the service: the public API would rate-limit 52 sign-ups
        shop = db.session.get(Store, store.id)
        for number in range(52):
            subscriptions.subscribe(shop, "CAP", f"shopper{number:02}@example.com")
    first = admin.get("/admin/subscribers").text
    assert "shopper51@example.com" in first and "shopper02@example.com" in first
    assert "shopper01@example.com" not in first and 'rel="next"' in first
    after = ids_of(app, store.id, "shopper02@example.com")[0]
    second = admin.get(f"/admin/subscribers?after={after}").text
    assert "shopper01@example.com" in second and "shopper00@example.com" in second
    assert "shopper02@example.com" not in second and 'rel="next"' not in second


def test_csv_export_has_a_header_and_every_matching_sign_up(admin, signed_up):
    header, rows = parsed(admin.get("/admin/subscribers.csv?search=ann"))
    assert header == ["id", "sku", "email", "locale", "quantity", "status", "consent_version", "consent_text",
                      "page_url", "created_at", "confirmed_at", "notified_at", "ended_at", "end_channel",
                      "product_name", "source"]
    assert sorted((row["email"], row["sku"], row["product_name"]) for row in rows) == [
        ("ann@example.com", "CAP", "Wool cap"), ("ann@example.com", "MUG", "Stoneware mug")]
    assert {row["page_url"] for row in rows} == {"https://shop.example.com/cap", ""}


def test_csv_export_quotes_commas_and_quotes_and_keeps_utf8(app, admin, client, store, make_product):
    make_product("CAP", mode="notify", name='Cap, "wool" – grün')
    sign_up(client, store, "zoë@example.com")
    _, rows = parsed(admin.get("/admin/subscribers.csv"))
    assert rows[0]["product_name"] == 'Cap, "wool" – grün' and rows[0]["email"] == "zoë@example.com"


@pytest.mark.parametrize("formula", ["=HYPERLINK(\"http://evil\")", "+1+2", "-2+3", "@SUM(A1)"])
def test_csv_export_defuses_spreadsheet_formulas(admin, client, store, make_product, formula):
    make_product("CAP", mode="notify", name=formula)
    sign_up(client, store, "ann@example.com")
    _, rows = parsed(admin.get("/admin/subscribers.csv"))
    assert rows[0]["product_name"] == "'" + formula


def test_csv_export_with_a_bad_filter_is_refused_not_widened(admin, signed_up):
    assert admin.get("/admin/subscribers.csv?status=lost").status_code == 400
    assert admin.get("/admin/subscribers.csv?sku=NOPE").status_code == 404


def test_erase_asks_first_and_says_what_goes(app, admin, store, signed_up):
    subscription_id = ids_of(app, store.id, "ann@example.com")[0]
    page = admin.get(f"/admin/subscribers/{subscription_id}/erase").text
    assert "Erase ann@example.com?" in page and "2 sign-ups and 1 email</strong>" in page  # one confirmation a day
    assert len(ids_of(app, store.id, "ann@example.com")) == 2  # asking deleted nothing


def test_erase_deletes_the_addresss_sign_ups_and_emails_at_this_store_only(app, admin, client, store, other_store,
                                                                             signed_up, make_product):
    with app.app_context():
        from backorder.services import products
        other = db.session.get(Store, other_store.id)
        products.upsert_product(other, "CAP", {"mode": "notify"})
        subscriptions.subscribe(other, "CAP", "ann@example.com")
    subscription_id = ids_of(app, store.id, "ann@example.com")[0]
    answer = admin.post(f"/admin/subscribers/{subscription_id}/erase")
    assert answer.status_code == 302
    assert "Erased ann@example.com: 2 sign-ups and 1 email deleted." in admin.get(answer.headers["Location"]).text
    assert ids_of(app, store.id, "ann@example.com") == [] and ids_of(app, store.id, "bob@example.com")
    assert len(ids_of(app, other_store.id, "ann@example.com")) == 1
    with app.app_context():
        assert db.session.execute(db.select(Message).filter_by(store_id=store.id, recipient="ann@example.com")
                                  ).first() is None


def test_erase_without_the_csrf_token_changes_nothing(app, admin, store, signed_up):
    subscription_id = ids_of(app, store.id, "ann@example.com")[0]
    answer = admin.client.post(f"/admin/subscribers/{subscription_id}/erase", data={})
    assert answer.status_code == 400
    assert len(ids_of(app, store.id, "ann@example.com")) == 2


def test_another_stores_sign_ups_are_never_listed_and_their_ids_are_404(app, admin, store, other_store):
    with app.app_context():
        from backorder.services import products
        other = db.session.get(Store, other_store.id)
        products.upsert_product(other, "CAP", {"mode": "notify"})
        subscriptions.subscribe(other, "CAP", "eve@example.com")
    foreign = ids_of(app, other_store.id, "eve@example.com")[0]
    assert "eve@example.com" not in admin.get("/admin/subscribers").text
    _, rows = parsed(admin.get("/admin/subscribers.csv"))
    assert rows == []
    assert admin.get(f"/admin/subscribers/{foreign}/erase").status_code == 404
    assert admin.post(f"/admin/subscribers/{foreign}/erase").status_code == 404
    assert admin.get("/admin/subscribers/99999999999/erase").status_code == 404
    assert ids_of(app, other_store.id, "eve@example.com") == [foreign]
