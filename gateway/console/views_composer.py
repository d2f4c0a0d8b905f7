"""The composer's live example: as staff type, each language's text rendered for one real recipient of the audience
being chosen, with its SMS count (campaigns/runs/example_messages.py), before anything is saved."""

from __future__ import annotations

from flask import jsonify, request

from campaigns.common.errors import DomainError
from campaigns.runs.example_messages import draft_examples
from gateway.console import console
from gateway.console.campaign_form import campaign_data
from gateway.console.web import current_actor
from gateway.web.session import db


@console.post("/campaigns/examples")
def composer_examples():
    """The builder's form as it stands -> {"examples": [...]}; none while the audience is empty or out of scope."""
    data = campaign_data(request.form)
    try:
        examples = draft_examples(db(), current_actor(), data["audience"], data["texts"], data["fallback_language"])
    except DomainError:
        examples = []
    return jsonify({"examples": examples})
