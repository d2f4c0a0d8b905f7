"""Imports as RQ jobs (queued, running, done or failed, with progress) and the upload limits over the API."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from redis import Redis
from sqlalchemy import func, insert, select

from campaigns.common.settings import Settings
from campaigns.common.upload_limits import ImportLimits
from campaigns.directory.import_jobs import RUNNING_LEASE, ProgressWriter, imports_to_enqueue, queue_import, run_import
from campaigns.identity import accounts
from campaigns.identity.access import Actor
from campaigns.models import Contact, GridLevel, ImportReport, ImportUpload, User
from campaigns.models.base import utcnow
from gateway.cli.import_commands import contacts_group
from tests.conftest import TEST_REDIS_URL, settings_environ
from tests.servers import delete_queue
from tests.workers.test_worker import restore_signals  # noqa: F401  (fixture)
from workers.import_queue import enqueue_imports
from workers.main import run_worker
from workers.queues import IMPORTS, queue

LIMITS = {
    "GRIDCAST_IMPORT_MAX_UPLOAD_MB": "1",
    "GRIDCAST_IMPORT_MAX_ROWS": "300",
    "GRIDCAST_IMPORT_MAX_COLUMNS": "4",
    "GRIDCAST_IMPORT_INLINE_MAX_KB": "1",
}
DEFAULTS = ImportLimits()


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings.from_env(settings_environ(database_url, tmp_path, **LIMITS))


@pytest.fixture
def import_queue():
    connection = Redis.from_url(TEST_REDIS_URL)
    delete_queue(queue(IMPORTS, connection))
    yield queue(IMPORTS, connection)
    delete_queue(queue(IMPORTS, connection))
    connection.close()


def contacts_csv(count: int, first: int = 1) -> bytes:
    rows = [f"才让{n},1380000{n:04d},623025101201\n" for n in range(first, first + count)]
    return ("姓名,手机,网格编码\n" + "".join(rows)).encode()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def upload(client, token: str, data: bytes, path: str = "/api/v1/contacts/import", **form):
    body = {"file": (io.BytesIO(data), "list.csv"), **form}
    return client.post(path, data=body, headers=bearer(token), content_type="multipart/form-data")


def contact_count(session_factory) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(Contact))


def test_a_large_upload_is_queued_then_run_by_a_worker_and_polled_to_done(
    client,
    make_token,
    session_factory,
    settings,
    import_queue,
    restore_signals,  # noqa: F811
):
    token = make_token("coordinator", "623025101")
    data = contacts_csv(200)
    assert len(data) > 1024
    queued = upload(client, token, data)
    assert queued.status_code == 202, queued.json
    report = queued.json
    assert report["status"] == "queued" and report["counts"]["total"] == 0
    assert queued.headers["Location"].endswith(f"/api/v1/imports/{report['id']}")
    assert len(import_queue) == 1 and contact_count(session_factory) == 0

    assert run_worker(settings, queues=[IMPORTS], with_scheduler=False, burst=True)

    done = client.get(f"/api/v1/imports/{report['id']}", headers=bearer(token)).json
    assert done["status"] == "done" and done["error"] is None
    assert done["counts"] == {"total": 200, "created": 200, "updated": 0, "unchanged": 0, "rejected": 0}
    assert done["progress"]["done"] == done["progress"]["total"] > 0
    assert contact_count(session_factory) == 200
    with session_factory() as session:
        assert session.get(ImportUpload, report["id"]) is None


def test_a_small_upload_is_imported_in_the_request(client, make_token, session_factory, import_queue):
    response = upload(client, make_token("admin"), contacts_csv(3))
    assert response.status_code == 201 and response.json["status"] == "done"
    assert response.json["progress"] == {"done": 3, "total": 3}
    assert len(import_queue) == 0 and contact_count(session_factory) == 3


def test_an_upload_over_the_size_limit_is_413_naming_the_limit(client, make_token, session_factory):
    response = upload(client, make_token("admin"), b"x" * (1024 * 1024 + 1))
    assert response.status_code == 413
    error = response.json["error"]
    assert error["code"] == "upload_too_large" and error["limit"] == "max_upload_bytes" and error["max"] == 1024 * 1024
    assert error["value"] > 1024 * 1024 and "the limit is 1.0 MB (max_upload_bytes)" in error["message"]
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(ImportReport)) == 0


def test_a_broken_limit_in_the_request_is_422_naming_the_limit_and_value(client, make_token, session_factory):
    data = "编码,名称,上级编码,层级\n62302510120301,一组,623025101203,组,,,x\n".encode()
    response = upload(client, make_token("admin"), data, "/api/v1/grids/import", dry_run="true")
    assert response.status_code == 422
    error = response.json["error"]
    assert (error["code"], error["limit"], error["max"], error["value"]) == ("limit_exceeded", "max_columns", 4, 7)
    assert error["fields"]["file"] == "row 2 has 7 columns; the limit is 4 (max_columns)" and error["where"] == "2"
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(ImportReport)) == 0


def test_a_broken_limit_in_a_job_fails_the_import_with_the_limit(
    client,
    make_token,
    session_factory,
    settings,
    import_queue,
    restore_signals,  # noqa: F811
):
    token = make_token("admin")
    report = upload(client, token, contacts_csv(400)).json
    assert report["status"] == "queued"
    run_worker(settings, queues=[IMPORTS], with_scheduler=False, burst=True)
    failed = client.get(f"/api/v1/imports/{report['id']}", headers=bearer(token)).json
    assert failed["status"] == "failed" and contact_count(session_factory) == 0
    assert failed["error"]["limit"] == "max_rows" and failed["error"]["value"] == 301
    with session_factory() as session:
        assert session.get(ImportUpload, report["id"]) is None


def to_enqueue(session_factory, now) -> list[int]:
    with session_factory() as session:
        return imports_to_enqueue(session, now)


def _queued(session_factory, data: bytes, limits: ImportLimits = DEFAULTS, **user) -> int:
    with session_factory.begin() as session:
        created = accounts.create_user(session, Actor.system(), username="importer", password="long enough 123", **user)
        actor = accounts.actor_for(session.get(User, created["id"]))
        return queue_import(session, actor, "contacts", data, "list.csv", dry_run=False, limits=limits)["id"]


def test_running_an_import_twice_imports_once(session_factory, tree):
    import_id = _queued(session_factory, contacts_csv(5), role="admin")
    first = run_import(session_factory, import_id, limits=DEFAULTS)
    assert first["status"] == "done" and first["counts"]["created"] == 5
    assert run_import(session_factory, import_id, limits=DEFAULTS) == {"id": import_id, "status": "done"}
    assert contact_count(session_factory) == 5
    with session_factory() as session:
        assert session.get(ImportReport, import_id).counts["created"] == 5


def test_an_import_whose_uploader_was_disabled_fails(session_factory, tree):
    import_id = _queued(session_factory, contacts_csv(5), role="admin")
    with session_factory.begin() as session:
        session.scalar(select(User)).disabled_at = func.now()
    assert run_import(session_factory, import_id, limits=DEFAULTS)["status"] == "failed"
    with session_factory() as session:
        assert "disabled" in session.get(ImportReport, import_id).error["message"]
    assert contact_count(session_factory) == 0


def test_progress_is_stored_in_its_own_transaction_while_the_import_runs(session_factory, tree):
    import_id = _queued(session_factory, contacts_csv(5), role="admin")
    with session_factory.begin() as session:
        session.get(ImportReport, import_id).status = "running"
    writer = ProgressWriter(session_factory, import_id)
    importing = session_factory()
    writer.import_session = importing
    writer(40, 100)
    with session_factory() as session:
        report = session.get(ImportReport, import_id)
        assert (report.progress_done, report.progress_total) == (40, 100)
    importing.execute(insert(GridLevel).values(key="hamlet", rank=99, name="小组", name_en="hamlet"))
    writer(80, 100)
    with session_factory() as session:
        stored = session.get(ImportReport, import_id).progress_done
    importing.rollback()
    importing.close()
    sqlite = session_factory.kw["bind"].dialect.name == "sqlite"
    assert stored == (40 if sqlite else 80), "SQLite: held back, never waiting for the import's own write lock"


def test_the_cli_imports_within_the_same_limits(app, tree, session_factory, tmp_path):
    runner = app.test_cli_runner()
    long_file, huge_file = tmp_path / "long.csv", tmp_path / "huge.csv"
    long_file.write_bytes(contacts_csv(400))
    huge_file.write_bytes(b"x" * (1024 * 1024 + 1))
    long = runner.invoke(contacts_group, ["import", str(long_file)])
    assert long.exit_code != 0 and "more than 300 rows; the limit is 300 (max_rows)" in long.output
    huge = runner.invoke(contacts_group, ["import", str(huge_file)])
    assert huge.exit_code != 0 and "too large: 1.0 MB; the limit is 1.0 MB (max_upload_bytes)" in huge.output
    assert contact_count(session_factory) == 0


def test_a_second_run_while_the_first_runs_does_nothing_and_a_stale_run_is_taken_over(session_factory, tree):
    import_id = _queued(session_factory, contacts_csv(5), role="admin")
    assert to_enqueue(session_factory, utcnow()) == [import_id]
    with session_factory.begin() as session:
        report = session.get(ImportReport, import_id)
        report.status, report.started_at = "running", utcnow()
    assert run_import(session_factory, import_id, limits=DEFAULTS) == {"id": import_id, "status": "running"}
    assert to_enqueue(session_factory, utcnow()) == [] and contact_count(session_factory) == 0
    later = utcnow() + RUNNING_LEASE + timedelta(minutes=1)
    assert to_enqueue(session_factory, later) == [import_id]
    with session_factory.begin() as session:
        session.get(ImportReport, import_id).started_at = utcnow() - RUNNING_LEASE - timedelta(minutes=1)
    assert run_import(session_factory, import_id, limits=DEFAULTS)["status"] == "done"
    assert contact_count(session_factory) == 5


def test_the_tick_enqueues_an_import_whose_job_was_lost_once(session_factory, tree, settings, import_queue):
    import_id = _queued(session_factory, contacts_csv(5), role="admin")
    connection = Redis.from_url(TEST_REDIS_URL)
    assert enqueue_imports(connection, to_enqueue(session_factory, utcnow())) == 1
    assert enqueue_imports(connection, [import_id]) == 0, "its job is already waiting"
    assert import_queue.job_ids == [f"import-{import_id}"]
    connection.close()
