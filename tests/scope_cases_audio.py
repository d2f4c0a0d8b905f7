"""Scope cases of the campaign audio operations (tests/gateway/api/test_api_scope.py): a campaign of the other township
is not found, whatever is asked of its audio; a viewer may list audio but neither synthesize nor upload."""

from __future__ import annotations

from tests.audio_helpers import ascii_wav
from tests.scope_cases import Call, ScopeCase

_RECORDING = ascii_wav(0.5)


AUDIO_CASES: dict[tuple[str, str], ScopeCase] = {
    ("GET", "/api/v1/campaigns/{campaign_id}/audio"): ScopeCase(
        own=Call("/api/v1/campaigns/{own_campaign}/audio", status=200),
        attacks=(Call("/api/v1/campaigns/{other_campaign}/audio"),),
        write=False,
    ),
    ("POST", "/api/v1/campaigns/{campaign_id}/audio/{language}/synthesize"): ScopeCase(
        own=Call("/api/v1/campaigns/{own_campaign}/audio/zh/synthesize", status=202),
        attacks=(
            Call("/api/v1/campaigns/{other_campaign}/audio/zh/synthesize"),
            Call("/api/v1/campaigns/{other_paused}/audio/zh/synthesize", {"engine": "espeak"}),
        ),
        write=True,
    ),
    ("PUT", "/api/v1/campaigns/{campaign_id}/audio/{language}"): ScopeCase(
        own=Call("/api/v1/campaigns/{own_campaign}/audio/bo", status=200, upload=_RECORDING),
        attacks=(
            Call("/api/v1/campaigns/{other_campaign}/audio/bo", upload=_RECORDING),
            Call("/api/v1/campaigns/{other_paused}/audio/藏语", upload=_RECORDING),
        ),
        write=True,
    ),
}
