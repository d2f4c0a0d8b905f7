"""`gridcast up`, `gridcast worker` and `gridcast demo`: running the service and filling it with demo data."""

from __future__ import annotations

import logging

import click
from flask.cli import with_appcontext

from campaigns.common import migrate
from campaigns.common.db import unit_of_work
from campaigns.common.errors import DomainError
from campaigns.common.settings import Settings, SettingsError
from campaigns.demo.seed import create_demo_admin, load_demo
from gateway.runtime import current_runtime
from gateway.up import run_up
from workers.main import run_worker
from workers.queues import ALL_QUEUES
from workers.tick import run_ticker


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


@click.command("up")
@click.option("--host", default="127.0.0.1", show_default=True, help="address the web server binds to")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="web server port")
@click.option("--web-workers", default=2, show_default=True, type=click.IntRange(1, 64), help="gunicorn workers")
@click.option("--demo/--no-demo", default=True, show_default=True, help="load demo data into an empty database")
def up_command(host: str, port: int, web_workers: int, demo: bool) -> None:
    """Run the web server, a worker and the tick (and an embedded Redis without REDIS_URL) until Ctrl-C."""
    status = run_up(_settings(), host=host, port=port, web_workers=web_workers, demo=demo, echo=click.echo)
    raise SystemExit(status)


@click.command("worker")
@click.option("--burst", is_flag=True, help="stop once the queues are empty")
@click.option(
    "--with-scheduler/--without-scheduler",
    default=False,
    show_default=True,
    help="also run RQ's scheduler (only for delayed jobs, which Gridcast does not use)",
)
@click.argument("queues", nargs=-1)
def worker_command(burst: bool, with_scheduler: bool, queues: tuple[str, ...]) -> None:
    """Run an RQ worker on QUEUES (default: alerts, sends, imports, audio, default) until SIGINT/SIGTERM."""
    run_worker(_settings(), queues=queues or ALL_QUEUES, with_scheduler=with_scheduler, burst=burst)


@click.command("tick")
@click.option("--every", default=60.0, show_default=True, type=click.FloatRange(1, 3600), help="seconds between ticks")
@click.option("--once", is_flag=True, help="run one tick and exit (errors propagate)")
def tick_command(every: float, once: bool) -> None:
    """Run the periodic tick: plan due runs, settle expired sends, re-enqueue lost batches, finish runs."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    run_ticker(_settings(), every_seconds=every, once=once)


@click.command("demo")
@click.option("--with-admin", is_flag=True, help="also create the admin 'demo-admin' and print its token once")
@with_appcontext
def demo_command(with_admin: bool) -> None:
    """Apply migrations, then load the demo counties (玛曲县, 同仁县) into an empty database."""
    runtime = current_runtime()
    migrate.upgrade(runtime.engine)
    try:
        with unit_of_work(runtime.session_factory) as session:
            summary = load_demo(session)
            admin = create_demo_admin(session) if with_admin else None
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"loaded {', '.join(summary['counties'])}: {summary['grids']} grids, {summary['contacts']} contacts")
    click.echo("  grids by level:      " + _counts(summary["grids_by_level"]))
    click.echo("  contacts by role:    " + _counts(summary["contacts_by_role"]))
    click.echo("  contacts by language: " + _counts(summary["contacts_by_language"]))
    if admin:
        click.echo(f"admin {admin['username']}, password {admin['password']}, API token (shown once): {admin['token']}")


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{key} {value}" for key, value in counts.items())
