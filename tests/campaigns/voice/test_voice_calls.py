"""Voice calls through the one sending engine: planning voice rows, launch blockers for prompt phrases, simulated
calls (answer, key presses, no answer, busy), retries inside the send window, forward-only call statuses, and
reconciliation of an ambiguous call. SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from campaigns.channels.base import LookupResult, SendResult
from campaigns.common.errors import ValidationError
from campaigns.common.settings import Settings, SettingsError
from campaigns.delivery.dispatch import due_batches, finish_runs
from campaigns.delivery.reconcile import reconcile_expired
from campaigns.delivery.sending import SendPolicy, send_batch
from campaigns.identity.access import Actor
from campaigns.models import Confirmation, Contact, OutboxMessage, SimulatedCall
from campaigns.runs.planning import launch_campaign
from campaigns.runs.preview import launch_blockers
from campaigns.simulator.calls import PhoneScript, SimulatedVoice
from campaigns.simulator.channel import SimulatorChannel
from campaigns.voice.call_flow import CallFlowPolicy
from campaigns.voice.call_status import CallRetryPolicy, active_calls, apply_call_status
from tests.factories import NOW
from tests.fakes import NoLimit, ScriptedChannel
from tests.voice_helpers import give_announcements, give_prompts, make_voice_campaign, ready_voice_campaign

RETRY = CallRetryPolicy(max_tries=3, delay=timedelta(minutes=30))


def launch_voice(session_factory, people, **overrides):
    with session_factory.begin() as session:
        campaign, announcements, prompts = ready_voice_campaign(session, people, **overrides)
        planned = launch_campaign(session, Actor.system(), campaign["id"], NOW)
    return planned, announcements, prompts


def send_all(session_factory, channel, at, policy=None):
    with session_factory() as session:
        batches = due_batches(session, at, 500)
    reports = [
        send_batch(session_factory, channel, NoLimit(), policy or SendPolicy(), lambda: at, b.run_id, b.first_id,
                   b.last_id)
        for b in batches
    ]  # fmt: skip
    return reports


def rows_by_phone(session_factory):
    with session_factory() as session:
        return {row.to: row for row in session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "voice"))}


def test_voice_rows_are_planned_per_reachable_contact_in_the_language_they_hear(session_factory, people):
    planned, _, _ = launch_voice(session_factory, people, channels=["sms", "voice"])
    rows = rows_by_phone(session_factory)
    # 1 and 4 speak Tibetan (4 is voice-only), 2 Chinese, 3 English: Chinese is the fallback audio
    assert {phone: row.language for phone, row in rows.items()} == {
        "+8613800000001": "bo", "+8613800000002": "zh", "+8613800000003": "zh", "+8613800000004": "bo",
    }  # fmt: skip
    assert all(row.status == "queued" and row.segments == 1 for row in rows.values())
    with session_factory() as session:
        sms = session.scalar(select(func.count()).where(OutboxMessage.channel == "sms"))
    assert (sms, planned.planned) == (3, 7)


def test_a_language_without_prompt_phrases_blocks_the_launch(session_factory, people):
    with session_factory.begin() as session:
        campaign = make_voice_campaign(session, people)
        give_announcements(session, campaign["id"], ["zh", "bo"])
        give_prompts(session, ["zh"])
        give_prompts(session, ["bo"], phrases=("thanks",))
        from campaigns.models import Campaign

        blockers = launch_blockers(session, session.get(Campaign, campaign["id"]))
        assert [blocker.message for blocker in blockers] == [
            "2 contacts would be called in bo and the voice prompts have no audio in bo for: press_1_to_confirm, "
            "goodbye"
        ]
        assert blockers[0].message_id == "launch.missing_prompts"
        assert blockers[0].params == {"n": 2, "lang": "bo", "phrases": ["press_1_to_confirm", "goodbye"]}
        with pytest.raises(ValidationError):
            launch_campaign(session, Actor.system(), campaign["id"], NOW)
        give_prompts(session, ["bo"], phrases=("press_1_to_confirm", "goodbye"))
        assert launch_campaign(session, Actor.system(), campaign["id"], NOW).planned == 4


def test_an_audience_reachable_only_by_voice_launches_a_voice_campaign_not_an_sms_one(session_factory, people):
    with session_factory.begin() as session:
        voice_only = session.scalar(select(Contact.id).where(Contact.phone == "+8613800000004"))
        audience = {"contact_ids": [voice_only]}
        sms = make_voice_campaign(session, people, channels=["sms"], audience=audience)
        with pytest.raises(ValidationError, match=r"nobody in the audience can be reached by SMS$"):
            launch_campaign(session, Actor.system(), sms["id"], NOW)
        both = make_voice_campaign(session, people, name="both", channels=["sms", "voice"], audience=audience)
        voice = make_voice_campaign(session, people, name="voice", channels=["voice"], audience=audience)
        for campaign in (both, voice):
            give_announcements(session, campaign["id"], ["bo"])
        give_prompts(session, ["bo"])
        assert launch_campaign(session, Actor.system(), voice["id"], NOW).planned == 1
        assert launch_campaign(session, Actor.system(), both["id"], NOW).planned == 1
        opted_out = session.scalar(select(Contact.id).where(Contact.phone == "+8613800000005"))
        nobody = {"contact_ids": [opted_out]}
        nobody = make_voice_campaign(session, people, name="nobody", channels=["voice"], audience=nobody)
        with pytest.raises(ValidationError, match="nobody in the audience can be reached by voice call"):
            launch_campaign(session, Actor.system(), nobody["id"], NOW)


def test_simulated_calls_play_the_announcement_and_key_1_confirms_the_run(session_factory, people):
    planned, announcements, prompts = launch_voice(session_factory, people)
    channel = SimulatorChannel(session_factory, lambda: NOW, SimulatedVoice(CallFlowPolicy(announcement_plays=2)))
    [report] = send_all(session_factory, channel, NOW)
    assert (report.claimed, report.accepted) == (4, 4)
    rows = rows_by_phone(session_factory)
    assert {row.status for row in rows.values()} == {"delivered"}
    assert {row.call_status for row in rows.values()} == {"completed"}
    assert all(row.provider_sid.startswith("CA") for row in rows.values())
    with session_factory() as session:
        calls = {call.phone: call for call in session.scalars(select(SimulatedCall))}
        confirmations = session.execute(select(Confirmation.contact_id, Confirmation.channel, Confirmation.run_id))
        confirmed = {(channel, run_id) for _, channel, run_id in confirmations}
        assert session.scalar(select(func.count()).select_from(Confirmation)) == 4
    assert confirmed == {("voice", planned.run_id)}
    bo = calls["+8613800000001"]
    assert bo.played == [announcements["bo"]] * 2 + [prompts[("bo", "press_1_to_confirm")], prompts[("bo", "thanks")]]
    assert (bo.keys, bo.status, bo.language) == ("1", "completed", "bo")
    assert calls["+8613800000003"].played[0] == announcements["zh"]  # English speaker hears the fallback


def test_replay_then_confirm_and_silence_until_goodbye(session_factory, people):
    _, announcements, prompts = launch_voice(session_factory, people)
    scripts = {"+8613800000001": PhoneScript("answer", "91"), "+8613800000002": PhoneScript("answer", "")}
    voice = SimulatedVoice(CallFlowPolicy(announcement_plays=1, prompt_tries=3),
                           script=lambda phone: scripts.get(phone, PhoneScript("answer", "555")))  # fmt: skip
    send_all(session_factory, SimulatorChannel(session_factory, lambda: NOW, voice), NOW)
    with session_factory() as session:
        calls = {call.phone: call for call in session.scalars(select(SimulatedCall))}
        confirmed = set(session.scalars(select(Confirmation.contact_id)))
    ask, replayed = prompts[("bo", "press_1_to_confirm")], announcements["bo"]
    assert calls["+8613800000001"].played == [replayed, ask, replayed, ask, prompts[("bo", "thanks")]]
    zh_ask = prompts[("zh", "press_1_to_confirm")]
    assert calls["+8613800000002"].played == [announcements["zh"], zh_ask, zh_ask, zh_ask, prompts[("zh", "goodbye")]]
    assert calls["+8613800000002"].keys == "---"
    assert calls["+8613800000004"].keys == "555"  # a wrong key three times: asked again, then goodbye
    assert len(confirmed) == 1
    assert {row.status for row in rows_by_phone(session_factory).values()} == {"delivered"}


def test_unanswered_and_busy_calls_are_retried_later_inside_the_send_window(session_factory, people):
    window = {"start": "08:00", "end": "18:30"}  # 10:00 local now; 30 minutes later is still inside
    launch_voice(session_factory, people, send_window=window)
    answered = set()
    scripts = {"+8613800000001": "no-answer", "+8613800000002": "busy"}

    def script(phone: str) -> PhoneScript:
        return PhoneScript("answer" if phone in answered else scripts.get(phone, "answer"))

    voice = SimulatedVoice(retry=RETRY, script=script)
    channel = SimulatorChannel(session_factory, lambda: NOW, voice)
    send_all(session_factory, channel, NOW)
    rows = rows_by_phone(session_factory)
    assert (rows["+8613800000001"].status, rows["+8613800000001"].error_code) == ("queued", "no-answer")
    assert rows["+8613800000001"].next_attempt_at == NOW + timedelta(minutes=30)
    assert (rows["+8613800000002"].status, rows["+8613800000002"].error_code) == ("queued", "busy")
    assert rows["+8613800000004"].status == "delivered"
    assert send_all(session_factory, channel, NOW + timedelta(minutes=29)) == []  # nothing due yet
    later = NOW + timedelta(minutes=30)
    channel = SimulatorChannel(session_factory, lambda: later, voice)
    send_all(session_factory, channel, later)  # still unanswered: the second of three tries
    answered.add("+8613800000002")
    last = later + timedelta(minutes=30)
    send_all(session_factory, SimulatorChannel(session_factory, lambda: last, voice), last)
    rows = rows_by_phone(session_factory)
    assert (rows["+8613800000001"].status, rows["+8613800000001"].attempts) == ("undelivered", 3)
    assert rows["+8613800000001"].error_message == "call 3 of 3: no-answer"
    assert (rows["+8613800000002"].status, rows["+8613800000002"].attempts) == ("delivered", 3)
    with session_factory.begin() as session:
        assert len(finish_runs(session, last)) == 1


def test_a_retry_due_after_the_window_closes_waits_for_it_to_open(session_factory, people):
    evening = datetime(2026, 11, 23, 12, 45, tzinfo=UTC)  # 20:45 local; the window closes at 21:00
    with session_factory.begin() as session:
        campaign, _, _ = ready_voice_campaign(session, people, send_window={"start": "08:00", "end": "21:00"})
        launch_campaign(session, Actor.system(), campaign["id"], evening)
    voice = SimulatedVoice(retry=RETRY, script=lambda phone: PhoneScript("no-answer"))
    send_all(session_factory, SimulatorChannel(session_factory, lambda: evening, voice), evening)
    due = evening + timedelta(minutes=30)  # 21:15 local: outside the window
    assert {row.next_attempt_at for row in rows_by_phone(session_factory).values()} == {due}
    reports = send_all(session_factory, SimulatorChannel(session_factory, lambda: due, voice), due)
    assert [report.claimed for report in reports] == [0]
    assert {row.status for row in rows_by_phone(session_factory).values()} == {"queued"}
    assert {row.next_attempt_at for row in rows_by_phone(session_factory).values()} == {
        datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # 08:00 local the next morning
    }


def test_call_statuses_only_move_forward_whatever_the_order_of_callbacks(session_factory, people):
    launch_voice(session_factory, people)
    channel = ScriptedChannel()  # accepts every call, sends no callbacks
    channel.place_call = lambda call: SendResult("accepted", provider_sid=f"CA{call.outbox_id:032d}")
    send_all(session_factory, channel, NOW)
    rows = rows_by_phone(session_factory)
    ids = {phone: row.id for phone, row in rows.items()}
    assert {row.status for row in rows.values()} == {"sent"}
    rng = random.Random(5)
    sequences = {
        "+8613800000001": ["initiated", "ringing", "in-progress", "completed"],
        "+8613800000002": ["initiated", "ringing", "no-answer"],
        "+8613800000003": ["initiated", "ringing", "busy"],
        "+8613800000004": ["initiated", "ringing", "in-progress", "completed"],
    }
    callbacks = [(phone, status) for phone, statuses in sequences.items() for status in statuses * 3]
    rng.shuffle(callbacks)
    for phone, status in callbacks:
        with session_factory.begin() as session:
            apply_call_status(session, ids[phone], 1, status, call_sid=f"CA{ids[phone]:032d}", now=NOW, retry=RETRY)
    rows = rows_by_phone(session_factory)
    assert {phone: (row.status, row.call_status) for phone, row in rows.items()} == {
        "+8613800000001": ("delivered", "completed"),
        "+8613800000002": ("queued", "no-answer"),
        "+8613800000003": ("queued", "busy"),
        "+8613800000004": ("delivered", "completed"),
    }
    assert rows["+8613800000002"].next_attempt_at == NOW + timedelta(minutes=30)
    with session_factory.begin() as session:  # a late callback of attempt 1 changes nothing once attempt 2 runs
        session.get(OutboxMessage, ids["+8613800000002"]).attempts = 2
        session.get(OutboxMessage, ids["+8613800000002"]).status = "sent"
    with session_factory.begin() as session:
        assert not apply_call_status(session, ids["+8613800000002"], 1, "completed", call_sid=None, now=NOW,
                                     retry=RETRY)  # fmt: skip
        assert apply_call_status(session, ids["+8613800000002"], 2, "ringing", call_sid="CA2", now=NOW, retry=RETRY)
    assert rows_by_phone(session_factory)["+8613800000002"].provider_sid == "CA2"


def test_calls_in_progress_are_counted_until_their_final_status(session_factory, people):
    launch_voice(session_factory, people)
    channel = ScriptedChannel()
    channel.place_call = lambda call: SendResult("accepted", provider_sid=f"CA{call.outbox_id:032d}")
    send_all(session_factory, channel, NOW)
    ids = [row.id for row in rows_by_phone(session_factory).values()]
    with session_factory.begin() as session:
        assert active_calls(session, NOW) == 4
        apply_call_status(session, ids[0], 1, "in-progress", call_sid=None, now=NOW, retry=RETRY)
        apply_call_status(session, ids[1], 1, "completed", call_sid=None, now=NOW, retry=RETRY)
        apply_call_status(session, ids[2], 1, "no-answer", call_sid=None, now=NOW, retry=RETRY)
        assert active_calls(session, NOW) == 2
        assert active_calls(session, NOW + timedelta(minutes=16)) == 0  # callbacks lost: stale after 15 minutes


def test_an_ambiguous_call_is_reconciled_with_find_call(session_factory, people):
    launch_voice(session_factory, people)
    channel = ScriptedChannel()
    channel.place_call = lambda call: SendResult("ambiguous", error_code="timeout")
    found = {"+8613800000001": LookupResult(found=True, provider_sid="CA" + "f" * 32)}
    channel.find_call = lambda call, since: found.get(call.to, LookupResult(found=False))
    send_all(session_factory, channel, NOW)
    assert {row.status for row in rows_by_phone(session_factory).values()} == {"sending"}
    later = NOW + timedelta(minutes=5)
    report = reconcile_expired(session_factory, channel, 4, later)
    assert (report.found, report.requeued) == (1, 3)
    rows = rows_by_phone(session_factory)
    assert (rows["+8613800000001"].status, rows["+8613800000001"].provider_sid) == ("sent", "CA" + "f" * 32)
    assert rows["+8613800000002"].status == "queued"


@pytest.mark.parametrize(
    ("name", "value"),
    [("GRIDCAST_CALL_RING_SECONDS", "2"), ("GRIDCAST_CALL_PLAYS", "0"), ("GRIDCAST_CALL_MAX_TRIES", "three"),
     ("GRIDCAST_CALL_RATE", "-1"), ("GRIDCAST_SIMULATOR_CALL_KEY", "12")],
)  # fmt: skip
def test_call_settings_are_checked(name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_call_settings_have_documented_defaults():
    settings = Settings.from_env({"GRIDCAST_SIMULATOR_CALL_KEY": "none", "GRIDCAST_CALL_RETRY_MINUTES": "45"})
    assert (settings.call_rate_per_second, settings.max_concurrent_calls, settings.call_max_tries) == (1.0, 10, 3)
    assert (settings.call_announcement_plays, settings.call_prompt_tries, settings.call_ring_seconds) == (2, 3, 30)
    assert (settings.simulator_call_key, settings.call_retry_minutes) == ("", 45.0)
