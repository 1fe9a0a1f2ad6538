"""Every operation of /api/v1/openapi.json, fuzzed by schemathesis in-process (tests/fuzzing.py): no 5xx,
and every answer as documented. A bounded, repeatable run; benchmarks/fuzz_api.py runs it at length."""

import pytest
from fuzzing import fuzz, operations, seed
from platform_server import platforms  # noqa: F401 (fixture)

from conftest import make_app

EXAMPLES = 6  # per operation and generation mode (positive, negative): about 15 s for all


@pytest.mark.parametrize("method, path", operations(make_app("sqlite://")))
def test_operation_answers_as_documented(app, store, platforms, method, path):  # noqa: F811 (fixture)
    seeded = seed(app, store, platforms.url)
    fuzz(app, method, path, store.headers, seeded, EXAMPLES, derandomize=True)
