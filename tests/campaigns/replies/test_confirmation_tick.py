"""Confirmations on a fixed clock: non-confirmers are reminded with their own message, then their grid's leaders
get the list of names, then the leaders one level up; a confirmation of a reminder counts for its run."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from campaigns.broadcasts.campaign_service import create_campaign, update_campaign
from campaigns.common.errors import ValidationError
from campaigns.delivery.dispatch import due_batches
from campaigns.delivery.sending import SendPolicy, send_batch
from campaigns.identity.access import Actor
from campaigns.models import Confirmation, Contact, OutboxMessage, Run
from campaigns.replies.confirmation_tick import confirmation_work_due
from campaigns.runs.planning import launch_campaign
from tests.factories import add_contact
from tests.fakes import NoLimit, ScriptedChannel
from tests.report_factories import build_report_world, local

POLICY = {"remind_after_minutes": 60, "max_reminders": 2, "reminder_channel": "sms", "escalate_after_minutes": 120,
          "escalate_up_after_minutes": 240}  # fmt: skip
HOUSEHOLDS = [("户主乙", "62302510120201"), ("户主丙", "62302510120102"), ("户主丁", "62302510120102"),
              ("户主戊", "62302510120102")]  # fmt: skip


@pytest.fixture
def world(session_factory, tree):
    with session_factory.begin() as session:
        world = build_report_world(session, tree)
        for number, (name, code) in enumerate(HOUSEHOLDS, start=20):
            world[name] = add_contact(session, world[code], f"+86139000000{number}", name).id
    return world


def launch(session_factory, world, at, **overrides) -> int:
    data = {"name": "接种通知", "audience": {"grid_ids": [world["623025101"]], "roles": ["household_head"]},
            "texts": {"zh": "{name}，明天9:00接种，收到请回复1。"}, "expects_reply": True, "confirmation": POLICY,
            "send_window": {"start": "08:00", "end": "21:00"}, **overrides}  # fmt: skip
    with session_factory.begin() as session:
        campaign = create_campaign(session, Actor.system(), data)
        run_id = launch_campaign(session, Actor.system(), campaign["id"], at).run_id
    deliver(session_factory, at)
    return run_id


def deliver(session_factory, now) -> None:
    with session_factory() as session:
        batches = due_batches(session, now, 500)
    for batch in batches:
        send_batch(session_factory, ScriptedChannel(), NoLimit(), SendPolicy(), lambda: now, batch.run_id,
                   batch.first_id, batch.last_id)  # fmt: skip


def confirm(session_factory, world, name, run_id, at) -> None:
    with session_factory.begin() as session:
        session.add(Confirmation(run_id=run_id, contact_id=world[name], channel="sms", confirmed_at=at))


def step(session_factory, now) -> dict[str, str]:
    """Run the confirmation tick at `now`, send what it made; the new messages as {recipient name: body}."""
    with session_factory.begin() as session:
        run_ids = confirmation_work_due(session, now)
    deliver(session_factory, now)
    with session_factory() as session:
        rows = session.execute(
            select(Contact.name, OutboxMessage.body)
            .join(Contact, Contact.id == OutboxMessage.contact_id)
            .where(OutboxMessage.run_id.in_(run_ids))
        ).all()
    return dict(rows)


def test_reminders_then_escalation_to_leaders_then_one_level_up(session_factory, world):
    run_id = launch(session_factory, world, local(9))
    confirm(session_factory, world, "户主乙", run_id, local(9, 30))
    assert step(session_factory, local(9, 59)) == {}
    first = step(session_factory, local(10))
    assert first == {name: f"{name}，明天9:00接种，收到请回复1。" for name in ("户主甲", "户主丙", "户主丁", "户主戊")}
    with session_factory() as session:
        [reminder] = session.scalars(select(Run).where(Run.kind == "reminder")).all()
    assert reminder.parent_run_id == run_id
    confirm(session_factory, world, "户主戊", reminder.id, local(10, 30))  # a reply to the reminder counts
    assert step(session_factory, local(10, 59)) == {}
    assert set(step(session_factory, local(11))) == {"户主甲", "户主丙", "户主丁"}
    assert step(session_factory, local(12, 59)) == {}
    assert step(session_factory, local(13)) == {
        "一组长": "一组长：「接种通知」在秀玛村一组还有1人未确认收到：户主甲。请联系督促。",
        "二组长": "二组长：「接种通知」在秀玛村二组还有2人未确认收到：户主丙、户主丁。请联系督促。",
    }
    confirm(session_factory, world, "户主丁", run_id, local(14))
    assert step(session_factory, local(16, 59)) == {}
    assert step(session_factory, local(17)) == {
        "秀玛村长": "秀玛村长：「接种通知」在秀玛村还有2人未确认收到：户主甲、户主丙。请联系督促。"
    }
    for now in (local(17, 1), local(20), local(9, days=1)):
        assert step(session_factory, now) == {}
    with session_factory() as session:
        kinds = session.execute(select(Run.kind, Run.parent_run_id).order_by(Run.id)).all()
    steps = [(kind, run_id) for kind in ("reminder", "reminder", "escalation", "escalation")]
    assert kinds == [("regular", None), *steps]


def test_steps_wait_for_the_send_window(session_factory, world):
    run_id = launch(session_factory, world, local(20, 30))
    assert step(session_factory, local(21, 30)) == {}  # due at 21:30, but the window closed at 21:00
    assert len(step(session_factory, local(8, 0, days=1))) == 5
    assert step(session_factory, local(8, 59, days=1)) == {}  # the next reminder: an hour after this one
    assert len(step(session_factory, local(9, 0, days=1))) == 5
    with session_factory() as session:
        assert {run.parent_run_id for run in session.scalars(select(Run).where(Run.kind == "reminder"))} == {run_id}


def test_everyone_confirmed_means_nothing_more(session_factory, world):
    run_id = launch(session_factory, world, local(9))
    for name in ("户主甲", "户主乙", "户主丙", "户主丁", "户主戊"):
        confirm(session_factory, world, name, run_id, local(9, 10))
    for now in (local(10), local(11), local(13), local(17)):
        assert step(session_factory, now) == {}


def test_no_policy_no_follow_up(session_factory, world):
    launch(session_factory, world, local(9), confirmation=None)
    assert step(session_factory, local(12)) == {}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"expects_reply": False}, "expects_reply"),
        ({"confirmation": {**POLICY, "max_reminders": 9}}, "confirmation.max_reminders"),
        ({"confirmation": {**POLICY, "remind_after_minutes": 0}}, "confirmation.remind_after_minutes"),
        ({"confirmation": {**POLICY, "reminder_channel": "fax"}}, "confirmation.reminder_channel"),
        ({"confirmation": {**POLICY, "escalate_to": ["household_head"]}}, "confirmation.escalate_to"),
        ({"confirmation": {"escalate_up_after_minutes": 30}}, "confirmation.escalate_after_minutes"),
        ({"confirmation": {"remind": 5}}, "confirmation"),
        ({"confirmation": {"escalation_texts": {"zh": "{who}"}}}, "confirmation.escalation_texts.zh"),
    ],
)
def test_confirmation_policy_is_validated(session, world, changes, field):
    data = {"name": "x", "audience": {"grid_ids": [world["623025101"]]}, "texts": {"zh": "x"}, "expects_reply": True,
            "confirmation": POLICY, **changes}  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        create_campaign(session, Actor.system(), data)
    assert field in caught.value.fields


def test_confirmation_is_an_editable_field(session, world):
    data = {"name": "x", "audience": {"grid_ids": [world["623025101"]]}, "texts": {"zh": "x"}}
    campaign = create_campaign(session, Actor.system(), data)
    assert campaign["confirmation"] is None
    changes = {"expects_reply": True, "confirmation": {"max_reminders": 1}}
    changed = update_campaign(session, Actor.system(), campaign["id"], changes)
    assert changed["confirmation"] == {"remind_after_minutes": 60, "max_reminders": 1, "reminder_channel": "sms",
                                       "escalate_after_minutes": None, "escalate_up_after_minutes": None,
                                       "escalate_to": ["grid_leader"], "escalation_texts": None}  # fmt: skip
