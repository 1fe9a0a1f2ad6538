"""No input a client can send produces a 500: hostile bodies, values, queries, paths and tokens on every API route.

Every answer is checked the same way (`assert_clean`): never a 5xx, every error in the one JSON shape
{"error": {"code", "message", ...}}, "fields" on every 422, and the exact status where DESIGN §5 fixes it.
"""

import io
import json
import re
from types import SimpleNamespace
from urllib.parse import quote

import pytest

from backorder import schemas

JSON = "application/json"
LONG = "x" * 10_000
ADMIN = "/api/v1/admin"
SHIPMENT = {"quantity": 1, "expected_on": "2030-01-01"}

# Every API route, and whether it reads a body: None (never), "required", or "optional" (empty reads as {}).
# Placeholders are filled from `world`; test_every_api_route_is_attacked keeps this list complete.
ROUTES = [
    ("GET", "/api/v1/openapi.json", None),
    ("GET", "/api/v1/health", None),
    ("GET", "/api/v1/stores/{public_key}/availability?sku={sku}", None),
    ("GET", "/api/v1/stores/{public_key}/backorders", None),
    ("POST", "/api/v1/stores/{public_key}/subscriptions", "required"),
    ("GET", ADMIN + "/store", None),
    ("PATCH", ADMIN + "/store", "required"),
    ("GET", ADMIN + "/subscriptions", None),
    ("POST", ADMIN + "/erasures", "required"),
    ("GET", ADMIN + "/campaigns", None),
    ("GET", ADMIN + "/campaigns/{campaign_id}", None),
    ("POST", ADMIN + "/products/{sku}/campaigns", None),
    ("GET", ADMIN + "/messages", None),
    ("POST", ADMIN + "/messages/{message_id}/retry", None),
    ("GET", ADMIN + "/backorders", None),
    ("GET", ADMIN + "/products", None),
    ("PUT", ADMIN + "/products", "required"),
    ("GET", ADMIN + "/products/{sku}", None),
    ("PUT", ADMIN + "/products/{sku}", "required"),
    ("GET", ADMIN + "/products/{sku}/shipments", None),
    ("POST", ADMIN + "/products/{sku}/shipments", "required"),
    ("POST", ADMIN + "/orders", "required"),
    ("PATCH", ADMIN + "/shipments/{shipment_id}", "required"),
    ("POST", ADMIN + "/shipments/{shipment_id}/receive", "optional"),
    ("GET", ADMIN + "/reports/demand", None),
    ("GET", ADMIN + "/reports/suppliers", None),
    ("GET", ADMIN + "/reports/purchase-list?supplier=Acme", None),
    ("GET", ADMIN + "/reports/funnel", None),
    ("GET", ADMIN + "/reports/backorders", None),
    ("GET", ADMIN + "/reports/email", None),
    ("GET", ADMIN + "/reports/activity", None),
    ("GET", ADMIN + "/platforms", None),
    ("PUT", ADMIN + "/platforms/{platform}/credentials", "required"),
    ("POST", ADMIN + "/platforms/{platform}/webhook-secret", "optional"),
    ("POST", ADMIN + "/platforms/{platform}/sync", None),
    ("POST", ADMIN + "/platforms/bigcommerce/webhooks", None),
    ("POST", ADMIN + "/platforms/bigcommerce/widget", None),
    ("DELETE", ADMIN + "/platforms/bigcommerce/widget", None),
    ("DELETE", ADMIN + "/shipments/{shipment_id}", None),  # last: it ends the shipment's plan
]
ADMIN_ROUTES = [route for route in ROUTES if route[1].startswith(ADMIN)]
BODY_ROUTES = [route for route in ROUTES if route[2]]

# (case, raw body, Content-Type, the status DESIGN §5 fixes for a route that needs a body)
HOSTILE_BODIES = [
    ("malformed-json", b'{"on_hand": ', JSON, 400),
    ("truncated-json", b'{"order_ref": "R", "lines": [{"sku": "LAMP", "quantity": 1}', JSON, 400),
    ("trailing-garbage", b"{} {}", JSON, 400),
    ("single-quotes", b"{'quantity': 1}", JSON, 400),
    ("not-utf8", b'{"name": "\xff\xfe"}', JSON, 400),
    ("more-digits-than-python-parses", b'{"quantity": 1' + b"0" * 5000 + b"}", JSON, 400),
    ("100k-nested-lists", b"[" * 100_000 + b"]" * 100_000, JSON, 400),
    ("100k-nested-objects", b'{"a":' * 100_000 + b"1" + b"}" * 100_000, JSON, 400),
    ("empty-body", b"", JSON, 400),
    ("only-whitespace", b" \n\t ", JSON, 400),
    ("text-plain", b'{"quantity": 1}', "text/plain", 415),
    ("form-encoded", b"quantity=1", "application/x-www-form-urlencoded", 415),
    ("multipart", b'--x\r\nContent-Disposition: form-data; name="quantity"\r\n\r\n1\r\n--x--\r\n',
     "multipart/form-data; boundary=x", 415),
    ("no-content-type", b'{"quantity": 1}', None, 415),
    ("empty-body-no-content-type", b"", None, 415),
    ("json-null", b"null", JSON, 422),
    ("json-number", b"42", JSON, 422),
    ("json-string", b'"LAMP"', JSON, 422),
    ("empty-list", b"[]", JSON, 422),
    ("list-of-numbers", b"[1, 2]", JSON, 422),
    ("list-of-lists", b"[[]]", JSON, 422),
    ("unknown-field", b'{"surprise": 1}', JSON, 422),
    ("nan-token", b'{"quantity": NaN}', JSON, 422),
    ("infinity-token", b'{"quantity": -Infinity}', JSON, 422),
    ("duplicate-keys", b'{"quantity": 1, "quantity": -1}', JSON, 422),
    ("900-nested-lists-in-a-field", b'{"quantity": ' + b"[" * 900 + b"]" * 900 + b"}", JSON, 422),
    ("lone-surrogate-key", b'{"surprise\\ud800": 1}', JSON, 422),
    ("10k-char-key", b'{"' + LONG.encode() + b'": 1}', JSON, 422),
    ("utf8-bom", b'\xef\xbb\xbf{"surprise": 1}', JSON, 422),
    ("utf16", '{"surprise": 1}'.encode("utf-16"), JSON, 422),
    ("vendor-json-type", b'{"surprise": 1}', "application/vnd.api+json; charset=latin-1", 422),
]

# Values put into every field the admin API reads and, when strings, into paths and queries as a sku.
VALUES = {
    "null": None, "true": True, "zero": 0, "negative": -1, "10**30": 10**30, "2**63": 2**63, "float": 1.5,
    "nan": float("nan"), "infinity": float("inf"), "numeric-string": "3", "empty-string": "", "10k-chars": LONG,
    "list": [1], "object": {"$gt": ""},
    "impossible-date": "2026-02-30", "word-date": "tomorrow", "number-date": 20261201, "last-day": "9999-12-31",
    "rtl-override": "\u202eLAMP", "emoji": "\U0001f600" * 50, "combining-marks": "e" + "\u0301" * 50,
    "zero-width": "LA\u200bMP", "bom": "\ufeffLAMP", "lone-surrogate": "LAMP\ud800", "nul-byte": "nul\x00byte",
    "newline": "new\nline", "sql": "' OR 1=1 --", "html": "<script>alert(1)</script>", "dot-dot": "../../etc/passwd",
    "emoji-email": "\U0001f600@example.com", "rtl-email": "user\u202e@example.com", "dotless-email": "a@b",
    "combining-email": "e\u0301\u0301@example.com", "idn-email": "user@b\u00fccher.example",
    "long-email": "a@" + "b" * 320 + ".com", "nul-email": "a\x00@example.com", "surrogate-email": "a\ud800@example.com",
    "javascript-url": "javascript:alert(1)", "nul-url": "https://a.example/\x00",
    "surrogate-url": "https://a.example/\ud800",
}


def filled(store, **ids):
    """The ids a route template needs, and url(template) filling them in."""
    ids = {"public_key": store.public_key, "sku": "LAMP", "shipment_id": 1, "campaign_id": 1, "message_id": 1,
           "platform": "woocommerce", **ids}
    return SimpleNamespace(headers=store.headers, ids=ids, url=lambda path: path.format(**ids))


@pytest.fixture
def world(client, store, make_product):
    """LAMP on backorder (2 handling days), 2 units ordered, a planned shipment, a sign-up and a campaign:
    every route reaches its logic."""
    make_product("LAMP", mode="backorder", handling_days=2)
    planned = client.post(f"{ADMIN}/products/LAMP/shipments", headers=store.headers, json={**SHIPMENT, "quantity": 5})
    ordered = client.post(f"{ADMIN}/orders", headers=store.headers,
                          json={"order_ref": "FIRST", "lines": [{"sku": "LAMP", "quantity": 2}]})
    signed_up = client.post(f"/api/v1/stores/{store.public_key}/subscriptions",
                            json={"sku": "LAMP", "email": "shopper@example.com"})
    campaign = client.post(f"{ADMIN}/products/LAMP/campaigns", headers=store.headers)
    assert (planned.status_code, ordered.status_code, signed_up.status_code, campaign.status_code) == (201, 201, 202, 202)
    message = client.get(f"{ADMIN}/messages", headers=store.headers).get_json()["items"][0]
    return filled(store, shipment_id=planned.get_json()["id"], campaign_id=campaign.get_json()["id"],
                  message_id=message["id"])


@pytest.fixture
def empty_store(store):
    """The store with no products: for refusals that need no data (token, size, query, unknown ids)."""
    return filled(store)


def assert_clean(answer, status=None, where=""):
    """Never a 5xx; the status the contract fixes, if any; every error in the one JSON shape."""
    where = f"{where} -> {answer.status_code} {answer.get_data(as_text=True)[:300]}"
    assert answer.status_code < 500, where
    if status is not None:
        assert answer.status_code == status, where
    if answer.status_code >= 400:
        assert answer.mimetype == JSON, where
        error = answer.get_json()["error"]
        assert isinstance(error["code"], str) and isinstance(error["message"], str), where
        if answer.status_code == 422:
            assert isinstance(error["fields"], dict) and error["fields"], where


def test_every_api_route_is_attacked(app):
    served = {
        (method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert served == {(method, path.partition("?")[0]) for method, path, _ in ROUTES}


@pytest.mark.parametrize("case, raw, content_type, status", HOSTILE_BODIES, ids=[case[0] for case in HOSTILE_BODIES])
def test_hostile_body_on_every_route_gets_the_contract_status(client, world, case, raw, content_type, status):
    headers = {**world.headers, **({"Content-Type": content_type} if content_type else {})}
    for method, path, body in ROUTES:
        if method == "GET":
            expected = 200  # a GET never reads a body
        elif body is None:
            expected = None  # DELETE reads no body; an earlier receive may have ended the plan (409)
        elif body == "optional" and raw == b"":
            expected = 200  # receive: an empty body means "everything expected"
        else:
            expected = status
        answer = client.open(world.url(path), method=method, data=raw, headers=headers)
        assert_clean(answer, expected, f"{method} {path}")


def poisoned_requests(value):
    """(method, path, what, body): each field an admin body reads set to `value`, the rest of the request valid."""
    product_fields = list(schemas.ProductIn().fields)
    for field in product_fields:
        yield "PUT", ADMIN + "/products/{sku}", field, {field: value}
    yield "PUT", ADMIN + "/products", "every field", [{"sku": value, **dict.fromkeys(product_fields, value)}]
    for field in schemas.ShipmentIn().fields:
        yield "POST", ADMIN + "/products/{sku}/shipments", field, {**SHIPMENT, field: value}
    for n, field in enumerate(schemas.OrderIn().fields):
        yield "POST", ADMIN + "/orders", field, {"order_ref": f"A{n}", "lines": [{"sku": "LAMP", "quantity": 1}],
                                                field: value}
    for n, field in enumerate(schemas.OrderLineIn().fields):
        yield "POST", ADMIN + "/orders", f"lines[0].{field}", {"order_ref": f"B{n}",
                                                              "lines": [{"sku": "LAMP", "quantity": 1, field: value}]}
    for field in schemas.SubscriptionIn().fields:
        yield "POST", "/api/v1/stores/{public_key}/subscriptions", field, {
            "sku": "LAMP", "email": "poison@example.com", field: value}
    for field in schemas.StoreSettings().fields:
        yield "PATCH", ADMIN + "/store", field, {field: value}
    yield "POST", ADMIN + "/erasures", "email", {"email": value}
    for field in schemas.ShipmentPatch().fields:
        yield "PATCH", ADMIN + "/shipments/{shipment_id}", field, {field: value}
    for field in schemas.ReceiveIn().fields:  # last: receiving ends the shipment's plan
        yield "POST", ADMIN + "/shipments/{shipment_id}/receive", field, {field: value}
    if isinstance(value, str) and value:
        sku = quote(value, safe="", errors="surrogatepass")
        yield "PUT", f"{ADMIN}/products/{sku}", "sku in the path", {"on_hand": 1}
        yield "POST", f"{ADMIN}/products/{sku}/shipments", "sku in the path", SHIPMENT
        yield "GET", f"{ADMIN}/products/{sku}", "sku in the path", None
        yield "GET", f"{ADMIN}/products?after={sku}", "after", None
        yield "GET", "/api/v1/stores/{public_key}/availability?sku=" + sku, "sku query", None


@pytest.mark.parametrize("value", VALUES.values(), ids=VALUES.keys())
def test_hostile_value_in_every_field_is_refused_or_accepted_never_a_500(client, world, value):
    for method, path, what, body in poisoned_requests(value):
        answer = client.open(world.url(path), method=method, json=body, headers=world.headers)
        assert_clean(answer, where=f"{method} {path:.80} with {what}={value!r:.60}")
    # Whatever was accepted, every reader still answers.
    for method, path, _ in ROUTES:
        if method == "GET":
            assert_clean(client.get(world.url(path), headers=world.headers), 200, path)


def order_of(quantity, order_ref="R"):
    return {"order_ref": order_ref, "lines": [{"sku": "LAMP", "quantity": quantity}]}


# Where a count or a date goes: (method, admin path, the body around a value, the field the 422 names)
COUNT_FIELDS = {
    "product on_hand": ("PUT", "/products/{sku}", lambda n: {"on_hand": n}, "on_hand"),
    "planned quantity": ("POST", "/products/{sku}/shipments", lambda n: {**SHIPMENT, "quantity": n}, "quantity"),
    "patched quantity": ("PATCH", "/shipments/{shipment_id}", lambda n: {"quantity": n}, "quantity"),
    "received quantity": ("POST", "/shipments/{shipment_id}/receive", lambda n: {"quantity": n}, "quantity"),
    "ordered quantity": ("POST", "/orders", order_of, "lines"),
}
DATE_FIELDS = {
    "release_date": ("PUT", "/products/{sku}", lambda day: {"release_date": day}, "release_date"),
    "back_in_stock_date": ("PUT", "/products/{sku}", lambda day: {"back_in_stock_date": day}, "back_in_stock_date"),
    "planned expected_on": ("POST", "/products/{sku}/shipments", lambda day: {**SHIPMENT, "expected_on": day},
                            "expected_on"),
    "patched expected_on": ("PATCH", "/shipments/{shipment_id}", lambda day: {"expected_on": day}, "expected_on"),
}


@pytest.mark.parametrize("method, path, body, field", COUNT_FIELDS.values(), ids=COUNT_FIELDS.keys())
def test_count_that_is_not_a_whole_number_in_range_is_422(client, world, method, path, body, field):
    for value in [-1, 10**30, 2**31, 1.5, 3.0, True, "3", None, float("nan"), float("inf"), [], {}]:
        answer = client.open(world.url(ADMIN + path), method=method, json=body(value), headers=world.headers)
        assert_clean(answer, 422, f"{method} {path} with {value!r}")
        assert field in answer.get_json()["error"]["fields"]


@pytest.mark.parametrize("method, path, body, field", DATE_FIELDS.values(), ids=DATE_FIELDS.keys())
def test_date_that_is_not_a_plausible_day_is_422(client, world, method, path, body, field):
    for value in ["2026-02-30", "tomorrow", 20261201, "", "2026-12-01T00:00:00", "01/12/2026", "9999-12-31", True]:
        answer = client.open(world.url(ADMIN + path), method=method, json=body(value), headers=world.headers)
        assert_clean(answer, 422, f"{method} {path} with {value!r}")
        assert field in answer.get_json()["error"]["fields"]


@pytest.mark.parametrize("method, path, body", BODY_ROUTES, ids=[f"{m} {p}" for m, p, _ in BODY_ROUTES])
def test_body_over_the_size_limit_is_413_without_being_read(client, empty_store, method, path, body):
    ten_megabytes = 10 * 1024 * 1024
    stream = io.BytesIO(b"[" + b"0," * (ten_megabytes // 2) + b"0]")
    answer = client.open(empty_store.url(path), method=method, input_stream=stream, content_type=JSON,
                         content_length=ten_megabytes + 2, headers=empty_store.headers)
    assert_clean(answer, 413, f"{method} {path}")
    assert stream.tell() <= 1024 * 1024, "the server read the body beyond MAX_CONTENT_LENGTH"


CHUNKED_ROUTES = [route for route in BODY_ROUTES if route[0] in ("POST", "PATCH") and "{" in route[1]]


@pytest.mark.parametrize("method, path, body", CHUNKED_ROUTES, ids=[f"{m} {p}" for m, p, _ in CHUNKED_ROUTES])
def test_chunked_body_over_the_size_limit_is_413_not_cut_short(client, world, method, path, body):
    # A valid body, then 2 MB of JSON white space, sent chunked (no Content-Length) as gunicorn passes it on
    # (wsgi.input_terminated): werkzeug stops reading at the limit, and the first megabyte alone parses
    # (a 10 MB sign-up was accepted). One reader serves every route: a few routes show it.
    valid = {"sku": "LAMP", "email": "big@example.com"} if "subscriptions" in path else {}
    stream = io.BytesIO(json.dumps(valid).encode() + b" " * (2 * 1024 * 1024))
    answer = client.open(world.url(path), method=method, input_stream=stream, content_type=JSON,
                         headers={**world.headers, "Transfer-Encoding": "chunked"},
                         environ_overrides={"wsgi.input_terminated": True})
    assert_clean(answer, 413, f"{method} {path}")
    assert stream.tell() <= 1024 * 1024 + 1, "the server read the body beyond MAX_CONTENT_LENGTH"


@pytest.mark.parametrize("query, status", [
    ("", 422), ("other=1", 422), ("sku=", 422), ("sku=" + LONG, 422), ("sku=A%00B", 422), ("sku=A%0AB", 422),
    ("sku[]=LAMP", 422), ("&".join(["sku=LAMP"] * 101), 422), ("&".join(f"sku=S{n}" for n in range(101)), 422),
    ("&".join(f"sku=S{n}" for n in range(100)), 200), ("sku=LAMP&other=1&sku=LAMP", 200),
    ("sku=%E2%80%AELAMP&sku=" + "%F0%9F%98%80" * 25 + "&sku=e%CC%81%CC%81", 200), ("sku=%FF%FE&sku=%ED%A0%80", 200),
], ids=lambda value: str(value)[:40])
def test_hostile_availability_query_gets_the_contract_status(client, empty_store, query, status):
    answer = client.get(empty_store.url("/api/v1/stores/{public_key}/availability?") + query)
    assert_clean(answer, status, query[:80])
    if status == 422:
        assert "sku" in answer.get_json()["error"]["fields"]


@pytest.mark.parametrize("query, status", [
    ("limit=0", 422), ("limit=-1", 422), ("limit=501", 422), ("limit=" + "9" * 40, 422), ("limit=abc", 422),
    ("limit=1.5", 422), ("limit=NaN", 422), ("limit=", 422), ("after=", 422), ("after=A%00B", 422),
    ("after=" + LONG, 422), ("limit=500&after=%F0%9F%98%80", 200),
], ids=lambda value: str(value)[:40])
def test_hostile_product_list_query_gets_the_contract_status(client, empty_store, query, status):
    assert_clean(client.get(f"{ADMIN}/products?{query}", headers=empty_store.headers), status, query[:80])


def test_hostile_caching_and_cors_headers_never_break_a_public_answer(client, world):
    cases = [
        ({"If-None-Match": "garbage"}, 200), ({"If-None-Match": '"' + LONG + '"'}, 200),
        ({"If-None-Match": 'W/"x", "y",,,'}, 200), ({"If-None-Match": "*"}, None), ({"Origin": "null"}, 200),
        ({"Origin": "https://shop.example.com" + LONG}, 200), ({"Origin": "https://evil.example"}, 200),
    ]
    for headers, status in cases:
        for path in ("/api/v1/stores/{public_key}/availability?sku={sku}", "/api/v1/stores/{public_key}/backorders"):
            answer = client.get(world.url(path), headers=headers)
            assert_clean(answer, status, f"{path} with {headers!r:.80}")
            assert "Access-Control-Allow-Origin" not in answer.headers


@pytest.mark.parametrize("method, path, status", [
    ("PATCH", ADMIN + "/shipments/999", 404), ("PATCH", ADMIN + "/shipments/0", 404),
    ("PATCH", ADMIN + "/shipments/-1", 404), ("PATCH", ADMIN + "/shipments/1.5", 404),
    ("PATCH", ADMIN + "/shipments/abc", 404), ("PATCH", ADMIN + "/shipments/2147483648", 404),
    ("PATCH", ADMIN + f"/shipments/{10**20}", 404), ("POST", ADMIN + f"/shipments/{10**20}/receive", 404),
    ("DELETE", ADMIN + f"/shipments/{10**20}", 404), ("GET", ADMIN + "/products/NOPE", 404),
    ("POST", ADMIN + "/products/NOPE/shipments", 404), ("PUT", ADMIN + "/products/A%00B", 404),
    ("GET", ADMIN + "/products/LAMP%00/shipments", 404), ("PUT", ADMIN + "/products/A%0AB", 404),
    ("PUT", ADMIN + "/products/" + LONG, 422), ("GET", ADMIN + "/nowhere", 404), ("GET", "/api/v2/stores", 404),
    ("DELETE", ADMIN + "/products", 405), ("PUT", "/api/v1/stores/{public_key}/availability", 405),
], ids=lambda value: str(value)[:60])
def test_hostile_path_gets_the_contract_status(client, empty_store, method, path, status):
    body = {"on_hand": 1} if method == "PUT" else SHIPMENT if path.endswith("/shipments") else {"quantity": 1}
    assert_clean(client.open(empty_store.url(path), method=method, json=body, headers=empty_store.headers), status)


@pytest.mark.parametrize("public_key", ["pk_nope", "pk_" + "a" * 64, "pk_" + "a" * 65, "x" * 5000, "%00", "pk_%00",
                                        "pk_%E2%80%AE", "pk_..%2F..", "PK_nope"])
def test_unknown_store_is_404(client, public_key):
    for path in (f"/api/v1/stores/{public_key}/availability?sku=LAMP", f"/api/v1/stores/{public_key}/backorders"):
        assert_clean(client.get(path), 404, path[:80])


@pytest.mark.parametrize("authorization", [
    None, "", "Bearer", "Bearer ", "Bearer wrong", "Basic dXNlcjpwYXNz", "Token {token}", "{token}",
    "Bearer {token}x", "Bearer " + LONG, "Bearer \u00e9\u00e9", "Bearer a b c",
], ids=lambda value: repr(value)[:40])
def test_admin_route_without_a_valid_token_is_401_before_reading_the_body(client, empty_store, authorization):
    token = empty_store.headers["Authorization"].removeprefix("Bearer ")
    headers = {"Content-Type": JSON}
    if authorization is not None:
        headers["Authorization"] = authorization.format(token=token)
    for method, path, _ in ADMIN_ROUTES:
        answer = client.open(empty_store.url(path), method=method, data=b'{"malformed', headers=headers)
        assert_clean(answer, 401, f"{method} {path}")
        assert answer.headers["WWW-Authenticate"].lower().startswith("bearer")


def test_totals_pushed_past_what_the_database_holds_are_refused_not_500(client, world):
    billion = schemas.MAX_COUNT  # the largest single quantity; three of them overflow a 32-bit column
    stocked = client.put(world.url(ADMIN + "/products/{sku}"), json={"on_hand": billion}, headers=world.headers)
    assert_clean(stocked, 200)
    for _ in range(3):
        planned = client.post(world.url(ADMIN + "/products/{sku}/shipments"), headers=world.headers,
                              json={**SHIPMENT, "quantity": billion})
        assert_clean(planned, 201)
        received = client.post(f"{ADMIN}/shipments/{planned.get_json()['id']}/receive", headers=world.headers)
        assert_clean(received, None, "receive")
        assert received.status_code in (200, 409)  # 409 where the column is 32-bit (PostgreSQL)
    for n in range(3):
        ordered = client.post(f"{ADMIN}/orders", headers=world.headers, json=order_of(billion, f"BIG{n}"))
        assert_clean(ordered, None, "order")
        assert ordered.status_code in (201, 409)
    assert_clean(client.get(world.url("/api/v1/stores/{public_key}/availability?sku={sku}")), 200)


@pytest.mark.parametrize("locale", ["en\n", "de-AT\n", "en\r\n", "en\u2028", "en_US", "e"], ids=repr)
def test_locale_that_is_not_exactly_a_language_tag_is_422(client, empty_store, locale):
    answer = client.patch(f"{ADMIN}/store", json={"locale": locale}, headers=empty_store.headers)
    assert_clean(answer, 422)
    assert "locale" in answer.get_json()["error"]["fields"]
