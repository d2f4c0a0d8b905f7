"""GET /api/v1/openapi.json: the OpenAPI document of this API (no token needed)."""

from __future__ import annotations

from flask import jsonify

from gateway.api import api, grids
from gateway.api.spec import build_document

DOCUMENTED_MODULES = [grids]


@api.get("/openapi.json")
def openapi_document():
    return jsonify(build_document(DOCUMENTED_MODULES))
