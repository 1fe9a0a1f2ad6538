"""The public availability API the widget calls: contract, caching, CORS."""

from datetime import datetime, timedelta, timezone

import pytest

FIELDS = {"sku", "platform_id", "state", "purchasable", "available_now", "backorder_remaining", "eta", "eta_source",
          "incoming", "message", "notify"}


def today():
    """The test store's date: it keeps UTC."""
    return datetime.now(timezone.utc).date()


def url(store, *skus):
    return f"/api/v1/stores/{store.public_key}/availability?" + "&".join(f"sku={sku}" for sku in skus)


@pytest.fixture
def catalogue(make_product, client, store):
    soon = today() + timedelta(days=40)
    make_product("IN", on_hand=4)
    make_product("BO", mode="backorder", backorder_limit=5)
    make_product("PRE", mode="preorder", release_date=soon)
    make_product("OUT", mode="notify", message="Back in spring")
    client.post("/api/v1/admin/products/BO/shipments", headers=store.headers,
                json={"quantity": 3, "expected_on": (today() + timedelta(days=10)).isoformat()})
    return soon.isoformat()


def test_availability_answers_every_state_in_the_order_asked(client, store, catalogue):
    answer = client.get(url(store, "OUT", "IN", "BO", "PRE", "NOPE"))
    assert answer.status_code == 200
    items = answer.get_json()["items"]
    assert [(item["sku"], item["state"]) for item in items] == [
        ("OUT", "sold_out"), ("IN", "in_stock"), ("BO", "backorder"), ("PRE", "preorder"), ("NOPE", "untracked"),
    ]
    assert all(set(item) == FIELDS for item in items)
    by_sku = {item["sku"]: item for item in items}
    assert by_sku["PRE"]["eta"] == catalogue and by_sku["PRE"]["eta_source"] == "release_date"
    assert by_sku["BO"]["backorder_remaining"] == 5
    assert by_sku["BO"]["incoming"] == [{"eta": (today() + timedelta(days=10)).isoformat(), "quantity": 3}]
    assert by_sku["OUT"]["notify"] is True and by_sku["OUT"]["message"] == "Back in spring"
    assert by_sku["IN"]["available_now"] == 4


def test_platform_ids_are_answered_after_the_skus_with_the_pid_echoed(client, store, make_product):
    make_product("TEE-M", mode="backorder", platform_id="41000000002")
    make_product("TEE-S", on_hand=3, platform_id="41000000001")
    answer = client.get(f"/api/v1/stores/{store.public_key}/availability?pid=41000000002&sku=TEE-S&pid=999")
    items = answer.get_json()["items"]
    assert [(item["sku"], item["platform_id"], item["state"]) for item in items] == [
        ("TEE-S", None, "in_stock"), ("TEE-M", "41000000002", "backorder"), (None, "999", "untracked"),
    ]


def test_every_answer_carries_the_store_settings_the_widget_needs(app, client, store, catalogue):
    from backorder.db import db
    from backorder.models import Store

    with app.app_context():
        shop = db.session.get(Store, store.id)
        shop.locale, shop.show_backorder_remaining = "de", True
        shop.consent_text, shop.widget_labels = "Ja, bitte.", {"backorder_button": "Vorbestellen"}
        db.session.commit()
    app.extensions["backorder.stores"].seconds = 0  # read the settings again
    expected = {"locale": "de", "show_backorder_remaining": True, "signup": True, "consent": "Ja, bitte.",
                "labels": {"backorder_button": "Vorbestellen"}}
    assert client.get(url(store, "IN")).get_json()["store"] == expected
    assert client.get(f"/api/v1/stores/{store.public_key}/backorders").get_json()["store"] == expected


def test_a_platform_id_belongs_to_one_product_of_the_store(client, store, make_product):
    make_product("A", platform_id="7")
    answer = client.put("/api/v1/admin/products/B", headers=store.headers, json={"platform_id": "7"})
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "platform_id_taken"
    moved = client.put("/api/v1/admin/products", headers=store.headers,
                       json=[{"sku": "A", "platform_id": "8"}, {"sku": "B", "platform_id": "7"}])
    assert moved.status_code == 200, moved.get_json()
    both = client.put("/api/v1/admin/products", headers=store.headers,
                      json=[{"sku": "C", "platform_id": "9"}, {"sku": "D", "platform_id": "9"}])
    assert both.status_code == 409


def test_two_products_can_swap_platform_ids_in_one_call(client, store, make_product):
    make_product("A", platform_id="7")
    make_product("B", platform_id="8")
    swapped = client.put("/api/v1/admin/products", headers=store.headers,
                         json=[{"sku": "A", "platform_id": "8"}, {"sku": "B", "platform_id": "7"}])
    assert swapped.status_code == 200, swapped.get_json()
    assert client.get("/api/v1/admin/products/A", headers=store.headers).get_json()["platform_id"] == "8"
    assert client.get(f"/api/v1/stores/{store.public_key}/availability?pid=7").get_json()["items"][0]["sku"] == "B"


def test_repeated_skus_are_answered_once(client, store, catalogue):
    items = client.get(url(store, "IN", "IN", "BO")).get_json()["items"]
    assert [item["sku"] for item in items] == ["IN", "BO"]


def test_unknown_store_is_a_json_404(client, store):
    answer = client.get("/api/v1/stores/pk_nope/availability?sku=A")
    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "unknown_store"


@pytest.mark.parametrize("query, status", [("", 422), ("pid=1&" * 50 + "sku=A&" * 50, 200),
                                           ("pid=1&" * 50 + "sku=A&" * 51, 422)])
def test_between_one_and_a_hundred_skus_and_pids_in_all(client, store, query, status):
    answer = client.get(f"/api/v1/stores/{store.public_key}/availability?{query}")
    assert answer.status_code == status


@pytest.mark.parametrize("count, status", [(0, 422), (1, 200), (100, 200), (101, 422)])
def test_between_one_and_a_hundred_skus(client, store, count, status):
    answer = client.get(url(store, *[f"S{n}" for n in range(count)]))
    assert answer.status_code == status
    if status == 422:
        assert "sku" in answer.get_json()["error"]["fields"]


def test_answer_is_cacheable_and_revalidates_with_304(client, store, catalogue):
    first = client.get(url(store, "IN", "BO"))
    assert first.headers["Cache-Control"] == "public, max-age=30"
    etag = first.headers["ETag"]
    again = client.get(url(store, "IN", "BO"), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_a_repeat_and_its_304_are_answered_without_the_database(app, client, store, catalogue):
    import sqlalchemy as sa

    from backorder.db import db

    first = client.get(url(store, "IN", "BO"))
    used = []

    def checkout(*args):
        used.append(args)

    with app.app_context():
        pool = db.engine.pool
    sa.event.listen(pool, "checkout", checkout)  # every query, the raw read path's too, takes a connection
    try:
        again = client.get(url(store, "IN", "BO"), headers={"If-None-Match": first.headers["ETag"]})
        repeat = client.get(url(store, "IN", "BO"))
    finally:
        sa.event.remove(pool, "checkout", checkout)
    assert (again.status_code, again.headers["ETag"], again.headers["Cache-Control"]) == (
        304, first.headers["ETag"], "public, max-age=30")
    assert (repeat.status_code, repeat.data) == (200, first.data)
    assert used == []


def test_etag_changes_when_the_answer_changes(client, store, catalogue):
    etag = client.get(url(store, "IN")).headers["ETag"]
    client.put("/api/v1/admin/products/IN", headers=store.headers, json={"on_hand": 3})
    changed = client.get(url(store, "IN"), headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert changed.get_json()["items"][0]["available_now"] == 3


def test_cors_allows_only_the_stores_own_origins(client, store, catalogue):
    allowed = client.get(url(store, "IN"), headers={"Origin": store.origin})
    assert allowed.headers["Access-Control-Allow-Origin"] == store.origin
    assert "Origin" in allowed.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in allowed.headers
    foreign = client.get(url(store, "IN"), headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in foreign.headers
    assert "Access-Control-Allow-Origin" not in client.get(url(store, "IN"), headers={"Origin": "null"}).headers


def test_public_answers_set_no_cookies(client, store, catalogue):
    assert "Set-Cookie" not in client.get(url(store, "IN")).headers


def test_backorder_list_shows_what_can_be_ordered_without_stock(client, store, catalogue):
    answer = client.get(f"/api/v1/stores/{store.public_key}/backorders")
    assert answer.status_code == 200
    assert [item["sku"] for item in answer.get_json()["items"]] == ["BO", "PRE"]
    assert answer.get_json()["items"][0]["availability"]["state"] == "backorder"


def test_store_settings_are_cached_per_process_for_a_few_seconds(app, store):
    from backorder.db import db
    from backorder.models import Store
    from backorder.services.stores import SnapshotCache

    with app.app_context():
        cached, uncached = SnapshotCache(60), SnapshotCache(0)
        assert cached.get(store.public_key).cache_max_age == 30
        db.session.get(Store, store.id).cache_max_age = 120
        db.session.commit()
        assert cached.get(store.public_key).cache_max_age == 120  # this process's own change shows at once
        with db.engine.begin() as other:  # as another process would: this one does not see it happen
            other.execute(Store.__table__.update().where(Store.__table__.c.id == store.id).values(cache_max_age=90))
        assert cached.get(store.public_key).cache_max_age == 120  # until the entry expires
        assert uncached.get(store.public_key).cache_max_age == 90


def test_a_database_error_on_the_read_path_is_a_503_not_a_500(tmp_path):
    from types import SimpleNamespace

    from sqlalchemy.exc import OperationalError

    from backorder import create_app
    from backorder.services import answers

    broken = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path}/empty.sqlite"})
    with broken.app_context():  # no tables: the raw driver error must surface as SQLAlchemy's
        with pytest.raises(OperationalError):
            answers.answers_for(SimpleNamespace(id=1, timezone="UTC", handling_days=0), ["A"])
    answer = broken.test_client().get("/api/v1/stores/pk_x/availability?sku=A")
    assert answer.status_code == 503
    assert answer.get_json()["error"]["code"] == "unavailable" and answer.headers["Retry-After"] == "5"


def test_reading_availability_leaves_pooled_connections_transactional(app, client, store, catalogue):
    from backorder.db import db

    for _ in range(3):
        assert client.get(url(store, "IN", "BO")).status_code == 200
    with app.app_context(), db.engine.connect() as connection:
        assert getattr(connection.connection.dbapi_connection, "autocommit", False) is False
