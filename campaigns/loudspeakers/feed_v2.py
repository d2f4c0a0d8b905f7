"""Feed v2: signed items with priority, severity, validity, area and audio digest, and explicit cancel instructions.

Each open announcement (see `campaigns.loudspeakers.feed`) gives one item per language of the speaker that has
audio: type "announcement", id "run-<run id>-<language>". A cancelled one (its run or its campaign cancelled while
its window is open) gives instead an item of type "cancel" with id "cancel-<run id>-<language>" whose `references`
names the cancelled item, until the cancelled item's own expiry; then both are gone. Routine campaigns have priority
"routine" and severity null; alerts (docs/alerts.md) have priority "alert", their severity and their own validity
window, and an alert's update or all-clear names the items of the alert it replaces in `references`; `PRIORITIES`
lists the priorities from highest to lowest. Items are ordered: cancels
first, then by priority (highest first), then newest first, so a terminal that plays in feed order lets a
higher-priority item pre-empt routine ones. Each item is signed (campaigns.common.signing).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from campaigns.common.signing import ItemSigner
from campaigns.loudspeakers.feed import (
    Feed,
    FeedItems,
    FeedSources,
    feed_sources,
    is_cancelled,
    newest_per_campaign,
    play_plan,
    speaker_part,
    window,
)
from campaigns.models import AudioClip, Campaign, Grid, Run, Speaker

FEED_VERSION = 2
PRIORITIES = ("alert", "routine")
ITEM_TYPES = ("announcement", "cancel")
GRID_CODES = select(Grid.id, Grid.code).where(Grid.id.in_(bindparam("grid_ids", expanding=True)))  # built once


def item_id(run_id: int, language: str) -> str:
    return f"run-{run_id}-{language}"


def parse_item_id(raw: Any) -> tuple[int, str] | None:
    """(run id, language) of an announcement item id such as "run-12-bo", or None for anything else."""
    if not isinstance(raw, str) or not raw.startswith("run-"):
        return None
    run_part, _, language = raw.removeprefix("run-").partition("-")
    if not run_part.isdigit() or not language or len(run_part) > 10:
        return None
    return int(run_part), language


def priority_of(campaign: Campaign) -> tuple[str, str | None]:
    """The campaign's item priority and severity: an alert's with its severity, otherwise routine without one."""
    if campaign.kind == "alert":
        return "alert", campaign.severity
    return "routine", None


def _referenced_runs(session: Session, campaigns: list[Campaign]) -> dict[int, list[int]]:
    """For each update or cancel alert, the runs of the alert it refers to (their items are what it replaces)."""
    referenced = {campaign.references_id for campaign in campaigns if campaign.references_id is not None}
    runs: dict[int, list[int]] = {}
    if referenced:
        query = select(Run.campaign_id, Run.id).where(Run.campaign_id.in_(referenced), Run.kind == "regular")
        for campaign_id, run_id in session.execute(query.order_by(Run.id)):
            runs.setdefault(campaign_id, []).append(run_id)
    return {campaign.id: runs.get(campaign.references_id, []) for campaign in campaigns if campaign.references_id}


def _area_codes(session: Session, campaigns: list[Campaign]) -> dict[int, list[str]]:
    wanted = {grid_id for campaign in campaigns for grid_id in (campaign.audience or {}).get("grid_ids") or []}
    codes = {grid_id: code for grid_id, code in session.execute(GRID_CODES, {"grid_ids": sorted(wanted)})}
    return {
        campaign.id: sorted(codes[grid_id] for grid_id in (campaign.audience or {}).get("grid_ids") or []
                            if grid_id in codes)
        for campaign in campaigns
    }  # fmt: skip


def signed_items(
    session: Session, speaker: Speaker, audio_base_url: str, timezone: str, signer: ItemSigner, sources: FeedSources
) -> FeedItems:
    """Feed v2's items from the speaker's feed sources: signed announcement and cancel items in play order."""
    runs = newest_per_campaign(sources.runs)
    areas = _area_codes(session, [campaign for _, campaign in runs])
    replaced = _referenced_runs(session, [campaign for _, campaign in runs])
    ranked: list[tuple[tuple[int, int], dict[str, Any]]] = []
    expiries = []
    for position, (run, campaign) in enumerate(runs):
        for language in speaker.languages:
            clip = sources.clips.get((campaign.id, language))
            if clip is None:
                continue
            item = _item(run, campaign, language, areas[campaign.id])
            if replaced.get(campaign.id):
                item["references"] = [item_id(run_id, language) for run_id in replaced[campaign.id]]
            if is_cancelled(campaign, run):
                item = _cancel(item)
            else:
                item.update(_audio(clip, audio_base_url), **play_plan(campaign, speaker, timezone))
            rank = 0 if item["type"] == "cancel" else 1 + PRIORITIES.index(item["priority"])
            ranked.append(((rank, position), signer.sign(item)))
            expiries.append(window(campaign, run)[1])
    ranked.sort(key=lambda pair: pair[0])
    return FeedItems([item for _, item in ranked], min(expiries) if expiries else None)


def feed_v2_body(speaker: Speaker, signer: ItemSigner, items: list[dict[str, Any]]) -> dict[str, Any]:
    """Feed v2's body: the speaker's own part, the public key that signed the items, and the items."""
    return {"version": FEED_VERSION, "speaker": speaker_part(speaker), "signing_key": signer.public_key(),
            "items": items}  # fmt: skip


def speaker_feed_v2(
    session: Session,
    speaker: Speaker,
    now: datetime,
    audio_base_url: str,
    timezone: str,
    signer: ItemSigner,
    sources: FeedSources | None = None,
) -> Feed:
    """The speaker's feed v2: signed announcement and cancel items in play order, and when the first expires."""
    sources = sources or feed_sources(session, speaker, now)
    made = signed_items(session, speaker, audio_base_url, timezone, signer, sources)
    return Feed(speaker.id, feed_v2_body(speaker, signer, made.items), made.expires_at)


def _item(run: Run, campaign: Campaign, language: str, area_codes: list[str]) -> dict[str, Any]:
    priority, severity = priority_of(campaign)
    valid_from, expires_at = window(campaign, run)
    return {
        "id": item_id(run.id, language),
        "type": "announcement",
        "run_id": run.id,
        "campaign_id": campaign.id,
        "title": campaign.name,
        "priority": priority,
        "severity": severity,
        "valid_from": valid_from.isoformat(),
        "expires_at": expires_at.isoformat(),
        "area_codes": area_codes,
        "language": language,
        "references": None,
    }


def _audio(clip: AudioClip, audio_base_url: str) -> dict[str, Any]:
    return {
        "audio": {
            "url": f"{audio_base_url}/audio/{clip.sha256}.mp3",
            "size_bytes": clip.size_bytes,
            "sha256": clip.sha256,
            "duration_ms": clip.duration_ms,
        }
    }


def _cancel(original: dict[str, Any]) -> dict[str, Any]:
    """The instruction to stop and drop `original` (valid until the original's expiry)."""
    return {
        **original,
        "id": original["id"].replace("run-", "cancel-", 1),
        "type": "cancel",
        "references": [original["id"]],
    }
