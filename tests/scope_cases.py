"""The table of scope cases for tests/gateway/api/test_api_scope.py: one row per operation of the OpenAPI document.

A row holds a request that works for staff of 齐哈玛镇 (the "own" township) and "attacks": the same operation aimed
at 欧拉镇 (the "other" township) or above, each with the status it must get. Paths and bodies name the ids of the
test's world as "{own_contact}", "{other_township}"... A new endpoint needs a row here (the test says which).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

OWN, OTHER = "623025101", "623025102"


@dataclass(frozen=True)
class Call:
    """A request: `path` is formatted with the world's ids; `actor` names a token of the world.

    `upload` is CSV text sent as the multipart field `file`; `check` must hold on a response with a 2xx `status`
    (imports answer 201 and reject the out-of-scope rows one by one).
    """

    path: str
    body: Any = None
    status: int = 404
    actor: str = "coordinator"
    upload: str | None = None
    check: Callable[[Any], bool] | None = None


@dataclass(frozen=True)
class ScopeCase:
    own: Call
    attacks: tuple[Call, ...]
    write: bool
    leaks: Callable[[Any, dict], list] | None = None  # (response, world) -> what the response shows out of scope


def _items_outside_own(items: list[dict], world: dict, key: str) -> list:
    return [item for item in items if item[key] not in world["own_codes"]]


def _grid_leaks(response, world):
    return [item for item in response.get_json()["items"] if not item["path"].startswith(world["own_path"])]


def _contact_leaks(response, world):
    return _items_outside_own(response.get_json()["items"], world, "grid_code")


def _user_leaks(response, world):
    return _items_outside_own(response.get_json()["items"], world, "scope_grid_code")


def _me_leaks(response, world):
    scope = response.get_json()["scope"]
    return [] if scope["code"] == OWN else [scope]


def _export_leaks(response, world):
    text = response.get_data(as_text=True)
    return [phone for phone in ("+8613800000002", "+8613800000004") if phone in text] + (
        [] if "+8613800000001" in text else ["the own contact is missing"]
    )


def _all_rejected(response) -> bool:
    counts = response.get_json()["counts"]
    return counts["rejected"] == counts["total"] > 0


GRIDS_CSV = "编码,名称,上级编码,层级\r\nX2,新村,{parent},村\r\n"
CONTACTS_CSV = "姓名,手机,网格编码\r\n新人,{phone},{grid}\r\n"


NEW_GRID = {"code": "X1", "name": "新村", "level": "village"}
NEW_CONTACT = {"name": "新人", "phone": "13800000099", "grid_code": "623025101202"}
NEW_USER = {"username": "new-user", "role": "viewer", "scope_grid_code": "623025101201"}


def _campaign_leaks(response, world):
    return [item for item in response.get_json()["items"] if item["scope_grid_id"] not in world["own_ids"]]


def campaign_body(township: str, **changes) -> dict:
    body = {"name": "疫苗接种提醒", "audience": {"grid_ids": [township]}, "texts": {"zh": "明天接种"}}
    return {**body, **changes}


def _campaign_action(action: str, own: str) -> ScopeCase:
    return ScopeCase(
        own=Call(f"/api/v1/campaigns/{{{own}}}/{action}", status=202 if action == "launch" else 200),
        attacks=(Call(f"/api/v1/campaigns/{{other_campaign}}/{action}"),),
        write=True,
    )


CASES: dict[tuple[str, str], ScopeCase] = {
    ("GET", "/api/v1/grids"): ScopeCase(
        own=Call("/api/v1/grids?per_page=500", status=200),
        attacks=(Call("/api/v1/grids?parent_id={other_township}"), Call("/api/v1/grids?under_id={county}")),
        write=False,
        leaks=_grid_leaks,
    ),
    ("POST", "/api/v1/grids"): ScopeCase(
        own=Call("/api/v1/grids", {**NEW_GRID, "parent_id": "{own_township}"}, 201),
        attacks=(
            Call("/api/v1/grids", {**NEW_GRID, "parent_id": "{other_township}"}),
            Call("/api/v1/grids", NEW_GRID, 422),
        ),
        write=True,
    ),
    ("GET", "/api/v1/grids/{grid_id}"): ScopeCase(
        own=Call("/api/v1/grids/{own_village}", status=200),
        attacks=(Call("/api/v1/grids/{other_village}"), Call("/api/v1/grids/{county}")),
        write=False,
    ),
    ("PATCH", "/api/v1/grids/{grid_id}"): ScopeCase(
        own=Call("/api/v1/grids/{own_village}", {"name": "改名"}, 200),
        attacks=(
            Call("/api/v1/grids/{other_village}", {"name": "改名"}),
            Call("/api/v1/grids/{own_village}", {"parent_id": "{other_township}"}),
            Call("/api/v1/grids/{other_village}", {"parent_id": "{own_township}"}),
        ),
        write=True,
    ),
    ("DELETE", "/api/v1/grids/{grid_id}"): ScopeCase(
        own=Call("/api/v1/grids/{own_empty_grid}", status=204),
        attacks=(Call("/api/v1/grids/{other_empty_grid}"),),
        write=True,
    ),
    ("GET", "/api/v1/contacts"): ScopeCase(
        own=Call("/api/v1/contacts?per_page=500", status=200),
        attacks=(Call("/api/v1/contacts?grid_id={other_township}"), Call("/api/v1/contacts?grid_id={county}")),
        write=False,
        leaks=_contact_leaks,
    ),
    ("POST", "/api/v1/contacts"): ScopeCase(
        own=Call("/api/v1/contacts", NEW_CONTACT, 201),
        attacks=(Call("/api/v1/contacts", {**NEW_CONTACT, "grid_code": "623025102201"}, 422),),
        write=True,
    ),
    ("GET", "/api/v1/contacts/{contact_id}"): ScopeCase(
        own=Call("/api/v1/contacts/{own_contact}", status=200),
        attacks=(Call("/api/v1/contacts/{other_contact}"),),
        write=False,
    ),
    ("PATCH", "/api/v1/contacts/{contact_id}"): ScopeCase(
        own=Call("/api/v1/contacts/{own_contact}", {"language": "bo"}, 200),
        attacks=(
            Call("/api/v1/contacts/{other_contact}", {"language": "zh"}),
            Call("/api/v1/contacts/{own_contact}", {"grid_code": "623025102201"}, 422),
        ),
        write=True,
    ),
    ("DELETE", "/api/v1/contacts/{contact_id}"): ScopeCase(
        own=Call("/api/v1/contacts/{own_contact}", status=204),
        attacks=(Call("/api/v1/contacts/{other_contact}"),),
        write=True,
    ),
    ("POST", "/api/v1/contacts/{contact_id}/opt-out"): ScopeCase(
        own=Call("/api/v1/contacts/{own_contact}/opt-out", {"via": "call"}, 200),
        attacks=(Call("/api/v1/contacts/{other_contact}/opt-out", {"via": "call"}),),
        write=True,
    ),
    ("POST", "/api/v1/contacts/{contact_id}/opt-in"): ScopeCase(
        own=Call("/api/v1/contacts/{own_opted_out_contact}/opt-in", status=200),
        attacks=(Call("/api/v1/contacts/{other_opted_out_contact}/opt-in"),),
        write=True,
    ),
    ("GET", "/api/v1/me"): ScopeCase(own=Call("/api/v1/me", status=200), attacks=(), write=False, leaks=_me_leaks),
    ("GET", "/api/v1/users"): ScopeCase(
        own=Call("/api/v1/users", status=200), attacks=(), write=False, leaks=_user_leaks
    ),
    ("POST", "/api/v1/grids/import"): ScopeCase(
        own=Call("/api/v1/grids/import", status=201, upload=GRIDS_CSV.format(parent=OWN)),
        attacks=(
            Call("/api/v1/grids/import", status=201, upload=GRIDS_CSV.format(parent=OTHER), check=_all_rejected),
            Call("/api/v1/grids/import", status=201, upload=GRIDS_CSV.format(parent=""), check=_all_rejected),
        ),
        write=True,
    ),
    ("POST", "/api/v1/contacts/import"): ScopeCase(
        own=Call("/api/v1/contacts/import", status=201, upload=CONTACTS_CSV.format(phone="13800000099", grid=OWN)),
        attacks=(
            Call(
                "/api/v1/contacts/import",
                status=201,
                upload=CONTACTS_CSV.format(phone="13800000099", grid="623025102201"),
                check=_all_rejected,
            ),
            Call(
                "/api/v1/contacts/import",
                status=201,
                upload=CONTACTS_CSV.format(phone="13800000002", grid=OWN),
                check=_all_rejected,
            ),
        ),
        write=True,
    ),
    ("GET", "/api/v1/contacts/export"): ScopeCase(
        own=Call("/api/v1/contacts/export", status=200),
        attacks=(
            Call("/api/v1/contacts/export?grid_id={other_township}"),
            Call("/api/v1/contacts/export?format=xlsx&grid_id={other_village}"),
        ),
        write=False,
        leaks=_export_leaks,
    ),
    ("GET", "/api/v1/imports/{report_id}"): ScopeCase(
        own=Call("/api/v1/imports/{own_report}", status=200),
        attacks=(
            Call("/api/v1/imports/{other_report}"),
            Call("/api/v1/imports/{other_report}", actor="township_admin"),
        ),
        write=False,
    ),
    ("GET", "/api/v1/imports/{report_id}/rejected.csv"): ScopeCase(
        own=Call("/api/v1/imports/{own_report}/rejected.csv", status=200),
        attacks=(
            Call("/api/v1/imports/{other_report}/rejected.csv"),
            Call("/api/v1/imports/{other_report}/rejected.csv", actor="township_admin"),
        ),
        write=False,
    ),
    ("GET", "/api/v1/campaigns"): ScopeCase(
        own=Call("/api/v1/campaigns?per_page=500", status=200), attacks=(), write=False, leaks=_campaign_leaks
    ),
    ("POST", "/api/v1/campaigns"): ScopeCase(
        own=Call("/api/v1/campaigns", campaign_body("{own_township}"), 201),
        attacks=(Call("/api/v1/campaigns", campaign_body("{other_township}")),),
        write=True,
    ),
    ("GET", "/api/v1/campaigns/{campaign_id}"): ScopeCase(
        own=Call("/api/v1/campaigns/{own_campaign}", status=200),
        attacks=(Call("/api/v1/campaigns/{other_campaign}"),),
        write=False,
    ),
    ("PATCH", "/api/v1/campaigns/{campaign_id}"): ScopeCase(
        own=Call("/api/v1/campaigns/{own_campaign}", {"name": "改名"}, 200),
        attacks=(
            Call("/api/v1/campaigns/{other_campaign}", {"name": "改名"}),
            Call("/api/v1/campaigns/{own_campaign}", {"audience": {"grid_ids": ["{other_township}"]}}),
        ),
        write=True,
    ),
    ("GET", "/api/v1/campaigns/{campaign_id}/preview"): ScopeCase(
        own=Call("/api/v1/campaigns/{own_campaign}/preview", status=200),
        attacks=(Call("/api/v1/campaigns/{other_campaign}/preview"),),
        write=False,
    ),
    ("POST", "/api/v1/campaigns/{campaign_id}/launch"): _campaign_action("launch", "own_campaign"),
    ("POST", "/api/v1/campaigns/{campaign_id}/pause"): _campaign_action("pause", "own_launched"),
    ("POST", "/api/v1/campaigns/{campaign_id}/resume"): _campaign_action("resume", "own_paused"),
    ("POST", "/api/v1/campaigns/{campaign_id}/cancel"): _campaign_action("cancel", "own_campaign"),
    ("POST", "/api/v1/campaigns/{campaign_id}/archive"): _campaign_action("archive", "own_campaign"),
    ("POST", "/api/v1/campaigns/{campaign_id}/restore"): _campaign_action("restore", "own_archived"),
    ("DELETE", "/api/v1/campaigns/{campaign_id}"): ScopeCase(
        own=Call("/api/v1/campaigns/{own_campaign}", status=204),
        attacks=(Call("/api/v1/campaigns/{other_campaign}"),),
        write=True,
    ),
    ("POST", "/api/v1/campaigns/{campaign_id}/update-alert"): ScopeCase(
        own=Call("/api/v1/campaigns/{own_alert}/update-alert", {"texts": {"zh": "暴雪加强"}}, 201),
        attacks=(Call("/api/v1/campaigns/{other_alert}/update-alert", {"texts": {"zh": "暴雪加强"}}),),
        write=True,
    ),
    ("POST", "/api/v1/campaigns/{campaign_id}/cancel-alert"): ScopeCase(
        own=Call("/api/v1/campaigns/{own_alert}/cancel-alert", {"all_clear": True}, 201),
        attacks=(Call("/api/v1/campaigns/{other_alert}/cancel-alert", {"all_clear": True}),),
        write=True,
    ),
    ("GET", "/api/v1/campaigns/{campaign_id}/reach"): ScopeCase(
        own=Call("/api/v1/campaigns/{own_alert}/reach", status=200),
        attacks=(Call("/api/v1/campaigns/{other_alert}/reach"),),
        write=False,
    ),
    ("POST", "/api/v1/campaigns/{campaign_id}/reach/grids/{grid_id}/visit-list"): ScopeCase(
        own=Call("/api/v1/campaigns/{own_alert}/reach/grids/{own_village}/visit-list", status=201),
        attacks=(
            Call("/api/v1/campaigns/{other_alert}/reach/grids/{own_village}/visit-list"),
            Call("/api/v1/campaigns/{own_alert}/reach/grids/{other_village}/visit-list"),
            Call("/api/v1/campaigns/{own_alert}/reach/grids/{county}/visit-list"),
        ),
        write=True,
    ),
    # Alert rules live on county grids, which only staff of the county (here root) see: for a township's staff the
    # county reads as not found, like any grid out of scope, and a grid of their own that is no county is a 422.
    ("GET", "/api/v1/grids/{grid_id}/alert-rule"): ScopeCase(
        own=Call("/api/v1/grids/{county}/alert-rule", status=200, actor="root"),
        attacks=(
            Call("/api/v1/grids/{county}/alert-rule"),
            Call("/api/v1/grids/{other_township}/alert-rule"),
            Call("/api/v1/grids/{own_township}/alert-rule", status=422),
        ),
        write=False,
    ),
    # Setting it is for admins (a coordinator gets 403 before any grid is looked at).
    ("PUT", "/api/v1/grids/{grid_id}/alert-rule"): ScopeCase(
        own=Call("/api/v1/grids/{county}/alert-rule", {"skip_approval_for_extreme": True}, 200, actor="root"),
        attacks=(
            Call("/api/v1/grids/{county}/alert-rule", {"skip_approval_for_extreme": True}, actor="township_admin"),
            Call(
                "/api/v1/grids/{other_township}/alert-rule", {"skip_approval_for_extreme": True}, actor="township_admin"
            ),
            Call(
                "/api/v1/grids/{own_township}/alert-rule",
                {"skip_approval_for_extreme": True},
                422,
                actor="township_admin",
            ),
            Call("/api/v1/grids/{county}/alert-rule", {"skip_approval_for_extreme": True}, 403),
        ),
        write=True,
    ),
    ("GET", "/api/v1/campaigns/{campaign_id}/runs"): ScopeCase(
        own=Call("/api/v1/campaigns/{own_launched}/runs", status=200),
        attacks=(Call("/api/v1/campaigns/{other_launched}/runs"),),
        write=False,
    ),
    ("GET", "/api/v1/runs/{run_id}"): ScopeCase(
        own=Call("/api/v1/runs/{own_run}", status=200), attacks=(Call("/api/v1/runs/{other_run}"),), write=False
    ),
    ("POST", "/api/v1/runs/{run_id}/retry-failed"): ScopeCase(
        own=Call("/api/v1/runs/{own_run}/retry-failed", status=200),
        attacks=(Call("/api/v1/runs/{other_run}/retry-failed"),),
        write=True,
    ),
    ("POST", "/api/v1/runs/{run_id}/cancel"): ScopeCase(
        own=Call("/api/v1/runs/{own_run}/cancel", status=200),
        attacks=(Call("/api/v1/runs/{other_run}/cancel"),),
        write=True,
    ),
    ("POST", "/api/v1/users"): ScopeCase(
        own=Call("/api/v1/users", NEW_USER, 201, actor="township_admin"),
        attacks=(
            Call("/api/v1/users", NEW_USER, 403),
            Call("/api/v1/users", {**NEW_USER, "scope_grid_code": OTHER}, 422, actor="township_admin"),
            Call("/api/v1/users", {**NEW_USER, "role": "admin", "scope_grid_code": None}, 422, "township_admin"),
        ),
        write=True,
    ),
    ("POST", "/api/v1/users/{username}/tokens"): ScopeCase(
        own=Call("/api/v1/users/own-viewer/tokens", {"name": "sync"}, 201, actor="township_admin"),
        attacks=(
            Call("/api/v1/users/own-viewer/tokens", {"name": "sync"}, 403),
            Call("/api/v1/users/other-coordinator/tokens", {"name": "sync"}, actor="township_admin"),
            Call("/api/v1/users/root/tokens", {"name": "sync"}, actor="township_admin"),
        ),
        write=True,
    ),
    ("GET", "/api/v1/users/{username}/tokens"): ScopeCase(
        own=Call("/api/v1/users/own-viewer/tokens", status=200, actor="township_admin"),
        attacks=(
            Call("/api/v1/users/own-viewer/tokens", status=403),
            Call("/api/v1/users/other-coordinator/tokens", actor="township_admin"),
            Call("/api/v1/users/root/tokens", actor="township_admin"),
        ),
        write=False,
    ),
    ("DELETE", "/api/v1/users/{username}/tokens/{token_id}"): ScopeCase(
        own=Call("/api/v1/users/own-viewer/tokens/{own-viewer_token}", status=200, actor="township_admin"),
        attacks=(
            Call("/api/v1/users/own-viewer/tokens/{own-viewer_token}", status=403),
            Call("/api/v1/users/other-coordinator/tokens/{other-coordinator_token}", actor="township_admin"),
            Call("/api/v1/users/own-viewer/tokens/{other-coordinator_token}", actor="township_admin"),
        ),
        write=True,
    ),
}


def _duty_leaks(response, world):
    return _items_outside_own(response.get_json()["items"], world, "root_grid_code")


def _board_leaks(response, world):
    stack, outside = [response.get_json()["grid"]], []
    while stack:
        node = stack.pop()
        outside += [] if node["code"] in world["own_codes"] else [node["code"]]
        stack.extend(node.get("children", []))
    return outside


def _board_csv_leaks(response, world):
    text = response.get_data(as_text=True)
    return [name for name in ("欧拉镇", "达尔庆村", "玛曲县") if name in text] + ([] if "秀玛村" in text else ["own"])


def _incident_leaks(response, world):
    items = response.get_json()["items"]
    return [item for item in items if item["grid"]["code"] not in world["own_codes"]] + ([] if items else ["none"])


NEW_DUTY = {"name": "零报告", "root_grid_id": "{own_township}", "level": "village"}


def _report_read(path: str, leaks=None) -> ScopeCase:
    """A report read of the own duty that works, and the same aimed at the other duty or an out-of-scope grid."""
    join = "&" if "?" in path else "?"
    return ScopeCase(
        own=Call(f"{path}{join}duty_id={{own_duty}}", status=200),
        attacks=(
            Call(f"{path}{join}duty_id={{other_duty}}"),
            Call(f"{path}{join}duty_id={{own_duty}}&grid_id={{other_village}}"),
            Call(f"{path}{join}duty_id={{own_duty}}&grid_id={{county}}"),
        ),
        write=False,
        leaks=leaks,
    )


CASES.update({
    ("GET", "/api/v1/reports/duties"): ScopeCase(
        own=Call("/api/v1/reports/duties", status=200), attacks=(), write=False, leaks=_duty_leaks
    ),
    ("POST", "/api/v1/reports/duties"): ScopeCase(
        own=Call("/api/v1/reports/duties", NEW_DUTY, 201),
        attacks=(
            Call("/api/v1/reports/duties", {**NEW_DUTY, "root_grid_id": "{other_township}"}),
            Call("/api/v1/reports/duties", {**NEW_DUTY, "root_grid_id": "{county}", "level": "township"}),
        ),
        write=True,
    ),
    ("GET", "/api/v1/reports/duties/{duty_id}"): ScopeCase(
        own=Call("/api/v1/reports/duties/{own_duty}", status=200),
        attacks=(Call("/api/v1/reports/duties/{other_duty}"),),
        write=False,
    ),
    ("PATCH", "/api/v1/reports/duties/{duty_id}"): ScopeCase(
        own=Call("/api/v1/reports/duties/{own_duty}", {"deadline": "11:00"}, 200),
        attacks=(
            Call("/api/v1/reports/duties/{other_duty}", {"deadline": "11:00"}),
            Call("/api/v1/reports/duties/{own_duty}", {"root_grid_id": "{other_township}"}),
        ),
        write=True,
    ),
    ("GET", "/api/v1/reports/board"): _report_read("/api/v1/reports/board?depth=3", _board_leaks),
    ("GET", "/api/v1/reports/history"): _report_read("/api/v1/reports/history?days=30"),
    ("GET", "/api/v1/reports/board.csv"): _report_read("/api/v1/reports/board.csv", _board_csv_leaks),
    ("GET", "/api/v1/reports/incidents"): _report_read("/api/v1/reports/incidents", _incident_leaks),
    ("POST", "/api/v1/reports/incidents/{report_id}/handled"): ScopeCase(
        own=Call("/api/v1/reports/incidents/{own_incident}/handled", status=200),
        attacks=(Call("/api/v1/reports/incidents/{other_incident}/handled"),),
        write=True,
    ),
})  # fmt: skip


def _inbox_leaks(response, world):
    items = response.get_json()["items"]
    return [item for item in items if item["contact"] is None or item["contact"]["grid_code"] not in world["own_codes"]]


def _confirmation_leaks(response, world):
    return _items_outside_own(response.get_json()["items"], world, "grid_code")


OWN_PHONE, OTHER_PHONE = "+8613800000001", "+8613800000002"
CASES.update({
    ("GET", "/api/v1/inbox"): ScopeCase(
        own=Call("/api/v1/inbox", status=200), attacks=(), write=False, leaks=_inbox_leaks
    ),
    ("GET", "/api/v1/inbox/{inbound_id}"): ScopeCase(
        own=Call("/api/v1/inbox/{own_inbound}", status=200),
        attacks=(Call("/api/v1/inbox/{other_inbound}"), Call("/api/v1/inbox/{unknown_inbound}"),
                 Call("/api/v1/inbox/{unknown_inbound}", actor="township_admin")),
        write=False,
    ),
    ("POST", "/api/v1/inbox/{inbound_id}/review"): ScopeCase(
        own=Call("/api/v1/inbox/{own_inbound}/review", {"note": "已核实"}, 200),
        attacks=(Call("/api/v1/inbox/{other_inbound}/review", {"note": "x"}),
                 Call("/api/v1/inbox/{unknown_inbound}/review", {"note": "x"})),
        write=True,
    ),
    ("POST", "/api/v1/inbox/{inbound_id}/link"): ScopeCase(
        own=Call("/api/v1/inbox/{unknown_inbound}/link", {"contact_id": "{own_contact}"}, 200, actor="root"),
        attacks=(
            Call("/api/v1/inbox/{unknown_inbound}/link", {"contact_id": "{own_contact}"}),
            Call("/api/v1/inbox/{unknown_inbound}/link", {"contact_id": "{own_contact}"}, actor="township_admin"),
            Call("/api/v1/inbox/{other_inbound}/link", {"contact_id": "{own_contact}"}),
        ),
        write=True,
    ),
    ("GET", "/api/v1/runs/{run_id}/confirmations"): ScopeCase(
        own=Call("/api/v1/runs/{own_run}/confirmations", status=200),
        attacks=(Call("/api/v1/runs/{other_run}/confirmations"),),
        write=False,
        leaks=_confirmation_leaks,
    ),
    ("GET", "/api/v1/keywords"): ScopeCase(own=Call("/api/v1/keywords", status=200), attacks=(), write=False),
    ("POST", "/api/v1/keywords"): ScopeCase(
        own=Call("/api/v1/keywords", {"language": "zh", "intent": "confirm", "keyword": "收悉"}, 201),
        attacks=(Call("/api/v1/keywords", {"language": "zh", "intent": "confirm", "keyword": "收悉",
                                           "grid_code": OTHER}, 422),),
        write=True,
    ),
    ("DELETE", "/api/v1/keywords/{keyword_id}"): ScopeCase(
        own=Call("/api/v1/keywords/{keyword}", status=204),
        attacks=(Call("/api/v1/keywords/{other_keyword}"), Call("/api/v1/keywords/{global_keyword}", status=403)),
        write=True,
    ),
    ("GET", "/api/v1/auto-replies"): ScopeCase(own=Call("/api/v1/auto-replies", status=200), attacks=(), write=False),
    ("PUT", "/api/v1/auto-replies/{language}/{intent}"): ScopeCase(
        own=Call("/api/v1/auto-replies/zh/confirm", {"enabled": False}, 200, actor="root"),
        attacks=(Call("/api/v1/auto-replies/zh/confirm", {"enabled": False}, 403),
                 Call("/api/v1/auto-replies/zh/confirm", {"enabled": False}, 403, actor="township_admin")),
        write=True,
    ),
    ("POST", "/api/v1/simulator/replies"): ScopeCase(
        own=Call("/api/v1/simulator/replies", {"phone": OWN_PHONE, "body": "收到"}, 202),
        attacks=(Call("/api/v1/simulator/replies", {"phone": OTHER_PHONE, "body": "收到"}),),
        write=True,
    ),
    ("POST", "/api/v1/simulator/unknown-sender"): ScopeCase(
        own=Call("/api/v1/simulator/unknown-sender", {"phone": "+8613900000077", "body": "你好"}, 202, actor="root"),
        attacks=(Call("/api/v1/simulator/unknown-sender", {"phone": "+8613900000077", "body": "你好"}, 403),),
        write=True,
    ),
    ("GET", "/api/v1/simulator/phones/{phone}"): ScopeCase(
        own=Call(f"/api/v1/simulator/phones/{OWN_PHONE}", status=200),
        attacks=(Call(f"/api/v1/simulator/phones/{OTHER_PHONE}"),),
        write=False,
    ),
})  # fmt: skip

from tests.scope_cases_speakers import SPEAKER_CASES  # noqa: E402  (it imports Call and ScopeCase from here)

CASES.update(SPEAKER_CASES)

from tests.scope_cases_audio import AUDIO_CASES  # noqa: E402  (it imports Call and ScopeCase from here)

CASES.update(AUDIO_CASES)

from tests.scope_cases_console import CONSOLE_CASES  # noqa: E402  (it imports Call and ScopeCase from here)

CASES.update(CONSOLE_CASES)

from tests.scope_cases_duties import DUTY_CASES  # noqa: E402  (it imports Call and ScopeCase from here)

CASES.update(DUTY_CASES)
