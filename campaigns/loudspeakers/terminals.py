"""Loudspeaker terminals, as staff manage them: add, list, edit, rotate the token, remove.

A speaker belongs to a grid (a village, usually) and is seen by staff whose scope holds that grid. Its bearer
token is shown once, when the speaker is added or its token rotated; only the SHA-256 is stored (the same hashing
as staff API tokens). A speaker is `silent` when it has not polled or reported for longer than the configured
number of minutes (or never has), and `online` otherwise; `device_state` is what its last heartbeat said of
itself (normal, fault, recovered; None before its first such heartbeat).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from campaigns.broadcasts.loudspeaker_policy import check_play_times
from campaigns.common.errors import NotFound, ValidationError
from campaigns.common.languages import normalize_language
from campaigns.common.pagination import Page, paginate
from campaigns.common.text import clean_text
from campaigns.directory.grids import load_grid
from campaigns.identity.access import Actor, find_grid_by_code, require_write, scope_condition
from campaigns.identity.accounts import hash_token
from campaigns.models import Grid, Speaker
from campaigns.models.grid import subtree_bounds

SPEAKER_TOKEN_PREFIX = "gs_"
EDITABLE = ("name", "grid_code", "languages", "play_slots")
MAX_LANGUAGES = 2


def speaker_to_dict(speaker: Speaker, silent_after: timedelta, now: datetime) -> dict[str, Any]:
    return {
        "id": speaker.id,
        "name": speaker.name,
        "grid_id": speaker.grid_id,
        "grid_code": speaker.grid.code,
        "grid_name": speaker.grid.name,
        "languages": speaker.languages,
        "play_slots": speaker.play_slots,
        "token_prefix": speaker.token_prefix,
        "token_issued_at": speaker.token_issued_at.isoformat(),
        "created_at": speaker.created_at.isoformat(),
        "last_seen_at": speaker.last_seen_at.isoformat() if speaker.last_seen_at else None,
        "last_play_at": speaker.last_play_at.isoformat() if speaker.last_play_at else None,
        "silent": is_silent(speaker.last_seen_at, silent_after, now),
        "online": not is_silent(speaker.last_seen_at, silent_after, now),
        "device_state": speaker.device_state,
        "device_state_at": speaker.device_state_at.isoformat() if speaker.device_state_at else None,
        "device_detail": speaker.device_detail,
    }


def is_silent(last_seen_at: datetime | None, silent_after: timedelta, now: datetime) -> bool:
    return last_seen_at is None or last_seen_at < now - silent_after


def _languages(raw: Any) -> list[str]:
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_LANGUAGES:
        raise ValidationError.coded(
            "speaker.bad_languages", 'languages: one or two languages, e.g. ["bo", "zh"]', fields={"languages": "bad"}
        )
    languages = list(dict.fromkeys(normalize_language(item) for item in raw))
    return languages


def _grid(session: Session, actor: Actor, code: Any) -> Grid:
    try:
        return find_grid_by_code(session, actor, code)
    except (NotFound, ValidationError) as exc:
        raise ValidationError.coded(
            "field.grid_code", "grid_code: %(message)s", fields={"grid_code": "not found"}, message=exc
        ) from exc


def _clean(session: Session, actor: Actor, data: dict[str, Any], creating: bool) -> dict[str, Any]:
    unknown = sorted(set(data) - set(EDITABLE))
    if unknown:
        raise ValidationError.coded(
            "input.unknown_fields",
            "unknown fields: %(unknown)s",
            fields={name: "unknown" for name in unknown},
            unknown=unknown,
        )
    if creating:
        missing = [name for name in ("name", "grid_code", "languages") if name not in data]
        if missing:
            raise ValidationError.coded(
                "input.required_fields",
                "required: %(missing)s",
                fields={name: "required" for name in missing},
                missing=missing,
            )
    cleaned: dict[str, Any] = {}
    if "name" in data:
        cleaned["name"] = clean_text(data["name"], "name", max_length=100)
    if "grid_code" in data:
        cleaned["grid"] = _grid(session, actor, data["grid_code"])
    if "languages" in data:
        cleaned["languages"] = _languages(data["languages"])
    if "play_slots" in data or creating:
        cleaned["play_slots"] = check_play_times(data.get("play_slots"), "play_slots")
    return cleaned


def _new_token(speaker: Speaker, now: datetime) -> str:
    token = SPEAKER_TOKEN_PREFIX + secrets.token_urlsafe(32)
    speaker.token_hash, speaker.token_prefix, speaker.token_issued_at = hash_token(token), token[:10], now
    return token


def create_speaker(
    session: Session, actor: Actor, data: dict[str, Any], silent_after: timedelta, now: datetime
) -> dict[str, Any]:
    """Add a speaker to a grid in the actor's scope; the result holds its token, shown this once."""
    require_write(actor)
    speaker = Speaker(**_clean(session, actor, data, creating=True))
    token = _new_token(speaker, now)
    session.add(speaker)
    session.flush()
    return {**speaker_to_dict(speaker, silent_after, now), "token": token}


def load_speaker(session: Session, actor: Actor, speaker_id: int) -> Speaker:
    speaker = session.get(Speaker, speaker_id)
    if speaker is None or not actor.sees_path(speaker.grid.path):
        raise NotFound.coded("speaker.not_found", "speaker not found")
    return speaker


def get_speaker(
    session: Session, actor: Actor, speaker_id: int, silent_after: timedelta, now: datetime
) -> dict[str, Any]:
    return speaker_to_dict(load_speaker(session, actor, speaker_id), silent_after, now)


def list_speakers(
    session: Session,
    actor: Actor,
    silent_after: timedelta,
    now: datetime,
    *,
    grid_id: int | None = None,
    silent: bool | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """Speakers in the actor's scope (or under `grid_id`), with when each was last seen and last played."""
    query: Select = select(Speaker).join(Grid, Grid.id == Speaker.grid_id).where(scope_condition(actor, Grid.path))
    if grid_id is not None:
        under = load_grid(session, actor, grid_id)
        low, high = subtree_bounds(under.path)
        query = query.where(Grid.path >= low, Grid.path < high)
    if silent is not None:
        threshold = now - silent_after
        quiet = or_(Speaker.last_seen_at.is_(None), Speaker.last_seen_at < threshold)
        query = query.where(quiet if silent else ~quiet)
    query = query.order_by(Grid.path, Speaker.name, Speaker.id)
    return paginate(session, query, page, per_page, lambda speaker: speaker_to_dict(speaker, silent_after, now))


def update_speaker(
    session: Session, actor: Actor, speaker_id: int, data: dict[str, Any], silent_after: timedelta, now: datetime
) -> tuple[dict[str, Any], str]:
    """Edit a speaker's name, grid (within scope), languages or play slots; returns it and its token hash."""
    require_write(actor)
    speaker = load_speaker(session, actor, speaker_id)
    for key, value in _clean(session, actor, data, creating=False).items():
        setattr(speaker, key, value)
    session.flush()
    return speaker_to_dict(speaker, silent_after, now), speaker.token_hash


def rotate_token(
    session: Session, actor: Actor, speaker_id: int, silent_after: timedelta, now: datetime
) -> tuple[dict[str, Any], str]:
    """Give the speaker a new token (shown once); the old one stops working. Returns it and the old token hash."""
    require_write(actor)
    speaker = load_speaker(session, actor, speaker_id)
    old_hash = speaker.token_hash
    token = _new_token(speaker, now)
    session.flush()
    return {**speaker_to_dict(speaker, silent_after, now), "token": token}, old_hash


def remove_speaker(session: Session, actor: Actor, speaker_id: int) -> str:
    """Delete a speaker and its play reports (the village confirmations stay); returns its token hash."""
    require_write(actor)
    speaker = load_speaker(session, actor, speaker_id)
    token_hash = speaker.token_hash
    session.delete(speaker)
    session.flush()
    return token_hash
