"""/api/v1/openapi.json: valid OpenAPI 3, complete, and true to what the API answers."""

import re
from datetime import datetime, timedelta, timezone

import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

SOON = (datetime.now(timezone.utc).date() + timedelta(days=5)).isoformat()


@pytest.fixture
def document(client):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    return answer.get_json()


def api_routes(app):
    """(OpenAPI path, method) for every API route the app serves, except the document itself."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "public.openapi":
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            routes |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def test_document_is_valid_openapi_3(document):
    validate(document)
    assert document["openapi"].startswith("3.")


def test_every_api_route_is_documented(app, document):
    documented = {(path, method) for path, operations in document["paths"].items() for method in operations}
    assert api_routes(app) - documented == set()
    assert len(documented) >= 12


def test_admin_operations_need_the_token_and_say_401(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if path.startswith("/api/v1/admin/"):
                assert operation["security"] == [{"storeToken": []}], (method, path)
                assert "401" in operation["responses"], (method, path)
            else:
                assert "security" not in operation, (method, path)


def test_bodies_and_answers_are_described(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert any(status.startswith("2") for status in operation["responses"]), (method, path)
            if method in ("post", "put", "patch"):
                assert "application/json" in operation["requestBody"]["content"], (method, path)
                assert "422" in operation["responses"] and "415" in operation["responses"], (method, path)


def resolve(document, schema):
    """The schema with every $ref replaced by what it points to."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            return resolve(document, document["components"]["schemas"][name])
        return {key: resolve(document, value) for key, value in schema.items()}
    if isinstance(schema, list):
        return [resolve(document, item) for item in schema]
    return schema


def check_answer(document, path, method, answer):
    """Assert the JSON answer matches the schema the document gives for its status."""
    described = document["paths"][path][method]["responses"][str(answer.status_code)]
    schema = resolve(document, described["content"]["application/json"]["schema"])
    errors = sorted(OAS30Validator(schema).iter_errors(answer.get_json()), key=str)
    assert not errors, [error.message for error in errors]


def test_real_answers_match_their_documented_schemas(client, store, document):
    admin = store.headers
    cases = [
        ("/api/v1/admin/products/{sku}", "put",
         client.put("/api/v1/admin/products/LAMP", headers=admin,
                    json={"mode": "backorder", "backorder_limit": 5, "price": "12.50"})),
        ("/api/v1/admin/products/{sku}/shipments", "post",
         client.post("/api/v1/admin/products/LAMP/shipments", headers=admin, json={"quantity": 3, "expected_on": SOON})),
        ("/api/v1/admin/orders", "post",
         client.post("/api/v1/admin/orders", headers=admin,
                     json={"order_ref": "R1", "lines": [{"sku": "LAMP", "quantity": 2, "unit_price": 12.5}]})),
        ("/api/v1/admin/shipments/{shipment_id}/receive", "post",
         client.post("/api/v1/admin/shipments/1/receive", headers=admin)),
        ("/api/v1/admin/products", "get", client.get("/api/v1/admin/products", headers=admin)),
        ("/api/v1/stores/{public_key}/availability", "get",
         client.get(f"/api/v1/stores/{store.public_key}/availability?sku=LAMP&sku=NOPE")),
        ("/api/v1/stores/{public_key}/backorders", "get", client.get(f"/api/v1/stores/{store.public_key}/backorders")),
        ("/api/v1/admin/orders", "post",
         client.post("/api/v1/admin/orders", headers=admin,
                     json={"order_ref": "R2", "lines": [{"sku": "LAMP", "quantity": 99}]})),
        ("/api/v1/admin/products/{sku}", "put",
         client.put("/api/v1/admin/products/LAMP", headers=admin, json={"on_hand": -1})),
    ]
    statuses = [answer.status_code for _, _, answer in cases]
    assert statuses == [201, 201, 201, 200, 200, 200, 200, 409, 422]
    for path, method, answer in cases:
        check_answer(document, path, method, answer)
