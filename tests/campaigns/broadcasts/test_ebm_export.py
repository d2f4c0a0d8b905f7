"""EBM export of an alert (应急广播消息 for county platforms): the envelope and ids, severity, message type, drills,
references of updates and cancels, one content per language with the area's division codes and the audio's size and
SHA-256, and the refusals; every document parsed and its structure checked (tests/ebm_helpers.py)."""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from audio.store import AudioStore
from campaigns.broadcasts.campaign_service import create_campaign
from campaigns.broadcasts.ebm_export import EbmOptions, campaign_ebm_document, severity_level
from campaigns.common.errors import Conflict
from campaigns.directory.division_codes import area_division_codes, division_code
from campaigns.identity.access import Actor
from campaigns.models import Campaign, CampaignAudio, Grid
from campaigns.runs.alerts import cancel_alert, update_alert
from tests.alert_helpers import alert_data, approved_launch, launched_alert, staff
from tests.conftest import TEST_EBM_RESOURCE_CODE as CODE
from tests.ebm_helpers import check_ebm, parse_ebm
from tests.factories import NOW, make_campaign
from tests.speaker_helpers import store_clip

OPTIONS = EbmOptions(resource_code=CODE)


def _ebm(session_factory, campaign_id: int, options: EbmOptions = OPTIONS) -> ET.Element:
    with session_factory() as session:
        return parse_ebm(campaign_ebm_document(session, Actor.system(), campaign_id, options, NOW))


def _contents(document: ET.Element) -> dict[str, ET.Element]:
    return {content.findtext("LanguageCode"): content for content in document.iterfind("EBM/MsgContent")}


@pytest.fixture
def author(session_factory, people):
    return staff(session_factory, "author")


@pytest.fixture
def second(session_factory, people):
    return staff(session_factory, "second")


def test_an_alert_is_an_ebd_holding_its_ebm(session_factory, people, author, second, settings):
    alert = launched_alert(session_factory, people, author, second)
    with session_factory.begin() as session:
        clip = store_clip(session, settings.audio_dir, b"ID3" + b"snow" * 500, "zh")
        session.add(CampaignAudio(campaign_id=alert["id"], language="zh", clip_id=clip.id))
        created = session.get_one(Campaign, alert["id"]).created_at.astimezone(ZoneInfo("Asia/Shanghai"))
    document = _ebm(session_factory, alert["id"])
    assert [document.findtext(tag) for tag in ("EBDVersion", "EBDType", "SRC/EBRID", "EBDTime")] == [
        "1", "EBM", CODE, "2026-11-23 10:00:00"]  # fmt: skip
    assert document.findtext("EBDID") == f"10{CODE}20261123{alert['id']:08d}"
    assert document.findtext("EBM/EBMID") == f"{CODE}{created:%Y%m%d}{alert['id']:04d}"
    assert document.find("EBM/RelatedInfo") is None
    info = document.find("EBM/MsgBasicInfo")
    assert {child.tag: child.text for child in info} == {
        "MsgType": "1", "SenderName": "齐哈玛镇", "SenderCode": CODE, "SendTime": "2026-11-23 10:00:00",
        "EventType": "暴雪", "Severity": "2", "StartTime": "2026-11-23 10:00:00", "EndTime": "2026-11-24 10:00:00",
    }  # fmt: skip
    contents = _contents(document)
    assert list(contents) == ["zho", "bod", "eng"]  # the fallback language first
    zh = contents["zho"]
    assert [zh.findtext(tag) for tag in ("MsgTitle", "MsgDesc", "AreaCode")] == [
        "暴雪预警", "暴雪预警：今晚有暴雪，请转移牲畜。", "623025101000"]  # fmt: skip
    stored = AudioStore(settings.audio_dir).find(clip.sha256).read_bytes()
    assert {child.tag: child.text for child in zh.find("Auxiliary")} == {
        "AuxiliaryType": "2", "AuxiliaryDesc": f"{clip.sha256}.mp3", "Size": str(len(stored)),
        "Digest": hashlib.sha256(stored).hexdigest(),
    }  # fmt: skip
    assert contents["bod"].find("Auxiliary") is None and contents["eng"].findtext("MsgDesc") == "Blizzard tonight."


@pytest.mark.parametrize(("severity", "level"), [("extreme", "1"), ("severe", "2"), ("moderate", "3"),
                                                  ("minor", "4"), (None, "0")])  # fmt: skip
def test_severities_are_levels_1_to_4(severity, level):
    assert severity_level(severity) == level


def test_the_event_code_and_the_severity_reach_the_basic_info(session_factory, people, author, second):
    alert = launched_alert(session_factory, people, author, second, severity="特别重大")
    document = _ebm(session_factory, alert["id"], EbmOptions(resource_code=CODE, event_code="11B03"))
    assert (document.findtext("EBM/MsgBasicInfo/EventType"), document.findtext("EBM/MsgBasicInfo/Severity")) == (
        "11B03", "1")  # fmt: skip


def test_an_update_and_a_cancel_name_the_ebm_they_follow(session_factory, people, author, second):
    original = launched_alert(session_factory, people, author, second)
    with session_factory.begin() as session:
        update = update_alert(session, author, original["id"], {"texts": {"zh": "暴雪加大"}}, NOW)
    approved_launch(session_factory, author, second, update["id"])
    with session_factory.begin() as session:
        cancel = cancel_alert(session, author, update["id"], True, None, NOW)
    first, updated, cancelled = (_ebm(session_factory, item["id"]) for item in (original, update, cancel))
    assert updated.findtext("EBM/MsgBasicInfo/MsgType") == "1"
    assert updated.findtext("EBM/RelatedInfo/EBMID") == first.findtext("EBM/EBMID")
    assert cancelled.findtext("EBM/MsgBasicInfo/MsgType") == "2"
    assert cancelled.findtext("EBM/RelatedInfo/EBMID") == updated.findtext("EBM/EBMID")
    assert len({document.findtext("EBM/EBMID") for document in (first, updated, cancelled)}) == 3
    assert _contents(cancelled)["zho"].findtext("MsgDesc") == "【解除】暴雪预警解除。"


@pytest.mark.parametrize(("drill_type", "msg_type"), [("platform", "3"), ("front_end", "4"), ("terminal", "5")])
def test_a_drill_is_a_drill_message_type_and_its_cancel_a_cancel(session_factory, people, author, second,
                                                                 drill_type, msg_type):  # fmt: skip
    drill = launched_alert(session_factory, people, author, second, is_drill=True)
    options = EbmOptions(resource_code=CODE, drill_type=drill_type)
    document = _ebm(session_factory, drill["id"], options)
    assert document.findtext("EBM/MsgBasicInfo/MsgType") == msg_type
    assert _contents(document)["zho"].findtext("MsgDesc").startswith("【演练】")
    with session_factory.begin() as session:
        cancel = cancel_alert(session, author, drill["id"], False, None, NOW)
    assert _ebm(session_factory, cancel["id"], options).findtext("EBM/MsgBasicInfo/MsgType") == "2"


def test_division_codes_are_padded_to_12_digits():
    assert [division_code(code) for code in ("623025", "623025101", "623025101201")] == [
        "623025000000", "623025101000", "623025101201"]  # fmt: skip
    assert [division_code(code) for code in ("62302510120101", "6230", "maqu-1", "６２３０２５")] == [None] * 4


def test_an_empty_area_has_no_division_code(session):
    with pytest.raises(Conflict) as refused:
        area_division_codes(session, [])
    assert refused.value.fields == {"area": "no division code"}


def test_the_area_is_each_grids_division_or_the_nearest_above_once(session_factory, people, author, second):
    grids = [people[code] for code in ("623025101201", "62302510120101", "6230251012010101", "623025102")]
    alert = launched_alert(session_factory, people, author, second, audience={"grid_ids": grids})
    codes = _contents(_ebm(session_factory, alert["id"]))["zho"].findtext("AreaCode")
    assert codes == "623025101201,623025102000"


def test_an_area_without_division_codes_is_refused_naming_its_grids(session_factory, people, author, second):
    alert = launched_alert(session_factory, people, author, second)
    with session_factory.begin() as session:  # the county gave its grids codes of its own since
        for code, own_code in (("623025", "MQ"), ("623025101", "MQ-QHM")):
            session.execute(update(Grid).where(Grid.code == code).values(code=own_code))
    with session_factory() as session, pytest.raises(Conflict, match=r"齐哈玛镇 \(MQ-QHM\)") as refused:
        campaign_ebm_document(session, Actor.system(), alert["id"], OPTIONS, NOW)
    assert refused.value.fields == {"area": "no division code"}


def test_a_routine_campaign_a_draft_or_no_resource_code_is_refused(session_factory, people, author, second):
    with session_factory.begin() as session:
        routine = make_campaign(session, people)
        draft = create_campaign(session, author, alert_data(people), NOW)
    alert = launched_alert(session_factory, people, author, second)
    with session_factory() as session:
        with pytest.raises(Conflict, match="only an alert"):
            campaign_ebm_document(session, Actor.system(), routine["id"], OPTIONS, NOW)
        with pytest.raises(Conflict, match="approved and launched") as refused:
            campaign_ebm_document(session, Actor.system(), draft["id"], OPTIONS, NOW)
        assert refused.value.fields == {"status": "draft"}
        with pytest.raises(Conflict, match="GRIDCAST_EBM_RESOURCE_CODE"):
            campaign_ebm_document(session, Actor.system(), alert["id"], EbmOptions(resource_code=None), NOW)


def test_the_structure_check_catches_a_misplaced_or_malformed_element():
    good = ET.fromstring("<SRC><EBRID>43415230000000103010101</EBRID></SRC>")
    check_ebm(good)
    for bad in ("<SRC><URL>u</URL><EBRID>43415230000000103010101</EBRID></SRC>", "<SRC><EBRID>4341</EBRID></SRC>",
                "<MsgBasicInfo><MsgType>1</MsgType></MsgBasicInfo>"):  # fmt: skip
        with pytest.raises(AssertionError):
            check_ebm(ET.fromstring(bad))
