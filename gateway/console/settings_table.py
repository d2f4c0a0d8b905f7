"""The deployment's effective settings as the admins' settings page shows them: sections of (label, environment
variable, value), read-only, generated from `campaigns.common.settings_model.EnvironmentSettings`. Secrets (tokens,
passwords, keys) and anything that may carry one (the database and Redis URLs, a URL's user part or query) are never
shown, only whether they are set."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from campaigns.common.settings import Settings
from campaigns.common.settings_model import SECTIONS, SENDING, EnvironmentSettings, env_name, extra
from campaigns.reports.report_duties import DEFAULT_WINDOW
from gateway.console.web import _

Row = tuple[str, str, str]


def is_set(value: object) -> str:
    return _("set") if value else _("not set")


def on_off(value: bool) -> str:
    return _("on") if value else _("off")


def plain(value: object) -> str:
    if value is None or value == "" or value == ():
        return "—"
    if isinstance(value, tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def url_without_credentials(url: str | None) -> str:
    """scheme://host[:port]/path of `url`: no user, password, query or fragment."""
    if not url:
        return "—"
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}{parts.path}"


def shown(show: str, value: Any, settings: Settings) -> str:
    """A setting's value as the page shows it: `show` is the field's display kind (settings_model.setting)."""
    if show in ("secret", "set"):
        return is_set(value)
    if show == "url":
        return url_without_credentials(value)
    if show == "scheme":
        return value.split(":", 1)[0].split("+", 1)[0]
    if show == "redis":
        return is_set(value) if value else _("embedded")
    if show == "routes":
        return ", ".join(f"{prefix} → {channel}" for prefix, channel in settings.sms_route_table)
    if isinstance(value, bool):
        return on_off(value)
    return plain(value)


def effective_settings(settings: Settings) -> list[tuple[str, list[Row]]]:
    """The settings page's sections, in the page's language: one row per EnvironmentSettings field."""
    values = settings.environment_values()
    rows: dict[str, list[Row]] = {section: [] for section in SECTIONS}
    for name, info in EnvironmentSettings.model_fields.items():
        show = extra(info)["show"]
        rows[extra(info)["section"]].append(
            (_(info.title or name), env_name(info), shown(show, values[name], settings))
        )
    rows[SENDING] += [
        (_("Send window of new campaigns"), "", _("any time (set per campaign)")),
        (_("Send window of daily report reminders"), "", f"{DEFAULT_WINDOW['start']}–{DEFAULT_WINDOW['end']}"),
    ]
    return [(_(section), rows[section]) for section in SECTIONS]
