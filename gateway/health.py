"""GET /healthz: is the database reachable, is Redis reachable."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from gateway.runtime import current_runtime

health = Blueprint("health", __name__)


@health.get("/healthz")
def healthz():
    """200 with {"database": "ok", "redis": "ok"} when both answer; 503 naming what failed otherwise."""
    checks = {"database": _check_database(), "redis": _check_redis()}
    healthy = all(value == "ok" for value in checks.values())
    return jsonify({"status": "ok" if healthy else "degraded", **checks}), 200 if healthy else 503


def _check_database() -> str:
    try:
        with current_runtime().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


def _check_redis() -> str:
    try:
        current_runtime().redis().ping()
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok"
