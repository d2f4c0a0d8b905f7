"""Helpers for the hand-written OpenAPI dicts of the routes that are not yet described by models (the imports); the
rest of the document is generated from the models (gateway/api/schema.py, openapi_view.py)."""

from __future__ import annotations

from typing import Any

from gateway.api.models.common import ERROR_DESCRIPTIONS


def error_responses(*statuses: int) -> dict[str, Any]:
    return {
        str(status): {
            "description": ERROR_DESCRIPTIONS[status],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
        }
        for status in (401, *statuses)
    }


def json_response(description: str, schema: dict[str, Any], example: Any) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema, "example": example}}}


def path_id(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    }


def legacy_document(modules) -> dict[str, Any]:
    """The paths and component schemas of the route modules not yet described by models (OpenAPI 3.0 dicts, made
    3.1: `nullable` becomes a type list), for openapi_view to merge into the generated document."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for module in modules:
        paths.update(module.PATHS)
        schemas.update(getattr(module, "SCHEMAS", {}))
    return _nullable_as_type_list({"paths": paths, "components": {"schemas": schemas}})


def _nullable_as_type_list(schema):
    if isinstance(schema, dict):
        converted = {key: _nullable_as_type_list(value) for key, value in schema.items() if key != "nullable"}
        if schema.get("nullable") is True:
            if "type" in converted:
                converted["type"] = [converted["type"], "null"]
                if "enum" in converted:
                    converted["enum"] = [*converted["enum"], None]
            else:
                converted = {"anyOf": [converted, {"type": "null"}]}
        return converted
    if isinstance(schema, list):
        return [_nullable_as_type_list(item) for item in schema]
    return schema
