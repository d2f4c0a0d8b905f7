"""Scope cases (tests/scope_cases.py) for the loudspeaker routes, the CAP and EBM exports, and the speakers they need:
one in a village of each township, made by `make_speakers` for the operations under /api/v1/speakers."""

from __future__ import annotations

from sqlalchemy.orm import sessionmaker

from tests.scope_cases import Call, ScopeCase
from tests.speaker_helpers import add_speaker

NEW_SPEAKER = {"name": "新喇叭", "grid_code": "623025101202", "languages": ["bo", "zh"], "play_slots": ["07:30"]}


def make_speakers(session_factory: sessionmaker, tree: dict[str, int]) -> dict[str, int]:
    with session_factory.begin() as session:
        own, _ = add_speaker(session, "623025101201")
        other, _ = add_speaker(session, "623025102201")
    return {"own_speaker": own["id"], "other_speaker": other["id"]}


def _speaker_leaks(response, world):
    return [item for item in response.get_json()["items"] if item["grid_code"] not in world["own_codes"]]


def _village_leaks(response, world):
    return [village for village in response.get_json()["villages"] if village["grid_code"] not in world["own_codes"]]


SPEAKER_CASES: dict[tuple[str, str], ScopeCase] = {
    ("GET", "/api/v1/speakers"): ScopeCase(
        own=Call("/api/v1/speakers", status=200),
        attacks=(Call("/api/v1/speakers?grid_id={other_township}"), Call("/api/v1/speakers?grid_id={county}")),
        write=False,
        leaks=_speaker_leaks,
    ),
    ("POST", "/api/v1/speakers"): ScopeCase(
        own=Call("/api/v1/speakers", NEW_SPEAKER, 201),
        attacks=(Call("/api/v1/speakers", {**NEW_SPEAKER, "grid_code": "623025102201"}, 422),),
        write=True,
    ),
    ("GET", "/api/v1/speakers/{speaker_id}"): ScopeCase(
        own=Call("/api/v1/speakers/{own_speaker}", status=200),
        attacks=(Call("/api/v1/speakers/{other_speaker}"),),
        write=False,
    ),
    ("PATCH", "/api/v1/speakers/{speaker_id}"): ScopeCase(
        own=Call("/api/v1/speakers/{own_speaker}", {"play_slots": ["08:00"]}, 200),
        attacks=(
            Call("/api/v1/speakers/{other_speaker}", {"play_slots": ["08:00"]}),
            Call("/api/v1/speakers/{own_speaker}", {"grid_code": "623025102201"}, 422),
        ),
        write=True,
    ),
    ("DELETE", "/api/v1/speakers/{speaker_id}"): ScopeCase(
        own=Call("/api/v1/speakers/{own_speaker}", status=204),
        attacks=(Call("/api/v1/speakers/{other_speaker}"),),
        write=True,
    ),
    ("POST", "/api/v1/speakers/{speaker_id}/token"): ScopeCase(
        own=Call("/api/v1/speakers/{own_speaker}/token", status=200),
        attacks=(Call("/api/v1/speakers/{other_speaker}/token"),),
        write=True,
    ),
    ("GET", "/api/v1/speakers/{speaker_id}/items"): ScopeCase(
        own=Call("/api/v1/speakers/{own_speaker}/items", status=200),
        attacks=(Call("/api/v1/speakers/{other_speaker}/items"),),
        write=False,
    ),
    ("GET", "/api/v1/speakers/items"): ScopeCase(
        own=Call("/api/v1/speakers/items", status=200),
        attacks=(
            Call("/api/v1/speakers/items?grid_id={other_township}"),
            Call("/api/v1/speakers/items?grid_id={county}"),
        ),
        write=False,
        leaks=_village_leaks,
    ),
    ("GET", "/api/v1/campaigns/{campaign_id}/cap.xml"): ScopeCase(
        own=Call("/api/v1/campaigns/{own_launched}/cap.xml", status=200),
        attacks=(Call("/api/v1/campaigns/{other_launched}/cap.xml"),),
        write=False,
    ),
    ("GET", "/api/v1/campaigns/{campaign_id}/ebm.xml"): ScopeCase(
        own=Call("/api/v1/campaigns/{own_alert}/ebm.xml", status=200),
        attacks=(Call("/api/v1/campaigns/{other_alert}/ebm.xml"),),
        write=False,
    ),
}
