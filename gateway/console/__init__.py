"""The staff console under /console: server-rendered pages over the same services as the JSON API.

Every page is built from Jinja templates in Chinese (default) or English, with a little vanilla JavaScript and no
build step. Sessions live in the database (gateway.console.web), each form carries a CSRF token, and every action
runs as an `Actor` built from the logged-in user, so the domain's role and grid-scope checks apply unchanged.
"""

from __future__ import annotations

import mimetypes

from flask import Blueprint, redirect, url_for

mimetypes.add_type("font/woff2", ".woff2")  # Python's own table lacks it; without it the font is octet-stream

console = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
root = Blueprint("console_root", __name__)


@root.get("/")
def home():
    return redirect(url_for("console.dashboard"))


from gateway.console import (  # noqa: E402, F401  (routes register on import)
    grid_picker,
    time_filters,
    views_admin,
    views_alert_reach,
    views_alerts,
    views_audio,
    views_auth,
    views_campaigns,
    views_composer,
    views_contact_edit,
    views_contacts,
    views_dashboard,
    views_duties,
    views_imports,
    views_inbox,
    views_loudspeakers,
    views_reports,
    views_settings,
    views_simulator,
    web,
)
