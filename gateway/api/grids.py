"""Grid routes: list, read, create, rename, move and delete grids."""

from __future__ import annotations

from flask import jsonify

from campaigns.directory import grids as grid_service
from gateway.api import api
from gateway.api.context import ID, current_actor
from gateway.api.models.grids import Grid, GridCreate, GridDetail, GridPage, GridQuery, GridUpdate
from gateway.api.schema import context, responses, validated
from gateway.web.session import db

TAGS = ("grids",)


@api.get("/grids")
@validated(query=GridQuery, resp=responses((404, 422), HTTP_200=GridPage), tags=TAGS, operation_id="listGrids")
def list_grids():
    """List grids in your scope"""
    query: GridQuery = context().query
    page = grid_service.list_grids(db(), current_actor(), **query.model_dump())
    return jsonify(page.as_dict())


@api.post("/grids")
@validated(
    json=GridCreate, resp=responses((400, 403, 404, 409, 422), HTTP_201=Grid), tags=TAGS, operation_id="createGrid"
)
def create_grid():
    """Create a grid"""
    body: GridCreate = context().json
    return jsonify(grid_service.create_grid(db(), current_actor(), **body.model_dump())), 201


@api.get(f"/grids/<{ID}:grid_id>")
@validated(resp=responses((404,), HTTP_200=GridDetail), tags=TAGS, operation_id="getGrid")
def get_grid(grid_id: int):
    """One grid with its ancestors, leaders and counts"""
    return jsonify(grid_service.get_grid(db(), current_actor(), grid_id))


@api.patch(f"/grids/<{ID}:grid_id>")
@validated(json=GridUpdate, resp=responses((400, 403, 404, 422), HTTP_200=Grid), tags=TAGS, operation_id="updateGrid")
def update_grid(grid_id: int):
    """Rename a grid and/or move it (with its subtree and contacts) under another grid"""
    body: GridUpdate = context().json
    actor, session = current_actor(), db()
    result = None
    if "parent_id" in body.model_fields_set:
        result = grid_service.move_grid(session, actor, grid_id, body.parent_id)
    if "name" in body.model_fields_set:
        result = grid_service.rename_grid(session, actor, grid_id, body.name)
    if result is None:
        result = grid_service.get_grid(session, actor, grid_id)
    return jsonify(result)


@api.delete(f"/grids/<{ID}:grid_id>")
@validated(resp=responses((403, 404, 409), HTTP_204=None), tags=TAGS, operation_id="deleteGrid")
def delete_grid(grid_id: int):
    """Delete an empty grid (no child grids, contacts or staff scoped to it)"""
    grid_service.delete_grid(db(), current_actor(), grid_id)
    return "", 204
