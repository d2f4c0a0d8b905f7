"""The phone simulator's calls (both backends): a voice run placed on simulated phones, and each contact's phone
page shows the calls it took, their status, the keys pressed and players for the audio each call played."""

from __future__ import annotations

from campaigns.call_flow import CallFlowPolicy
from campaigns.channels.simulated_calls import SimulatedVoice
from campaigns.channels.simulator import SimulatorChannel
from tests.console_helpers import logged_in
from tests.factories import NOW
from tests.test_voice_calls import launch_voice, send_all


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
