"""The OpenAPI 3.0 document: shared components here, each route module contributes its own `PATHS`."""

from __future__ import annotations

from typing import Any


def error_responses(*statuses: int) -> dict[str, Any]:
    descriptions = {
        400: "The body is not valid JSON",
        401: "Missing or unknown API token",
        403: "Your role does not allow this",
        404: "Not found, or outside your grid scope",
        409: "Conflicts with the current state",
        422: "Invalid input; `fields` names the bad fields",
    }
    return {
        str(status): {
            "description": descriptions[status],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for status in (401, *statuses)
    }


def json_response(description: str, schema: dict[str, Any], example: Any) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema, "example": example}}}


def json_request(schema: dict[str, Any], example: Any) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema, "example": example}}}


def path_id(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    }


def query_param(name: str, description: str, schema: dict[str, Any], example: Any = None) -> dict[str, Any]:
    param = {"name": name, "in": "query", "required": False, "description": description, "schema": schema}
    if example is not None:
        param["example"] = example
    return param


PAGE_PARAMS = [
    query_param("page", "Page number, from 1", {"type": "integer", "minimum": 1, "maximum": 1_000_000}, 1),
    query_param("per_page", "Rows per page (1-500)", {"type": "integer", "minimum": 1, "maximum": 500}, 50),
]


def page_of(ref: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["items", "total", "page", "per_page"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": ref}},
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
        },
    }


COMPONENTS: dict[str, Any] = {
    "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "description": "an API token (gc_...)"}},
    "schemas": {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message", "fields"],
                    "properties": {
                        "code": {"type": "string", "example": "invalid"},
                        "message": {"type": "string", "example": "phone: phone 123 is not a valid number"},
                        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                    },
                }
            },
        },
    },
}


def legacy_document(modules) -> dict[str, Any]:
    """Merge the components and paths of the route modules not yet described by models (OpenAPI 3.0 dicts, made
    3.1: `nullable` becomes a type list)."""
    paths: dict[str, Any] = {}
    schemas = dict(COMPONENTS["schemas"])
    for module in modules:
        paths.update(module.PATHS)
        schemas.update(getattr(module, "SCHEMAS", {}))
    return _nullable_as_type_list(
        {
            "openapi": "3.0.3",
            "info": {
                "title": "Gridcast API",
                "version": "1",
                "description": "Grids, contacts and staff accounts. Every request needs `Authorization: Bearer <token>`; "
                "a token only sees the grid subtree of its user's scope.",
            },
            "servers": [{"url": "/"}],
            "security": [{"bearerAuth": []}],
            "paths": dict(sorted(paths.items())),
            "components": {"securitySchemes": COMPONENTS["securitySchemes"], "schemas": schemas},
        }
    )


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
