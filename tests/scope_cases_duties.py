"""Scope cases (tests/scope_cases.py) for a report duty's controls and runs and for the auto-replies in the inbox."""

from __future__ import annotations

from tests.scope_cases import Call, ScopeCase


def _duty_action(action: str, own_status: int = 200) -> ScopeCase:
    return ScopeCase(
        own=Call(f"/api/v1/reports/duties/{{own_duty}}/{action}", status=own_status),
        attacks=(Call(f"/api/v1/reports/duties/{{other_duty}}/{action}"),),
        write=True,
    )


def _reply_leaks(response, world):
    return [item for item in response.get_json()["items"] if item["grid_id"] not in world["own_ids"]]


DUTY_CASES: dict[tuple[str, str], ScopeCase] = {
    ("POST", "/api/v1/reports/duties/{duty_id}/pause"): _duty_action("pause"),
    # The own duty is active, so resuming it is a conflict (409), which comes only after the scope check passed.
    ("POST", "/api/v1/reports/duties/{duty_id}/resume"): _duty_action("resume", 409),
    ("POST", "/api/v1/reports/duties/{duty_id}/end"): _duty_action("end"),
    ("GET", "/api/v1/reports/duties/{duty_id}/runs"): ScopeCase(
        own=Call("/api/v1/reports/duties/{own_duty}/runs", status=200),
        attacks=(Call("/api/v1/reports/duties/{other_duty}/runs"),),
        write=False,
    ),
    ("GET", "/api/v1/inbox/auto-replies"): ScopeCase(
        own=Call("/api/v1/inbox/auto-replies", status=200), attacks=(), write=False, leaks=_reply_leaks
    ),
}
