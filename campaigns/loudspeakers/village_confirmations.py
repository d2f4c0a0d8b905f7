"""Villages that confirmed a run by loudspeaker: each village (grid) once, with the speaker whose play report
confirmed it and when it played, beside the people who confirmed by SMS or call (campaigns/replies/confirmations.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.identity.access import Actor, scope_condition
from campaigns.models import Channel, Confirmation, Grid, Speaker, SpeakerPlay


def village_confirmations(session: Session, actor: Actor, run_id: int) -> list[dict[str, Any]]:
    """The villages in the caller's scope that a loudspeaker's play confirmed for run `run_id`, in tree order.

    The caller has loaded the run (so may see it). The speaker named is the one whose play confirmed the village:
    its earliest play of the run there.
    """
    rows = session.execute(
        select(Confirmation, Grid)
        .join(Grid, Grid.id == Confirmation.grid_id)
        .where(
            Confirmation.run_id == run_id,
            Confirmation.channel == Channel.LOUDSPEAKER,
            Confirmation.contact_id.is_(None),
            scope_condition(actor, Grid.path),
        )
        .order_by(Grid.path)
    ).all()
    first_plays = _first_plays(session, run_id, [grid.id for _, grid in rows])
    return [_village(confirmation, grid, first_plays.get(grid.id)) for confirmation, grid in rows]


def _first_plays(session: Session, run_id: int, grid_ids: list[int]) -> dict[int, tuple[SpeakerPlay, Speaker]]:
    plays = session.execute(
        select(SpeakerPlay, Speaker)
        .join(Speaker, Speaker.id == SpeakerPlay.speaker_id)
        .where(SpeakerPlay.run_id == run_id, Speaker.grid_id.in_(grid_ids))
        .order_by(SpeakerPlay.played_at, SpeakerPlay.id)
    ).all()
    first: dict[int, tuple[SpeakerPlay, Speaker]] = {}
    for play, speaker in plays:
        first.setdefault(speaker.grid_id, (play, speaker))
    return first


def _village(confirmation: Confirmation, grid: Grid, first: tuple[SpeakerPlay, Speaker] | None) -> dict[str, Any]:
    play, speaker = first if first else (None, None)
    return {
        "grid_id": grid.id,
        "grid_code": grid.code,
        "grid_name": grid.name,
        "speaker": {"id": speaker.id, "name": speaker.name} if speaker else None,
        "played_at": (play.played_at if play else confirmation.confirmed_at).isoformat(),
        "confirmed_at": confirmation.confirmed_at.isoformat(),
        "channel": Channel.LOUDSPEAKER,
    }
