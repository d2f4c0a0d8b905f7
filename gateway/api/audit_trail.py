"""The API's part of the audit log: every successful write made with a staff member's token is an entry, like the
console's actions, so admins see what was done through scripts too."""

from __future__ import annotations

from flask import g, request

from campaigns.identity.audit import record_action
from campaigns.models.base import utcnow
from gateway.web.session import db

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def audit_api_write(status: int) -> None:
    """Record a successful write by a token's user (`api.<operation>` on the request path), in the request's
    transaction; the entry belongs to the user's scope grid, so their scope's admins read it."""
    actor = g.get("actor")
    if request.method not in WRITE_METHODS or status >= 400 or actor is None or actor.user_id is None:
        return
    record_action(
        db(),
        actor,
        str(request.endpoint or "api"),
        utcnow(),
        grid_id=actor.scope_grid_id,
        target=request.path,
        detail={"method": request.method, "status": status},
    )
