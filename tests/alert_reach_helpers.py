"""Builders for alert reach tests: a world of household heads with their liaisons and leaders, an approved and
launched alert, delivery reports and confirmations on a fixed clock."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from campaigns.broadcasts.campaign_service import create_campaign
from campaigns.delivery.status_updates import apply_status
from campaigns.models import Confirmation, OutboxMessage
from campaigns.runs.alert_reach import alert_reach
from campaigns.runs.approvals import approve_campaign
from campaigns.runs.planning import launch_campaign
from tests.alert_helpers import alert_data, staff
from tests.campaigns.replies.test_confirmation_tick import deliver
from tests.factories import NOW, add_contact
from tests.report_factories import build_report_world

MINUTE = timedelta(minutes=1)
HOUSEHOLDS = [("户主乙", "62302510120201", ["sms", "voice"]), ("户主丙", "62302510120102", ["sms", "voice"]),
              ("户主丁", "62302510120102", ["sms", "voice"]), ("户主戊", "62302510120102", ["sms"]),
              ("户主己", "62302510120202", ["sms", "voice"])]  # fmt: skip


def reach_world(session_factory, tree) -> dict:
    """The report world's grids and leaders, six household heads (户主己 alone in 萨合塘村二组, with its liaison
    萨二联户长), and two coordinators of the county: "author" and "approver"."""
    with session_factory.begin() as session:
        world = build_report_world(session, tree)
        for number, (name, code, channels) in enumerate(HOUSEHOLDS, start=20):
            world[name] = add_contact(session, world[code], f"+86139000000{number}", name, channels=channels).id
        world["萨二联户长"] = add_contact(session, world["62302510120202"], "+8613900000030", "萨二联户长",
                                     role="liaison").id  # fmt: skip
    world["author"], world["approver"] = staff(session_factory, "author"), staff(session_factory, "approver")
    return world


def launch_alert(session_factory, world, at=NOW, **overrides) -> tuple[int, int]:
    """Create (author), approve (approver) at `at`, launch a minute later; (campaign id, run id)."""
    chosen = {"audience": {"grid_ids": [world["623025101"]], "roles": ["household_head"]},
              "texts": {"zh": "暴雪预警：今晚有暴雪，请转移牲畜。收到请回复1。"}, **overrides}  # fmt: skip
    data = alert_data(world, **chosen)
    with session_factory.begin() as session:
        alert = create_campaign(session, world["author"], data, at)
        approve_campaign(session, world["approver"], alert["id"], at)
    with session_factory.begin() as session:
        run_id = launch_campaign(session, world["author"], alert["id"], at + MINUTE, approval_threshold=10_000).run_id
    deliver(session_factory, at + MINUTE)
    return alert["id"], run_id


def row_of(session, world, name, run_id, channel="sms") -> OutboxMessage:
    return session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.run_id == run_id, OutboxMessage.contact_id == world[name], OutboxMessage.channel == channel
        )
    ).one()


def delivered(session_factory, world, names, run_id, at) -> None:
    with session_factory.begin() as session:
        for name in names:
            row = row_of(session, world, name, run_id)
            apply_status(session, row.id, "delivered", provider_sid=None, error_code=None, now=at)


def confirm(session_factory, world, name, run_id, at) -> None:
    with session_factory.begin() as session:
        session.add(Confirmation(run_id=run_id, contact_id=world[name], channel="sms", confirmed_at=at))


def node(tree, code):
    for item in tree:
        if item["code"] == code:
            return item
        found = node(item["children"], code)
        if found:
            return found
    return None


def reach(session_factory, world, campaign_id, now) -> dict:
    with session_factory() as session:
        return alert_reach(session, world["author"], campaign_id, now)
