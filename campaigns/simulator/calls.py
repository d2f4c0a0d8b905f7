"""The simulator playing the phone for voice calls: a simulated call rings, is answered (or not), plays what the
call flow says and presses keys, so a voice campaign runs end to end offline.

How a simulated phone behaves is a `PhoneScript`, chosen per number by `SimulatedVoice.script` (tests pass their
own). The default follows the number's last four digits, like SMS's unreachable 9999: `9999` never answers, `8888`
is busy, `7777` answers and presses nothing, `6666` presses 9 (hear it again) then 1, and every other phone answers
and presses `SimulatedVoice.key` (the setting GRIDCAST_SIMULATOR_CALL_KEY, 1 by default; empty for none). A phone
ending in `5555`, or every other phone when the key is `staff`, answers and then waits for a person: the call stays
`in-progress` (a `SimulatedCall` with that status) after its opening, and staff press keys on the console's phone page
(`press_key`) or hang up (`hang_up`). Either way the call walks the same steps Twilio would fetch as TwiML
(`campaigns.voice.call_flow`), and its
CallStatus callbacks go through `apply_call_status`, so retries, confirmations and
forward-only statuses are exactly those of real calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from campaigns.channels.base import OutgoingCall
from campaigns.common.errors import Conflict
from campaigns.models import CallStatus, SimulatedCall
from campaigns.voice.call_flow import CallFlowPolicy, CallStep, answer_step, opening_step
from campaigns.voice.call_status import CallRetryPolicy, apply_call_status

STAFF = "staff"
SCRIPTED_SUFFIXES = {
    "9999": (CallStatus.NO_ANSWER, ""), "8888": (CallStatus.BUSY, ""), "7777": ("answer", ""), "6666": ("answer", "91"),
    "5555": (STAFF, ""),
}  # fmt: skip


@dataclass(frozen=True)
class PhoneScript:
    """What a simulated phone does: `answer`, `busy`, `no-answer`, `failed`, or `staff` (answer, then wait for a
    person's keys); once answered, the key it presses in each round of prompts (a round past the end of `keys` gets no
    key)."""

    outcome: str = "answer"
    keys: str = "1"


def default_script(phone: str, key: str) -> PhoneScript:
    """The behaviour of a simulated phone by its last four digits (see the module docstring)."""
    outcome, keys = SCRIPTED_SUFFIXES.get(phone[-4:], (STAFF, "") if key == STAFF else ("answer", key))
    return PhoneScript(outcome, keys)


@dataclass(frozen=True)
class SimulatedVoice:
    """How simulated calls go: the call flow and retry policies of the settings, and each phone's script."""

    flow: CallFlowPolicy = field(default_factory=CallFlowPolicy)
    retry: CallRetryPolicy = field(default_factory=CallRetryPolicy)
    key: str = "1"
    script: Callable[[str], PhoneScript] | None = None

    def script_for(self, phone: str) -> PhoneScript:
        return self.script(phone) if self.script else default_script(phone, self.key)


def simulate_call(session: Session, voice: SimulatedVoice, call: OutgoingCall, sid: str, now: datetime) -> str:
    """Play one call on the simulated phone: statuses, audio and keys, logged as a `SimulatedCall`; returns the
    final CallStatus, or `in-progress` when the call waits for staff to press a key."""
    script = voice.script_for(call.to)
    for status in (CallStatus.INITIATED, CallStatus.RINGING):
        apply_call_status(session, call.outbox_id, call.attempt, status, call_sid=sid, now=now, retry=voice.retry)
    if script.outcome not in ("answer", STAFF):
        apply_call_status(session, call.outbox_id, call.attempt, script.outcome, call_sid=sid, now=now,
                          retry=voice.retry)  # fmt: skip
        session.add(_call_log(call, sid, script.outcome, [], now))
        return script.outcome
    apply_call_status(
        session, call.outbox_id, call.attempt, CallStatus.IN_PROGRESS, call_sid=sid, now=now, retry=voice.retry
    )
    step = opening_step(session, call.outbox_id, voice.flow)
    row = _call_log(call, sid, CallStatus.IN_PROGRESS, _played(step), now)
    session.add(row)
    if step.prompt is None:
        hang_up(session, voice, row, now)
    elif script.outcome == STAFF:
        session.flush()
    while row.status == CallStatus.IN_PROGRESS and script.outcome != STAFF:
        round_number = len(row.keys) + 1
        press_key(session, voice, row, script.keys[round_number - 1 : round_number], now)
    return row.status


def press_key(session: Session, voice: SimulatedVoice, row: SimulatedCall, key: str, now: datetime) -> CallStep:
    """Press `key` ("" for none) in the current round of the answered call `row`: the call flow's next step is
    played, and the call is hung up (completed) when that step ends it."""
    if row.status != "in-progress" or row.outbox_id is None:
        raise Conflict.coded("call.ended", "the call has ended")
    step = answer_step(session, row.outbox_id, len(row.keys) + 1, key, voice.flow, now)
    row.played = [*row.played, *_played(step)]
    row.keys += key[:1] or "-"
    if step.prompt is None:
        hang_up(session, voice, row, now)
    return step


def hang_up(session: Session, voice: SimulatedVoice, row: SimulatedCall, now: datetime) -> None:
    """End the answered call `row`: its CallStatus becomes `completed`, as Twilio reports any answered call's end."""
    if row.status != "in-progress":
        raise Conflict.coded("call.ended", "the call has ended")
    if row.outbox_id is not None:
        apply_call_status(session, row.outbox_id, row.attempt, CallStatus.COMPLETED, call_sid=row.sid, now=now,
                          retry=voice.retry)  # fmt: skip
    row.status = CallStatus.COMPLETED
    session.flush()


def _call_log(call: OutgoingCall, sid: str, status: str, played: list[str], now: datetime) -> SimulatedCall:
    return SimulatedCall(phone=call.to, outbox_id=call.outbox_id, attempt=call.attempt, sid=sid,
                         language=call.language, status=status, played=played, keys="", created_at=now)  # fmt: skip


def _played(step: CallStep) -> list[str]:
    clips = [sha256 for sha256, times in step.plays for _ in range(times)]
    return clips + ([step.prompt] if step.prompt else [])
