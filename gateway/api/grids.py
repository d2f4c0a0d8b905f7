"""Grid routes: list, read, create, rename, move and delete grids."""

from __future__ import annotations

from flask import jsonify, request

from campaigns.common.errors import ValidationError
from campaigns.directory import grids as grid_service
from gateway.api import api
from gateway.api.context import ID, current_actor, int_arg, optional_int, page_args
from gateway.api.spec import (
    PAGE_PARAMS,
    error_responses,
    json_request,
    json_response,
    page_of,
    path_id,
    query_param,
)
from gateway.web.bodies import json_body
from gateway.web.session import db


@api.get("/grids")
def list_grids():
    page = grid_service.list_grids(
        db(),
        current_actor(),
        parent_id=int_arg("parent_id"),
        under_id=int_arg("under_id"),
        level=request.args.get("level"),
        q=request.args.get("q"),
        **page_args(),
    )
    return jsonify(page.as_dict())


@api.post("/grids")
def create_grid():
    body = json_body()
    grid = grid_service.create_grid(
        db(),
        current_actor(),
        code=body.get("code"),
        name=body.get("name"),
        level=body.get("level"),
        parent_id=optional_int(body, "parent_id"),
    )
    return jsonify(grid), 201


@api.get(f"/grids/<{ID}:grid_id>")
def get_grid(grid_id: int):
    return jsonify(grid_service.get_grid(db(), current_actor(), grid_id))


@api.patch(f"/grids/<{ID}:grid_id>")
def update_grid(grid_id: int):
    """Rename (`name`) and/or move (`parent_id`) a grid."""
    body = json_body()
    actor, session = current_actor(), db()
    result = None
    if "parent_id" in body:
        parent_id = optional_int(body, "parent_id")
        if parent_id is None:
            raise ValidationError("parent_id must be the id of the new parent grid", fields={"parent_id": "required"})
        result = grid_service.move_grid(session, actor, grid_id, parent_id)
    if "name" in body:
        result = grid_service.rename_grid(session, actor, grid_id, body["name"])
    if result is None:
        result = grid_service.get_grid(session, actor, grid_id)
    return jsonify(result)


@api.delete(f"/grids/<{ID}:grid_id>")
def delete_grid(grid_id: int):
    grid_service.delete_grid(db(), current_actor(), grid_id)
    return "", 204


GRID_EXAMPLE = {
    "id": 2,
    "code": "623025101",
    "name": "齐哈玛镇",
    "level": "township",
    "parent_id": 1,
    "path": "/1/2/",
    "depth": 1,
}

SCHEMAS = {
    "Grid": {
        "type": "object",
        "required": ["id", "code", "name", "level", "parent_id", "path", "depth"],
        "properties": {
            "id": {"type": "integer"},
            "code": {"type": "string"},
            "name": {"type": "string"},
            "level": {"type": "string", "example": "township"},
            "parent_id": {"type": "integer", "nullable": True},
            "path": {"type": "string"},
            "depth": {"type": "integer"},
        },
    },
    "GridDetail": {
        "allOf": [
            {"$ref": "#/components/schemas/Grid"},
            {
                "type": "object",
                "properties": {
                    "ancestors": {"type": "array", "items": {"type": "object"}},
                    "children_count": {"type": "integer"},
                    "contacts_in_subtree": {"type": "integer"},
                    "leaders": {"type": "array", "items": {"type": "object"}},
                },
            },
        ]
    },
    "GridCreate": {
        "type": "object",
        "required": ["code", "name", "level"],
        "properties": {
            "code": {"type": "string", "description": "unique code, e.g. an administrative code"},
            "name": {"type": "string"},
            "level": {"type": "string", "description": "county, township, village, group, unit (or 县, 乡镇, 村...)"},
            "parent_id": {"type": "integer", "nullable": True},
        },
    },
    "GridUpdate": {
        "type": "object",
        "properties": {
            "name": {"type": "string", "description": "new name"},
            "parent_id": {"type": "integer", "description": "move the grid and its subtree under this grid"},
        },
    },
}

_GRID = {"$ref": "#/components/schemas/Grid"}
_ID = path_id("grid_id", "the grid's id")

PATHS = {
    "/api/v1/grids": {
        "get": {
            "tags": ["grids"],
            "operationId": "listGrids",
            "summary": "List grids in your scope",
            "parameters": [
                query_param("parent_id", "only the children of this grid", {"type": "integer"}),
                query_param("under_id", "only this grid's subtree", {"type": "integer"}),
                query_param("level", "only this level", {"type": "string"}, "village"),
                query_param("q", "name or code contains", {"type": "string"}, "齐哈玛"),
                *PAGE_PARAMS,
            ],
            "responses": {
                "200": json_response(
                    "A page of grids",
                    page_of("#/components/schemas/Grid"),
                    {"items": [GRID_EXAMPLE], "total": 1, "page": 1, "per_page": 50},
                ),
                **error_responses(404, 422),
            },
        },
        "post": {
            "tags": ["grids"],
            "operationId": "createGrid",
            "summary": "Create a grid",
            "requestBody": json_request(
                {"$ref": "#/components/schemas/GridCreate"},
                {"code": "623025101201", "name": "秀玛村", "level": "village", "parent_id": 2},
            ),
            "responses": {
                "201": json_response("The new grid", _GRID, {**GRID_EXAMPLE, "id": 9, "path": "/1/2/9/", "depth": 2}),
                **error_responses(400, 403, 404, 409, 422),
            },
        },
    },
    "/api/v1/grids/{grid_id}": {
        "parameters": [_ID],
        "get": {
            "tags": ["grids"],
            "operationId": "getGrid",
            "summary": "One grid with its ancestors, leaders and counts",
            "responses": {
                "200": json_response(
                    "The grid",
                    {"$ref": "#/components/schemas/GridDetail"},
                    {
                        **GRID_EXAMPLE,
                        "ancestors": [{"id": 1, "code": "623025", "name": "玛曲县"}],
                        "children_count": 6,
                        "contacts_in_subtree": 812,
                        "leaders": [{"id": 31, "name": "才让", "phone": "+8613800000031"}],
                    },
                ),
                **error_responses(404),
            },
        },
        "patch": {
            "tags": ["grids"],
            "operationId": "updateGrid",
            "summary": "Rename a grid and/or move it (with its subtree and contacts) under another grid",
            "requestBody": json_request({"$ref": "#/components/schemas/GridUpdate"}, {"name": "齐哈玛镇（新）"}),
            "responses": {
                "200": json_response("The grid after the change", _GRID, GRID_EXAMPLE),
                **error_responses(400, 403, 404, 422),
            },
        },
        "delete": {
            "tags": ["grids"],
            "operationId": "deleteGrid",
            "summary": "Delete an empty grid (no child grids, contacts or staff scoped to it)",
            "responses": {"204": {"description": "Deleted"}, **error_responses(403, 404, 409)},
        },
    },
}
