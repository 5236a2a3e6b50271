"""Schema fuzzing: schemathesis generates requests from the app's own OpenAPI schema, every endpoint.

Checks on every generated case: no server error (5xx), and every response matches the documented
schema (status codes, content types, bodies). At least 2,000 cases in all; ROWSCAN_FUZZ_EXAMPLES
raises the per-endpoint count for a deeper run (see README, "Limits and errors").
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.server import rowscan_serve

EXAMPLES_PER_OPERATION = int(os.environ.get("ROWSCAN_FUZZ_EXAMPLES", "100"))
MINIMUM_CASES = 2_000


@pytest.fixture(scope="module")
def server():
    with rowscan_serve() as base_url:
        yield base_url


def test_no_server_errors_and_responses_match_the_schema(server):
    """Against the real server process over loopback HTTP, as a client would see it."""
    schema = schemathesis.openapi.from_url(f"{server}/openapi.json")
    cases: Counter[str] = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def fuzz(case):
            cases[case.operation.label] += 1
            # Not checked: "every schema-valid request is accepted". A schema cannot say "a decodable
            # image", so valid-looking base64 that is not an image is rightly refused with a 400.
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        fuzz()
    print(f"schemathesis: {sum(cases.values())} cases over {len(cases)} operations")
    assert set(cases) == {operation.label for operation in operations}  # every endpoint was exercised
    assert sum(cases.values()) >= MINIMUM_CASES * EXAMPLES_PER_OPERATION // 100, cases
