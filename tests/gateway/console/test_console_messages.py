"""Service messages in the console's Chinese (both backends): launch blockers, launch and approval refusals, state
conflicts and audio refusals are produced by the real services, then rendered from their message id and parameters
through the zh_Hans catalog; English stays the services' message; an error without an id stays English."""

from __future__ import annotations

import re

import pytest

from campaigns.common.errors import DomainError
from campaigns.identity.access import Actor
from campaigns.models import Campaign
from campaigns.models.base import utcnow
from campaigns.runs import approvals, run_control
from campaigns.runs.planning import launch_campaign
from campaigns.runs.preview import launch_blockers
from campaigns.voice import campaign_audio
from gateway.console.error_messages import error_text
from tests.console_helpers import add_user, logged_in
from tests.factories import NOW, make_campaign

CJK = re.compile(r"[\u4e00-\u9fff]")
STAFF_WORDS = re.compile(r"\b(contacts|campaign|people|approve|audio|engine|cannot|run)\b")


def _chinese(error: DomainError) -> str:
    translated = error_text(error, "zh-Hans")
    assert error.message_id and CJK.search(translated), error.message
    assert not STAFF_WORDS.search(translated), (error.message, translated)
    return translated


def _refusal(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


class NoEngines:
    def engines_for(self, language: str) -> list[str]:
        return []


def test_launch_blockers_and_refusals_read_in_chinese(session_factory, people):
    staff = Actor(user_id=add_user(session_factory, "zhuoma", "coordinator", "623025101"), role="coordinator",
                  scope_path=None, username="zhuoma")  # fmt: skip
    with session_factory.begin() as session:
        campaign = make_campaign(session, people, channels=["sms", "voice", "loudspeaker"], texts={"zh": "通知"},
                                 fallback_language=None)  # fmt: skip
        blockers = launch_blockers(session, session.get(Campaign, campaign["id"]))
        assert len(blockers) == 5  # bo and en: no text; bo, en and zh: no audio for voice and loudspeakers
        translated = [_chinese(reason) for reason in blockers]
        assert "有 1 位联系人说藏语，通知没有这种语言的文本，也没有备用语言" in translated
        assert any("语音电话、大喇叭无法播放" in text for text in translated), translated
        refused = _refusal(lambda: launch_campaign(session, Actor.system(), campaign["id"], NOW))
        assert _chinese(refused).startswith("通知无法发布：有 ")
        too_many = _refusal(
            lambda: approvals.require_approval(session, staff, session.get(Campaign, campaign["id"]), 0)
        )
        assert _chinese(too_many).startswith("此通知发给 ")
        paused = _refusal(lambda: run_control.pause_campaign(session, staff, campaign["id"]))
        assert _chinese(paused) == "“草稿”的通知无法暂停"
        tibetan = _refusal(lambda: campaign_audio.check_synthesis(session, staff, campaign["id"], "zh", NoEngines()))
        assert _chinese(tibetan) == "本机没有能说中文（普通话）的语音引擎：请上传录音"
        run_control.cancel_campaign(session, Actor.system(), campaign["id"], utcnow())
        for call in (
            lambda: approvals.approve_campaign(session, staff, campaign["id"], utcnow()),
            lambda: campaign_audio.check_synthesis(session, staff, campaign["id"], "zh", NoEngines()),
        ):
            assert "已取消" in _chinese(_refusal(call))
    assert error_text(DomainError("a sentence nobody translated"), "zh-Hans") == "a sentence nobody translated"


def test_campaign_page_and_flash_show_service_messages_in_chinese(client, session_factory, people):
    token = logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    with session_factory.begin() as session:
        campaign = make_campaign(session, people, channels=["loudspeaker"])
    page = client.get(f"/console/campaigns/{campaign['id']}").get_data(as_text=True)
    assert "通知没有这种语言的音频（也没有备用语言的音频），大喇叭无法播放" in page
    assert "has no audio" not in page
    refused = client.post(f"/console/campaigns/{campaign['id']}/launch", data={"csrf_token": token},
                          follow_redirects=True)  # fmt: skip
    assert "通知无法发布：" in refused.get_data(as_text=True)
    paused = client.post(f"/console/campaigns/{campaign['id']}/pause", data={"csrf_token": token},
                         follow_redirects=True)  # fmt: skip
    assert "“草稿”的通知无法暂停" in paused.get_data(as_text=True)
