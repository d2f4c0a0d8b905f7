"""The Flask application factory."""

from __future__ import annotations

from flask import Flask

from campaigns.common.settings import Settings, SettingsError
from workers.composition import Services


def create_app(settings: Settings | None = None, runtime: Services | None = None) -> Flask:
    """Build the app for `settings` (default: from the environment); nothing is connected until first use.

    Tests pass a ready `runtime` to share one engine between many apps. Without a SECRET_KEY it refuses to start
    (SettingsError): a fixed fallback key would let anyone forge session cookies.
    """
    settings = runtime.settings if runtime else settings or Settings.from_env()
    if not settings.secret_key:
        raise SettingsError(
            "SECRET_KEY is not set: give it a long random value, e.g. the output of "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(32))'` (only `gridcast up` makes its own, in "
            "var/secret-key, which the other gridcast commands then use too)"
        )
    app = Flask(__name__)
    app.config["SECRET_KEY"] = settings.secret_key
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024 * 1024
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.config.update(SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=settings.secure_cookies)
    app.extensions["gridcast"] = runtime or Services.build(settings)

    from gateway.api import api
    from gateway.audio_files import audio_files
    from gateway.console import console, root
    from gateway.console.catalogs import init_babel
    from gateway.health import health
    from gateway.loudspeaker_feed import loudspeaker_feed
    from gateway.webhooks import webhooks

    app.register_blueprint(health)
    app.register_blueprint(api)
    app.register_blueprint(audio_files)
    app.register_blueprint(webhooks)
    app.register_blueprint(console)
    app.register_blueprint(root)
    app.register_blueprint(loudspeaker_feed)
    init_babel(app)
    return app
