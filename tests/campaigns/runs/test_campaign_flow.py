"""A campaign from draft to delivered: audience, preview, launch, planning and sending, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from campaigns.broadcasts.campaign_service import create_campaign
from campaigns.channels.base import SendResult
from campaigns.common.errors import NotFound, ValidationError
from campaigns.delivery.dispatch import due_batches, finish_runs
from campaigns.delivery.sending import SendPolicy, send_batch
from campaigns.identity.access import Actor
from campaigns.models import Contact, Grid, OutboxMessage, Run, SimulatedSms
from campaigns.runs.planning import launch_campaign
from campaigns.runs.preview import Pricing, preview_campaign
from campaigns.simulator.channel import SimulatorChannel
from tests.factories import NOW, make_campaign
from tests.fakes import NoLimit, ScriptedChannel

PRICING = Pricing(price_per_segment=0.05, currency="CNY", rate_per_second=10)


def test_preview_counts_languages_fallback_and_unreachable(session, people):
    campaign = make_campaign(session, people)
    whole = preview_campaign(session, Actor.system(), campaign["id"], PRICING)
    preview = whole["sms"]
    by_language = {row["language"]: row for row in preview["by_language"]}
    assert preview["recipients"] == 3  # 才让, 王芳, Tom (fallback); 扎西 is voice-only, 拉毛 opted out, 多杰 elsewhere
    assert by_language["zh"]["recipients"] == 2 and by_language["bo"]["recipients"] == 1
    assert by_language["zh"]["encoding"] == "UCS-2"
    assert preview["fallback_recipients"] == 1
    assert preview["without_reachable_channel"] == 1
    assert preview["segments_total"] == 3
    assert preview["estimated_cost"] == pytest.approx(0.15)
    assert whole["blocking"] == [] and whole["people"] == 3 and whole["voice"] is None
    [township] = whole["by_grid"]
    assert township["recipients"] == 3
    assert {child["name"]: child["recipients"] for child in township["children"]} == {"秀玛村": 2, "萨合塘村": 1}


def test_preview_blocks_languages_without_text(session, people):
    campaign = make_campaign(session, people, fallback_language=None)
    preview = preview_campaign(session, Actor.system(), campaign["id"], PRICING)
    assert preview["sms"]["without_text"] == {"en": 1}
    assert "en" in preview["blocking"][0]


def test_template_with_unknown_placeholder_is_refused(session, people):
    with pytest.raises(ValidationError, match="unknown placeholder"):
        make_campaign(session, people, texts={"zh": "你好 {nmae}"})


def test_coordinator_cannot_target_another_township(session, people):
    path = session.get(Grid, people["623025102"]).path
    coordinator = Actor(user_id=None, role="coordinator", scope_path=path)
    audience = {"name": "x", "texts": {"zh": "x"}}
    with pytest.raises(NotFound) as out_of_scope:
        create_campaign(session, coordinator, {**audience, "audience": {"grid_ids": [people["623025101"]]}})
    with pytest.raises(NotFound) as missing:
        create_campaign(session, coordinator, {**audience, "audience": {"grid_ids": [99999]}})
    assert out_of_scope.value.message == missing.value.message.replace("99999", str(people["623025101"]))


def test_launch_plans_one_row_per_reachable_contact_and_sends(session_factory, people):
    with session_factory.begin() as session:
        campaign = make_campaign(session, people)
        planned = launch_campaign(session, Actor.system(), campaign["id"], NOW)
    assert planned.planned == 3
    with session_factory.begin() as session:
        bodies = dict(session.execute(select(OutboxMessage.to, OutboxMessage.body)).all())
        batches = due_batches(session, NOW, 500)
    assert bodies["+8613800000002"] == "王芳，明天9:00在乡卫生院接种疫苗。"
    assert bodies["+8613800000003"].startswith("Tom，")
    assert len(batches) == 1
    channel = SimulatorChannel(session_factory, lambda: NOW)
    batch = batches[0]
    report = send_batch(session_factory, channel, NoLimit(), SendPolicy(), lambda: NOW, *_args(batch))
    assert report.accepted == 3
    with session_factory.begin() as session:
        statuses = session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
        assert dict(statuses) == {"delivered": 3}
        assert session.scalar(select(func.count()).select_from(SimulatedSms)) == 3
        assert finish_runs(session, NOW) == [planned.run_id]
    again = send_batch(session_factory, channel, NoLimit(), SendPolicy(), lambda: NOW, *_args(batch))
    assert again.claimed == 0


def _args(batch):
    return batch.run_id, batch.first_id, batch.last_id


def test_send_window_defers_until_it_opens(session_factory, people):
    night = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # 22:00 local
    with session_factory.begin() as session:
        campaign = make_campaign(session, people, send_window={"start": "08:00", "end": "21:00"})
        launch_campaign(session, Actor.system(), campaign["id"], night)
        assert due_batches(session, night, 500) == []
        opens = session.scalar(select(func.min(OutboxMessage.next_attempt_at)))
    assert opens == datetime(2026, 11, 24, 0, 0, tzinfo=UTC)


def test_twilio_outcomes_retry_fail_opt_out_and_flag(session_factory, people):
    answers = {
        "+8613800000001": [SendResult("retry", error_code="30003", error_message="unreachable")],
        "+8613800000002": [SendResult("failed", error_code="21610", error_message="STOP", recipient_opted_out=True)],
        "+8613800000003": [SendResult("failed", error_code="21211", error_message="invalid", bad_number=True)],
    }
    channel = ScriptedChannel(answers)
    with session_factory.begin() as session:
        planned = launch_campaign(session, Actor.system(), make_campaign(session, people)["id"], NOW)
        batch = due_batches(session, NOW, 500)[0]
    report = send_batch(session_factory, channel, NoLimit(), SendPolicy(), lambda: NOW, *_args(batch))
    assert (report.accepted, report.retried, report.failed) == (0, 1, 2)
    with session_factory.begin() as session:
        rows = {row.to: row for row in session.scalars(select(OutboxMessage))}
        assert rows["+8613800000001"].status == "queued"
        assert rows["+8613800000001"].next_attempt_at == NOW + timedelta(seconds=30)
        assert rows["+8613800000002"].status == "failed"
        contacts = {c.phone: c for c in session.scalars(select(Contact))}
        assert contacts["+8613800000002"].opted_out_via == "carrier_stop"
        assert contacts["+8613800000003"].phone_problem.startswith("21211")
        assert session.get(Run, planned.run_id).status == "sending"
    later = NOW + timedelta(seconds=31)
    retry = send_batch(session_factory, channel, NoLimit(), SendPolicy(), lambda: later, *_args(batch))
    assert retry.accepted == 1
