"""The people a campaign contacts one by one: those its SMS reach (a text in their language or the fallback) and
those it calls (audio in their language or the fallback audio), each person once. The preview shows this number as
`people` and the approval threshold is compared with it, so the two always count the same people. A loudspeaker
reaches villages, not people: a loudspeaker-only campaign contacts nobody one by one."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, func, or_
from sqlalchemy.orm import Session

from campaigns.broadcasts.audiences import audience_select, reaches_by
from campaigns.models import Campaign, Channel, Contact
from campaigns.runs.recipients import language_expr
from campaigns.voice.audio_readiness import heard_language_expr, languages_with_audio


def reached_condition(session: Session, campaign: Campaign) -> ColumnElement[bool]:
    """Contacts of the audience that the campaign's SMS or calls will reach, as the planner writes their rows."""
    reached = []
    if Channel.SMS in campaign.channels:
        reached.append(and_(reaches_by(Channel.SMS), language_expr(campaign).is_not(None)))
    if Channel.VOICE in campaign.channels:
        heard = heard_language_expr(campaign, languages_with_audio(session, campaign.id))
        reached.append(and_(reaches_by(Channel.VOICE), heard.is_not(None)))
    return or_(false(), *reached)


def people_select(session: Session, campaign: Campaign, *columns):
    """SELECT `columns` over the people the campaign reaches by SMS or call."""
    return audience_select(session, campaign.audience, *columns).where(reached_condition(session, campaign))


def people_reached(session: Session, campaign: Campaign) -> int:
    """How many people the campaign reaches by SMS or call (each person once)."""
    return session.scalar(people_select(session, campaign, func.count(Contact.id))) or 0
