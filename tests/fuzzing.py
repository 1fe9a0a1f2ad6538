"""schemathesis over the WSGI app, in-process: shared by tests/test_api_fuzz.py (bounded) and
benchmarks/fuzz_api.py (at length).

Each operation of /api/v1/openapi.json is fed generated requests, valid ones (positive) and ones the
document forbids (negative), with the store's token, and every answer must be no 5xx, a documented
status, a documented content type and a body the documented schema accepts.
"""

import functools

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)

from platform_server import BC_BASE, BC_TOKEN
from platform_world import connect

ADMIN = "/api/v1/admin"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


def seed(app, store, platforms_url):
    """One of everything an id in a path names: a product on backorder, a shipment, an order, a sign-up
    and a campaign with its message; BigCommerce connected to the local stand-in at `platforms_url`
    (so no call leaves this machine, even after a fuzzed PUT of credentials). `store` has .headers
    and .public_key. Returns the path parameters that name the seeded objects."""
    app.config["BIGCOMMERCE_API_URL"] = platforms_url
    connect(app, store, "bigcommerce", platforms_url + BC_BASE, {"access_token": BC_TOKEN})
    client, headers, public_key = app.test_client(), store.headers, store.public_key
    answers = [
        client.put(f"{ADMIN}/products/LAMP", headers=headers, json={"mode": "backorder", "on_hand": 0}),
        client.post(f"{ADMIN}/products/LAMP/shipments", headers=headers,
                    json={"quantity": 5, "expected_on": "2030-01-01"}),
        client.post(f"{ADMIN}/orders", headers=headers,
                    json={"order_ref": "R1", "email": "a@example.com", "lines": [{"sku": "LAMP", "quantity": 2}]}),
        client.post(f"/api/v1/stores/{public_key}/subscriptions", json={"sku": "LAMP", "email": "s@example.com"}),
        client.post(f"{ADMIN}/products/LAMP/campaigns", headers=headers),
    ]
    assert [answer.status_code for answer in answers] == [201, 201, 201, 202, 202], [a.text for a in answers]
    message = client.get(f"{ADMIN}/messages", headers=headers).get_json()["items"][0]
    return {"public_key": public_key, "sku": "LAMP", "shipment_id": answers[1].get_json()["id"],
            "campaign_id": answers[4].get_json()["id"], "message_id": message["id"]}


def operations(app):
    """(method, path) of every operation the app documents."""
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    return [(method.upper(), path) for path, item in sorted(document["paths"].items()) for method in sorted(item)]


@functools.cache
def loaded_schema(app):
    """The document as schemathesis reads it, once per app (0.1 s a load)."""
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def fuzz(app, method, path, headers, seeded, examples, derandomize=False, modes=MODES):
    """Run `examples` generated cases per generation mode; raises the first failure (shrunk by Hypothesis).

    Every other case names the seeded objects in its path, so it gets past the 404 to the logic.
    Returns how many cases ran."""
    operation = loaded_schema(app)[path][method]
    ran = [0]

    if not (list(operation.iter_parameters()) or operation.body):  # nothing a case could get wrong
        modes = [mode for mode in modes if mode.is_positive]
    for mode in modes:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=examples, deadline=None, database=None, derandomize=derandomize,
                  suppress_health_check=list(HealthCheck), print_blob=True)
        def run(case):
            ran[0] += 1
            if ran[0] % 2 and case.path_parameters:
                case.path_parameters = {name: seeded.get(name, value) for name, value in case.path_parameters.items()}
            case.call_and_validate(headers=headers, checks=CHECKS)

        run()
    return ran[0]
