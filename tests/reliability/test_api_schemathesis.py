"""Schemathesis against the REST API: requests generated from its own OpenAPI schema, a
bounded number per operation. No answer is a 5xx, and every answer conforms to the schema
(status code, content type, body, headers).

The server serves the tiny network with a token, as if shared beyond loopback, and its own
run store; the token is sent, so every operation is reached.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from corridor.network import load_network
from corridor.web.app import create_app
from corridor.web.security import Limits, Settings
from tests.reliability.conftest import TALLY

TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"
TOKEN = "schemathesis-token-0123456789"
SEEN: Counter[str] = Counter()


def _app(store: Path) -> FastAPI:
    settings_ = Settings(
        host="0.0.0.0",
        tokens=(TOKEN,),
        store=store,
        data_dir=TINY,
        limits=Limits(max_active_jobs=2),
    )
    return create_app(load_network(TINY), settings_)


# Built on import (schemathesis makes one test per operation from it); the store is a
# temporary file of its own.
STORE = Path(tempfile.mkdtemp(prefix="corridor-schemathesis-")) / "runs.duckdb"
schema = schemathesis.openapi.from_asgi("/openapi.json", _app(STORE))


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_api_conforms_and_never_answers_5xx(case: schemathesis.Case) -> None:
    response = case.call(headers={"Authorization": f"Bearer {TOKEN}", "Host": "corridor.test"})
    SEEN["requests"] += 1
    SEEN[f"{response.status_code // 100}xx"] += 1
    TALLY["schemathesis requests"] += 1
    TALLY[f"schemathesis {response.status_code // 100}xx"] += 1
    assert response.status_code < 500, response.text
    case.validate_response(
        response,
        checks=(
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            response_headers_conformance,
        ),
    )


def test_report_requests() -> None:
    """Print how many requests schemathesis made (after the operations above)."""
    print(f"schemathesis: {dict(SEEN)}")
    assert SEEN["5xx"] == 0
