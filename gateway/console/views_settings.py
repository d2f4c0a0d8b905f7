"""Admins' settings page: the deployment's effective settings (read-only, secrets only as set / not set) and the
data staff change at run time: reply keywords per language and intent, auto-reply texts with their on/off flag.
Changes go through `campaigns.replies.keywords` and `campaigns.replies.auto_replies`, the
API's services and rules, and are
audit-logged."""

from __future__ import annotations

from itertools import groupby

from flask import flash, redirect, render_template, request, url_for

from campaigns.common.errors import DomainError
from campaigns.identity.access import require_admin
from campaigns.models import Intent
from campaigns.replies import auto_replies, keywords
from gateway.console import console
from gateway.console.forms import checked
from gateway.console.settings_table import effective_settings
from gateway.console.web import _, current_actor, form_errors, record
from gateway.runtime import current_runtime
from gateway.web.session import db


def _settings_page(errors: dict | None = None, values: dict | None = None, status: int = 200):
    actor = current_actor()
    require_admin(actor)
    items = keywords.list_keywords(db(), actor)
    by_language = {
        language: {intent: list(words) for intent, words in groupby(group, key=lambda item: item["intent"])}
        for language, group in groupby(
            sorted(items, key=lambda item: (item["language"], keywords.KEYWORD_INTENTS.index(item["intent"]))),
            key=lambda item: item["language"],
        )
    }
    page = render_template(
        "console/settings.html",
        sections=effective_settings(current_runtime().settings),
        keywords=by_language,
        intents=keywords.KEYWORD_INTENTS,
        replies=auto_replies.list_auto_replies(db(), actor),
        replies_enabled=current_runtime().settings.auto_replies,
        may_edit_replies=actor.scope_path is None,
        errors=errors or {},
        values=values or {"language": "zh", "intent": Intent.CONFIRM},
    )
    return page, status


@console.get("/settings")
def settings_page():
    return _settings_page()


@console.post("/settings/keywords")
def add_keyword():
    require_admin(current_actor())
    values = {key: request.form.get(key, "") for key in ("language", "intent", "keyword")}
    try:
        added = keywords.add_keyword(db(), current_actor(), values)
    except DomainError as exc:
        db().rollback()
        return _settings_page(form_errors(exc), values, 422)
    record("keyword.add", target=f"{added['language']} {added['intent']}", keyword=added["keyword"], id=added["id"])
    flash(_("Keyword “{word}” added.", word=added["keyword"]), "ok")
    return redirect(url_for("console.settings_page") + "#keywords")


@console.post("/settings/keywords/<int:keyword_id>/remove")
def remove_keyword(keyword_id: int):
    actor = current_actor()
    require_admin(actor)
    found = [item for item in keywords.list_keywords(db(), actor) if item["id"] == keyword_id]
    keywords.remove_keyword(db(), actor, keyword_id)
    item = found[0]
    record("keyword.remove", target=f"{item['language']} {item['intent']}", keyword=item["keyword"], id=keyword_id)
    flash(_("Keyword “{word}” removed.", word=item["keyword"]), "ok")
    return redirect(url_for("console.settings_page") + "#keywords")


@console.post("/settings/auto-replies/<language>/<intent>")
def set_auto_reply(language: str, intent: str):
    actor = current_actor()
    require_admin(actor)
    data = {"text": request.form.get("text") or None, "enabled": checked("enabled")}
    try:
        reply = auto_replies.set_auto_reply(db(), actor, language, intent, data)
    except DomainError as exc:
        db().rollback()
        listed = {(item["language"], item["intent"]) for item in auto_replies.list_auto_replies(db(), actor)}
        key = f"reply-{language}-{intent}" if (language, intent) in listed else "auto-replies"
        return _settings_page({key: form_errors(exc)["_"]}, None, 422)
    record("auto_reply.set", target=f"{reply['language']} {reply['intent']}", enabled=reply["enabled"],
           text=reply["text"])  # fmt: skip
    flash(_("Auto-reply saved."), "ok")
    return redirect(url_for("console.settings_page") + f"#reply-{reply['language']}-{reply['intent']}")
