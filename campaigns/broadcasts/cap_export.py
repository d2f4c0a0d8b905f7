"""A campaign as a CAP 1.2 alert (OASIS Common Alerting Protocol), the open standard of public warning systems.

One <info> per campaign language (headline, description from the text), its audio as a <resource> (audio/mpeg,
size, absolute URI and the SHA-1 digest CAP 1.2 asks for, computed from the stored file through `AudioDigests`),
and one <area> naming the audience grids. `sent` is the start of the campaign's latest run (the moment of the
export for a campaign that never ran); a loudspeaker campaign's run window gives `effective` and `expires`.
An alert (campaigns.broadcasts.alert_fields) gives its own event, severity, validity window, `status` Test for a
drill, `msgType` Update or Cancel with the `references` (sender,identifier,sent) of the alerts it follows.
Times are written in the campaign's time zone with their offset, as CAP requires (no "Z", no fractions).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.broadcasts.alert_fields import ALERT
from campaigns.broadcasts.alert_fields import SEVERITIES as ALERT_SEVERITIES
from campaigns.broadcasts.campaign_service import load_campaign
from campaigns.broadcasts.schedules import check_timezone
from campaigns.broadcasts.templates import render
from campaigns.identity.access import Actor
from campaigns.models import AudioClip, Campaign, CampaignAudio, Grid, Run, RunKind, RunStatus

CAP_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
CATEGORIES = ("Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra", "CBRNE",
              "Other")  # fmt: skip
URGENCIES = ("Immediate", "Expected", "Future", "Past", "Unknown")
SEVERITIES = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
CERTAINTIES = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")


class AudioDigests(Protocol):
    """The stored audio files, as the export needs them: the SHA-1 (hex) of the file named by its SHA-256."""

    def sha1_of(self, sha256: str) -> str | None: ...


@dataclass(frozen=True)
class CapOptions:
    """Who sends the alert, where audio is served, and the CAP classification of the announcement."""

    sender: str
    audio_base_url: str
    category: str = "Other"
    urgency: str | None = None  # Expected for a campaign, Immediate for an alert
    severity: str = "Minor"  # an alert gives its own
    certainty: str = "Likely"


def _q(tag: str) -> str:
    return f"{{{CAP_NAMESPACE}}}{tag}"


def _add(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, _q(tag))
    if text is not None:
        element.text = text
    return element


def cap_time(moment: datetime, timezone: str) -> str:
    return moment.astimezone(check_timezone(timezone)).replace(microsecond=0).isoformat()


def _latest_run(session: Session, campaign: Campaign) -> Run | None:
    return session.scalar(
        select(Run)
        .where(Run.campaign_id == campaign.id, Run.kind == RunKind.REGULAR, Run.status != RunStatus.CANCELLED)
        .order_by(Run.occurrence_at.desc(), Run.id.desc())
        .limit(1)
    )


def area_grids(session: Session, campaign: Campaign) -> list[Grid]:
    """The audience grids (the scope grid when the audience names none), ordered by path: an alert's area."""
    ids = list((campaign.audience or {}).get("grid_ids") or [])
    if not ids and campaign.scope_grid_id is not None:
        ids = [campaign.scope_grid_id]
    return list(session.scalars(select(Grid).where(Grid.id.in_(ids)).order_by(Grid.path)))


def campaign_cap_alert(
    session: Session, actor: Actor, campaign_id: int, digests: AudioDigests, options: CapOptions, now: datetime
) -> bytes:
    """The campaign (in the actor's scope) as a CAP 1.2 alert document, UTF-8 XML."""
    campaign = load_campaign(session, actor, campaign_id)
    run = alert_run(session, campaign) if campaign.kind == ALERT else _latest_run(session, campaign)
    grids = area_grids(session, campaign)
    audio = audio_clips(session, campaign)
    is_alert = campaign.kind == ALERT
    alert = ET.Element(_q("alert"))
    _add(alert, "identifier", _identifier(options.sender, campaign, run))
    _add(alert, "sender", options.sender)
    _add(alert, "sent", cap_time(run.occurrence_at if run else now, campaign.timezone))
    _add(alert, "status", _status(campaign))
    _add(alert, "msgType", (campaign.msg_type or "alert").capitalize() if is_alert else "Alert")
    _add(alert, "scope", "Public")
    if is_alert and campaign.references_id is not None:
        _add(alert, "references", _references(session, campaign, options.sender, now))
    area_names = ", ".join(grid.name for grid in grids) or "-"
    for language, text in campaign.texts.items():
        info = _add(alert, "info")
        _add(info, "language", language)
        _add(info, "category", options.category)
        _add(info, "event", campaign.event_type if is_alert and campaign.event_type else campaign.name)
        _add(info, "urgency", options.urgency or ("Immediate" if is_alert else "Expected"))
        _add(info, "severity", ALERT_SEVERITIES[campaign.severity or ""][1] if is_alert else options.severity)
        _add(info, "certainty", options.certainty)
        if is_alert and campaign.valid_from and campaign.expires_at:
            _add(info, "effective", cap_time(campaign.valid_from, campaign.timezone))
            _add(info, "expires", cap_time(campaign.expires_at, campaign.timezone))
        elif run is not None:
            hours = (campaign.loudspeaker or {}).get("valid_hours")
            _add(info, "effective", cap_time(run.occurrence_at, campaign.timezone))
            if hours:
                _add(info, "expires", cap_time(run.occurrence_at + timedelta(hours=hours), campaign.timezone))
        _add(info, "senderName", grids[0].name if len(grids) == 1 else "Gridcast")
        _add(info, "headline", campaign.name[:160])
        _add(info, "description", render(text, name="", grid=area_names).strip(" ，,:：") or campaign.name)
        clip = audio.get(language)
        if clip is not None:
            _resource(info, language, clip, digests, options.audio_base_url)
        area = _add(info, "area")
        _add(area, "areaDesc", area_names)
        for grid in grids:
            geocode = _add(area, "geocode")
            _add(geocode, "valueName", "gridcast:grid_code")
            _add(geocode, "value", grid.code)
    return ET.tostring(alert, encoding="utf-8", xml_declaration=True, default_namespace=CAP_NAMESPACE)


def alert_run(session: Session, campaign: Campaign) -> Run | None:
    """An alert's one run, even once an update or cancel stopped it: its identity must not change afterwards."""
    return session.scalar(
        select(Run).where(Run.campaign_id == campaign.id, Run.kind == "regular").order_by(Run.id).limit(1)
    )


def _identifier(sender: str, campaign: Campaign, run: Run | None) -> str:
    """A campaign's identifier names its run; an alert's names the alert alone (updates refer to it)."""
    host = re.sub(r"[^A-Za-z0-9.\-]", "-", sender.rpartition("@")[2] or "gridcast")
    with_run = run is not None and campaign.kind != ALERT
    return f"gridcast-{host}-campaign-{campaign.id}" + (f"-run-{run.id}" if with_run and run else "")


def _status(campaign: Campaign) -> str:
    if campaign.kind == ALERT and campaign.is_drill:
        return "Test"
    return "Draft" if campaign.status == "draft" else "Actual"


def _references(session: Session, campaign: Campaign, sender: str, now: datetime) -> str:
    """The earlier messages this one follows, oldest first, each as sender,identifier,sent (CAP 1.2 3.2.1)."""
    earlier = []
    referenced = session.get(Campaign, campaign.references_id) if campaign.references_id else None
    while referenced is not None:
        run = alert_run(session, referenced)
        sent = cap_time(run.occurrence_at if run else now, referenced.timezone)
        earlier.append(f"{sender},{_identifier(sender, referenced, run)},{sent}")
        referenced = session.get(Campaign, referenced.references_id) if referenced.references_id else None
    return " ".join(reversed(earlier))


def _resource(info: ET.Element, language: str, clip: AudioClip, digests: AudioDigests, base_url: str) -> None:
    resource = _add(info, "resource")
    _add(resource, "resourceDesc", f"announcement audio ({language})")
    _add(resource, "mimeType", "audio/mpeg")
    _add(resource, "size", str(clip.size_bytes))
    _add(resource, "uri", f"{base_url}/audio/{clip.sha256}.mp3")
    digest = digests.sha1_of(clip.sha256)
    if digest is not None:
        _add(resource, "digest", digest)


def audio_clips(session: Session, campaign: Campaign) -> dict[str, AudioClip]:
    """The campaign's audio clip for each language that has one."""
    return {
        language: clip
        for language, clip in session.execute(
            select(CampaignAudio.language, AudioClip)
            .join(AudioClip, AudioClip.id == CampaignAudio.clip_id)
            .where(CampaignAudio.campaign_id == campaign.id)
        )
    }
