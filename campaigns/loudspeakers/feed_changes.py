"""Noticing the writes that can change a loudspeaker feed, so cached feeds are dropped the moment they go stale.

A feed depends on campaigns, their runs, their audio and the grid tree. `watch_feed_changes` hooks a session
factory: after each commit that wrote a row of one of those tables (through the unit of work or an UPDATE/DELETE/
INSERT statement run by the session), it calls `on_change` once (a change rolled back may still count at the
session's next commit: a needless refresh, never a missed one). Writes that never change a feed (outbox rows,
replies, the speakers' own heartbeats and plays) do not count. Pure SQLAlchemy: the caller decides what a change
does (the gateway and the workers bump a feed version in Redis).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from campaigns.models import AudioClip, Campaign, CampaignAudio, Grid, Run

FEED_TABLES = frozenset(model.__tablename__ for model in (Campaign, Run, CampaignAudio, AudioClip, Grid))
FEED_MODELS = (Campaign, Run, CampaignAudio, AudioClip, Grid)
_CHANGED = "gridcast_feed_changed"


def _touches_feed_rows(session: Session) -> bool:
    return any(isinstance(row, FEED_MODELS) for rows in (session.new, session.dirty, session.deleted) for row in rows)


def watch_feed_changes(session_factory: sessionmaker[Session], on_change: Callable[[], None]) -> None:
    """Call `on_change` after every commit of a session of `session_factory` that wrote feed rows."""

    @event.listens_for(session_factory, "before_flush")
    def _flushing(session: Session, flush_context, instances) -> None:
        if _touches_feed_rows(session):
            session.info[_CHANGED] = True

    @event.listens_for(session_factory, "do_orm_execute")
    def _executing(state: ORMExecuteState) -> None:
        table = getattr(state.statement, "table", None)
        writes = state.is_update or state.is_delete or state.is_insert
        if writes and table is not None and table.name in FEED_TABLES:
            state.session.info[_CHANGED] = True

    @event.listens_for(session_factory, "after_commit")
    def _committed(session: Session) -> None:
        if session.info.pop(_CHANGED, False):
            on_change()
