"""The simulator playing the phone for voice calls: a simulated call rings, is answered (or not), plays what the
call flow says and presses keys, so a voice campaign runs end to end offline.

How a simulated phone behaves is a `PhoneScript`, chosen per number by `SimulatedVoice.script` (tests pass their
own). The default follows the number's last four digits, like SMS's unreachable 9999: `9999` never answers, `8888`
is busy, `7777` answers and presses nothing, `6666` presses 9 (hear it again) then 1, and every other phone answers
and presses `SimulatedVoice.key` (the setting GRIDCAST_SIMULATOR_CALL_KEY, 1 by default; empty for none). The call
walks the same steps Twilio would fetch as TwiML (`campaigns.call_flow`), and its CallStatus callbacks go through
`apply_call_status`, so retries, confirmations and forward-only statuses are exactly those of real calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from campaigns.call_flow import CallFlowPolicy, CallStep, answer_step, opening_step
from campaigns.call_status import CallRetryPolicy, apply_call_status
from campaigns.channels.base import OutgoingCall
from campaigns.models import SimulatedCall

SCRIPTED_SUFFIXES = {"9999": ("no-answer", ""), "8888": ("busy", ""), "7777": ("answer", ""), "6666": ("answer", "91")}


@dataclass(frozen=True)
class PhoneScript:
    """What a simulated phone does: `answer`, `busy`, `no-answer` or `failed`; once answered, the key it presses
    in each round of prompts (a round past the end of `keys` gets no key)."""

    outcome: str = "answer"
    keys: str = "1"


def default_script(phone: str, key: str) -> PhoneScript:
    """The behaviour of a simulated phone by its last four digits (see the module docstring)."""
    outcome, keys = SCRIPTED_SUFFIXES.get(phone[-4:], ("answer", key))
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
    final CallStatus."""
    script = voice.script_for(call.to)

    def status(value: str) -> None:
        apply_call_status(session, call.outbox_id, call.attempt, value, call_sid=sid, now=now, retry=voice.retry)

    status("initiated")
    status("ringing")
    played: list[str] = []
    pressed = ""
    if script.outcome == "answer":
        status("in-progress")
        step = opening_step(session, call.outbox_id, voice.flow)
        played += _played(step)
        while step.prompt is not None:
            key = script.keys[step.next_round - 1] if step.next_round <= len(script.keys) else ""
            pressed += key or "-"
            step = answer_step(session, call.outbox_id, step.next_round, key, voice.flow, now)
            played += _played(step)
        final = "completed"
    else:
        final = script.outcome
    status(final)
    session.add(
        SimulatedCall(
            phone=call.to,
            outbox_id=call.outbox_id,
            attempt=call.attempt,
            sid=sid,
            language=call.language,
            status=final,
            played=played,
            keys=pressed,
            created_at=now,
        )
    )
    return final


def _played(step: CallStep) -> list[str]:
    clips = [sha256 for sha256, times in step.plays for _ in range(times)]
    return clips + ([step.prompt] if step.prompt else [])
