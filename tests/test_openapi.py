"""/api/v1/openapi.json: valid OpenAPI 3, complete, and true to what the API answers."""

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from openapi_spec_validator import validate

SOON = (datetime.now(timezone.utc).date() + timedelta(days=5)).isoformat()
ADMIN = "/api/v1/admin"


@pytest.fixture
def document(client):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    return answer.get_json()


def operations(document):
    """(path, method, operation) for every operation the document describes."""
    return [(path, method, operation) for path, item in document["paths"].items() for method, operation in item.items()]


def resolved(document, schema):
    """A schema given inline or as a $ref into the document's components."""
    if "$ref" in schema:
        return document["components"]["schemas"][schema["$ref"].removeprefix("#/components/schemas/")]
    return schema


def json_schema(response):
    return response["content"]["application/json"]["schema"]


def test_document_is_valid_openapi_3(document):
    validate(document)
    assert document["openapi"].startswith("3.0")


def test_every_api_route_and_method_is_documented_and_nothing_else(app, document):
    served = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.rule != "/api/v1/openapi.json"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(path, method) for path, method, _ in operations(document)}
    assert served - documented == set(), "routes missing from the document"
    assert documented - served == set(), "documented operations the app does not serve"


def test_every_path_parameter_is_declared(document):
    for path, method, operation in operations(document):
        declared = {parameter["name"] for parameter in operation["parameters"] if parameter["in"] == "path"}
        assert declared == set(re.findall(r"{(\w+)}", path)), (method, path)


def test_admin_operations_need_the_bearer_token_and_document_401(document):
    scheme = document["components"]["securitySchemes"]["storeToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for path, method, operation in operations(document):
        if path.startswith(ADMIN + "/"):
            assert operation["security"] == [{"storeToken": []}], (method, path)
            assert json_schema(operation["responses"]["401"]) == {"$ref": "#/components/schemas/Error"}, (method, path)
        else:
            assert "security" not in operation, (method, path)


# Actions whose path says it all: they read no body.
BODYLESS = {("post", ADMIN + "/products/{sku}/campaigns"), ("post", ADMIN + "/messages/{message_id}/retry"),
            ("post", ADMIN + "/platforms/{platform}/sync"), ("post", ADMIN + "/platforms/bigcommerce/widget"),
            ("post", ADMIN + "/platforms/bigcommerce/webhooks")}


def test_request_bodies_reference_schemas_with_properties(document):
    for path, method, operation in operations(document):
        if method not in ("put", "post", "patch") or (method, path) in BODYLESS:
            assert "requestBody" not in operation or method not in ("put", "post", "patch"), (method, path)
            continue
        assert "requestBody" in operation, (method, path)
        schema = resolved(document, json_schema(operation["requestBody"]))
        if schema.get("type") == "array":  # bulk upsert: a list of products
            schema = resolved(document, schema["items"])
        assert schema["type"] == "object" and schema["properties"], (method, path)
        assert schema["additionalProperties"] is False, (method, path)  # unknown keys are refused (422)


def test_every_response_is_described_and_errors_use_the_error_schema(document):
    error = resolved(document, {"$ref": "#/components/schemas/Error"})
    assert set(error["required"]) == {"error"}
    assert {"code", "message", "fields"} <= set(resolved(document, error["properties"]["error"])["properties"])
    for path, method, operation in operations(document):
        responses = operation["responses"]
        assert any(status.startswith("2") for status in responses), (method, path)
        for status, response in responses.items():
            assert response["description"], (method, path, status)
            if status.startswith("2"):
                assert resolved(document, json_schema(response))["properties"], (method, path, status)
            elif int(status) >= 400:
                assert json_schema(response) == {"$ref": "#/components/schemas/Error"}, (method, path, status)


def test_operations_with_a_body_document_every_way_a_body_is_refused(document):
    for path, method, operation in operations(document):
        if "requestBody" in operation:
            assert {"400", "413", "415", "422"} <= set(operation["responses"]), (method, path)


def assert_matches_document(document, path, method, answer):
    """The answer's status is documented for this operation, and its JSON validates against that schema."""
    responses = document["paths"][path][method]["responses"]
    status = str(answer.status_code)
    assert status in responses, f"{method.upper()} {path} answered {status}, which is not documented"
    assert answer.mimetype == "application/json"
    # $refs point into #/components: keep the components beside the schema so they resolve
    validator = OAS30Validator({**json_schema(responses[status]), "components": document["components"]},
                               format_checker=oas30_format_checker)
    errors = ["/".join(map(str, error.absolute_path)) + ": " + error.message
              for error in validator.iter_errors(answer.get_json())]
    assert errors == [], f"{method.upper()} {path} -> {status}"


@pytest.fixture
def admin(client, store):
    """admin(method, path, json=None, headers=the store's token): call the admin API."""

    def call(method, path, json=None, headers=None):
        headers = store.headers if headers is None else headers
        return client.open(ADMIN + path, method=method, json=json, headers=headers)

    return call


def test_availability_answers_match_the_document(client, store, make_product, admin, document):
    make_product("LAMP", mode="backorder", on_hand=0)
    make_product("BOOK", mode="preorder", release_date=date.fromisoformat(SOON))
    admin("POST", "/products/LAMP/shipments", {"quantity": 3, "expected_on": SOON})
    path = "/api/v1/stores/{public_key}/availability"
    answer = client.get(f"/api/v1/stores/{store.public_key}/availability?sku=LAMP&sku=BOOK&sku=NOPE")
    assert [item["state"] for item in answer.get_json()["items"]] == ["backorder", "preorder", "untracked"]
    assert answer.get_json()["items"][0]["incoming"] == [{"eta": SOON, "quantity": 3}]
    assert_matches_document(document, path, "get", answer)
    assert_matches_document(document, path, "get", client.get(f"/api/v1/stores/{store.public_key}/availability"))
    assert_matches_document(document, path, "get", client.get("/api/v1/stores/pk_nope/availability?sku=LAMP"))
    listed = client.get(f"/api/v1/stores/{store.public_key}/backorders")
    assert [item["sku"] for item in listed.get_json()["items"]] == ["BOOK", "LAMP"]
    assert_matches_document(document, "/api/v1/stores/{public_key}/backorders", "get", listed)


def test_product_answers_match_the_document(admin, document):
    product = {"name": "Lamp", "mode": "backorder", "backorder_limit": 5, "price": 12.5, "release_date": SOON}
    answers = [
        admin("PUT", "/products/LAMP", product),
        admin("PUT", "/products/LAMP", {"backorder_limit": "incoming"}),
        admin("PUT", "/products/LAMP", {"backorder_limit": None}),
        admin("PUT", "/products/LAMP", {"on_hand": -1}),
        admin("PUT", "/products/LAMP", {}, headers={}),
    ]
    assert [answer.status_code for answer in answers] == [201, 200, 200, 422, 401]
    for answer in answers:
        assert_matches_document(document, ADMIN + "/products/{sku}", "put", answer)
    for sku in ("LAMP", "NOPE"):
        assert_matches_document(document, ADMIN + "/products/{sku}", "get", admin("GET", f"/products/{sku}"))
    bulk = admin("PUT", "/products", [{"sku": "A"}, {"sku": "LAMP", "on_hand": 1}])
    assert bulk.status_code == 200
    assert_matches_document(document, ADMIN + "/products", "put", bulk)
    assert_matches_document(document, ADMIN + "/products", "get", admin("GET", "/products?limit=1"))


def test_order_answers_match_the_document(make_product, admin, document):
    make_product("LAMP", mode="backorder", on_hand=1, backorder_limit=3)
    order = {"order_ref": "R1", "email": "shopper@example.com",
             "lines": [{"sku": "LAMP", "quantity": 2, "unit_price": "12.50"}]}
    answers = [
        admin("POST", "/orders", order),
        admin("POST", "/orders", order),  # a retry: the first answer again, with 200
        admin("POST", "/orders", {"order_ref": "R2", "lines": [{"sku": "LAMP", "quantity": 99}]}),
        admin("POST", "/orders", {"order_ref": "R3", "lines": [{"sku": "NOPE", "quantity": 1}]}),
    ]
    assert [answer.status_code for answer in answers] == [201, 200, 409, 404]
    assert answers[0].get_json()["lines"][0]["backordered"] == 1
    for answer in answers:
        assert_matches_document(document, ADMIN + "/orders", "post", answer)


def test_shipment_answers_match_the_document(make_product, admin, document):
    make_product("LAMP", mode="backorder")
    admin("POST", "/orders", {"order_ref": "R1", "lines": [{"sku": "LAMP", "quantity": 2}]})
    planned = [admin("POST", "/products/LAMP/shipments", {"quantity": 5, "expected_on": SOON}) for _ in range(2)]
    first, second = (answer.get_json()["id"] for answer in planned)
    answers = [
        ("/products/{sku}/shipments", "post", planned[0]),
        ("/shipments/{shipment_id}", "patch", admin("PATCH", f"/shipments/{first}", {"quantity": 4})),
        ("/shipments/{shipment_id}/receive", "post", admin("POST", f"/shipments/{first}/receive")),
        ("/shipments/{shipment_id}/receive", "post", admin("POST", f"/shipments/{first}/receive")),
        ("/shipments/{shipment_id}", "delete", admin("DELETE", f"/shipments/{second}")),
        ("/shipments/{shipment_id}", "delete", admin("DELETE", "/shipments/999")),
        ("/products/{sku}/shipments", "get", admin("GET", "/products/LAMP/shipments")),
    ]
    assert [answer.status_code for _, _, answer in answers] == [201, 200, 200, 409, 200, 404, 200]
    assert [allocation["quantity"] for allocation in answers[2][2].get_json()["allocations"]] == [2]
    for path, method, answer in answers:
        assert_matches_document(document, ADMIN + path, method, answer)


def test_backorder_list_answers_match_the_document(client, make_product, admin, document):
    make_product("LAMP", mode="backorder")
    admin("POST", "/products/LAMP/shipments", {"quantity": 1, "expected_on": SOON})
    admin("POST", "/orders", {"order_ref": "R1", "email": "a@example.com",
                              "lines": [{"sku": "LAMP", "quantity": 2, "unit_price": "3.50"}]})
    answers = [admin("GET", "/backorders"), admin("GET", "/backorders?sku=NOPE"), admin("GET", "/backorders?limit=0")]
    assert [answer.status_code for answer in answers] == [200, 404, 422]
    assert answers[0].get_json()["items"][0]["shipment_id"] is None  # 2 units: the 1-unit shipment is not enough
    for answer in answers:
        assert_matches_document(document, ADMIN + "/backorders", "get", answer)
    assert_matches_document(document, ADMIN + "/subscriptions", "get", admin("GET", "/subscriptions?search=a"))


def test_platform_answers_match_the_document(admin, document):
    assert_matches_document(document, ADMIN + "/platforms", "get", admin("GET", "/platforms"))
    for body in ({"shop": "example.myshopify.com", "access_token": "shpat_1"}, {"shop": "nope"}):
        assert_matches_document(document, ADMIN + "/platforms/{platform}/credentials", "put",
                                admin("PUT", "/platforms/shopify/credentials", body))
    assert_matches_document(document, ADMIN + "/platforms/{platform}/webhook-secret", "post",
                            admin("POST", "/platforms/woocommerce/webhook-secret"))
    for _ in range(2):
        assert_matches_document(document, ADMIN + "/platforms/{platform}/sync", "post",
                                admin("POST", "/platforms/shopify/sync"))
    assert_matches_document(document, ADMIN + "/platforms/bigcommerce/widget", "delete",
                            admin("DELETE", "/platforms/bigcommerce/widget"))
