"""Builders for alert tests: staff in the demo county, a launched alert, an approved launch."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from campaigns.broadcasts.campaign_service import create_campaign
from campaigns.identity.access import Actor
from campaigns.models import Grid, OutboxMessage
from campaigns.runs.approvals import approve_campaign
from campaigns.runs.planning import launch_campaign
from tests.console_helpers import add_user
from tests.factories import NOW


def staff(session_factory, name: str, role: str = "coordinator", scope: str = "623025") -> Actor:
    user_id = add_user(session_factory, name, role, scope)
    with session_factory() as session:
        path = session.scalar(select(Grid.path).where(Grid.code == scope))
    return Actor(user_id=user_id, role=role, scope_path=path, username=name)


def alert_data(tree: dict[str, int], **overrides) -> dict:
    """A severe blizzard alert to 齐哈玛镇 in Chinese, Tibetan and English, valid for a day from NOW."""
    data = {
        "kind": "alert",
        "name": "暴雪预警",
        "event_type": "暴雪",
        "severity": "severe",
        "valid_from": NOW.isoformat(),
        "expires_at": (NOW + timedelta(days=1)).isoformat(),
        "audience": {"grid_ids": [tree["623025101"]]},
        "texts": {"zh": "暴雪预警：今晚有暴雪，请转移牲畜。", "bo": "ཁ་བ་ཆེན་པོ།", "en": "Blizzard tonight."},
        "fallback_language": "zh",
    }
    data.update(overrides)
    return data


def approved_launch(session_factory, author: Actor, approver: Actor, campaign_id: int, now=NOW):
    """Approve (as `approver`) and launch (as `author`) in two transactions; returns the planned run."""
    with session_factory.begin() as session:
        approve_campaign(session, approver, campaign_id, now)
    with session_factory.begin() as session:
        return launch_campaign(session, author, campaign_id, now, approval_threshold=10_000)


def launched_alert(session_factory, tree, author: Actor, approver: Actor, **overrides) -> dict:
    with session_factory.begin() as session:
        alert = create_campaign(session, author, alert_data(tree, **overrides), NOW)
    run = approved_launch(session_factory, author, approver, alert["id"])
    return {**alert, "run_id": run.run_id}


def rows_by_status(session, run_id: int) -> dict[str, int]:
    statuses = session.scalars(select(OutboxMessage.status).where(OutboxMessage.run_id == run_id))
    counts: dict[str, int] = {}
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    return counts
