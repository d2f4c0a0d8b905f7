"""Fuzz every operation of the OpenAPI document with schemathesis: no input may cause a 5xx, and responses match
the document (status codes, content types, schemas). Both directions of drift are checked: a request the document
calls valid is never refused by the request models at the edge (nor as malformed), and one it calls invalid is
refused with a 4xx. Runs as an unscoped admin and as a township coordinator, on SQLite and PostgreSQL;
deterministic (derandomized) and bounded to ten cases per operation and mode.

Schemathesis' pytest plugin (`from_fixture`) does not run under pytest 9, so the operations are looped over by hand
with Hypothesis: the documented examples first, then generated valid (positive) and invalid (negative) requests.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from campaigns.models import User
from gateway.api import schema as api_schema
from tests.factories import add_contact

REFUSED_BY_MODELS: list[str] = []


def valid_request_not_refused(ctx, response, case) -> None:
    """A request generated from the document is never malformed (400) nor refused by the request models (422)."""
    refusals = list(REFUSED_BY_MODELS)
    REFUSED_BY_MODELS.clear()
    if response.status_code == 400 or refusals:
        raise AssertionError(
            f"a schema-valid request was refused ({response.status_code}): {refusals or response.text}"
        )


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    valid_request_not_refused,
]
NEGATIVE_CHECKS = [not_a_server_error, content_type_conformance, negative_data_rejection]


@pytest.fixture(autouse=True)
def record_model_refusals(monkeypatch):
    """Note every request the edge's models refuse, for `valid_request_not_refused`."""
    refuse = api_schema.request_invalid

    def recording(error):
        refused = refuse(error)
        REFUSED_BY_MODELS.append(refused.message)
        return refused

    REFUSED_BY_MODELS.clear()
    monkeypatch.setattr(api_schema, "request_invalid", recording)


MAX_EXAMPLES = 6  # per operation and phase; with 90 operations, 4 cases of the fuzz set the length of CI


@pytest.fixture(params=["admin", "coordinator"])
def fuzz_role(request) -> str:
    return request.param


@pytest.fixture
def fuzz_headers(fuzz_role, make_token, session_factory, tree) -> dict[str, str]:
    """A bearer header for an admin of everything or a coordinator of 齐哈玛镇, over a tree with a few contacts."""
    with session_factory.begin() as session:
        add_contact(session, tree["623025101201"], "+8613800000001", name="才让")
        add_contact(session, tree["623025102201"], "+8613800000002", name="卓玛", role="liaison", language="bo")
    scope = None if fuzz_role == "admin" else "623025101"
    return {"Authorization": f"Bearer {make_token(fuzz_role, scope)}"}


def _run(strategy, headers: dict[str, str], checks, max_examples: int) -> None:
    @given(case=strategy)
    @settings(
        max_examples=max_examples,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found, in bounded time
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        REFUSED_BY_MODELS.clear()
        case.headers = {**(case.headers or {}), **headers}  # on the case, so checks judge the request as sent
        case.call_and_validate(checks=checks)

    run()


def _with_known_path_parameters(operation, usernames: list[str]):
    """Valid requests whose path names rows that exist (small ids, real usernames), to reach the success paths."""
    names = [parameter.name for parameter in operation.path_parameters]
    if not names:
        return None
    values = {name: st.sampled_from(usernames) if name == "username" else st.integers(1, 12) for name in names}
    return st.fixed_dictionaries(values).flatmap(
        lambda known: operation.as_strategy(GenerationMode.POSITIVE, path_parameters=known)
    )


def _fuzz(operation, headers: dict[str, str], usernames: list[str], negative: bool) -> list[str]:
    plan = [
        ("examples", st.one_of(operation.get_strategies_from_examples() or [st.nothing()]), CHECKS),
        ("known ids", _with_known_path_parameters(operation, usernames), CHECKS),
        ("positive", operation.as_strategy(GenerationMode.POSITIVE), CHECKS),
    ]
    if negative:
        plan.append(("negative", operation.as_strategy(GenerationMode.NEGATIVE), NEGATIVE_CHECKS))
    failures = []
    for phase, strategy, checks in plan:
        if strategy is None or strategy.is_empty:
            continue
        try:
            _run(strategy, headers, checks, max_examples=3 if phase == "examples" else MAX_EXAMPLES)
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{operation.label} ({phase}): {type(exc).__name__}\n{exc}")
    return failures


@pytest.mark.slow
def test_no_input_causes_a_server_error_or_an_undocumented_response(app, session_factory, fuzz_role, fuzz_headers):
    """Invalid input is validated the same way whoever sends it, so only the admin also sends negative cases."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    only = os.environ.get("FUZZ_ONLY")  # e.g. FUZZ_ONLY=/grids to fuzz a few operations while working on them
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=lambda op: op.method == "delete")
    if only:
        operations = [op for op in operations if only in op.path]
    assert len(operations) >= (1 if only else 16)
    with session_factory() as session:
        usernames = list(session.scalars(select(User.username)))
    negative = fuzz_role == "admin"
    failures = [failure for op in operations for failure in _fuzz(op, fuzz_headers, usernames, negative)]
    assert not failures, "\n\n".join(failures)
