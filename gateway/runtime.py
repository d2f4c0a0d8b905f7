"""The current app's services: the composition root's `Services` (workers/composition.py), one per app."""

from __future__ import annotations

from flask import current_app

from workers.composition import Services


def current_runtime() -> Services:
    """The services of the current app (inside a request or a CLI command)."""
    return current_app.extensions["gridcast"]
