"""The auto-replies that went out (or are going out), for the inbox: automatic runs are shown there, never among
campaigns."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.common.pagination import Page, paginate
from campaigns.identity.access import Actor, scope_condition
from campaigns.models import Grid, OutboxMessage, Run
from campaigns.replies.auto_replies import AUTO_REPLY


def sent_reply_to_dict(row: OutboxMessage) -> dict[str, Any]:
    return {
        "id": row.id,
        "run_id": row.run_id,
        "to": row.to,
        "contact_id": row.contact_id,
        "grid_id": row.grid_id or None,
        "language": row.language,
        "body": row.body,
        "status": row.status,
        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
    }


def list_sent_auto_replies(session: Session, actor: Actor, *, page: int = 1, per_page: int = 50) -> Page:
    """Auto-replies to senders in the caller's scope, newest first, with their sending status; replies to
    unknown senders (no grid) only for staff without a scope."""
    query = select(OutboxMessage).join(Run, Run.id == OutboxMessage.run_id).where(Run.kind == AUTO_REPLY)
    if actor.scope_path is not None:
        query = query.join(Grid, Grid.id == OutboxMessage.grid_id).where(scope_condition(actor, Grid.path))
    return paginate(session, query.order_by(OutboxMessage.id.desc()), page, per_page, sent_reply_to_dict)
