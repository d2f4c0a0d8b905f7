"""Words the console shows that no `_("...")` call holds literally, so the catalog tool adds them to the catalogs.

Codes translated at run time (`_(status)`: statuses, intents, roles, schedule kinds, levels...), the settings
page's section and setting titles, the error pages' titles, the field names
(and paths) an error names, with the "field" context (`texts` -> 文本), and the nouns and channel names some errors
carry as parameters.
"""

from __future__ import annotations

from campaigns.broadcasts.alert_fields import SEVERITIES
from campaigns.broadcasts.campaign_service import CHANNELS
from campaigns.broadcasts.schedules import KINDS
from campaigns.common.settings_model import SECTIONS, EnvironmentSettings
from campaigns.directory.roles import CONTACT_ROLES
from campaigns.identity.access import ROLES
from campaigns.loudspeakers.item_states import DEVICE_STATES, ITEM_STATES
from campaigns.models.campaign import CAMPAIGN_STATUSES, RUN_KINDS, RUN_STATUSES
from campaigns.models.outbox import OUTBOX_STATUSES
from campaigns.models.replies import INTENTS
from campaigns.replies.auto_replies import REPLY_INTENTS
from campaigns.voice.call_status import CALL_STATUS_RANK
from gateway.console.error_pages import EXPLANATIONS, TITLES

LEVELS = ("county", "township", "village", "group", "unit")
ACTIONS = ("launch", "approve", "pause", "resume", "cancel")
ENGINES_AND_JOBS = ("gtts", "espeak", "recording", "queued", "started", "finished", "failed", "deferred", "canceled")
OTHER_KEYS = ("pending", "zero_report", "incident", "Not Found", "Bad Request", "Forbidden", "Error")
DUTY_WORDS = ("active", "paused", "ended", "end", "duty_reminder", "duty_escalation")
OTHER_STATUSES = ("stopped", "too large", "unsupported")
ALERT_WORDS = (*SEVERITIES, "routine", "alert", "update")
ERROR_NOUNS = ("contact", "grid", "speaker", "campaign", "SMS", "voice call", "voice calls", "loudspeakers")

FIELD_NAMES = (
    "active", "announcement_id", "approval", "audience", "audience.contact_ids", "audience.grid_ids",
    "audience.roles", "auto_reply", "body", "channels", "code", "confirmation", "confirmation.escalate_after_minutes",
    "confirmation.max_reminders", "confirmation.reminder_after_minutes", "confirmation.reminder_channel", "contact",
    "contact_id", "date", "days", "deadline", "depth", "display_name", "duty_id", "enabled", "engine",
    "escalation_delays", "expects_reply", "fallback_language", "fields", "file", "grid_code", "grid_id",
    "households", "intent", "key", "keyword", "kind", "language", "languages", "level", "loudspeaker",
    "loudspeaker.play_times", "loudspeaker.repeat", "loudspeaker.valid_hours", "name", "note", "page", "parent_code",
    "parent_id", "password", "per_page", "phone", "phrase", "played_at", "q", "reminder_times", "reporter_roles",
    "role", "root_grid_id", "schedule", "schedule.at", "schedule.cron", "schedule.days", "schedule.kind",
    "schedule.time", "schedule.until", "scope_grid_code", "send_window", "send_window.end", "send_window.start",
    "tags", "text", "texts", "texts.escalation", "texts.reminder", "times", "timezone", "username", "value",
)  # fmt: skip


def code_words() -> list[str]:
    """Every code or noun the console translates at run time (no context), and the settings page's titles."""
    words = [*CAMPAIGN_STATUSES, *RUN_STATUSES, *OUTBOX_STATUSES, *INTENTS, *ROLES, *CONTACT_ROLES, *KINDS, *LEVELS,
             *ACTIONS, *OTHER_KEYS, *CHANNELS, *ENGINES_AND_JOBS, *CALL_STATUS_RANK, *ERROR_NOUNS,
             *SECTIONS, *REPLY_INTENTS, *DUTY_WORDS, *OTHER_STATUSES, *ALERT_WORDS, *ITEM_STATES, *DEVICE_STATES,
             *RUN_KINDS, *TITLES.values(),
             *EXPLANATIONS.values()]  # fmt: skip
    words += [info.title for info in EnvironmentSettings.model_fields.values() if info.title]
    return sorted(set(words))
