"""The sender's outcome writes, in a thread of their own: a round of answers is handed over and written while the
sender goes on starting the next sends, instead of leaving the channel with fewer sends in flight while the database
works. At most `depth` rounds wait; `close` waits for every write, and the first error of a write is raised in the
sender (at its next round or at `close`), so a failed write still fails the job."""

from __future__ import annotations

import queue
import threading
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from campaigns.channels.base import SendResult
from campaigns.delivery.outcomes import record_outcomes

if TYPE_CHECKING:
    from campaigns.delivery.sending import BatchReport, ClaimedRow, SendPolicy

Written = dict[str, list[tuple["ClaimedRow", SendResult]]]  # answers by the lease token of their claim


class OutcomeWriter:
    """Writes rounds of outcomes (`put`) in order, in one background thread, into `report`'s outcome counts."""

    def __init__(self, session_factory: sessionmaker[Session], policy: SendPolicy, report: BatchReport,
                 depth: int = 2) -> None:  # fmt: skip
        self.session_factory = session_factory
        self.policy = policy
        self.report = report
        self.rounds: queue.Queue[tuple[datetime, Written] | None] = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="outcome-writer", daemon=True)
        self.thread.start()

    def put(self, at: datetime, written: Written) -> None:
        """Queue one round of answers for writing at `at` (waits while `depth` rounds wait already)."""
        self._raise_error()
        if written:
            self.rounds.put((at, dict(written)))

    def close(self) -> None:
        """Wait until every queued round is written; raise the first write error."""
        self.rounds.put(None)
        self.thread.join()
        self._raise_error()

    def _raise_error(self) -> None:
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        while (item := self.rounds.get()) is not None:
            if self.error is None:
                try:
                    write_round(self.session_factory, self.policy, *item, self.report)
                except BaseException as exc:  # handed to the sender's thread, which raises it
                    self.error = exc


def write_round(session_factory: sessionmaker[Session], policy: SendPolicy, at: datetime, written: Written,
                report: BatchReport) -> None:  # fmt: skip
    """Write one round of answers in one transaction."""
    with session_factory.begin() as session:
        for token, pairs in written.items():
            record_outcomes(session, token, policy, at, pairs, report)
