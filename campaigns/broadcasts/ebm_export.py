"""An alert as an EBM (应急广播消息), the XML document China's emergency-broadcast platforms pass on to each other (GY/T
385-2023, and the provisional GD/J documents of 2018 before it), for a county platform to take the alert over.

An EBD envelope (version, id, type EBM, the source's resource code, its time) holds one EBM: its id, the EBM it
follows (RelatedInfo, for an update or a cancel), MsgBasicInfo (MsgType 1 broadcast, 2 cancel, 3/4/5 a drill;
sender, times, event type, severity 1..4 for 特别重大..一般) and one MsgContent per language: title, text, the area
as 12-digit division codes and the language's audio as an Auxiliary (type 2 = MP3, file name, size, SHA-256).
Which element names and values public material confirms, and which are our assumptions, is listed in docs/alerts.md
("EBM for county platforms"). Times are local times of the campaign's time zone, "YYYY-MM-DD HH:MM:SS".
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from campaigns.broadcasts.alert_fields import ALERT, SEVERITIES
from campaigns.broadcasts.campaign_service import load_campaign
from campaigns.broadcasts.cap_export import alert_run, area_grids, audio_clips
from campaigns.broadcasts.schedules import check_timezone
from campaigns.broadcasts.templates import render
from campaigns.common.errors import Conflict
from campaigns.directory.division_codes import area_division_codes
from campaigns.identity.access import Actor
from campaigns.models import Campaign, CampaignStatus

VERSION = "1"
BROADCAST, CANCEL = "1", "2"
DRILL_MSG_TYPES = {"platform": "3", "front_end": "4", "terminal": "5"}  # 平台/前端/终端演练播发
MP3_AUXILIARY_TYPE = "2"  # MPEG-1 Layer III audio file
# GB/T 4880.2 (ISO 639-2) three-letter codes of our languages; Cantonese has none of its own there.
LANGUAGE_CODES = {"zh": "zho", "bo": "bod", "ug": "uig", "mn": "mon", "kk": "kaz", "ii": "iii", "yue": "zho",
                  "en": "eng"}  # fmt: skip


@dataclass(frozen=True)
class EbmOptions:
    """The platform's resource code for Gridcast, the national event type code, and how far a drill goes."""

    resource_code: str | None
    event_code: str | None = None  # default: the alert's event type as staff wrote it
    drill_type: str = "platform"


def ebm_time(moment: datetime, timezone: str) -> str:
    return moment.astimezone(check_timezone(timezone)).strftime("%Y-%m-%d %H:%M:%S")


def ebm_date(moment: datetime, timezone: str) -> str:
    return moment.astimezone(check_timezone(timezone)).strftime("%Y%m%d")


def ebm_id(resource_code: str, campaign: Campaign) -> str:
    """The EBM's id: the resource code, the alert's creation date and a 4-digit number (its id's last digits)."""
    return f"{resource_code}{ebm_date(campaign.created_at, campaign.timezone)}{campaign.id % 10_000:04d}"


def ebd_id(resource_code: str, campaign: Campaign, now: datetime) -> str:
    """The envelope's id: 10, the resource code, today's date and an 8-digit number (the alert id's last digits)."""
    return f"10{resource_code}{ebm_date(now, campaign.timezone)}{campaign.id % 100_000_000:08d}"


def campaign_ebm_document(
    session: Session, actor: Actor, campaign_id: int, options: EbmOptions, now: datetime
) -> bytes:
    """The alert (in the actor's scope) as an EBD holding its EBM, UTF-8 XML. Conflict for a routine campaign, a
    draft (but a cancel: stopping needs no approval), without a resource code, or an area with no division code."""
    campaign = load_campaign(session, actor, campaign_id)
    if campaign.kind != ALERT:
        raise Conflict.coded(
            "ebm.alerts_only", "only an alert can be exported as an EBM", fields={"kind": "not an alert"}
        )
    if campaign.status == CampaignStatus.DRAFT and campaign.msg_type != "cancel":
        raise Conflict.coded(
            "ebm.draft_alert",
            "an alert is exported as an EBM once it was approved and launched, not as a draft",
            fields={"status": "draft"},
        )
    code = options.resource_code
    if not code:
        raise Conflict.coded(
            "ebm.resource_code_unset",
            "set GRIDCAST_EBM_RESOURCE_CODE (the 23-digit resource code the county platform gave Gridcast) to "
            "export EBM",
        )
    grids = area_grids(session, campaign)
    area_codes = ",".join(area_division_codes(session, grids))
    ebd = ET.Element("EBD")
    _add(ebd, "EBDVersion", VERSION)
    _add(ebd, "EBDID", ebd_id(code, campaign, now))
    _add(ebd, "EBDType", "EBM")
    _add(_add(ebd, "SRC"), "EBRID", code)
    _add(ebd, "EBDTime", ebm_time(now, campaign.timezone))
    ebm = _add(ebd, "EBM")
    _add(ebm, "EBMVersion", VERSION)
    _add(ebm, "EBMID", ebm_id(code, campaign))
    referenced = session.get(Campaign, campaign.references_id) if campaign.references_id else None
    if referenced is not None:
        _add(_add(ebm, "RelatedInfo"), "EBMID", ebm_id(code, referenced))
    sender_name = grids[0].name if len(grids) == 1 else "Gridcast"
    _basic_info(_add(ebm, "MsgBasicInfo"), session, campaign, options, now, sender_name)
    audio = audio_clips(session, campaign)
    area_names = ", ".join(grid.name for grid in grids) or "-"
    for language in sorted(campaign.texts, key=lambda language: language != campaign.fallback_language):
        content = _add(ebm, "MsgContent")
        _add(content, "LanguageCode", LANGUAGE_CODES.get(language, language))
        _add(content, "MsgTitle", campaign.name)
        text = render(campaign.texts[language], name="", grid=area_names).strip(" ，,:：")
        _add(content, "MsgDesc", text or campaign.name)
        _add(content, "AreaCode", area_codes)
        clip = audio.get(language)
        if clip is not None:
            auxiliary = _add(content, "Auxiliary")
            _add(auxiliary, "AuxiliaryType", MP3_AUXILIARY_TYPE)
            _add(auxiliary, "AuxiliaryDesc", f"{clip.sha256}.mp3")
            _add(auxiliary, "Size", str(clip.size_bytes))
            _add(auxiliary, "Digest", clip.sha256)
    return ET.tostring(ebd, encoding="utf-8", xml_declaration=True)


def _basic_info(
    info: ET.Element, session: Session, campaign: Campaign, options: EbmOptions, now: datetime, sender_name: str
) -> None:
    run = alert_run(session, campaign)
    _add(info, "MsgType", msg_type(campaign, options.drill_type))
    _add(info, "SenderName", sender_name)
    _add(info, "SenderCode", options.resource_code)
    _add(info, "SendTime", ebm_time(run.occurrence_at if run else now, campaign.timezone))
    _add(info, "EventType", options.event_code or campaign.event_type)
    _add(info, "Severity", severity_level(campaign.severity))
    _add(info, "StartTime", ebm_time(campaign.valid_from or now, campaign.timezone))
    _add(info, "EndTime", ebm_time(campaign.expires_at or now, campaign.timezone))


def msg_type(campaign: Campaign, drill_type: str) -> str:
    """2 for a cancel, else 1, or for a drill the drill type's 3 (platform), 4 (front end) or 5 (terminal)."""
    if campaign.msg_type == "cancel":
        return CANCEL
    return DRILL_MSG_TYPES[drill_type] if campaign.is_drill else BROADCAST


def severity_level(severity: str | None) -> str:
    """1 (特别重大) .. 4 (一般); 0 for a severity we do not know."""
    keys = list(SEVERITIES)
    return str(keys.index(severity) + 1) if severity in keys else "0"


def _add(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if text is not None:
        element.text = text
    return element
