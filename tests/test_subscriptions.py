"""Sign-ups through the public API: same answer for everyone, double opt-in, consent records, limits, CORS."""

from datetime import timedelta

import pytest

from backorder.db import db
from backorder.models import Message, Store, Subscription, Suppression, utcnow
from backorder.services import subscriptions
from backorder.services.errors import InvalidLink

ORIGIN = "https://shop.example.com"


def signup_url(store):
    return f"/api/v1/stores/{store.public_key}/subscriptions"


def sign_up(client, store, email="ann@example.com", sku="CAP", ip="10.0.0.1", **extra):
    return client.post(signup_url(store), json={"sku": sku, "email": email, **extra},
                       headers={"Origin": ORIGIN}, environ_base={"REMOTE_ADDR": ip})


def rows(app, model, **filters):
    with app.app_context():
        return db.session.execute(db.select(model).filter_by(**filters)).scalars().all()


@pytest.fixture
def cap(make_product):
    return make_product("CAP", mode="notify", name="Wool cap")


def test_new_repeated_and_known_addresses_get_the_same_answer(app, client, store, cap):
    answers = [sign_up(client, store) for _ in range(3)]
    assert {answer.status_code for answer in answers} == {202}
    assert {answer.get_data() for answer in answers} == {answers[0].get_data()}
    assert answers[0].get_json() == {"status": "pending",
                                     "message": "Almost done: check your inbox to confirm your alert."}
    (subscription,) = rows(app, Subscription)
    assert subscription.status == "pending"
    assert len(rows(app, Message, kind="confirm")) == 1  # one confirmation a day, however often asked
    with app.app_context():
        subscriptions.confirm(subscription.id, subscription.confirm_nonce)
    assert sign_up(client, store).get_data() == answers[0].get_data()  # already active: still the same answer


def test_the_answer_is_in_the_shoppers_language(client, store, cap):
    answer = sign_up(client, store, locale="de-AT")
    assert answer.get_json()["message"].startswith("Fast geschafft")


def test_the_consent_record_is_kept_with_the_sign_up(app, client, store, cap):
    with app.app_context():
        shop = db.session.get(Store, store.id)
        shop.consent_text, shop.consent_version = "Email me once when it is back.", 3
        db.session.commit()
    sign_up(client, store, locale="fr", quantity=2, page_url="https://shop.example.com/cap")
    (subscription,) = rows(app, Subscription)
    assert (subscription.consent_text, subscription.consent_version, subscription.locale, subscription.quantity,
            subscription.page_url, subscription.source) == (
        "Email me once when it is back.", 3, "fr", 2, "https://shop.example.com/cap", "widget")
    assert subscription.created_at is not None and subscription.confirmed_at is None


def test_a_new_consent_sentence_gets_a_new_version(client, store):
    first = client.patch("/api/v1/admin/store", headers=store.headers, json={"consent_text": "A"}).get_json()
    again = client.patch("/api/v1/admin/store", headers=store.headers, json={"consent_text": "A"}).get_json()
    second = client.patch("/api/v1/admin/store", headers=store.headers, json={"consent_text": "B"}).get_json()
    assert (first["consent_version"], again["consent_version"], second["consent_version"]) == (2, 2, 3)


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "ann@example..com", "", "x" * 400 + "@example.com"])
def test_a_bad_email_is_422_naming_the_field(client, store, cap, email):
    answer = sign_up(client, store, email=email)
    assert answer.status_code == 422 and "email" in answer.get_json()["error"]["fields"]


def test_unknown_store_or_sku_is_404(client, store, cap):
    assert sign_up(client, store, sku="NOPE").get_json()["error"]["code"] == "unknown_product"
    answer = client.post("/api/v1/stores/pk_nope/subscriptions", json={"sku": "CAP", "email": "a@example.com"})
    assert answer.status_code == 404


def test_a_filled_honeypot_is_answered_like_anyone_and_dropped(app, client, store, cap):
    honest = sign_up(client, store, email="bot@example.com", company_url="")
    bot = sign_up(client, store, email="victim@example.com", company_url="https://spam.example")
    assert (bot.status_code, bot.get_json()) == (202, honest.get_json())
    assert [s.email for s in rows(app, Subscription)] == ["bot@example.com"]  # the empty honeypot is a person


def test_single_opt_in_activates_at_once_and_sends_no_confirmation(app, client, store, cap):
    client.patch("/api/v1/admin/store", headers=store.headers, json={"double_opt_in": False})
    answer = sign_up(client, store)
    assert answer.get_json()["status"] == "active"
    assert [s.status for s in rows(app, Subscription)] == ["active"]
    assert rows(app, Message) == []


def test_an_address_that_unsubscribed_must_confirm_again_even_without_double_opt_in(app, client, store, cap):
    client.patch("/api/v1/admin/store", headers=store.headers, json={"double_opt_in": False})
    with app.app_context():
        subscriptions.suppress(store.id, subscriptions.email_hash("ann@example.com"), "unsubscribed")
        db.session.commit()
    assert sign_up(client, store).get_json()["status"] == "active"  # the same answer as anyone's...
    (subscription,) = rows(app, Subscription)
    assert subscription.status == "pending"  # ...but it waits for the shopper's own confirmation
    with app.app_context():
        subscriptions.confirm(subscription.id, subscription.confirm_nonce)
    assert rows(app, Suppression) == []
    assert [s.status for s in rows(app, Subscription)] == ["active"]


def test_confirming_one_alert_confirms_the_addresss_other_pending_ones(app, client, store, make_product):
    make_product("CAP", mode="notify")
    make_product("MUG", mode="notify")
    sign_up(client, store, sku="CAP")
    sign_up(client, store, sku="MUG")  # its own confirmation is held back by the one-a-day cap
    assert len(rows(app, Message, kind="confirm")) == 1
    first = rows(app, Subscription, product_id=rows(app, Subscription)[0].product_id)[0]
    with app.app_context():
        subscriptions.confirm(first.id, first.confirm_nonce)
    assert [s.status for s in rows(app, Subscription)] == ["active", "active"]


def test_a_confirmation_link_works_once_and_not_after_seven_days(app, client, store, cap):
    sign_up(client, store)
    (subscription,) = rows(app, Subscription)
    with app.app_context():
        with pytest.raises(InvalidLink):
            subscriptions.confirm(subscription.id, "forged-nonce")
        with pytest.raises(InvalidLink):
            subscriptions.confirm(subscription.id, subscription.confirm_nonce, now=utcnow() + timedelta(days=8))
        subscriptions.confirm(subscription.id, subscription.confirm_nonce)
        again = subscriptions.confirm(subscription.id, subscription.confirm_nonce)  # a second click: no harm
        assert again.status == "active"


def test_unconfirmed_sign_ups_expire_after_seven_days(app, client, store, cap):
    sign_up(client, store)
    with app.app_context():
        assert subscriptions.expire_pending(now=utcnow() + timedelta(days=6)) == 0
        assert subscriptions.expire_pending(now=utcnow() + timedelta(days=8)) == 1
    assert [s.status for s in rows(app, Subscription)] == ["expired"]


def test_sign_ups_are_limited_per_client_address_with_retry_after(app, client, store, cap):
    app.config["SIGNUP_LIMIT_IP"] = "2/minute"
    assert [sign_up(client, store, email=f"p{n}@example.com").status_code for n in range(3)] == [202, 202, 429]
    refused = sign_up(client, store, email="p9@example.com")
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["Access-Control-Allow-Origin"] == ORIGIN  # so the widget can read the refusal
    assert sign_up(client, store, email="p9@example.com", ip="10.0.0.2").status_code == 202


def test_sign_ups_are_limited_per_email_address_across_client_addresses(app, client, store, cap):
    app.config["SIGNUP_LIMIT_EMAIL"] = "2/hour"
    codes = [sign_up(client, store, email="Ann@Example.com", ip=f"10.0.0.{n}").status_code for n in range(3)]
    assert codes == [202, 202, 429]


def test_sign_ups_are_limited_per_store(app, client, store, cap):
    app.config["SIGNUP_LIMIT_STORE"] = "3/minute"
    codes = [sign_up(client, store, email=f"p{n}@example.com", ip=f"10.0.1.{n}").status_code for n in range(4)]
    assert codes == [202, 202, 202, 429]


def test_preflight_is_answered_for_the_stores_origins_only(client, store, cap):
    allowed = client.options(signup_url(store), headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in allowed.headers["Access-Control-Allow-Methods"]
    assert allowed.headers["Access-Control-Allow-Headers"] == "Content-Type"
    assert "Access-Control-Allow-Credentials" not in allowed.headers
    foreign = client.options(signup_url(store), headers={"Origin": "https://evil.example",
                                                         "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in foreign.headers
    assert "Access-Control-Allow-Origin" not in client.options(
        "/api/v1/stores/pk_nope/subscriptions", headers={"Origin": ORIGIN}).headers


def test_refusals_before_the_store_is_looked_up_still_carry_cors(client, store, cap):
    answer = sign_up(client, store, email="not-an-email")
    assert answer.status_code == 422 and answer.headers["Access-Control-Allow-Origin"] == ORIGIN
    preflight = client.options(f"/api/v1/stores/{store.public_key}/availability", headers={"Origin": ORIGIN})
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET"


def test_the_admin_lists_sign_ups_by_sku_email_and_status(client, store, make_product):
    make_product("CAP", mode="notify")
    make_product("MUG", mode="notify")
    sign_up(client, store, sku="CAP", email="ann@example.com")
    sign_up(client, store, sku="MUG", email="bob@example.com", ip="10.0.0.2")
    listed = client.get("/api/v1/admin/subscriptions?sku=MUG", headers=store.headers).get_json()["items"]
    assert [(item["sku"], item["email"], item["status"]) for item in listed] == [("MUG", "bob@example.com", "pending")]
    by_email = client.get("/api/v1/admin/subscriptions?email=ANN@example.com", headers=store.headers).get_json()
    assert [item["sku"] for item in by_email["items"]] == ["CAP"]
    assert client.get("/api/v1/admin/subscriptions?status=active", headers=store.headers).get_json()["items"] == []


def test_erasing_an_address_removes_its_sign_ups_and_emails(app, client, store, cap):
    sign_up(client, store, email="ann@example.com")
    sign_up(client, store, email="bob@example.com", ip="10.0.0.2")
    answer = client.post("/api/v1/admin/erasures", headers=store.headers, json={"email": "Ann@example.com"})
    assert answer.get_json() == {"subscriptions": 1, "messages": 1}
    assert [s.email for s in rows(app, Subscription)] == ["bob@example.com"]
    assert [m.recipient for m in rows(app, Message)] == ["bob@example.com"]


def test_another_stores_token_sees_none_of_these_sign_ups(app, client, store, cap):
    from backorder.services import stores

    sign_up(client, store)
    with app.app_context():
        _, other = stores.create_store("Other", ["https://other.example"])
    intruder = {"Authorization": f"Bearer {other}"}
    assert client.get("/api/v1/admin/subscriptions", headers=intruder).get_json()["items"] == []
    assert client.get("/api/v1/admin/messages", headers=intruder).get_json()["items"] == []
    assert client.post("/api/v1/admin/erasures", headers=intruder,
                       json={"email": "ann@example.com"}).get_json() == {"subscriptions": 0, "messages": 0}
    assert len(rows(app, Subscription)) == 1
