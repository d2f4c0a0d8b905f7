"""Codes as words: languages, channels, opt-out sources, audit actions and "done" messages in the console's language.

Pages never show a raw code ("bo", "sms", "sms_stop", "campaign.launch"): templates call `language_name`,
`channel_name`, `optout_source` and `audit_action` (registered as template globals in gateway.console.web), and views
`done_message`. Statuses and schedule kinds are catalog entries (`_(status)`). An unknown code is shown as it is.
"""

from __future__ import annotations

from collections.abc import Iterable

from campaigns.common.languages import LANGUAGES
from campaigns.models import Channel, OptOutSource
from gateway.console.i18n import translate

# The domain's names, with Mandarin named as staff read it on a page.
LANGUAGE_NAMES = {**LANGUAGES, "zh": ("中文（普通话）", "Mandarin Chinese")}
CHANNEL_NAMES = {
    Channel.SMS: ("短信", "SMS"),
    Channel.VOICE: ("语音电话", "voice call"),
    Channel.LOUDSPEAKER: ("大喇叭", "loudspeaker"),
}
OPTOUT_SOURCES = {
    OptOutSource.SMS_STOP: ("短信退订", "opted out by SMS"),
    "sms": ("短信退订", "opted out by SMS"),
    OptOutSource.CARRIER_STOP: ("运营商退订", "opted out at the carrier"),
    OptOutSource.STAFF: ("工作人员操作", "by staff"),
    "import": ("导入时标记", "marked in an import"),
    "api": ("通过接口", "through the API"),
}
AUDIT_ACTIONS = {
    "session.login": ("登录", "logged in"),
    "session.login_failed": ("登录失败", "failed to log in"),
    "session.lockout": ("登录暂被锁定", "locked out of logging in"),
    "session.logout": ("退出登录", "logged out"),
    "campaign.create": ("新建通知", "created a campaign"),
    "campaign.update": ("修改通知", "edited a campaign"),
    "campaign.launch": ("发布通知", "launched a campaign"),
    "campaign.approve": ("批准通知", "approved a campaign"),
    "campaign.pause": ("暂停通知", "paused a campaign"),
    "campaign.resume": ("恢复通知", "resumed a campaign"),
    "campaign.cancel": ("取消通知", "cancelled a campaign"),
    "campaign.delete": ("删除通知草稿", "deleted a draft campaign"),
    "campaign.archive": ("归档通知", "archived a campaign"),
    "campaign.restore": ("恢复归档的通知", "restored an archived campaign"),
    "campaign.audio_synthesize": ("合成通知音频", "synthesized campaign audio"),
    "campaign.audio_recording": ("上传通知录音", "uploaded a campaign recording"),
    "run.retry": ("重发失败消息", "retried failed messages"),
    "run.cancel": ("取消发送", "cancelled a run"),
    "contacts.import": ("导入联系人", "imported contacts"),
    "contacts.export": ("导出联系人", "exported contacts"),
    "contact.update": ("修改联系人", "edited a contact"),
    "duty.create": ("新建日报任务", "created a report duty"),
    "duty.update": ("修改日报任务", "edited a report duty"),
    "incident.handled": ("处理情况报告", "handled an incident"),
    "duty.pause": ("暂停日报任务", "paused a report duty"),
    "duty.resume": ("恢复日报任务", "resumed a report duty"),
    "duty.end": ("结束日报任务", "ended a report duty"),
    "inbox.review": ("标记回复已查看", "reviewed a reply"),
    "inbox.link": ("关联未知号码", "linked an unknown sender"),
    "simulator.reply": ("模拟手机回复", "replied from the simulator"),
    "simulator.call_key": ("模拟电话按键", "pressed a key in the simulator"),
    "simulator.unknown_sender": ("模拟未知号码来信", "texted in as an unknown sender"),
    "user.create": ("新建用户", "created a user"),
    "user.update": ("修改用户", "edited a user"),
    "keyword.add": ("添加关键词", "added a keyword"),
    "keyword.remove": ("删除关键词", "removed a keyword"),
    "auto_reply.set": ("修改自动回复", "changed an auto-reply"),
    "speaker.create": ("添加大喇叭", "added a loudspeaker"),
    "speaker.rotate_token": ("更换大喇叭令牌", "gave a loudspeaker a new token"),
    "speaker.remove": ("删除大喇叭", "removed a loudspeaker"),
}
AUDIT_REASONS = {
    "unknown_user": ("没有这个用户名", "no such username"),
    "wrong_password": ("密码错误", "wrong password"),
    "disabled": ("账户已停用", "account disabled"),
    "logout": ("主动退出", "logged out"),
    "new_login": ("重新登录", "logged in again"),
}
# What an audit entry was about ("campaign 7" -> 通知 7); other targets (a user name, a file name) are shown as written.
AUDIT_TARGETS = {
    "campaign": ("通知", "campaign"),
    "contact": ("联系人", "contact"),
    "duty": ("日报任务", "report duty"),
    "incident": ("情况报告", "incident"),
    "message": ("消息", "message"),
    "phone": ("手机", "phone"),
    "run": ("发送批次", "run"),
    "speaker": ("大喇叭", "loudspeaker"),
}
# Currencies as staff say them; others are shown as their ISO code.
CURRENCY_NAMES = {"CNY": ("元", "yuan")}
# An SMS encoding as the composer names it (campaigns/common/sms_segments.py).
ENCODING_NAMES = {"GSM-7": "Latin letters only", "UCS-2": "Chinese or Tibetan characters"}
API_ACTION = ("接口操作：{operation}", "API: {operation}")
DONE_MESSAGES = {
    "launch": ("已发布", "Launched."),
    "approve": ("已批准", "Approved."),
    "pause": ("已暂停", "Paused."),
    "resume": ("已恢复", "Resumed."),
    "cancel": ("已取消", "Cancelled."),
    "delete": ("草稿已删除", "Draft deleted."),
    "archive": ("已归档", "Archived."),
    "restore": ("已恢复到列表", "Back on the list."),
    "end": ("已结束", "Ended."),
}


def _pick(names: tuple[str, str], lang: str) -> str:
    return names[0] if lang == "zh-Hans" else names[1]


def language_name(code: str | None, lang: str) -> str:
    """The name of language `code` ("bo" -> 藏语 / Tibetan)."""
    return _pick(LANGUAGE_NAMES[code], lang) if code in LANGUAGE_NAMES else code or ""


def language_names(codes: Iterable[str] | None, lang: str) -> str:
    return ("、" if lang == "zh-Hans" else ", ").join(language_name(code, lang) for code in codes or [])


def channel_name(code: str | None, lang: str) -> str:
    """The name of channel `code` ("loudspeaker" -> 大喇叭)."""
    return _pick(CHANNEL_NAMES[code], lang) if code in CHANNEL_NAMES else code or ""


def channel_names(codes: Iterable[str] | None, lang: str) -> str:
    return ("、" if lang == "zh-Hans" else ", ").join(channel_name(code, lang) for code in codes or [])


def optout_source(code: str | None, lang: str) -> str:
    """How a contact was opted out ("sms_stop" -> 短信退订)."""
    return _pick(OPTOUT_SOURCES[code], lang) if code in OPTOUT_SOURCES else code or ""


def audit_action(code: str, lang: str) -> str:
    """An audit action in words ("campaign.launch" -> 发布通知; "api.create_contact" -> 接口操作：create_contact)."""
    if code in AUDIT_ACTIONS:
        return _pick(AUDIT_ACTIONS[code], lang)
    if code.startswith("api."):
        return _pick(API_ACTION, lang).format(operation=code.removeprefix("api."))
    return code


def audit_target(target: str | None, lang: str) -> str:
    """What an audit entry was about in words: "campaign 7" -> 通知 7, "bo confirm" (a keyword's language and
    intent) -> 藏语 · 确认; anything else as written."""
    kind, _, rest = (target or "").partition(" ")
    if kind in AUDIT_TARGETS and rest:
        return f"{_pick(AUDIT_TARGETS[kind], lang)} {rest}"
    if kind in LANGUAGE_NAMES and rest and " " not in rest:
        return f"{language_name(kind, lang)} · {translate(rest, lang)}"
    return target or ""


def currency_name(code: str | None, lang: str) -> str:
    """A currency as staff say it ("CNY" -> 元 / yuan)."""
    return _pick(CURRENCY_NAMES[code], lang) if code in CURRENCY_NAMES else code or ""


def encoding_name(code: str, lang: str) -> str:
    """An SMS encoding in words ("UCS-2" -> 含中文或藏文)."""
    return translate(ENCODING_NAMES[code], lang) if code in ENCODING_NAMES else code


def audit_reason(code: str | None, lang: str) -> str:
    """Why a login failed or a session ended ("wrong_password" -> 密码错误)."""
    return _pick(AUDIT_REASONS[code], lang) if code in AUDIT_REASONS else code or ""


def audit_action_choices(lang: str) -> list[tuple[str, str]]:
    """(value, words) for the audit page's action filter: every known action, then all API writes."""
    return [(code, _pick(names, lang)) for code, names in AUDIT_ACTIONS.items()] + [
        ("api.", "接口操作（全部）" if lang == "zh-Hans" else "API writes (all)")
    ]


def done_message(action: str, lang: str) -> str:
    """What a finished action says ("launch" -> 已发布)."""
    if action in DONE_MESSAGES:
        return _pick(DONE_MESSAGES[action], lang)
    return translate("Done: {action}.", lang, action=translate(action, lang))
