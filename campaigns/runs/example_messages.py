"""An example of each language's message as one real recipient will read it: the campaign's text rendered with
that contact's name and grid, with its SMS encoding and segments, so staff check placeholders and length before a
launch (in the preview of a saved campaign, and live in the composer from the texts being typed)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from campaigns.broadcasts.audiences import audience_select, check_audience
from campaigns.broadcasts.campaign_service import load_campaign
from campaigns.broadcasts.templates import render
from campaigns.common.sms_segments import count_segments
from campaigns.identity.access import Actor
from campaigns.models import Contact, Grid
from campaigns.runs.recipients import text_language_expr


def example_messages(session: Session, actor: Actor, campaign_id: int) -> list[dict[str, Any]]:
    """For each language of the campaign's texts that someone in the audience will receive (their own or the
    fallback), the first such contact (lowest id) and the text rendered for them, with its segment count."""
    campaign = load_campaign(session, actor, campaign_id)
    return _examples(session, campaign.audience, campaign.texts, campaign.fallback_language)


def draft_examples(
    session: Session, actor: Actor, audience: Any, texts: dict[str, str], fallback_language: str | None
) -> list[dict[str, Any]]:
    """The same examples for a campaign still being written (nothing saved): the audience is checked against the
    caller's scope like a saved campaign's (ValidationError or NotFound otherwise)."""
    written = {language: text for language, text in texts.items() if text.strip()}
    return _examples(session, check_audience(session, actor, audience), written, fallback_language)


def _examples(
    session: Session, audience: dict[str, list], texts: dict[str, str], fallback: str | None
) -> list[dict[str, Any]]:
    examples = []
    language = text_language_expr(list(texts), fallback)
    for code, template in texts.items():
        query = audience_select(session, audience, Contact.name, Grid.name)
        row = session.execute(query.where(language == code).order_by(Contact.id).limit(1)).first()
        if row is None:
            continue
        name, grid = str(row[0]), str(row[1])
        text = render(template, name=name, grid=grid)
        counted = count_segments(text)
        example = {"language": code, "contact": name, "grid": grid, "text": text}
        examples.append({**example, "encoding": counted.encoding, "units": counted.units, "segments": counted.segments})
    return examples
