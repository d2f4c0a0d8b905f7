"""Writing send outcomes back to the outbox, and what they mean for contacts and runs.

Every write is guarded by the claim's lease token. Accepted rows become `sent` (unless a callback already moved
them further); retries go back to `queued` with exponential backoff until the last attempt fails them; an
ambiguous send keeps its row in `sending` with a short lease (never longer than the policy's lease), for the
reconciler.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, func, update
from sqlalchemy.orm import Session

from campaigns.channels.base import SendResult
from campaigns.common.sms_segments import count_segments
from campaigns.common.typed_sql import rowcount, table_of
from campaigns.models import Channel, Contact, OptOutSource, OutboxMessage, OutboxStatus, Run

if TYPE_CHECKING:
    from campaigns.delivery.sending import BatchReport, ClaimedRow, SendPolicy

RETRY_BASE_SECONDS = 30
AMBIGUOUS_LEASE_SECONDS = 60


def retry_delay(attempts: int, retry_after: float | None) -> timedelta:
    """30 s, 60 s, 120 s ... (capped at one hour), or the provider's Retry-After when it gave one."""
    if retry_after:
        return timedelta(seconds=retry_after)
    return timedelta(seconds=min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), 3600))


def record_outcomes(session: Session, token: str, policy: SendPolicy, at: datetime,
                    pairs: list[tuple[ClaimedRow, SendResult]], report: BatchReport) -> None:  # fmt: skip
    """Write the outcome of each (claimed row, SendResult) pair and apply its side effects."""
    outbox = table_of(OutboxMessage)
    guard = (outbox.c.id == bindparam("row_id")) & (outbox.c.lease_token == token)
    accepted: list[dict[str, Any]] = []
    retry: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    ambiguous: list[dict[str, Any]] = []
    for row, result in pairs:
        if result.outcome == "accepted":
            segments = count_segments(row.body).segments if row.channel == Channel.SMS else 1
            accepted.append({"row_id": row.id, "sid": result.provider_sid, "segs": segments, "via": result.provider})
        elif result.outcome == "retry" and row.attempts < policy.max_attempts:
            due = at + retry_delay(row.attempts, result.retry_after)
            retry.append({"row_id": row.id, "due": due, "code": result.error_code, "msg": result.error_message})
        elif result.outcome == "ambiguous":
            ambiguous.append(
                {"row_id": row.id, "code": result.error_code, "msg": result.error_message, "via": result.provider}
            )
        else:
            message = result.error_message or "failed"
            if result.outcome == "retry":
                message = f"gave up after {row.attempts} attempts: {message}"
            failed.append({"row_id": row.id, "code": result.error_code, "msg": message[:500], "via": result.provider})
            _side_effects(session, row, result, at)
    connection = session.connection()
    done = {"lease_token": None, "lease_expires_at": None, "updated_at": at}
    via = {"provider": func.coalesce(bindparam("via", type_=outbox.c.provider.type), outbox.c.provider)}
    if accepted:
        updated = rowcount(
            connection.execute(
                outbox.update()
                .where(guard)
                .values(
                    status=OutboxStatus.SENT,
                    provider_sid=bindparam("sid"),
                    segments=bindparam("segs"),
                    sent_at=at,
                    **via,
                    **done,
                ),
                accepted,
            )
        )
        if updated != len(accepted):  # some row's callback came first (and took the lease): bind its sid
            _bind_sid_where_callback_came_first(connection, accepted)
    if retry:
        connection.execute(
            outbox.update()
            .where(guard)
            .values(
                status=OutboxStatus.QUEUED,
                next_attempt_at=bindparam("due"),
                error_code=bindparam("code"),
                error_message=bindparam("msg"),
                **done,
            ),
            retry,
        )
    if failed:
        connection.execute(
            outbox.update()
            .where(guard)
            .values(
                status=OutboxStatus.FAILED,
                error_code=bindparam("code"),
                error_message=bindparam("msg"),
                finished_at=at,
                **via,
                **done,
            ),
            failed,
        )
    if ambiguous:
        connection.execute(
            outbox.update()
            .where(guard)
            .values(
                lease_expires_at=at + timedelta(seconds=min(AMBIGUOUS_LEASE_SECONDS, policy.lease_seconds)),
                error_code=bindparam("code"),
                error_message=bindparam("msg"),
                updated_at=at,
                **via,
            ),
            ambiguous,
        )
    report.accepted += len(accepted)
    report.retried += len(retry)
    report.failed += len(failed)
    report.ambiguous += len(ambiguous)


def _bind_sid_where_callback_came_first(connection: Connection, accepted: list[dict[str, Any]]) -> None:
    """The callback already moved these rows on (and cleared the lease): bind the sid if the callback had none,
    and record the segments the provider bills, which only the send knows."""
    outbox = table_of(OutboxMessage)
    connection.execute(
        outbox.update()
        .where(outbox.c.id == bindparam("row_id"), outbox.c.provider_sid.is_(None))
        .values(provider_sid=bindparam("sid")),
        [{"row_id": item["row_id"], "sid": item["sid"]} for item in accepted],
    )
    connection.execute(
        outbox.update()
        .where(outbox.c.id == bindparam("row_id"), outbox.c.provider_sid == bindparam("sid"))
        .values(segments=bindparam("segs")),
        [{"row_id": item["row_id"], "sid": item["sid"], "segs": item["segs"]} for item in accepted],
    )
    taken = [{"row_id": item["row_id"], "via": item["via"]} for item in accepted if item["via"]]
    if taken:
        connection.execute(
            outbox.update()
            .where(outbox.c.id == bindparam("row_id"), outbox.c.provider.is_(None))
            .values(provider=bindparam("via")),
            taken,
        )


def _side_effects(session: Session, row: ClaimedRow, result: SendResult, at: datetime) -> None:
    if row.contact_id is not None and result.recipient_opted_out:
        session.execute(
            update(Contact)
            .where(Contact.id == row.contact_id, Contact.opted_out_at.is_(None))
            .values(opted_out_at=at, opted_out_via=OptOutSource.CARRIER_STOP)
        )
    if row.contact_id is not None and result.bad_number:
        session.execute(
            update(Contact)
            .where(Contact.id == row.contact_id)
            .values(phone_problem=f"{result.error_code}: {result.error_message or 'invalid number'}"[:200])
        )
    if result.configuration_error:
        session.execute(
            update(Run)
            .where(Run.id == row.run_id)
            .values(alert=f"provider configuration error {result.error_code}: {result.error_message}"[:500])
        )
