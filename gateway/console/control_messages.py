"""What the console says after a staff control (retry, pause): the counts the service returned, in words."""

from __future__ import annotations

from campaigns.models import OutboxStatus
from campaigns.runs.run_control import Paused, RetryResult
from gateway.console.web import _, _n


def retry_message(retried: RetryResult) -> tuple[str, str]:
    """The flash message (and its category) for a retry: what was queued again by status, or why nothing was."""
    counts = retried.by_status
    if retried.requeued:
        text = _("{n} queued again: {failed} failed, {undelivered} undelivered, {unknown} unknown.",
                 n=retried.requeued, failed=counts.get(OutboxStatus.FAILED, 0),
                 undelivered=counts.get(OutboxStatus.UNDELIVERED, 0),
                 unknown=counts.get(OutboxStatus.UNKNOWN, 0))  # fmt: skip
        return text, "ok"
    if retried.opted_out:
        return _("Nothing queued again: the {n} failed went to contacts who opted out.", n=retried.opted_out), "error"
    if retried.unknown_left:
        return _n(
            "Nothing queued again: {n} has an unknown outcome (tick the box).",
            "Nothing queued again: {n} have an unknown outcome (tick the box).",
            retried.unknown_left,
        ), "error"
    return _("Nothing queued again: no failed or undelivered messages."), "error"


def pause_message(paused: Paused) -> tuple[str, str]:
    """The flash message for a pause: how many claimed messages went back to the queue, how many the provider has."""
    text = _("Paused: {requeued} back in the queue; {with_provider} were already with the provider.",
             requeued=paused.requeued, with_provider=paused.with_provider)  # fmt: skip
    return text, "ok"
