"""`gridcast up`: the whole service on one machine with one command.

Starts an embedded Redis when REDIS_URL is not set, applies migrations, loads the demo data on the first start into
an empty database, then runs gunicorn (the web app), an RQ worker and the tick as one process group. The
children build their own Settings from the environment we hand them (DATABASE_URL, REDIS_URL...).
"""

from __future__ import annotations

import os
import secrets
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from campaigns.common import migrate
from campaigns.common.db import make_engine, make_session_factory, unit_of_work
from campaigns.common.settings import Settings
from campaigns.common.settings_model import EnvironmentSettings
from campaigns.demo.seed import create_demo_admin, is_empty, load_demo
from gateway.supervisor import ChildSpec, ProcessGroup
from workers.connections import redis_url_of, start_embedded_redis, stop_embedded_redis
from workers.queues import ALL_QUEUES

DEMO_TOKEN_FILE = "demo-admin-token"
SECRET_KEY_FILE = "secret-key"
DEFAULT_PUBLIC_BASE_URL = EnvironmentSettings.model_fields["public_base_url"].default
WSGI_APP = "gateway.app:create_app()"
# gunicorn's default without the query string and the referer, which carry searched phone numbers and names.
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s"'


def prepare_database(settings: Settings, *, demo: bool) -> dict[str, Any] | None:
    """Migrate the database; when `demo` and it is empty, load the demo and create the demo admin.

    Returns {"summary", "admin"} on such a first start, None otherwise.
    """
    engine = make_engine(settings.database_url)
    try:
        migrate.upgrade(engine)
        if not demo:
            return None
        with unit_of_work(make_session_factory(engine)) as session:
            if not is_empty(session):
                return None
            return {"summary": load_demo(session), "admin": create_demo_admin(session)}
    finally:
        engine.dispose()


def write_token_file(var_dir: Path, token: str) -> Path:
    """Write the demo admin's token to var/demo-admin-token, readable by its owner only."""
    path = var_dir / DEMO_TOKEN_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(token + "\n")
    path.chmod(0o600)
    return path


def embedded_secret_key(var_dir: Path) -> str:
    """The web app's secret key for `gridcast up` without SECRET_KEY: made once, kept in var/secret-key (mode 0600)."""
    path = var_dir / SECRET_KEY_FILE
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key + "\n")
    return key


def service_processes(host: str, port: int, web_workers: int) -> list[ChildSpec]:
    """The web server, the worker and the periodic tick, run with this interpreter (the same virtualenv)."""
    web = [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}", "--workers", str(web_workers)]
    web += ["--graceful-timeout", "5", "--access-logfile", "-", "--access-logformat", ACCESS_LOG_FORMAT]
    web += ["--no-control-socket", WSGI_APP]
    worker = [sys.executable, "-m", "gateway.cli", "worker"]
    clock = [sys.executable, "-m", "gateway.cli", "tick"]
    return [ChildSpec("web", web), ChildSpec("worker", worker), ChildSpec("clock", clock)]


def run_up(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    web_workers: int = 2,
    demo: bool = True,
    echo: Callable[[str], None] = print,
) -> int:
    """Run everything until Ctrl-C or SIGTERM (returns 0) or until a child dies (stops the rest, returns 1)."""
    previous_sigterm = signal.signal(signal.SIGTERM, _interrupt)
    redis = start_embedded_redis(settings) if settings.uses_embedded_redis else None
    try:
        redis_url = redis_url_of(redis) if redis is not None else settings.redis_url
        first_start = prepare_database(settings, demo=demo)
        base_url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
        public_base_url = base_url if settings.public_base_url == DEFAULT_PUBLIC_BASE_URL else settings.public_base_url
        env = {
            "DATABASE_URL": settings.database_url,
            "REDIS_URL": redis_url,
            "GRIDCAST_VAR_DIR": str(settings.var_dir),
            "PUBLIC_BASE_URL": public_base_url,
            "SECRET_KEY": settings.secret_key or embedded_secret_key(settings.var_dir),
            "PYTHONUNBUFFERED": "1",
        }
        if first_start:
            write_token_file(settings.var_dir, first_start["admin"]["token"])
        group = ProcessGroup(service_processes(host, port, web_workers), env=env, echo=echo)
        echo(banner(settings, base_url, redis_url, embedded=redis is not None, first_start=first_start))
        return group.run()
    finally:
        if redis is not None:
            stop_embedded_redis(redis)
        signal.signal(signal.SIGTERM, previous_sigterm)


def banner(
    settings: Settings, base_url: str, redis_url: str, *, embedded: bool, first_start: dict[str, Any] | None
) -> str:
    url = make_url(settings.database_url)
    database = url.database if url.get_backend_name() == "sqlite" else url.render_as_string(hide_password=True)
    redis = f"embedded, {redis_url} (data in {settings.embedded_redis_path})" if embedded else redis_url
    lines = [
        "Gridcast is starting:",
        f"  web        {base_url}/  (health {base_url}/healthz, API {base_url}/api/v1/openapi.json)",
        f"  console    {base_url}/console/  (staff web console; docs/console.md)",
        f"  database   {database}",
        f"  redis      {redis}",
        f"  worker     RQ worker on queues {', '.join(ALL_QUEUES)}",
    ]
    if not settings.secret_key:
        key_file = settings.var_dir / SECRET_KEY_FILE
        lines.append(f"  secret key kept in {key_file} (mode 0600; set SECRET_KEY to use your own)")
    token_file = settings.var_dir / DEMO_TOKEN_FILE
    if first_start:
        summary, admin = first_start["summary"], first_start["admin"]
        lines += [
            f"  demo data  loaded {', '.join(summary['counties'])}: {summary['grids']} grids, "
            f"{summary['contacts']} contacts",
            f"  demo admin user {admin['username']}, password {admin['password']} (shown once, not stored)",
            f"             API token {admin['token']}",
            f"             (also written to {token_file}, mode 0600)",
        ]
    elif token_file.exists():
        lines.append(f"  demo admin API token in {token_file}")
    lines.append("Stop with Ctrl-C.")
    return "\n".join(lines)


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt
