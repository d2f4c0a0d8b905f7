"""Scope cases (tests/gateway/api/test_api_scope.py) for the campaign approval operations (gateway/api/approvals.py).

The own township's draft was created by its coordinator, who may not approve it: the township's admin does.
"""

from __future__ import annotations

from tests.scope_cases import Call, ScopeCase

APPROVAL = "/api/v1/campaigns/{campaign_id}/approval"

CONSOLE_CASES = {
    ("GET", APPROVAL): ScopeCase(
        own=Call("/api/v1/campaigns/{own_campaign}/approval", status=200),
        attacks=(Call("/api/v1/campaigns/{other_campaign}/approval"),),
        write=False,
    ),
    ("POST", APPROVAL): ScopeCase(
        own=Call("/api/v1/campaigns/{own_campaign}/approval", status=200, actor="township_admin"),
        attacks=(
            Call("/api/v1/campaigns/{other_campaign}/approval"),
            Call("/api/v1/campaigns/{own_campaign}/approval", status=403),  # its creator
        ),
        write=True,
    ),
}
