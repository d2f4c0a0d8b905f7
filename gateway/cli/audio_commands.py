"""`gridcast audio ...`: which engine speaks which language, synthesize a campaign language now (no worker
needed), attach a recording. Commands act as the system."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from campaigns.common.db import unit_of_work
from campaigns.common.errors import DomainError
from campaigns.common.languages import LANGUAGES
from campaigns.identity.access import Actor
from campaigns.voice import campaign_audio
from campaigns.voice.audio_port import SpeechUnavailable
from gateway.cli.import_commands import read_input_file
from gateway.runtime import current_runtime
from workers.audio_services import audio_port


@click.group("audio", help="Campaign audio: engines, synthesis, recordings.")
def audio_group() -> None:
    pass


@audio_group.command("engines", help="Which configured engine speaks which language (GRIDCAST_TTS_ENGINES order).")
@with_appcontext
def engines_command() -> None:
    port = audio_port(current_runtime().settings)
    for language, (chinese, english) in LANGUAGES.items():
        engines = port.engines_for(language)
        click.echo(f"{language:4} {english} ({chinese}): {', '.join(engines) if engines else 'recordings only'}")


def _show(session, campaign_id: int, language: str) -> None:
    settings = current_runtime().settings
    listing = campaign_audio.list_campaign_audio(
        session, Actor.system(), campaign_id, audio_port(settings), settings.public_base_url
    )
    row = next(item for item in listing["languages"] if item["language"] == language)
    click.echo(json.dumps(row, ensure_ascii=False, indent=2))


@audio_group.command("synthesize", help="Synthesize a campaign language's text now and print its audio.")
@click.argument("campaign_id", type=int)
@click.argument("language")
@click.option("--engine", type=click.Choice(["gtts", "espeak"]), help="only this engine (default: the setting's order)")
@with_appcontext
def synthesize_command(campaign_id: int, language: str, engine: str | None) -> None:
    runtime = current_runtime()
    try:
        with unit_of_work(runtime.session_factory) as session:
            row = campaign_audio.synthesize_campaign_audio(
                session, Actor.system(), campaign_id, language, audio_port(runtime.settings), engine
            )
            _show(session, campaign_id, row.language)
    except (DomainError, SpeechUnavailable) as exc:
        raise click.ClickException(str(exc)) from exc


@audio_group.command("upload", help="Attach a recording (mp3, wav, m4a, ogg) as a campaign language's audio.")
@click.argument("campaign_id", type=int)
@click.argument("language")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def upload_command(campaign_id: int, language: str, path: str) -> None:
    runtime = current_runtime()
    try:
        with unit_of_work(runtime.session_factory) as session:
            row = campaign_audio.attach_recording(
                session,
                Actor.system(),
                campaign_id,
                language,
                read_input_file(path),
                path,
                audio_port(runtime.settings),
            )
            _show(session, campaign_id, row.language)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
