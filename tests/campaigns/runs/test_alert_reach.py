"""An alert's reach on a fixed clock: per grid who was reached (delivered SMS, answered call, confirmation, by the
alert or its update), villages whose loudspeaker played it, the times from approval, the grids nobody reached and
the visit list sent to their liaison; and the alert's escalation across channels (SMS, then a call, then the
liaisons and grid leaders)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from campaigns.broadcasts.campaign_service import create_campaign
from campaigns.broadcasts.confirmation_policy import ALERT_CONFIRMATION
from campaigns.common.errors import Conflict, ValidationError
from campaigns.models import AuditEntry, Contact, OutboxMessage, Run, SpeakerPlay
from campaigns.runs.alert_reach import alert_reach
from campaigns.runs.alerts import cancel_alert, update_alert
from campaigns.runs.approvals import approve_campaign
from campaigns.runs.planning import launch_campaign
from campaigns.runs.visit_lists import send_visit_list
from campaigns.voice.call_flow import confirm_call
from campaigns.voice.call_status import CallRetryPolicy, apply_call_status
from tests.alert_helpers import alert_data
from tests.alert_reach_helpers import MINUTE, confirm, delivered, launch_alert, node, reach, reach_world, row_of
from tests.campaigns.replies.test_confirmation_tick import deliver, step
from tests.factories import NOW
from tests.speaker_helpers import add_speaker
from tests.voice_helpers import give_announcements, give_prompts


@pytest.fixture
def world(session_factory, tree):
    return reach_world(session_factory, tree)


def test_reach_per_grid_with_the_update_loudspeakers_times_and_the_grids_nobody_reached(session_factory, world):
    alert_id, run_id = launch_alert(session_factory, world)
    delivered(session_factory, world, ["户主甲"], run_id, NOW + 3 * MINUTE)
    delivered(session_factory, world, ["户主丙"], run_id, NOW + 4 * MINUTE)
    confirm(session_factory, world, "户主乙", run_id, NOW + 6 * MINUTE)  # sent, never a delivery report
    with session_factory.begin() as session:
        speaker, _ = add_speaker(session, "623025101201", now=NOW)
        session.add(SpeakerPlay(speaker_id=speaker["id"], run_id=run_id, played_at=NOW + 5 * MINUTE, times=2,
                                reported_at=NOW + 5 * MINUTE))  # fmt: skip
    with session_factory.begin() as session:
        update = update_alert(session, world["author"], alert_id, {"texts": {"zh": "暴雪加大，明天停课。"}}, NOW)
        approve_campaign(session, world["approver"], update["id"], NOW + 9 * MINUTE)
    with session_factory.begin() as session:
        update_run = launch_campaign(session, world["author"], update["id"], NOW + 10 * MINUTE,
                                     approval_threshold=10_000).run_id  # fmt: skip
    deliver(session_factory, NOW + 10 * MINUTE)
    delivered(session_factory, world, ["户主丁"], update_run, NOW + 12 * MINUTE)  # reached by the update

    body = reach(session_factory, world, alert_id, NOW + 15 * MINUTE)
    assert body["totals"] == {"people": 6, "sms_delivered": 3, "calls_answered": 0, "confirmed": 1, "reached": 4,
                              "villages_played": 1}  # fmt: skip
    assert [(member["id"], member["msg_type"]) for member in body["family"]] == [
        (alert_id, "alert"),
        (update["id"], "update"),
    ]
    times = body["times"]
    assert times["approved_at"] == NOW.isoformat() and times["first_message_at"] == (NOW + MINUTE).isoformat()
    assert times["to_first_message_seconds"] == 60 and times["to_first_loudspeaker_seconds"] == 300
    assert times["ninety_percent_at"] is None  # 4 of 6
    township = node(body["grids"], "623025101")
    assert township["counts"]["people"] == 6 and township["counts"]["reached"] == 4
    assert node(body["grids"], "623025101201")["counts"]["villages_played"] == 1
    assert node(body["grids"], "62302510120102")["counts"] | {"reached": 2, "people": 3} == node(
        body["grids"], "62302510120102")["counts"]  # fmt: skip
    assert node(body["grids"], "62302510120202")["nobody_reached"] is True
    assert node(body["grids"], "62302510120102")["nobody_reached"] is False
    assert [(grid["code"], [person["name"] for person in grid["people"]]) for grid in body["nobody_reached"]] == [
        ("62302510120202", ["户主己"])
    ]
    assert body["nobody_reached"][0]["people"][0]["phone"] == "+8613900000024"
    # the update's own dashboard shows the same family
    assert reach(session_factory, world, update["id"], NOW + 15 * MINUTE)["totals"]["reached"] == 4

    confirm(session_factory, world, "户主戊", update_run, NOW + 20 * MINUTE)
    confirm(session_factory, world, "户主己", run_id, NOW + 30 * MINUTE)
    later = reach(session_factory, world, alert_id, NOW + 31 * MINUTE)
    assert later["totals"]["reached"] == 6 and later["nobody_reached"] == []
    assert later["times"]["ninety_percent_at"] == (NOW + 30 * MINUTE).isoformat()
    assert later["times"]["to_ninety_percent_seconds"] == 30 * 60


def test_the_visit_list_goes_to_the_grids_liaison_by_sms_and_is_audited(session_factory, world):
    alert_id, run_id = launch_alert(session_factory, world, is_drill=True)
    delivered(session_factory, world, ["户主甲"], run_id, NOW + 3 * MINUTE)
    with session_factory.begin() as session:
        sent = send_visit_list(session, world["author"], alert_id, world["62302510120202"], NOW + 20 * MINUTE)
    assert sent["names"] == ["户主己"] and [person["name"] for person in sent["sent_to"]] == ["萨二联户长"]
    assert sent["sent_to"][0]["phone"] == "+86139****0030"
    with session_factory() as session:
        run = session.get(Run, sent["run_id"])
        [row] = session.scalars(select(OutboxMessage).where(OutboxMessage.run_id == run.id)).all()
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "alert.visit_list")).one()
    assert (run.kind, run.parent_run_id, run.campaign_id) == ("escalation", None, alert_id)
    assert row.status == "queued" and row.to == "+8613900000030" and row.channel == "sms"
    assert row.body == "【演练】萨二联户长：暴雪预警「暴雪预警」在萨合塘村二组无人收到（1人），请上门告知：户主己"
    assert entry.username == "author" and entry.detail["names"] == 1 and "+8613900000030" not in str(entry.detail)
    with session_factory.begin() as session:  # asked twice: a second list
        again = send_visit_list(session, world["author"], alert_id, world["62302510120202"], NOW + 21 * MINUTE)
    assert again["run_id"] != sent["run_id"]
    with session_factory.begin() as session, pytest.raises(Conflict, match="reached someone"):
        send_visit_list(session, world["author"], alert_id, world["6230251012010101"], NOW + 22 * MINUTE)
    body = reach(session_factory, world, alert_id, NOW + 22 * MINUTE)
    assert body["is_drill"] is True and body["totals"]["people"] == 6  # the visit lists count for nobody


def test_without_a_liaison_the_grid_leader_gets_the_list_and_routine_campaigns_have_no_dashboard(
    session_factory, world
):
    with session_factory.begin() as session:
        session.get(Contact, world["萨二联户长"]).role = "household_head"
        session.get(Contact, world["萨二联户长"]).channels = ["voice"]  # not in the alert's SMS audience either
    alert_id, _ = launch_alert(session_factory, world)
    with session_factory.begin() as session:
        sent = send_visit_list(session, world["author"], alert_id, world["62302510120202"], NOW + 20 * MINUTE)
    assert [person["name"] for person in sent["sent_to"]] == ["萨二组长"]
    with session_factory.begin() as session:
        routine_data = {"name": "x", "audience": {"grid_ids": [world["623025101"]]}, "texts": {"zh": "x"}}
        routine = create_campaign(session, world["author"], routine_data, NOW)
    with session_factory() as session, pytest.raises(ValidationError, match="for alerts"):
        alert_reach(session, world["author"], routine["id"], NOW)


def test_an_alert_escalates_from_sms_to_a_call_then_to_liaisons_and_grid_leaders(session_factory, world):
    with session_factory.begin() as session:
        give_prompts(session, ["zh"])
    data = alert_data(world, audience={"grid_ids": [world["623025101"]], "roles": ["household_head"]},
                      texts={"zh": "暴雪预警：今晚有暴雪。收到请回复1。"})  # fmt: skip
    with session_factory.begin() as session:
        alert = create_campaign(session, world["author"], data, NOW)
        give_announcements(session, alert["id"], ["zh"])
        approve_campaign(session, world["approver"], alert["id"], NOW)
    assert alert["expects_reply"] is True and alert["confirmation"]["reminder_channel"] == "voice"
    assert alert["confirmation"]["escalate_to"] == ALERT_CONFIRMATION["escalate_to"]
    with session_factory.begin() as session:
        run_id = launch_campaign(session, world["author"], alert["id"], NOW, approval_threshold=10_000).run_id
    deliver(session_factory, NOW)
    confirm(session_factory, world, "户主乙", run_id, NOW + 5 * MINUTE)
    confirm(session_factory, world, "户主己", run_id, NOW + 6 * MINUTE)
    assert step(session_factory, NOW + 14 * MINUTE) == {}
    assert set(step(session_factory, NOW + 15 * MINUTE)) == {"户主甲", "户主丙", "户主丁", "户主戊"}
    with session_factory() as session:
        [reminder] = session.scalars(select(Run).where(Run.kind == "reminder")).all()
        channels = dict(
            session.execute(
                select(Contact.name, OutboxMessage.channel)
                .join(Contact, Contact.id == OutboxMessage.contact_id)
                .where(OutboxMessage.run_id == reminder.id)
            ).all()
        )
        call_of_bing = row_of(session, world, "户主丙", reminder.id, "voice")
    assert channels == {"户主甲": "voice", "户主丙": "voice", "户主丁": "voice", "户主戊": "sms"}  # 戊: SMS only
    assert reminder.parent_run_id == run_id and call_of_bing.language == "zh"
    with session_factory.begin() as session:  # 丙 answers the call and presses 1; 丁 answers without a key
        assert confirm_call(session, call_of_bing.id, NOW + 17 * MINUTE) is True
        call_of_ding = row_of(session, world, "户主丁", reminder.id, "voice")
        assert apply_call_status(session, call_of_ding.id, call_of_ding.attempts, "in-progress", call_sid=None,
                                 now=NOW + 18 * MINUTE, retry=CallRetryPolicy())  # fmt: skip
    assert step(session_factory, NOW + 44 * MINUTE) == {}
    assert step(session_factory, NOW + 45 * MINUTE) == {
        "一组联户长": "一组联户长：「暴雪预警」在一组第一联户还有1人未确认收到：户主甲。请联系督促。",
        "一组长": "一组长：「暴雪预警」在秀玛村一组还有1人未确认收到：户主甲。请联系督促。",
        "二组长": "二组长：「暴雪预警」在秀玛村二组还有2人未确认收到：户主丁、户主戊。请联系督促。",
    }
    for now in (NOW + 2 * 60 * MINUTE, NOW + 24 * 60 * MINUTE):
        assert step(session_factory, now) == {}  # no escalation one level up in the default
    body = reach(session_factory, world, alert["id"], NOW + 2 * 60 * MINUTE)
    assert body["totals"]["confirmed"] == 3 and body["totals"]["calls_answered"] == 1  # 丁's call (丙's: no status)
    assert body["totals"]["reached"] == 4  # 乙, 己 and 丙 confirmed, 丁 answered


def test_an_alert_keeps_the_policy_staff_set_and_the_all_clear_chases_nobody(session_factory, world):
    policy = {"remind_after_minutes": 5, "max_reminders": 2, "reminder_channel": "sms", "escalate_after_minutes": 10}
    with session_factory.begin() as session:
        alert = create_campaign(session, world["author"], alert_data(world, confirmation=policy), NOW)
        silent = create_campaign(session, world["author"], alert_data(world, confirmation=None), NOW)
    assert alert["confirmation"]["max_reminders"] == 2 and alert["confirmation"]["escalate_to"] == ["grid_leader"]
    assert silent["confirmation"] is None and silent["expects_reply"] is True
    alert_id, _ = launch_alert(session_factory, world)
    with session_factory.begin() as session:
        all_clear = cancel_alert(session, world["author"], alert_id, True, None, NOW + 30 * MINUTE)
    assert all_clear["confirmation"] is None and all_clear["expects_reply"] is False
