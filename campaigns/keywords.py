"""Reply keywords: the built-in lists per language and intent, and the words staff add (`reply_keywords`).

The built-in lists live here in code; staff additions are rows, normalized as the classifier normalizes replies
(full-width folded, case folded), so "ＯＫ" and "ok" are one keyword. Keywords are global (not per grid): any
admin or coordinator may add or remove them, everyone may read them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.access import Actor, require_write
from campaigns.classify import normalize_text
from campaigns.errors import Conflict, NotFound, ValidationError
from campaigns.languages import normalize_language
from campaigns.models import ReplyKeyword
from campaigns.text import clean_text

KEYWORD_INTENTS = ("confirm", "zero_report", "incident", "opt_out", "opt_in", "help")
# A digit that opts an opted-out contact back in (a basic phone types it in any script); for everyone else it
# keeps its meaning (a count in a daily report), so it is no keyword of the lists below.
OPT_IN_DIGIT = "9"

# fmt: off
DEFAULT_KEYWORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "zh": {
        "confirm": ("1", "收到", "已收到", "收到了", "好", "好的", "是", "是的", "嗯", "行", "可以", "知道",
                    "知道了", "明白", "明白了", "了解", "确认", "已阅", "已读", "已知悉", "知悉"),
        "zero_report": ("0", "〇", "零", "零报告", "无", "没有", "正常", "一切正常", "无异常", "没有异常", "无情况",
                        "没有情况", "无事", "没事", "平安", "报平安", "无新增", "今日无", "今天无", "一切平安"),
        "incident": ("发热", "发烧", "咳嗽", "返乡", "外来", "生病", "病倒", "受伤", "死亡", "病死", "死了", "走失",
                     "受灾", "雪灾", "被困", "火灾", "异常", "求救"),
        "opt_out": ("退订", "td", "t", "取消", "取消订阅", "停止", "退出", "拒收", "不要再发", "别发了"),
        "opt_in": ("订阅", "开通", "恢复", "恢复订阅", "重新订阅", "开启"),
        "help": ("帮助", "求助", "咨询", "?", "人工", "客服", "说明", "怎么回复", "什么意思", "啥意思"),
    },
    "bo": {
        "confirm": ("1", "ལགས", "ལགས་སོ", "ལགས་སོ་ལགས", "ཡིན", "ཡིན་ལགས", "འབྱོར", "འབྱོར་སོང", "ཐོབ་སོང",
                    "ཧ་གོ", "ཧ་གོ་སོང", "འགྲིགས", "ཡག་པོ"),
        "zero_report": ("0", "ཀླད་ཀོར", "མེད", "གནད་དོན་མེད", "རྙོག་གྲ་མེད", "ཆག་སྒོ་མེད", "བདེ་མོ", "བདེ་པོ"),
        "incident": ("ཚ་བ", "ན་ཚ", "ཕྱིར་ལོག", "ཤི་སོང"),
        "opt_out": ("མཚམས་འཇོག", "མཚམས་ཆོད", "ཕྱིར་འཐེན"),
        "opt_in": ("འགོ་འཛུགས", "མུ་མཐུད"),
        "help": ("རོགས་རམ", "རོགས་རམ་གནང", "?"),
    },
    "en": {
        "confirm": ("1", "yes", "y", "ok", "okay", "k", "received", "got it", "noted", "confirm", "confirmed",
                    "roger", "understood", "will do"),
        "zero_report": ("0", "zero", "nothing", "none", "nil", "no report", "nothing to report", "all clear",
                        "all good", "all well", "normal", "all normal", "no issues"),
        "incident": ("fever", "sick", "ill", "returnee", "returnees", "dead", "died", "injured", "missing",
                     "snowbound", "stranded", "fire"),
        "opt_out": ("stop", "stopall", "unsubscribe", "cancel", "end", "quit", "optout", "opt out", "revoke"),
        "opt_in": ("start", "unstop", "subscribe", "resume", "opt in", "optin"),
        "help": ("help", "info", "?"),
    },
    "yue": {
        "confirm": ("1", "收到", "好", "好嘅", "知道", "明白", "係"),
        "zero_report": ("0", "冇", "冇嘢", "冇事", "正常"),
        "incident": ("發燒", "发烧"),
        "opt_out": ("退订", "td", "t"),
        "opt_in": ("订阅",),
        "help": ("幫助", "帮助", "?"),
    },
}
# fmt: on


def keyword_to_dict(row: ReplyKeyword) -> dict[str, Any]:
    return {"id": row.id, "language": row.language, "intent": row.intent, "keyword": row.keyword, "builtin": False}


def keywords_for(session: Session, language: str | None) -> dict[str, list[str]]:
    """The built-in and staff keywords (intent -> words) of `language`, or of every language when None."""
    merged: dict[str, list[str]] = {intent: [] for intent in KEYWORD_INTENTS}
    for lang, lists in DEFAULT_KEYWORDS.items():
        if language is None or lang == language:
            for intent, words in lists.items():
                merged[intent].extend(words)
    query = select(ReplyKeyword.intent, ReplyKeyword.keyword)
    if language is not None:
        query = query.where(ReplyKeyword.language == language)
    for intent, keyword in session.execute(query):
        merged.setdefault(intent, []).append(keyword)
    return merged


def list_keywords(
    session: Session, actor: Actor, *, language: str | None = None, intent: str | None = None
) -> list[dict[str, Any]]:
    """Every keyword (built-ins first, without an id), optionally of one language and/or intent."""
    language = normalize_language(language) if language else None
    if intent is not None and intent not in KEYWORD_INTENTS:
        raise ValidationError(f"intent must be one of {', '.join(KEYWORD_INTENTS)}", fields={"intent": "unknown"})
    items = [
        {"id": None, "language": lang, "intent": kind, "keyword": word, "builtin": True}
        for lang, lists in DEFAULT_KEYWORDS.items()
        for kind, words in lists.items()
        for word in words
        if (language is None or lang == language) and (intent is None or kind == intent)
    ]
    query = select(ReplyKeyword).order_by(ReplyKeyword.language, ReplyKeyword.intent, ReplyKeyword.id)
    if language:
        query = query.where(ReplyKeyword.language == language)
    if intent:
        query = query.where(ReplyKeyword.intent == intent)
    return items + [keyword_to_dict(row) for row in session.scalars(query)]


def add_keyword(session: Session, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Add a staff keyword {language, intent, keyword}; Conflict when that language already has it for that intent."""
    require_write(actor)
    language = normalize_language(data.get("language") or "")
    intent = data.get("intent")
    if intent not in KEYWORD_INTENTS:
        raise ValidationError(f"intent must be one of {', '.join(KEYWORD_INTENTS)}", fields={"intent": "unknown"})
    keyword = normalize_text(clean_text(data.get("keyword"), "keyword", max_length=64))
    if not keyword:
        raise ValidationError("keyword is empty", fields={"keyword": "required"})
    if keyword in DEFAULT_KEYWORDS.get(language, {}).get(intent, ()):
        raise Conflict(f"{keyword!r} is already a built-in {intent} keyword in {language}")
    taken = select(ReplyKeyword.id).where(
        ReplyKeyword.language == language, ReplyKeyword.intent == intent, ReplyKeyword.keyword == keyword
    )
    if session.scalar(taken) is not None:
        raise Conflict(f"{keyword!r} is already a {intent} keyword in {language}")
    row = ReplyKeyword(language=language, intent=intent, keyword=keyword)
    session.add(row)
    session.flush()
    return keyword_to_dict(row)


def remove_keyword(session: Session, actor: Actor, keyword_id: int) -> None:
    """Remove a staff keyword (built-ins cannot be removed)."""
    require_write(actor)
    row = session.get(ReplyKeyword, keyword_id)
    if row is None:
        raise NotFound("keyword not found")
    session.delete(row)
    session.flush()
