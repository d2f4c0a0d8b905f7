"""Processing received SMS: confirmations, opt-out and opt-in, help, daily reports, unknown senders, auto-replies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from campaigns.identity.access import Actor
from campaigns.models import (
    Confirmation,
    Contact,
    DailyReport,
    InboundMessage,
    OutboxMessage,
    Run,
    SimulatedSms,
)
from campaigns.replies.auto_replies import DEFAULT_REPLIES, set_auto_reply
from campaigns.replies.inbound import receive_sms
from campaigns.replies.inbox import link_message
from campaigns.replies.keywords import add_keyword
from campaigns.replies.processing import process_inbound, unprocessed_inbound
from campaigns.runs.planning import launch_campaign
from tests.factories import NOW, add_contact, make_campaign
from tests.reply_helpers import add_duty, receive, replies_to, send_campaign, send_run

CIRANG, WANGFANG, TOM, DORJE = "+8613800000001", "+8613800000002", "+8613800000003", "+8613800000006"
STRANGER = "+8613900000077"
LATER = NOW + timedelta(minutes=5)


def confirmations(session_factory) -> list[tuple[int, int]]:
    with session_factory() as session:
        return [tuple(row) for row in session.execute(select(Confirmation.run_id, Confirmation.contact_id))]


def contact(session_factory, phone: str) -> Contact:
    with session_factory() as session:
        return session.scalar(select(Contact).where(Contact.phone == phone))


def test_received_confirms_the_run_that_awaits_a_reply(session_factory, people):
    awaiting = send_campaign(session_factory, people, expects_reply=True)
    send_campaign(session_factory, people, at=NOW + timedelta(minutes=1), name="不需回复的通知")  # newer, no reply
    summary = receive(session_factory, WANGFANG, "收到")
    cirang = receive(session_factory, CIRANG, "ལགས།")
    assert (summary["intent"], summary["confirmed_run_id"]) == ("confirm", awaiting)
    assert cirang["confirmed_run_id"] == awaiting
    ids = {contact(session_factory, phone).id for phone in (WANGFANG, CIRANG)}
    assert sorted(confirmations(session_factory)) == sorted((awaiting, contact_id) for contact_id in ids)
    with session_factory() as session:
        message = session.get(InboundMessage, summary["inbound_id"])
        assert (message.run_id, message.reviewed_at is not None, message.note) == (
            awaiting,
            True,
            f"confirmed run {awaiting}",
        )


def test_a_second_confirmation_changes_nothing(session_factory, people):
    run_id = send_campaign(session_factory, people, expects_reply=True)
    receive(session_factory, WANGFANG, "1")
    again = receive(session_factory, WANGFANG, "好的", NOW + timedelta(minutes=9))
    assert again["confirmed_run_id"] == run_id
    assert len(confirmations(session_factory)) == 1


@pytest.mark.parametrize(("phone", "text"), [(WANGFANG, "１"), (CIRANG, "༡"), (TOM, "OK!")])
def test_full_width_tibetan_and_english_confirmations(session_factory, people, phone, text):
    run_id = send_campaign(
        session_factory, people, expects_reply=True, texts={"zh": "开会", "bo": "开会", "en": "Meeting"}
    )
    assert receive(session_factory, phone, text)["confirmed_run_id"] == run_id


def test_confirmation_without_an_awaiting_run_is_kept_for_review(session_factory, people):
    send_campaign(session_factory, people, expects_reply=True)
    summary = receive(session_factory, DORJE, "1")  # 多杰 of 欧拉镇 got no message
    late = receive(session_factory, WANGFANG, "1", NOW + timedelta(days=8))  # outside the 7-day window
    assert summary["intent"] == late["intent"] == "confirm"
    assert summary["confirmed_run_id"] is None and late["confirmed_run_id"] is None
    assert confirmations(session_factory) == []
    with session_factory() as session:
        message = session.get(InboundMessage, summary["inbound_id"])
        assert message.reviewed_at is None and message.note == "no run awaits a reply from this contact"


def test_reply_to_a_reminder_confirms_the_reminded_run(session_factory, people):
    run_id = send_campaign(session_factory, people, expects_reply=True)
    with session_factory.begin() as session:
        parent = session.get(Run, run_id)
        reminder = Run(campaign_id=parent.campaign_id, occurrence_at=NOW + timedelta(hours=1), kind="reminder",
                       parent_run_id=run_id, status="done")  # fmt: skip
        session.add(reminder)
        session.flush()
        row = session.scalar(select(OutboxMessage).where(OutboxMessage.run_id == run_id, OutboxMessage.to == WANGFANG))
        session.add(OutboxMessage(run_id=reminder.id, contact_id=row.contact_id, grid_id=row.grid_id, channel="sms",
                                  to=WANGFANG, language="zh", body="请回复1", status="delivered",
                                  next_attempt_at=NOW))  # fmt: skip
    summary = receive(session_factory, WANGFANG, "收到", NOW + timedelta(hours=2))
    assert summary["confirmed_run_id"] == run_id


@pytest.mark.parametrize("word", ["STOP", "退订", "TD", "td。"])
def test_stop_opts_out_at_once_and_queued_sends_skip_the_contact(session_factory, people, word):
    with session_factory.begin() as session:
        campaign = make_campaign(session, people)
        planned = launch_campaign(session, Actor.system(), campaign["id"], NOW + timedelta(minutes=10))
    summary = receive(session_factory, WANGFANG, word)
    stored = contact(session_factory, WANGFANG)
    assert summary["intent"] == "opt_out" and summary["opted_out"]
    assert (stored.opted_out_at, stored.opted_out_via) == (LATER, "sms_stop")
    send_run(session_factory, planned.run_id, NOW + timedelta(minutes=10))
    with session_factory() as session:
        row = session.scalar(
            select(OutboxMessage).where(OutboxMessage.run_id == planned.run_id, OutboxMessage.to == WANGFANG)
        )
        assert (row.status, row.error_code) == ("skipped", "opted_out")
        fresh = make_campaign(session, people, name="新通知")
        session.commit()
        later = launch_campaign(session, Actor.system(), fresh["id"], NOW + timedelta(hours=1))
        session.commit()
        phones = set(session.scalars(select(OutboxMessage.to).where(OutboxMessage.run_id == later.run_id)))
    assert WANGFANG not in phones and CIRANG in phones


def test_opt_out_gets_one_confirmation_that_the_sender_delivers(session_factory, people):
    summary = receive(session_factory, WANGFANG, "退订")
    receive(session_factory, WANGFANG, "退订", LATER + timedelta(minutes=1))
    receive(session_factory, WANGFANG, "1", LATER + timedelta(minutes=2))
    [reply] = replies_to(session_factory, WANGFANG)
    assert reply.body == DEFAULT_REPLIES["zh"]["opt_out"] and reply.contact_id is None
    send_run(session_factory, summary["reply_run_id"], LATER)
    with session_factory() as session:
        got = session.scalars(select(SimulatedSms.body).where(SimulatedSms.phone == WANGFANG)).all()
    assert got == [DEFAULT_REPLIES["zh"]["opt_out"]]


def test_start_opts_back_in(session_factory, people):
    receive(session_factory, WANGFANG, "STOP")
    summary = receive(session_factory, WANGFANG, "START", LATER + timedelta(minutes=1))
    assert summary["opted_in"] and contact(session_factory, WANGFANG).opted_out_at is None
    assert [reply.body for reply in replies_to(session_factory, WANGFANG)][-1] == DEFAULT_REPLIES["zh"]["opt_in"]


@pytest.mark.parametrize(
    ("phone", "text", "language"), [(TOM, "HELP", "en"), (CIRANG, "？", "bo"), (WANGFANG, "帮助", "zh")]
)
def test_help_is_answered_in_the_contact_language(session_factory, people, phone, text, language):
    summary = receive(session_factory, phone, text)
    [reply] = replies_to(session_factory, phone)
    assert summary["intent"] == "help"
    assert (reply.body, reply.language) == (DEFAULT_REPLIES[language]["help"], language)


def test_each_reply_goes_out_through_the_outbox(session_factory, people):
    run_id = send_campaign(session_factory, people, expects_reply=True)
    first = receive(session_factory, WANGFANG, "1")
    second = receive(session_factory, WANGFANG, "帮助", LATER + timedelta(minutes=1))
    assert first["reply_run_id"] != second["reply_run_id"]  # one row per run and contact: the day's second run
    for summary in (first, second):
        send_run(session_factory, summary["reply_run_id"], LATER + timedelta(minutes=2))
    with session_factory() as session:
        got = session.scalars(select(SimulatedSms.body).where(SimulatedSms.phone == WANGFANG)).all()
        kinds = set(
            session.scalars(select(Run.kind).where(Run.id.in_([first["reply_run_id"], second["reply_run_id"]])))
        )
    assert got == [DEFAULT_REPLIES["zh"]["confirm"], DEFAULT_REPLIES["zh"]["help"]]
    assert kinds == {"auto_reply"} and run_id not in (first["reply_run_id"], second["reply_run_id"])


def test_at_most_three_auto_replies_a_day(session_factory, people):
    for minute in range(5):
        receive(session_factory, WANGFANG, "1", LATER + timedelta(minutes=minute))
    receive(session_factory, WANGFANG, "1", LATER + timedelta(days=1))
    assert len(replies_to(session_factory, WANGFANG)) == 4


def test_auto_replies_off_globally_or_per_language_and_intent(session_factory, people):
    receive(session_factory, WANGFANG, "帮助", auto_replies=False)
    assert replies_to(session_factory, WANGFANG) == []
    with session_factory.begin() as session:
        set_auto_reply(session, Actor.system(), "zh", "confirm", {"enabled": False})
        set_auto_reply(session, Actor.system(), "en", "help", {"text": "Call 0941-123456 for help."})
    receive(session_factory, WANGFANG, "1")
    receive(session_factory, TOM, "help")
    assert replies_to(session_factory, WANGFANG) == []
    assert [reply.body for reply in replies_to(session_factory, TOM)] == ["Call 0941-123456 for help."]


def test_unknown_sender_is_kept_answered_once_a_day_and_linkable(session_factory, people):
    run_id = send_campaign(session_factory, people, expects_reply=True)
    first = receive(session_factory, STRANGER, "收到，这是王芳的新号码")
    receive(session_factory, STRANGER, "收到", LATER + timedelta(minutes=3))
    assert first["contact_id"] is None and first["intent"] == "confirm" and first["confirmed_run_id"] is None
    [reply] = replies_to(session_factory, STRANGER)
    assert reply.body == DEFAULT_REPLIES["zh"]["unregistered"] and reply.contact_id is None
    with session_factory.begin() as session:
        linked = link_message(session, Actor.system(), first["inbound_id"], contact(session_factory, WANGFANG).id,
                              LATER + timedelta(hours=1))  # fmt: skip
    assert linked["processing"]["confirmed_run_id"] == run_id
    assert linked["message"]["contact"]["name"] == "王芳" and linked["message"]["reviewed_at"]
    assert confirmations(session_factory) == [(run_id, contact(session_factory, WANGFANG).id)]
    assert len(replies_to(session_factory, STRANGER)) == 1  # re-processing sends no auto-reply


def test_unknown_sender_who_sent_stop_gets_no_reply(session_factory, people):
    receive(session_factory, STRANGER, "STOP")
    receive(session_factory, STRANGER, "帮助", NOW + timedelta(days=2))
    assert replies_to(session_factory, STRANGER) == []


@pytest.fixture
def liaison(session_factory, people) -> int:
    """A liaison of 一组第一联户 with a daily report duty for the groups of 齐哈玛镇 (fields: returnees, fever)."""
    with session_factory.begin() as session:
        add_duty(session, people)
        return add_contact(session, people["6230251012010101"], "+8613800000011", "尼玛", role="liaison",
                           language="bo").id  # fmt: skip


def report(session_factory) -> DailyReport:
    with session_factory() as session:
        return session.scalar(select(DailyReport))


def test_zero_report_records_the_group_report(session_factory, people, liaison):
    summary = receive(session_factory, "+8613800000011", "0")
    stored = report(session_factory)
    assert (summary["intent"], summary["report_id"]) == ("zero_report", stored.id)
    assert (stored.kind, stored.grid_id, stored.contact_id) == ("zero_report", people["62302510120101"], liaison)
    assert str(stored.day) == "2026-11-23"
    assert [reply.body for reply in replies_to(session_factory, "+8613800000011")] == [
        DEFAULT_REPLIES["bo"]["zero_report"]
    ]


@pytest.mark.parametrize("text", ["返乡2人 发热1人", "ཕྱིར་ལོག་༢ ཚ་བ་༡", "２ １", "༢ ༡", "returnees 2 fever 1"])
def test_incident_counts_reach_the_daily_report(session_factory, people, liaison, text):
    summary = receive(session_factory, "+8613800000011", text)
    stored = report(session_factory)
    assert summary["intent"] == "incident" and summary["counts"] == {"returnees": 2, "fever": 1}
    assert (stored.kind, stored.counts, stored.text) == ("incident", {"returnees": 2, "fever": 1}, text)


def test_zero_report_without_a_duty_is_kept_for_review(session_factory, people):
    summary = receive(session_factory, WANGFANG, "零报告")
    assert summary["intent"] == "zero_report" and summary["report_id"] is None
    with session_factory() as session:
        assert session.get(InboundMessage, summary["inbound_id"]).reviewed_at is None
        assert session.scalar(select(func.count()).select_from(DailyReport)) == 0


def test_zero_from_a_contact_without_a_duty_answers_the_run_that_awaits_a_reply(session_factory, people):
    run_id = send_campaign(session_factory, people, expects_reply=True, texts={"zh": "请回复", "bo": "请回复"})
    summary = receive(session_factory, CIRANG, "༠")
    assert summary["report_id"] is None and summary["confirmed_run_id"] == run_id


def test_zero_report_answers_its_duty_and_no_campaign(session_factory, people, liaison):
    send_campaign(session_factory, people, expects_reply=True, texts={"zh": "请报告", "bo": "请报告"})
    summary = receive(session_factory, "+8613800000011", "༠")
    assert summary["report_id"] is not None and summary["confirmed_run_id"] is None
    assert confirmations(session_factory) == []


def test_staff_keywords_are_used(session_factory, people):
    run_id = send_campaign(session_factory, people, expects_reply=True)
    assert receive(session_factory, WANGFANG, "收悉")["intent"] == "unknown"
    with session_factory.begin() as session:
        add_keyword(session, Actor.system(), {"language": "zh", "intent": "confirm", "keyword": "收悉"})
    assert receive(session_factory, WANGFANG, "收悉", LATER + timedelta(minutes=1))["confirmed_run_id"] == run_id


def test_processing_twice_changes_nothing(session_factory, people):
    send_campaign(session_factory, people, expects_reply=True)
    summary = receive(session_factory, WANGFANG, "1")
    with session_factory.begin() as session:
        again = process_inbound(session, summary["inbound_id"], LATER + timedelta(minutes=1))
    assert again["status"] == "already processed" and again["reply_run_id"] is None
    assert len(confirmations(session_factory)) == 1 and len(replies_to(session_factory, WANGFANG)) == 1
    with session_factory.begin() as session:
        assert process_inbound(session, 999_999, LATER)["status"] == "missing"


def test_a_repeated_provider_id_is_stored_once(session_factory, people):
    with session_factory.begin() as session:
        first, created = receive_sms(session, "twilio", "SM" + "a" * 32, WANGFANG, "+1500", "1", {"Body": "1"}, NOW)
        second, again = receive_sms(session, "twilio", "SM" + "a" * 32, WANGFANG, "+1500", "1", {"Body": "1"}, NOW)
        assert (created, again, first.id) == (True, False, second.id)
        assert first.contact_id == contact(session_factory, WANGFANG).id
        assert session.scalar(select(func.count()).select_from(InboundMessage)) == 1


def test_unprocessed_messages_are_swept_after_a_minute(session_factory, people):
    with session_factory.begin() as session:
        message, _ = receive_sms(session, "twilio", "SM" + "b" * 32, "13800000002", "", "1", {}, NOW)
        assert message.from_phone == WANGFANG  # national numbers are stored as E.164
    with session_factory() as session:
        assert unprocessed_inbound(session, NOW + timedelta(seconds=30)) == []
        assert unprocessed_inbound(session, NOW + timedelta(minutes=2)) == [message.id]
