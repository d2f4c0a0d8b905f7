"""An example of each language's message as one real recipient will read it: the campaign's text rendered with
that contact's name and grid, with its SMS encoding and segments, so staff check placeholders and length before a
launch."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from campaigns.broadcasts.audiences import audience_select
from campaigns.broadcasts.campaign_service import load_campaign
from campaigns.broadcasts.templates import render
from campaigns.common.sms_segments import count_segments
from campaigns.identity.access import Actor
from campaigns.models import Contact, Grid
from campaigns.runs.recipients import language_expr


def example_messages(session: Session, actor: Actor, campaign_id: int) -> list[dict[str, Any]]:
    """For each language of the campaign's texts that someone in the audience will receive (their own or the
    fallback), the first such contact (lowest id) and the text rendered for them, with its segment count."""
    campaign = load_campaign(session, actor, campaign_id)
    examples = []
    for language, template in campaign.texts.items():
        query = audience_select(session, campaign.audience, Contact.name, Grid.name)
        row = session.execute(query.where(language_expr(campaign) == language).order_by(Contact.id).limit(1)).first()
        if row is None:
            continue
        name, grid = str(row[0]), str(row[1])
        text = render(template, name=name, grid=grid)
        counted = count_segments(text)
        example = {"language": language, "contact": name, "grid": grid, "text": text}
        examples.append({**example, "encoding": counted.encoding, "units": counted.units, "segments": counted.segments})
    return examples
