"""Every audit entry reads as words in both languages: each action the code records, and each API write endpoint
(recorded as `api.<endpoint>`), which reads as the console action it matches, marked as done through the API."""

from __future__ import annotations

import ast
from pathlib import Path

from gateway.console.audit_words import ACTIONS, API_ENDPOINTS, audit_action, audit_target
from tests.console_helpers import logged_in
from tests.gateway.console.test_console_words import raw_codes, visible_text
from tests.scope_cases import NEW_CONTACT

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ROOT = Path(__file__).resolve().parents[3]
# Actions written with an f-string (views pass the action's name in): each name they can take.
COMPOSED = {
    "campaign.": ("launch", "approve", "pause", "resume", "cancel", "delete", "archive", "restore"),
    "run.": ("retry", "cancel"),
    "duty.": ("pause", "resume", "end"),
    "alert.": ("update", "cancel"),
}


# The audit recorders and the position of their action argument.
RECORDERS = {"record": 0, "record_action": 2, "record_event": 1}
# Recorders that pass their caller's action on, and the API's trail (every endpoint: the next test).
PASSING_ON = {"campaigns/identity/audit.py", "gateway/console/web.py", "gateway/api/audit_trail.py"}


def recorded_actions() -> set[str]:
    """The actions the code passes to the audit recorders: literals, module constants, and f-strings by the names
    COMPOSED gives them."""
    found = set()
    for folder in ("campaigns", "gateway"):
        for path in (ROOT / folder).rglob("*.py"):
            if str(path.relative_to(ROOT)) in PASSING_ON:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            constants = {target.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
                         for target in node.targets if isinstance(target, ast.Name)
                         and isinstance(node.value, ast.Constant)}  # fmt: skip
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and _name(node.func) in RECORDERS:
                    found |= _actions(node.args[RECORDERS[_name(node.func)]], constants, path)
    return found


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _actions(argument: ast.expr, constants: dict, path: Path) -> set[str]:
    if isinstance(argument, ast.Constant):
        return {argument.value}
    if isinstance(argument, ast.IfExp):
        return _actions(argument.body, constants, path) | _actions(argument.orelse, constants, path)
    if isinstance(argument, ast.Name) and argument.id in constants:
        return {constants[argument.id]}
    if isinstance(argument, ast.JoinedStr) and isinstance(argument.values[0], ast.Constant):
        prefix = argument.values[0].value
        assert prefix in COMPOSED, f"{path}: name the actions of {prefix}... in COMPOSED"
        return {prefix}
    return {f"{path}: an action this test cannot read: {ast.unparse(argument)}"}


def test_every_action_the_code_records_has_words_in_both_languages():
    composed = {prefix + name for prefix, names in COMPOSED.items() for name in names}
    actions = (recorded_actions() - set(COMPOSED)) | composed
    assert "alert.visit_list" in actions and "alert.expired_unsent" in actions and "session.lockout" in actions
    assert sorted(actions - set(ACTIONS)) == []
    for code in ACTIONS:
        english, chinese = audit_action(code, "en"), audit_action(code, "zh-Hans")
        assert english != code and chinese != english and "." not in chinese, code


def test_every_api_write_endpoint_reads_as_an_action(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")]
    writes = {rule.endpoint.removeprefix("api.") for rule in rules if set(rule.methods or ()) & WRITE_METHODS}
    assert len(writes) > 40
    assert sorted(writes - set(API_ENDPOINTS)) == []
    assert sorted(set(API_ENDPOINTS.values()) - set(ACTIONS)) == []
    assert audit_action("api.launch", "zh-Hans") == "发布通知（通过接口）"
    assert audit_action("api.set_alert_rule", "en") == "changed a county's alert rule (through the API)"
    assert audit_action("api.something_new", "en") == "api.something_new"


def test_an_api_writes_target_is_named_by_what_its_path_is_about():
    assert audit_target("/api/v1/campaigns/3/launch", "zh-Hans") == "通知 3"
    assert audit_target("/api/v1/campaigns", "en") == "campaign"
    assert audit_target("/api/v1/reports/duties/4/pause", "zh-Hans") == "日报任务 4"
    assert audit_target("/api/v1/users/lamu/tokens/2", "en") == "user lamu"
    assert audit_target("/api/v1/auto-replies/bo/confirm", "zh-Hans") == "藏语 · 确认收到"
    assert audit_target("/api/v1/simulator/replies", "zh-Hans") == ""


def test_the_audit_page_shows_api_and_alert_entries_in_words(client, make_token, session_factory, people):
    admin = {"Authorization": f"Bearer {make_token('admin', '623025')}"}
    assert client.post("/api/v1/contacts", json=NEW_CONTACT, headers=admin).status_code == 201
    token = logged_in(client, session_factory, "chief", "admin", "623025")
    form = {"csrf_token": token, "name": "暴雪演练", "event_type": "暴雪", "severity": "extreme",
            "valid_from": "2030-11-23T18:00", "expires_at": "2030-11-24T08:00", "is_drill": "on",
            "channels": "sms", "grid_ids": str(people["623025101"]), "text_zh": "今晚暴雪",
            "fallback_language": "zh"}  # fmt: skip
    assert client.post("/console/alerts/new", data=form).status_code == 302
    client.post(f"/console/alert-rules/{people['623025']}", data={"csrf_token": token, "skip": "on"})

    page = client.get("/console/audit").get_data(as_text=True)
    assert raw_codes(page) == []
    text = visible_text(page)
    assert "添加联系人（通过接口）" in text and "新建预警" in text and "修改县级预警规则" in text
    assert "/api/v1" not in text and "联系人" in text
    client.get("/console/language/en")
    text = visible_text(client.get("/console/audit").get_data(as_text=True))
    assert "added a contact (through the API)" in text and "created an alert" in text
