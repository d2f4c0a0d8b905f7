"""A call step rendered as TwiML through the official library (`twilio.twiml.voice_response`), for the gateway.

Audio only: `<Play>` of the public audio URL of each clip (Twilio needs `audio/mpeg`, which /audio/<sha256>.mp3
serves), the prompt inside `<Gather numDigits="1">`, whose action gets the key; when no key comes Twilio goes on to
the `<Redirect>` to the same action without `Digits`. A step without a prompt ends with `<Hangup/>`.
"""

from __future__ import annotations

from collections.abc import Callable

from twilio.twiml.voice_response import Gather, VoiceResponse

from campaigns.channels.base import CallStep

GATHER_TIMEOUT_SECONDS = 7


def step_twiml(step: CallStep, audio_url: Callable[[str], str], answer_url: Callable[[int], str]) -> str:
    """The TwiML document for `step`; `audio_url(sha256)` is a clip's public URL, `answer_url(round)` the URL that
    takes the key pressed in that round."""
    response = VoiceResponse()
    for sha256, times in step.plays:
        response.play(audio_url(sha256), loop=times if times > 1 else None)
    if step.prompt is None:
        response.hangup()
        return str(response)
    action = answer_url(step.next_round)
    gather = Gather(num_digits=1, action=action, method="POST", timeout=GATHER_TIMEOUT_SECONDS)
    gather.play(audio_url(step.prompt))
    response.append(gather)
    response.redirect(action, method="POST")
    return str(response)
