"""Reply keywords: the built-in lists per language and intent, and the words staff add (`reply_keywords`).

The built-in lists live here in code; staff additions are rows, normalized as the classifier normalizes replies
(full-width folded, case folded), so "ＯＫ" and "ok" are one keyword.

Staff keywords have a scope grid. An admin's keyword is global (scope NULL) and applies to every reply; a
coordinator's keyword gets the coordinator's scope grid (or a grid inside it, given as `grid_code`) and applies
only to replies from contacts inside that grid's subtree. Senders who are not contacts get the built-ins and the
global keywords only. When a word has an intent at several scopes, the most specific scope wins: the keywords of
the deepest scope grid that holds the contact decide what the word means there, and built-ins count as global.
A word that opts out everywhere (a built-in or global opt-out keyword) cannot be given another intent in a scope.
Everyone reads the keywords that apply somewhere in their scope (global ones, those of grids above their scope
and those inside it); a coordinator adds and removes keywords inside their scope only, global ones are an admin's.
Keywords of other scopes read as if they did not exist.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from campaigns.common.errors import Conflict, NotFound, PermissionDenied, ValidationError
from campaigns.common.languages import normalize_language
from campaigns.common.text import clean_text
from campaigns.identity.access import Actor, find_grid_by_code, require_write
from campaigns.models import Grid, Intent, ReplyKeyword
from campaigns.models.grid import path_ids
from campaigns.replies.classify import normalize_text

KEYWORD_INTENTS = tuple(intent for intent in Intent if intent is not Intent.UNKNOWN)
# A digit that opts an opted-out contact back in (a basic phone types it in any script); for everyone else it
# keeps its meaning (a count in a daily report), so it is no keyword of the lists below.
OPT_IN_DIGIT = "9"

# fmt: off
DEFAULT_KEYWORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "zh": {
        Intent.CONFIRM: ("1", "收到", "已收到", "收到了", "好", "好的", "是", "是的", "嗯", "行", "可以", "知道",
                           "知道了", "明白", "明白了", "了解", "确认", "已阅", "已读", "已知悉", "知悉"),
        Intent.ZERO_REPORT: ("0", "〇", "零", "零报告", "无", "没有", "正常", "一切正常", "无异常", "没有异常",
                               "无情况", "没有情况", "无事", "没事", "平安", "报平安", "无新增", "今日无",
                               "今天无", "一切平安"),
        Intent.INCIDENT: ("发热", "发烧", "咳嗽", "返乡", "外来", "生病", "病倒", "受伤", "死亡", "病死", "死了",
                            "走失", "受灾", "雪灾", "被困", "火灾", "异常", "求救"),
        Intent.OPT_OUT: ("退订", "td", "t", "取消", "取消订阅", "停止", "退出", "拒收", "不要再发", "别发了"),
        Intent.OPT_IN: ("订阅", "开通", "恢复", "恢复订阅", "重新订阅", "开启"),
        Intent.HELP: ("帮助", "求助", "咨询", "?", "人工", "客服", "说明", "怎么回复", "什么意思", "啥意思"),
    },
    "bo": {
        Intent.CONFIRM: ("1", "ལགས", "ལགས་སོ", "ལགས་སོ་ལགས", "ཡིན", "ཡིན་ལགས", "འབྱོར", "འབྱོར་སོང", "ཐོབ་སོང",
                           "ཧ་གོ", "ཧ་གོ་སོང", "འགྲིགས", "ཡག་པོ"),
        Intent.ZERO_REPORT: ("0", "ཀླད་ཀོར", "མེད", "གནད་དོན་མེད", "རྙོག་གྲ་མེད", "ཆག་སྒོ་མེད", "བདེ་མོ", "བདེ་པོ"),
        Intent.INCIDENT: ("ཚ་བ", "ན་ཚ", "ཕྱིར་ལོག", "ཤི་སོང"),
        Intent.OPT_OUT: ("མཚམས་འཇོག", "མཚམས་ཆོད", "ཕྱིར་འཐེན"),
        Intent.OPT_IN: ("འགོ་འཛུགས", "མུ་མཐུད"),
        Intent.HELP: ("རོགས་རམ", "རོགས་རམ་གནང", "?"),
    },
    "en": {
        Intent.CONFIRM: ("1", "yes", "y", "ok", "okay", "k", "received", "got it", "noted", "confirm", "confirmed",
                           "roger", "understood", "will do"),
        Intent.ZERO_REPORT: ("0", "zero", "nothing", "none", "nil", "no report", "nothing to report", "all clear",
                               "all good", "all well", "normal", "all normal", "no issues"),
        Intent.INCIDENT: ("fever", "sick", "ill", "returnee", "returnees", "dead", "died", "injured", "missing",
                            "snowbound", "stranded", "fire"),
        Intent.OPT_OUT: ("stop", "stopall", "unsubscribe", "cancel", "end", "quit", "optout", "opt out", "revoke"),
        Intent.OPT_IN: ("start", "unstop", "subscribe", "resume", "opt in", "optin"),
        Intent.HELP: ("help", "info", "?"),
    },
    "yue": {
        Intent.CONFIRM: ("1", "收到", "好", "好嘅", "知道", "明白", "係"),
        Intent.ZERO_REPORT: ("0", "冇", "冇嘢", "冇事", "正常"),
        Intent.INCIDENT: ("發燒", "发烧"),
        Intent.OPT_OUT: ("退订", "td", "t"),
        Intent.OPT_IN: ("订阅",),
        Intent.HELP: ("幫助", "帮助", "?"),
    },
}
# fmt: on


def keyword_to_dict(row: ReplyKeyword, scope: Grid | None = None, *, editable: bool = False) -> dict[str, Any]:
    return {
        "id": row.id,
        "language": row.language,
        "intent": row.intent,
        "keyword": row.keyword,
        "builtin": False,
        "scope_grid_code": scope.code if scope is not None else None,
        "editable": editable,
    }


def _scope_ranks(grid_path: str | None) -> dict[int | None, int]:
    """How specific each scope that holds `grid_path` is: 0 for global, then 1 for the root grid, 2 below..."""
    ids = path_ids(grid_path) if grid_path else []
    return {None: 0, **{grid_id: depth for depth, grid_id in enumerate(ids, start=1)}}


def keywords_for(session: Session, language: str | None, grid_path: str | None = None) -> dict[str, list[str]]:
    """The keywords (intent -> words) of `language` (every language when None) that apply to a reply from a contact
    in the grid at `grid_path` (None: a sender who is not a contact, who gets built-ins and global keywords).

    The most specific scope wins: a word that a deeper scope's keyword gives an intent keeps only that scope's
    intents, whatever built-ins or wider scopes say.
    """
    ranks = _scope_ranks(grid_path)
    entries: list[tuple[str, str, int]] = [
        (intent, word, 0)
        for lang, lists in DEFAULT_KEYWORDS.items()
        if language is None or lang == language
        for intent, words in lists.items()
        for word in words
    ]
    scoped = [grid_id for grid_id in ranks if grid_id is not None]
    query = select(ReplyKeyword.intent, ReplyKeyword.keyword, ReplyKeyword.scope_grid_id).where(
        or_(ReplyKeyword.scope_grid_id.is_(None), ReplyKeyword.scope_grid_id.in_(scoped))
    )
    if language is not None:
        query = query.where(ReplyKeyword.language == language)
    entries += [(intent, word, ranks[scope_id]) for intent, word, scope_id in session.execute(query)]
    deepest: dict[str, int] = {}
    for _intent, word, rank in entries:
        key = normalize_text(word)
        deepest[key] = max(deepest.get(key, 0), rank)
    merged: dict[str, list[str]] = {intent: [] for intent in KEYWORD_INTENTS}
    for intent, word, rank in entries:
        if rank == deepest[normalize_text(word)]:
            merged.setdefault(intent, []).append(word)
    return merged


def _visible(actor: Actor, scope: Grid | None) -> bool:
    """Global keywords, those of the actor's scope or a grid above it, and those inside it."""
    if scope is None or actor.scope_path is None:
        return True
    return actor.sees_path(scope.path) or actor.scope_path.startswith(scope.path)


def _editable(actor: Actor, scope: Grid | None) -> bool:
    if not actor.can_write:
        return False
    if scope is None:
        return actor.is_admin
    return actor.sees_path(scope.path)


def _staff_keywords(session: Session, language: str | None, intent: str | None):
    query = (
        select(ReplyKeyword, Grid)
        .outerjoin(Grid, ReplyKeyword.scope_grid_id == Grid.id)
        .order_by(ReplyKeyword.language, ReplyKeyword.intent, ReplyKeyword.id)
    )
    if language:
        query = query.where(ReplyKeyword.language == language)
    if intent:
        query = query.where(ReplyKeyword.intent == intent)
    return session.execute(query).all()


def list_keywords(
    session: Session, actor: Actor, *, language: str | None = None, intent: str | None = None
) -> list[dict[str, Any]]:
    """The built-in keywords (first, without an id) and the staff keywords the actor may see, optionally of one
    language and/or intent; `editable` says whether the actor may remove a staff keyword."""
    language = normalize_language(language) if language else None
    if intent is not None and intent not in KEYWORD_INTENTS:
        raise ValidationError.coded(
            "keyword.bad_intent",
            "intent must be one of %(keyword_intents)s",
            fields={"intent": "unknown"},
            keyword_intents=KEYWORD_INTENTS,
        )
    items = [
        {"id": None, "language": lang, "intent": kind, "keyword": word, "builtin": True, "scope_grid_code": None,
         "editable": False}
        for lang, lists in DEFAULT_KEYWORDS.items()
        for kind, words in lists.items()
        for word in words
        if (language is None or lang == language) and (intent is None or kind == intent)
    ]  # fmt: skip
    return items + [
        keyword_to_dict(row, scope, editable=_editable(actor, scope))
        for row, scope in _staff_keywords(session, language, intent)
        if _visible(actor, scope)
    ]


def _new_keyword_scope(session: Session, actor: Actor, grid_code: Any) -> Grid | None:
    """The scope of a keyword the actor adds: the grid named by `grid_code` (in the actor's scope), else global
    for an admin and the actor's own scope grid for anyone else."""
    if grid_code not in (None, ""):
        try:
            return find_grid_by_code(session, actor, grid_code)
        except (NotFound, ValidationError) as exc:
            raise ValidationError.coded(
                "field.grid_code", "grid_code: %(message)s", fields={"grid_code": exc.message}, message=exc
            ) from exc
    if actor.is_admin or actor.scope_grid_id is None:
        return None
    return session.get(Grid, actor.scope_grid_id)


def _opts_out_everywhere(session: Session, language: str, keyword: str) -> bool:
    if keyword in DEFAULT_KEYWORDS.get(language, {}).get(Intent.OPT_OUT, ()):
        return True
    query = select(ReplyKeyword.id).where(
        ReplyKeyword.language == language,
        ReplyKeyword.intent == Intent.OPT_OUT,
        ReplyKeyword.keyword == keyword,
        ReplyKeyword.scope_grid_id.is_(None),
    )
    return session.scalar(query) is not None


def add_keyword(session: Session, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Add a staff keyword {language, intent, keyword, grid_code?} in the actor's scope (see the module docstring);
    Conflict when it already applies there (built-in, global, or a keyword of the same or a wider scope)."""
    require_write(actor)
    language = normalize_language(data.get("language") or "")
    intent = data.get("intent")
    if intent not in KEYWORD_INTENTS:
        raise ValidationError.coded(
            "keyword.bad_intent",
            "intent must be one of %(keyword_intents)s",
            fields={"intent": "unknown"},
            keyword_intents=KEYWORD_INTENTS,
        )
    keyword = normalize_text(clean_text(data.get("keyword"), "keyword", max_length=64))
    if not keyword:
        raise ValidationError.coded("keyword.empty", "keyword is empty", fields={"keyword": "required"})
    scope = _new_keyword_scope(session, actor, data.get("grid_code"))
    if scope is None and not actor.is_admin:
        raise PermissionDenied.coded(
            "keyword.global_admin_only", "only an admin may add a keyword that applies everywhere"
        )
    if keyword in DEFAULT_KEYWORDS.get(language, {}).get(intent, ()):
        raise Conflict.coded(
            "keyword.builtin",
            "'%(keyword)s' is already a built-in %(intent)s keyword in %(language)s",
            keyword=keyword,
            intent=intent,
            language=language,
        )
    if scope is not None and intent != "opt_out" and _opts_out_everywhere(session, language, keyword):
        raise Conflict.coded(
            "keyword.opts_out_everywhere",
            "'%(keyword)s' opts out everywhere in %(language)s; it cannot mean %(intent)s in one scope",
            keyword=keyword,
            language=language,
            intent=intent,
        )
    wider_or_same = path_ids(scope.path) if scope is not None else []
    taken = select(ReplyKeyword.id).where(
        ReplyKeyword.language == language,
        ReplyKeyword.intent == intent,
        ReplyKeyword.keyword == keyword,
        or_(ReplyKeyword.scope_grid_id.is_(None), ReplyKeyword.scope_grid_id.in_(wider_or_same)),
    )
    if session.scalar(taken) is not None:
        raise Conflict.coded(
            "keyword.taken",
            "'%(keyword)s' is already a %(intent)s keyword in %(language)s",
            keyword=keyword,
            intent=intent,
            language=language,
        )
    row = ReplyKeyword(language=language, intent=intent, keyword=keyword, scope_grid_id=scope.id if scope else None)
    session.add(row)
    session.flush()
    return keyword_to_dict(row, scope, editable=True)


def remove_keyword(session: Session, actor: Actor, keyword_id: int) -> None:
    """Remove a staff keyword the actor may edit (built-ins cannot be removed). A keyword of another scope is not
    found; a global one (for a non-admin) or one of a grid above the actor's scope is refused."""
    require_write(actor)
    row = session.get(ReplyKeyword, keyword_id)
    scope = session.get(Grid, row.scope_grid_id) if row is not None and row.scope_grid_id is not None else None
    if row is None or not _visible(actor, scope):
        raise NotFound.coded("keyword.not_found", "keyword not found")
    if not _editable(actor, scope):
        raise PermissionDenied.coded(
            "keyword.beyond_scope", "this keyword applies beyond your scope: you may not remove it"
        )
    session.delete(row)
    session.flush()
