"""The phone simulator's calls (both backends): a voice run placed on simulated phones, and each contact's phone
page shows the calls it took, their status, the keys pressed and players for the audio each call played; calls
waiting for staff are answered from the page with key presses or a hang-up, through the same call flow."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from campaigns.common.errors import Conflict
from campaigns.common.settings import Settings
from campaigns.identity.access import Actor
from campaigns.models import AuditEntry, Confirmation, SimulatedCall
from campaigns.simulator.calls import PhoneScript, SimulatedVoice, default_script
from campaigns.simulator.channel import SimulatorChannel
from campaigns.simulator.phones import answer_call
from campaigns.voice.call_flow import CallFlowPolicy
from tests.campaigns.voice.test_voice_calls import launch_voice, rows_by_phone, send_all
from tests.console_helpers import logged_in
from tests.factories import NOW


def test_phone_page_shows_the_calls_a_contact_took(client, session_factory, people):
    _planned, announcements, prompts = launch_voice(session_factory, people)
    send_all(session_factory, SimulatorChannel(session_factory, lambda: NOW, SimulatedVoice(CallFlowPolicy())), NOW)
    logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    page = client.get("/console/simulator/+8613800000001").get_data(as_text=True)
    assert page.count('data-testid="call"') == 1 and 'data-status="completed"' in page
    assert "已接通" in page and "按键：1" in page
    for sha256 in (announcements["bo"], prompts[("bo", "press_1_to_confirm")], prompts[("bo", "thanks")]):
        assert f'src="/audio/{sha256}.mp3"' in page
    assert page.count(f'src="/audio/{announcements["bo"]}.mp3"') == 1  # played twice, one player
    assert client.get("/console/simulator/+8613800000006").status_code == 404  # 欧拉镇: outside the scope


def _staff_phones(phones):
    scripted = {"+8613800000002": PhoneScript("answer", "91")}
    return lambda phone: PhoneScript("staff", "") if phone in phones else scripted.get(phone, PhoneScript())


def _calls(session_factory) -> dict[str, SimulatedCall]:
    with session_factory() as session:
        return {call.phone: call for call in session.scalars(select(SimulatedCall))}


def test_staff_keys_drive_the_same_call_flow_as_a_scripted_phone(session_factory, people):
    """Contact 1 (bo) waits for staff, who press 9 then 1; contact 3 (zh fallback) too; contact 2 (zh) presses 9
    then 1 by itself: the staff-driven calls end exactly like the scripted one."""
    planned, announcements, prompts = launch_voice(session_factory, people)
    voice = SimulatedVoice(CallFlowPolicy(announcement_plays=1), script=_staff_phones({"+8613800000001",
                                                                                       "+8613800000003"}))  # fmt: skip
    send_all(session_factory, SimulatorChannel(session_factory, lambda: NOW, voice), NOW)
    calls, rows = _calls(session_factory), rows_by_phone(session_factory)
    waiting = calls["+8613800000001"]
    assert (waiting.status, waiting.keys) == ("in-progress", "")
    assert waiting.played == [announcements["bo"], prompts[("bo", "press_1_to_confirm")]]
    assert rows["+8613800000001"].call_status == "in-progress"
    for phone in ("+8613800000001", "+8613800000003"):
        for key in "91":
            with session_factory.begin() as session:
                answer_call(session, Actor.system(), phone, calls[phone].id, key, voice, NOW)
    calls, rows = _calls(session_factory), rows_by_phone(session_factory)
    staff, scripted = calls["+8613800000003"], calls["+8613800000002"]
    assert (staff.played, staff.keys, staff.status) == (scripted.played, scripted.keys, scripted.status)
    assert (staff.keys, staff.status) == ("91", "completed")
    assert calls["+8613800000001"].played[-1] == prompts[("bo", "thanks")]
    assert {(row.status, row.call_status) for row in rows.values()} == {("delivered", "completed")}
    with session_factory() as session:
        confirmed = set(session.scalars(select(Confirmation.contact_id).where(Confirmation.run_id == planned.run_id)))
        assert len(confirmed) == 4
        with pytest.raises(Conflict):
            answer_call(session, Actor.system(), "+8613800000001", calls["+8613800000001"].id, "1", voice, NOW)


def test_phones_ending_5555_or_the_staff_setting_wait_for_staff():
    assert default_script("+8613800005555", "1") == PhoneScript("staff", "")
    assert default_script("+8613800000001", "staff") == PhoneScript("staff", "")
    assert default_script("+8613800009999", "staff").outcome == "no-answer"
    assert Settings.from_env({"GRIDCAST_SIMULATOR_CALL_KEY": "Staff"}).simulator_call_key == "staff"


def test_staff_answer_and_hang_up_on_the_phone_page(client, session_factory, people):
    _planned, announcements, _prompts = launch_voice(session_factory, people)
    voice = SimulatedVoice(CallFlowPolicy(), script=_staff_phones({"+8613800000001", "+8613800000004"}))
    send_all(session_factory, SimulatorChannel(session_factory, lambda: NOW, voice), NOW)
    calls = _calls(session_factory)
    token = logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    page = client.get("/console/simulator/+8613800000001").get_data(as_text=True)
    assert 'data-testid="call-waiting"' in page and "按 1（确认收到）" in page and "data-refresh" not in page
    assert f'src="/audio/{announcements["bo"]}.mp3"' in page
    action = f"/console/simulator/+8613800000001/calls/{calls['+8613800000001'].id}"
    assert client.post(action, data={"csrf_token": token, "key": "x"}).status_code == 422
    assert client.post(action, data={"csrf_token": token, "key": "9"}).status_code == 302
    assert client.post(action, data={"csrf_token": token, "key": "1"}).status_code == 302
    page = client.get("/console/simulator/+8613800000001").get_data(as_text=True)
    assert 'data-testid="call-waiting"' not in page and "按键：91" in page and 'data-status="completed"' in page
    assert client.post(action, data={"csrf_token": token, "key": "1"}).status_code == 409
    other = f"/console/simulator/+8613800000004/calls/{calls['+8613800000004'].id}"
    assert client.post(other, data={"csrf_token": token, "key": "hangup"}).status_code == 302
    calls, rows = _calls(session_factory), rows_by_phone(session_factory)
    assert (calls["+8613800000004"].status, calls["+8613800000004"].keys) == ("completed", "")
    assert rows["+8613800000004"].call_status == "completed"
    with session_factory() as session:
        confirmed = set(session.scalars(select(Confirmation.contact_id)))
        logged = list(session.execute(select(AuditEntry.action, AuditEntry.detail).order_by(AuditEntry.id)))
    assert len(confirmed) == 3  # contacts 2 and 3 by themselves, contact 1 by staff; 4 hung up
    keys = [detail["key"] for action_name, detail in logged if action_name == "simulator.call_key"]
    assert keys == ["9", "1", "hangup"]


def test_viewers_and_outsiders_cannot_press_keys(client, session_factory, people):
    launch_voice(session_factory, people)
    voice = SimulatedVoice(CallFlowPolicy(), script=_staff_phones({"+8613800000001"}))
    send_all(session_factory, SimulatorChannel(session_factory, lambda: NOW, voice), NOW)
    call_id = _calls(session_factory)["+8613800000001"].id
    token = logged_in(client, session_factory, "kan", "viewer", "623025101")
    page = client.get("/console/simulator/+8613800000001").get_data(as_text=True)
    assert 'data-testid="call"' in page and 'data-testid="call-waiting"' not in page
    action = f"/console/simulator/+8613800000001/calls/{call_id}"
    assert client.post(action, data={"csrf_token": token, "key": "1"}).status_code == 403
    client.post("/console/logout", data={"csrf_token": token})
    token = logged_in(client, session_factory, "dawa", "coordinator", "623025102")
    assert client.post(action, data={"csrf_token": token, "key": "1"}).status_code == 404
    assert _calls(session_factory)["+8613800000001"].status == "in-progress"
