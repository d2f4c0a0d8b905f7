"""CAP 1.2 export of a campaign: the document parses, holds the required elements in the order of the CAP 1.2
schema, and its audio resources carry the size, URI and SHA-1 digest of the stored files."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from audio.store import AudioStore
from campaigns.models.base import utcnow
from tests.speaker_helpers import loudspeaker_campaign

NS = "{urn:oasis:names:tc:emergency:cap:1.2}"
# The element sequences of the CAP 1.2 schema (optional ones included), as far as the export uses them.
ALERT_ORDER = ["identifier", "sender", "sent", "status", "msgType", "source", "scope", "restriction", "addresses",
               "code", "note", "references", "incidents", "info"]  # fmt: skip
INFO_ORDER = ["language", "category", "event", "responseType", "urgency", "severity", "certainty", "audience",
              "eventCode", "effective", "onset", "expires", "senderName", "headline", "description", "instruction",
              "web", "contact", "parameter", "resource", "area"]  # fmt: skip
RESOURCE_ORDER = ["resourceDesc", "mimeType", "size", "uri", "derefUri", "digest"]
AREA_ORDER = ["areaDesc", "polygon", "circle", "geocode", "altitude", "ceiling"]
CAP_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")


def _children(element: ET.Element) -> list[str]:
    return [child.tag.removeprefix(NS) for child in element]


def _in_order(tags: list[str], order: list[str]) -> bool:
    positions = [order.index(tag) for tag in tags]
    return positions == sorted(positions)


def _cap(client, headers, campaign_id: int, **query) -> ET.Element:
    response = client.get(f"/api/v1/campaigns/{campaign_id}/cap.xml", headers=headers, query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.get_data())


@pytest.fixture
def launched(session_factory, people, settings) -> dict:
    with session_factory.begin() as session:
        return loudspeaker_campaign(session, people, settings.audio_dir, "623025101", utcnow() - timedelta(hours=1),
                                    loudspeaker={"valid_hours": 12})  # fmt: skip


def test_cap_alert_has_the_required_elements_in_order(client, admin_headers, launched, settings):
    alert = _cap(client, admin_headers, launched["id"], category="Health", urgency="Immediate")
    assert alert.tag == f"{NS}alert"
    tags = _children(alert)
    assert tags[:6] == ["identifier", "sender", "sent", "status", "msgType", "scope"] and _in_order(tags, ALERT_ORDER)
    assert alert.findtext(f"{NS}identifier").endswith(f"campaign-{launched['id']}-run-{launched['run_id']}")
    assert alert.findtext(f"{NS}sender") == settings.cap_sender
    assert CAP_TIME.fullmatch(alert.findtext(f"{NS}sent")), "CAP times have an offset, no Z and no fraction"
    assert [alert.findtext(f"{NS}{tag}") for tag in ("status", "msgType", "scope")] == ["Actual", "Alert", "Public"]
    infos = alert.findall(f"{NS}info")
    assert sorted(info.findtext(f"{NS}language") for info in infos) == ["bo", "zh"]
    for info in infos:
        tags = _children(info)
        assert _in_order(tags, INFO_ORDER), tags
        for required in ("category", "event", "urgency", "severity", "certainty", "headline", "description", "area"):
            assert required in tags
        assert (info.findtext(f"{NS}category"), info.findtext(f"{NS}urgency")) == ("Health", "Immediate")
        assert info.findtext(f"{NS}headline") == "疫苗接种提醒"
        effective, expires = info.findtext(f"{NS}effective"), info.findtext(f"{NS}expires")
        assert CAP_TIME.fullmatch(effective) and CAP_TIME.fullmatch(expires)
        area = info.find(f"{NS}area")
        assert _in_order(_children(area), AREA_ORDER)
        assert area.findtext(f"{NS}areaDesc") == "齐哈玛镇"
        assert area.findtext(f"{NS}geocode/{NS}value") == "623025101"
    zh = next(info for info in infos if info.findtext(f"{NS}language") == "zh")
    assert zh.findtext(f"{NS}description") == "明天9:00在乡卫生院接种疫苗。"


def test_each_language_audio_is_a_resource_with_size_uri_and_sha1_digest(client, admin_headers, launched, settings):
    alert = _cap(client, admin_headers, launched["id"])
    for info in alert.findall(f"{NS}info"):
        language = info.findtext(f"{NS}language")
        clip = launched["clips"][language]
        resource = info.find(f"{NS}resource")
        assert _children(resource) == ["resourceDesc", "mimeType", "size", "uri", "digest"]
        stored = AudioStore(settings.audio_dir).find(clip.sha256).read_bytes()
        assert resource.findtext(f"{NS}mimeType") == "audio/mpeg"
        assert resource.findtext(f"{NS}size") == str(len(stored)) == str(clip.size_bytes)
        assert resource.findtext(f"{NS}uri") == f"{settings.public_base_url}/audio/{clip.sha256}.mp3"
        assert resource.findtext(f"{NS}digest") == hashlib.sha1(stored).hexdigest()


def test_a_draft_is_a_draft_alert_without_effective_time(client, admin_headers, session_factory, people, settings):
    with session_factory.begin() as session:
        draft = loudspeaker_campaign(session, people, settings.audio_dir, "623025101201", utcnow(), launch=False,
                                     audio_languages=("zh",))  # fmt: skip
    alert = _cap(client, admin_headers, draft["id"])
    assert alert.findtext(f"{NS}status") == "Draft"
    assert alert.find(f"{NS}info/{NS}effective") is None
    languages_with_audio = [info.findtext(f"{NS}language") for info in alert.findall(f"{NS}info")
                            if info.find(f"{NS}resource") is not None]  # fmt: skip
    assert languages_with_audio == ["zh"]
    assert alert.findtext(f"{NS}info/{NS}area/{NS}areaDesc") == "秀玛村"


def test_unknown_cap_values_are_refused(client, admin_headers, launched):
    response = client.get(f"/api/v1/campaigns/{launched['id']}/cap.xml?severity=Awful", headers=admin_headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"severity": "unknown"}
