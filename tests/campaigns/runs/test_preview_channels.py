"""The preview counts what each channel will really do (both backends): SMS recipients, segments and cost; people
called, call minutes, call rate and cost; grids and speakers reached by loudspeaker. The approval counts the same
people as the preview."""

from __future__ import annotations

import pytest

from campaigns.identity.access import Actor
from campaigns.models import Contact
from campaigns.runs.approvals import approval_status
from campaigns.runs.preview import Pricing, preview_campaign
from tests.console_helpers import logged_in
from tests.factories import add_contact, make_campaign
from tests.speaker_helpers import add_speaker
from tests.voice_helpers import give_announcements, give_prompts

PRICING = Pricing(
    price_per_segment=0.05,
    currency="CNY",
    rate_per_second=10,
    call_rate_per_second=1.0,
    call_price_per_minute=0.2,
    call_announcement_plays=2,
    max_concurrent_calls=10,
)
SYSTEM = Actor.system()


def test_voice_only_campaign_shows_calls_minutes_and_call_rate_and_no_sms(session, people):
    campaign = make_campaign(session, people, channels=["voice"], expects_reply=True)
    give_announcements(session, campaign["id"], ["zh", "bo"])  # 2 s each; plays twice: 4 s, billed as 1 minute
    give_prompts(session, ["zh", "bo"])
    preview = preview_campaign(session, SYSTEM, campaign["id"], PRICING)
    assert preview["sms"] is None and preview["loudspeaker"] is None
    voice = preview["voice"]
    assert voice["recipients"] == 4  # 才让, 王芳, 扎西 (voice-only), Tom (zh audio as the fallback)
    assert voice["call_minutes"] == 4
    assert voice["estimated_cost"] == pytest.approx(0.8)
    assert voice["call_rate_per_second"] == 1.0
    assert voice["estimated_seconds"] == 4.0
    assert {row["language"]: row["recipients"] for row in voice["by_language"]} == {"bo": 2, "zh": 2}
    assert preview["people"] == 4
    assert preview["estimated_cost"] == pytest.approx(0.8)
    assert preview["blocking"] == []


def test_sms_figures_appear_only_for_sms(session, people):
    campaign = make_campaign(session, people, channels=["sms", "voice"])
    give_announcements(session, campaign["id"], ["zh", "bo"])
    give_prompts(session, ["zh", "bo"])
    preview = preview_campaign(session, SYSTEM, campaign["id"], PRICING)
    assert preview["sms"]["recipients"] == 3 and preview["sms"]["without_reachable_channel"] == 1  # 扎西
    assert preview["voice"]["recipients"] == 4
    assert preview["people"] == 4
    assert preview["estimated_cost"] == pytest.approx(0.15 + 0.8)


def test_loudspeaker_only_campaign_shows_grids_and_speakers(session, people):
    add_speaker(session, "623025101201")
    add_speaker(session, "623025101201", name="second speaker")
    add_speaker(session, "623025101202")
    add_speaker(session, "623025102201")  # another township
    campaign = make_campaign(session, people, channels=["loudspeaker"], loudspeaker={"play_at": ["08:00"], "times": 2})
    give_announcements(session, campaign["id"], ["zh", "bo", "en"])
    preview = preview_campaign(session, SYSTEM, campaign["id"], PRICING)
    assert preview["sms"] is None and preview["voice"] is None
    assert preview["loudspeaker"]["speakers"] == 3 and preview["loudspeaker"]["grids"] == 2
    assert preview["loudspeaker"]["plays_per_day"] == 2
    assert preview["people"] == 0 and preview["estimated_cost"] == 0
    assert preview["blocking"] == []


def test_encoding_is_that_of_the_rendered_text(session, people):
    session.query(Contact).filter(Contact.name == "Tom").update({"name": "汤姆"})
    add_contact(session, people["623025101202"], "+8613800000007", "Anna", language="en")
    campaign = make_campaign(
        session, people, texts={"en": "Hello {name}, vaccination tomorrow at 9."}, fallback_language=None
    )
    [english] = preview_campaign(session, SYSTEM, campaign["id"], PRICING)["sms"]["by_language"]
    assert english["recipients"] == 2
    assert english["encoding"] == "mixed" and english["encodings"] == {"GSM-7": 1, "UCS-2": 1}
    session.query(Contact).filter(Contact.name == "Anna").update({"name": "安娜"})
    [english] = preview_campaign(session, SYSTEM, campaign["id"], PRICING)["sms"]["by_language"]
    assert english["encoding"] == "UCS-2" and english["encodings"] == {"UCS-2": 2}


def test_the_approval_counts_the_people_of_the_preview(session, people):
    campaign = make_campaign(session, people)  # SMS: 扎西 is voice-only and not reached
    preview = preview_campaign(session, SYSTEM, campaign["id"], PRICING)
    status = approval_status(session, SYSTEM, campaign["id"], threshold=1)
    assert status["recipients"] == preview["people"] == preview["sms"]["recipients"] == 3


def test_the_campaign_page_shows_calls_and_no_sms_figures_for_a_voice_only_campaign(client, session_factory, people):
    with session_factory.begin() as session:
        campaign = make_campaign(session, people, channels=["voice"], expects_reply=True)
        give_announcements(session, campaign["id"], ["zh", "bo"])
        give_prompts(session, ["zh", "bo"])
    logged_in(client, session_factory, "zhuoma", "coordinator", "623025101")
    page = client.get(f"/console/campaigns/{campaign['id']}").get_data(as_text=True)
    assert 'data-testid="preview-voice"' in page and "将拨打 4 人，通话 4 分钟" in page and "每秒 1.0 通" in page
    assert 'data-testid="preview-sms"' not in page and "无法通过短信联系" not in page
    assert "计费条数" not in page
