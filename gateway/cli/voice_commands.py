"""`gridcast voice-prompts ...`: the prompt phrases of voice calls per language, listed, synthesized or recorded.
Commands act as the system (an admin)."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from campaigns.common.db import unit_of_work
from campaigns.common.errors import DomainError
from campaigns.identity.access import Actor
from campaigns.voice import voice_prompts
from campaigns.voice.audio_port import SpeechUnavailable
from campaigns.voice.call_flow import PROMPT_PHRASES
from gateway.cli.import_commands import read_input_file
from gateway.runtime import current_runtime
from workers.audio_services import audio_port


@click.group("voice-prompts", help="The phrases of voice calls (press 1 to confirm, thanks, goodbye) per language.")
def voice_prompts_group() -> None:
    pass


@voice_prompts_group.command("list", help="Each language's phrases and whether voice calls can be made in it.")
@with_appcontext
def list_command() -> None:
    runtime = current_runtime()
    with runtime.session_factory() as session:
        listing = voice_prompts.list_prompts(session, runtime.settings.public_base_url)
    click.echo(json.dumps(listing, ensure_ascii=False, indent=2))


@voice_prompts_group.command("synthesize", help="Synthesize LANGUAGE's phrases (default texts: zh, yue, en).")
@click.argument("language")
@click.option("--engine", type=click.Choice(["gtts", "espeak"]), help="only this engine (default: the setting's order)")
@click.option("--texts", "texts_file", type=click.Path(dir_okay=False), help="a JSON file {phrase: text}")
@with_appcontext
def synthesize_command(language: str, engine: str | None, texts_file: str | None) -> None:
    runtime = current_runtime()
    texts = json.loads(read_input_file(texts_file)) if texts_file else None
    try:
        with unit_of_work(runtime.session_factory) as session:
            prompts = voice_prompts.synthesize_prompts(
                session, Actor.system(), language, audio_port(runtime.settings), texts, engine
            )
            for prompt in prompts:
                click.echo(f"{prompt.language} {prompt.phrase}: {prompt.clip.engine} {prompt.clip.sha256}")
    except (DomainError, SpeechUnavailable, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc


@voice_prompts_group.command("record", help="Attach a recording (mp3, wav, m4a, ogg) as one phrase in LANGUAGE.")
@click.argument("language")
@click.argument("phrase", type=click.Choice(PROMPT_PHRASES))
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def record_command(language: str, phrase: str, path: str) -> None:
    runtime = current_runtime()
    try:
        with unit_of_work(runtime.session_factory) as session:
            prompt = voice_prompts.record_prompt(
                session, Actor.system(), language, phrase, read_input_file(path), path, audio_port(runtime.settings)
            )
            click.echo(f"{prompt.language} {prompt.phrase}: recording {prompt.clip.sha256}")
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
