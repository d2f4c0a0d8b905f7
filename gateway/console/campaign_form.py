"""The campaign builder's form: to the dict `create_campaign`/`update_campaign` take, and back for editing."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import flash, g, request

from campaigns.broadcasts.campaign_service import CHANNELS, DEFAULT_TIMEZONE
from campaigns.broadcasts.schedules import ScheduleKind, window_wait
from campaigns.common.languages import LANGUAGES
from campaigns.directory.roles import CONTACT_ROLES
from campaigns.identity.access import Actor
from campaigns.models import Channel
from campaigns.models.base import utcnow
from campaigns.runs.dashboard import grid_outline
from gateway.console import local_time
from gateway.console.forms import checked, int_param, split_words
from gateway.console.time_filters import console_zone
from gateway.console.web import _
from gateway.web.session import db

PICKER_LEVELS = 3  # the audience picker lists the caller's top grid and two levels below it


def campaign_data(form) -> dict[str, Any]:
    """The builder's fields as campaign data; the services validate it (errors come back per field)."""
    grid_ids = [int(raw) for raw in form.getlist("grid_ids") if raw.strip().isdigit()]
    texts = {lang: form.get(f"text_{lang}", "").strip() for lang in LANGUAGES}
    schedule: dict[str, Any] = {"kind": form.get("schedule_kind") or ScheduleKind.NOW}
    if schedule["kind"] == ScheduleKind.ONCE:
        schedule["at"] = form.get("schedule_at", "")
    window = None
    if form.get("window_start") or form.get("window_end"):
        window = {"start": form.get("window_start", ""), "end": form.get("window_end", "")}
    expects_reply = checked("expects_reply")
    confirmation = None
    if expects_reply and form.get("remind_after_minutes"):
        confirmation = {
            "remind_after_minutes": int_param("remind_after_minutes", form),
            "max_reminders": int_param("max_reminders", form) if form.get("max_reminders") else 2,
        }
    channels = [channel for channel in form.getlist("channels") if channel in CHANNELS]
    return {
        "name": form.get("name", ""),
        "channels": channels,
        "loudspeaker": _loudspeaker(form) if Channel.LOUDSPEAKER in channels else None,
        "audience": {
            "grid_ids": grid_ids,
            "roles": [role for role in form.getlist("roles") if role in CONTACT_ROLES],
            "tags": split_words(form.get("tags")),
        },
        "texts": {lang: text for lang, text in texts.items() if text},
        "fallback_language": form.get("fallback_language") or None,
        "schedule": schedule,
        "send_window": window,
        "expects_reply": expects_reply,
        "confirmation": confirmation,
    }


def _loudspeaker(form) -> dict[str, Any]:
    """The loudspeaker section: play times, how many times in a row, for how many hours (services validate)."""
    section: dict[str, Any] = {"play_at": split_words(form.get("ls_play_at"))}
    for key in ("times", "valid_hours"):
        if form.get(f"ls_{key}"):
            section[key] = int_param(f"ls_{key}", form)
    return section


def form_values(campaign: dict[str, Any] | None) -> dict[str, Any]:
    """The form's values for an existing campaign (or the posted form after an error, or an empty form)."""
    if request.method == "POST":
        form = request.form
        values = {key: form.get(key, "") for key in form}
        values["grid_ids"] = [int(raw) for raw in form.getlist("grid_ids") if raw.isdigit()]
        values["roles"] = form.getlist("roles")
        values["channels"] = form.getlist("channels")
        values["expects_reply"] = checked("expects_reply")
        return values
    if campaign is None:
        return {
            "grid_ids": [],
            "roles": [],
            "channels": [Channel.SMS],
            "schedule_kind": ScheduleKind.NOW,
            "fallback_language": "zh",
        }
    confirmation = campaign.get("confirmation") or {}
    window = campaign.get("send_window") or {}
    loudspeaker = campaign.get("loudspeaker") or {}
    values = {
        "name": campaign["name"],
        "channels": campaign["channels"],
        "ls_play_at": ", ".join(loudspeaker.get("play_at", [])),
        "ls_times": loudspeaker.get("times", ""),
        "ls_valid_hours": loudspeaker.get("valid_hours", ""),
        "grid_ids": campaign["audience"]["grid_ids"],
        "roles": campaign["audience"]["roles"],
        "tags": ", ".join(campaign["audience"]["tags"]),
        "fallback_language": campaign["fallback_language"] or "",
        "schedule_kind": campaign["schedule"]["kind"],
        "schedule_at": campaign["schedule"].get("at", ""),
        "window_start": window.get("start", ""),
        "window_end": window.get("end", ""),
        "expects_reply": campaign["expects_reply"],
        "remind_after_minutes": confirmation.get("remind_after_minutes") or "",
        "max_reminders": confirmation.get("max_reminders", ""),
    }
    values.update({f"text_{lang}": text for lang, text in campaign["texts"].items()})
    return values


def picker_grids(actor: Actor) -> list[dict[str, Any]]:
    """The grids offered by the audience picker: the caller's top grid and PICKER_LEVELS - 1 levels under it."""
    return grid_outline(db(), actor, levels=PICKER_LEVELS)


def composer_settings(zone: str = DEFAULT_TIMEZONE) -> dict[str, Any]:
    """What the composer's script needs: the campaigns' zone offset now (to read "date and time (local)" fields)."""
    offset = utcnow().astimezone(ZoneInfo(zone)).utcoffset()
    return {"zone_offset_minutes": int(offset.total_seconds() // 60) if offset else 0}


def warn_window_wait(campaign: dict[str, Any]) -> None:
    """Flash a warning when the campaign's next run will wait for its send window (saving is not refused)."""
    wait = window_wait(campaign["schedule"], campaign["send_window"], campaign["timezone"], utcnow())
    if wait is None:
        return
    window = campaign["send_window"]

    def short(moment) -> str:
        return local_time.short_time(moment, console_zone(), utcnow(), g.lang)

    first, opens = wait
    flash(_("The first run ({first}) falls outside the send window {start}–{end}: it will wait until {opens}.",
            first=short(first), start=window["start"], end=window["end"], opens=short(opens)), "warning")  # fmt: skip
