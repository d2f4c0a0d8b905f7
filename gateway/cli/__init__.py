"""The `gridcast` command: Flask's CLI with Gridcast's own command groups."""

from __future__ import annotations

import dataclasses

import click
from flask import Flask
from flask.cli import FlaskGroup

from campaigns.common.settings import Settings, SettingsError
from gateway.app import create_app
from gateway.cli.audio_commands import audio_group
from gateway.cli.db_commands import db_group
from gateway.cli.import_commands import contacts_group, grids_group
from gateway.cli.service_commands import demo_command, tick_command, up_command, worker_command
from gateway.cli.user_commands import tokens_group, users_group
from gateway.cli.voice_commands import voice_prompts_group
from gateway.up import SECRET_KEY_FILE


def _create_app() -> Flask:
    """The app for a command; without SECRET_KEY, the key `gridcast up` keeps in var/secret-key when there is one, so
    `gridcast users create` works beside a `make run` as it is."""
    try:
        settings = Settings.from_env()
        kept = settings.var_dir / SECRET_KEY_FILE
        if not settings.secret_key and kept.exists():
            settings = dataclasses.replace(settings, secret_key=kept.read_text().strip())
        return create_app(settings)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


def _build_cli() -> FlaskGroup:
    cli = FlaskGroup(create_app=_create_app, help="Gridcast: grids, contacts and broadcasts.")
    for command in (
        db_group,
        users_group,
        tokens_group,
        up_command,
        worker_command,
        tick_command,
        demo_command,
        grids_group,
        contacts_group,
        audio_group,
        voice_prompts_group,
    ):
        cli.add_command(command)
    return cli


def main() -> None:
    _build_cli()(prog_name="gridcast")
