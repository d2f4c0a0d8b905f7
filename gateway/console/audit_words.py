"""Audit entries in words: what was done ("campaign.launch" -> 发布通知), why a login failed or a session ended, and
what an entry was about ("campaign 7" -> 通知 7). A write through the API is recorded as `api.<endpoint>`
(gateway.api.audit_trail) and read as the console action it matches, marked as done through the API.

The words are English gettext texts under a context per kind; the catalogs hold the Chinese (`make i18n`).
"""

from __future__ import annotations

from gateway.console.i18n import translate, translate_in_context
from gateway.console.labels import LANGUAGE_NAMES, language_name

ACTION_CONTEXT, REASON_CONTEXT, TARGET_CONTEXT = "audit action", "audit reason", "audit target"
API_PREFIX = "api."

ACTIONS = {
    "session.login": "logged in",
    "session.login_failed": "failed to log in",
    "session.lockout": "locked out of logging in",
    "session.logout": "logged out",
    "campaign.create": "created a campaign",
    "campaign.update": "edited a campaign",
    "campaign.launch": "launched a campaign",
    "campaign.approve": "approved a campaign",
    "campaign.pause": "paused a campaign",
    "campaign.resume": "resumed a campaign",
    "campaign.cancel": "cancelled a campaign",
    "campaign.delete": "deleted a draft campaign",
    "campaign.archive": "archived a campaign",
    "campaign.restore": "restored an archived campaign",
    "campaign.audio_synthesize": "synthesized campaign audio",
    "campaign.audio_recording": "uploaded a campaign recording",
    "alert.create": "created an alert",
    "alert.update": "updated an alert",
    "alert.cancel": "cancelled an alert",
    "alert.approval_skipped": "launched an extreme alert without a second approval",
    "alert.county_rule": "changed a county's alert rule",
    "alert.visit_list": "sent a visit list to a liaison",
    "alert.expired_unsent": "an alert expired before it was sent",
    "run.retry": "retried failed messages",
    "run.cancel": "cancelled a run",
    "grid.create": "created a grid",
    "grid.update": "edited a grid",
    "grid.delete": "deleted a grid",
    "grids.import": "imported grids",
    "contacts.import": "imported contacts",
    "contacts.export": "exported contacts",
    "contact.create": "added a contact",
    "contact.update": "edited a contact",
    "contact.delete": "deleted a contact",
    "contact.opt_in": "opted a contact back in",
    "contact.opt_out": "opted a contact out",
    "duty.create": "created a report duty",
    "duty.update": "edited a report duty",
    "duty.pause": "paused a report duty",
    "duty.resume": "resumed a report duty",
    "duty.end": "ended a report duty",
    "incident.handled": "handled an incident",
    "inbox.review": "reviewed a reply",
    "inbox.link": "linked an unknown sender",
    "simulator.reply": "replied from the simulator",
    "simulator.call_key": "pressed a key in the simulator",
    "simulator.unknown_sender": "texted in as an unknown sender",
    "user.create": "created a user",
    "user.update": "edited a user",
    "token.create": "issued an API token",
    "token.revoke": "revoked an API token",
    "keyword.add": "added a keyword",
    "keyword.remove": "removed a keyword",
    "auto_reply.set": "changed an auto-reply",
    "speaker.create": "added a loudspeaker",
    "speaker.update": "edited a loudspeaker",
    "speaker.rotate_token": "gave a loudspeaker a new token",
    "speaker.remove": "removed a loudspeaker",
}
# Each API write endpoint (gateway/api) as the action it is.
API_ENDPOINTS = {
    "add_keyword": "keyword.add",
    "approve": "campaign.approve",
    "archive": "campaign.archive",
    "cancel": "campaign.cancel",
    "cancel_alert": "alert.cancel",
    "cancel_run": "run.cancel",
    "create_campaign": "campaign.create",
    "create_contact": "contact.create",
    "create_duty": "duty.create",
    "create_grid": "grid.create",
    "create_speaker": "speaker.create",
    "create_token": "token.create",
    "create_user": "user.create",
    "delete_contact": "contact.delete",
    "delete_draft": "campaign.delete",
    "delete_grid": "grid.delete",
    "end_duty": "duty.end",
    "import_contacts": "contacts.import",
    "import_grids": "grids.import",
    "launch": "campaign.launch",
    "link_message": "inbox.link",
    "mark_handled": "incident.handled",
    "opt_in": "contact.opt_in",
    "opt_out": "contact.opt_out",
    "pause": "campaign.pause",
    "pause_duty": "duty.pause",
    "post_visit_list": "alert.visit_list",
    "remove_keyword": "keyword.remove",
    "remove_speaker": "speaker.remove",
    "restore": "campaign.restore",
    "resume": "campaign.resume",
    "resume_duty": "duty.resume",
    "retry_failed": "run.retry",
    "review_message": "inbox.review",
    "revoke_token": "token.revoke",
    "rotate_token": "speaker.rotate_token",
    "set_alert_rule": "alert.county_rule",
    "set_auto_reply": "auto_reply.set",
    "simulator_reply": "simulator.reply",
    "simulator_unknown_sender": "simulator.unknown_sender",
    "synthesize": "campaign.audio_synthesize",
    "update_alert": "alert.update",
    "update_campaign": "campaign.update",
    "update_contact": "contact.update",
    "update_duty": "duty.update",
    "update_grid": "grid.update",
    "update_speaker": "speaker.update",
    "upload_recording": "campaign.audio_recording",
}
REASONS = {
    "unknown_user": "no such username",
    "wrong_password": "wrong password",
    "disabled": "account disabled",
    "logout": "logged out",
    "new_login": "logged in again",
}
# What an entry was about ("campaign 7"); other targets (a user name, a file name, an API path) are shown as written.
TARGETS = {
    "campaign": "campaign",
    "contact": "contact",
    "duty": "report duty",
    "grid": "grid",
    "incident": "incident",
    "keyword": "keyword",
    "message": "message",
    "phone": "phone",
    "run": "run",
    "speaker": "loudspeaker",
    "user": "user",
}
# An API write's target is its path: the collection names what it was about ("/api/v1/campaigns/3/launch" -> 通知 3).
API_PATH = "/api/v1/"
API_COLLECTIONS = {
    "campaigns": "campaign",
    "contacts": "contact",
    "grids": "grid",
    "inbox": "message",
    "keywords": "keyword",
    "reports/duties": "duty",
    "reports/incidents": "incident",
    "runs": "run",
    "speakers": "speaker",
    "users": "user",
}


def audit_action(code: str, lang: str) -> str:
    """An audit action in words ("campaign.launch" -> 发布通知; "api.launch" -> 发布通知（接口）); an unknown
    code is shown as it is."""
    endpoint = code.removeprefix(API_PREFIX) if code.startswith(API_PREFIX) else None
    action = API_ENDPOINTS.get(endpoint, code) if endpoint else code
    if action not in ACTIONS:
        return code
    words = translate_in_context(ACTION_CONTEXT, ACTIONS[action], lang)
    return translate("{action} (through the API)", lang, action=words) if endpoint else words


def audit_reason(code: str | None, lang: str) -> str:
    """Why a login failed or a session ended ("wrong_password" -> 密码错误)."""
    if code in REASONS:
        return translate_in_context(REASON_CONTEXT, REASONS[code], lang)
    return code or ""


def audit_target(target: str | None, lang: str) -> str:
    """What an audit entry was about in words: "campaign 7" -> 通知 7, "bo confirm" (a keyword's language and
    intent) -> 藏语 · 确认收到; anything else as written."""
    if target and target.startswith(API_PATH):
        return _api_target(target.removeprefix(API_PATH), lang)
    kind, _, rest = (target or "").partition(" ")
    if kind in TARGETS and rest:
        return f"{translate_in_context(TARGET_CONTEXT, TARGETS[kind], lang)} {rest}"
    if kind in LANGUAGE_NAMES and rest and " " not in rest:
        return f"{language_name(kind, lang)} · {translate(rest, lang)}"
    return target or ""


def _api_target(path: str, lang: str) -> str:
    """ "campaigns/3/launch" -> 通知 3, "users/lamu/tokens" -> 用户 lamu, "auto-replies/bo/confirm" -> 藏语 · 确认收到,
    a collection alone (a new campaign) -> its noun alone; a path of no collection -> nothing."""
    if path.startswith("auto-replies/"):
        return audit_target(" ".join(path.split("/")[1:3]), lang)
    for collection, kind in API_COLLECTIONS.items():
        if path == collection or path.startswith(collection + "/"):
            rest = path.removeprefix(collection).strip("/").split("/")[0]
            return f"{translate_in_context(TARGET_CONTEXT, TARGETS[kind], lang)} {rest}".strip()
    return ""


def audit_action_choices(lang: str) -> list[tuple[str, str]]:
    """(value, words) for the audit page's action filter: every action, then all API writes."""
    return [(code, audit_action(code, lang)) for code in ACTIONS] + [(API_PREFIX, translate("API writes (all)", lang))]


def words_by_context() -> dict[str, list[str]]:
    """Every English word above, by its catalog context (for the catalog tool)."""
    return {ACTION_CONTEXT: list(ACTIONS.values()), REASON_CONTEXT: list(REASONS.values()),
            TARGET_CONTEXT: list(TARGETS.values())}  # fmt: skip
