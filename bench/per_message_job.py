"""The one-job-per-message design, for comparison only: one RQ job per outbox row, sent with the synchronous client.

The job claims, sends and records its single row through the real engine (`send_batch` over the range [id, id]),
with the channel's one-at-a-time `send_sms` only. bench/send_run.py puts this directory on the worker's
PYTHONPATH so RQ can import `per_message_job.send_one_message`.
"""

from __future__ import annotations

from campaigns.channels.base import BaseSmsChannel, CallsInThreads
from campaigns.delivery.sending import send_batch
from workers.composition import services
from workers.sending_services import now


class OneAtATime(BaseSmsChannel, CallsInThreads):
    """The worker's channel without its concurrent `send_many` (sends from threads over `send_sms`): what the
    synchronous design has."""

    def __init__(self, channel):
        self._channel = channel
        self.name = channel.name

    def send_sms(self, message):
        return self._channel.send_sms(message)

    def find_sms(self, message, since):
        return self._channel.find_sms(message, since)

    def place_call(self, call):
        return self._channel.place_call(call)

    def find_call(self, call, since):
        return self._channel.find_call(call, since)


def send_one_message(run_id: int, outbox_id: int) -> int:
    """Send outbox row `outbox_id` of run `run_id`; returns how many rows the provider accepted (0 or 1)."""
    tools = services().sending()
    channel = OneAtATime(tools.channel)
    report = send_batch(services().session_factory, channel, tools.limiter, tools.policy, now, run_id, outbox_id,
                        outbox_id)  # fmt: skip
    return report.accepted
