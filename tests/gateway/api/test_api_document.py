"""The OpenAPI document (3.1, generated from the models) is valid, and every operation is documented with a summary
and examples."""

from __future__ import annotations

import pytest
from jsonschema import Draft4Validator
from openapi_spec_validator import validate

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def document(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def _has_example(media: dict) -> bool:
    """An example, or a binary file (a spreadsheet) that no example could show."""
    binary = media.get("schema", {}).get("format") == "binary"
    return binary or "example" in media or bool(media.get("examples"))


def test_document_is_valid_openapi(document):
    validate(document)


def test_document_needs_no_token(client):
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_every_operation_has_a_summary_and_examples(document):
    problems = []
    for name, operation in _operations(document):
        if not operation.get("summary"):
            problems.append(f"{name}: no summary")
        for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
            if not _has_example(media):
                problems.append(f"{name}: no example for the {media_type} request body")
        successes = {status: r for status, r in operation["responses"].items() if status.startswith("2")}
        if not successes:
            problems.append(f"{name}: no 2xx response")
        for status, response in successes.items():
            for media_type, media in response.get("content", {}).items():
                if not _has_example(media):
                    problems.append(f"{name}: no example for its {status} {media_type} response")
        if "401" not in operation["responses"]:
            problems.append(f"{name}: 401 is not documented")
    assert not problems, "\n".join(problems)


def test_operation_ids_are_unique(document):
    ids = [operation["operationId"] for _, operation in _operations(document) if "operationId" in operation]
    assert len(ids) == len(set(ids))


def test_examples_match_their_schemas(document):
    """Each documented JSON or form example validates against its own schema (examples that lie are worse than
    none)."""
    problems = []
    for name, operation in _operations(document):
        bodies = [("request", operation.get("requestBody", {}))]
        bodies += [(status, response) for status, response in operation["responses"].items()]
        for where, holder in bodies:
            content = holder.get("content", {})
            media = content.get("application/json") or content.get("multipart/form-data") or {}
            if "example" in media:
                schema = {**media["schema"], "components": document["components"]}
                errors = Draft4Validator(schema).iter_errors(media["example"])
                problems += [f"{name} {where}: {error.message}" for error in errors]
    assert not problems, "\n".join(problems)
