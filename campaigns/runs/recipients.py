"""Who receives a campaign's run, in which language and with which text: SQL expressions shared by the
preview and the planner, so the two can never disagree."""

from __future__ import annotations

from sqlalchemy import ColumnElement, case, func, literal, null
from sqlalchemy.orm import Session

from campaigns.broadcasts.audiences import audience_select, reaches_by
from campaigns.models import Campaign, Contact, Grid


def language_expr(campaign: Campaign) -> ColumnElement[str]:
    """The contact's language when the campaign has a text for it, else the fallback language (or NULL)."""
    return text_language_expr(list(campaign.texts), campaign.fallback_language)


def text_language_expr(languages: list[str], fallback: str | None) -> ColumnElement[str]:
    """The contact's language when it is one of `languages`, else `fallback` (or NULL)."""
    return case((Contact.language.in_(languages), Contact.language), else_=literal(fallback) if fallback else null())


def body_expr(campaign: Campaign) -> ColumnElement[str]:
    """The rendered text, `{name}` and `{grid}` replaced in SQL."""
    whens = {
        language: func.replace(func.replace(literal(text), "{name}", Contact.name), "{grid}", Grid.name)
        for language, text in campaign.texts.items()
    }
    return case(whens, value=language_expr(campaign))


def recipients_select(session: Session, campaign: Campaign, channel: str, *columns):
    """Contacts of the audience reachable on `channel` that have a text in their language or the fallback."""
    return audience_select(session, campaign.audience, *columns).where(
        reaches_by(channel), language_expr(campaign).is_not(None)
    )
