"""Fuzz every operation of the OpenAPI document with schemathesis: no input may cause a 5xx, and responses match
the document (status codes, content types, schemas). Runs as an unscoped admin and as a township coordinator, on
SQLite and PostgreSQL; deterministic (derandomized) and bounded to ten cases per operation and mode.

Schemathesis' pytest plugin (`from_fixture`) does not run under pytest 9, so the operations are looped over by hand
with Hypothesis: the documented examples first, then generated valid (positive) and invalid (negative) requests.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from campaigns.models import User
from tests.factories import add_contact

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
NEGATIVE_CHECKS = [not_a_server_error, content_type_conformance]
MAX_EXAMPLES = 10


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
        case.call_and_validate(headers=headers, checks=checks)

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
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=lambda op: op.method == "delete")
    assert len(operations) >= 16
    with session_factory() as session:
        usernames = list(session.scalars(select(User.username)))
    negative = fuzz_role == "admin"
    failures = [failure for op in operations for failure in _fuzz(op, fuzz_headers, usernames, negative)]
    assert not failures, "\n\n".join(failures)
