"""English words for the codes the console passes through `_` (roles, run kinds, intents, speech engines): English
needs no catalog for its sentences, whose source texts are English, but a code such as `grid_leader` or `sms` is
no English word and must never show on a page."""

from __future__ import annotations

EN_CODES = {
    "duty_reminder": "report reminder",
    "duty_escalation": "escalation",
    "auto_reply": "automatic reply",
    "household_head": "household head",
    "grid_worker": "grid worker",
    "grid_leader": "grid leader",
    "zero_report": "nothing to report",
    "opt_out": "opt-out",
    "opt_in": "opt-in",
    "sms": "SMS",
    "gtts": "Google text-to-speech",
    "espeak": "offline text-to-speech",
    "cron": "recurring",
}
