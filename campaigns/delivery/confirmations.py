"""Recording confirmations, once each: a contact confirmed a run (a reply "1", key 1 on a call), or a village did
(its loudspeaker played the run)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from campaigns.common.unique_rows import insert_once
from campaigns.models import Confirmation, Contact


def record_confirmation(
    session: Session, run_id: int, contact: Contact, channel: str, inbound_id: int | None, at: datetime
) -> tuple[Confirmation, bool]:
    """Record that `contact` confirmed run `run_id`; a second confirmation of the same run changes nothing."""
    key = (Confirmation.run_id == run_id, Confirmation.contact_id == contact.id)
    confirmation = Confirmation(
        run_id=run_id, contact_id=contact.id, grid_id=contact.grid_id, channel=channel, inbound_id=inbound_id,
        confirmed_at=at,
    )  # fmt: skip
    return insert_once(session, key, confirmation)


def record_village_confirmation(session: Session, run_id: int, grid_id: int, at: datetime) -> tuple[Confirmation, bool]:
    """Record that a village (grid) confirmed run `run_id` by a loudspeaker playing it; once per run and grid."""
    key = (Confirmation.run_id == run_id, Confirmation.grid_id == grid_id, Confirmation.channel == "loudspeaker",
           Confirmation.contact_id.is_(None))  # fmt: skip
    return insert_once(
        session, key, Confirmation(run_id=run_id, grid_id=grid_id, channel="loudspeaker", confirmed_at=at)
    )
