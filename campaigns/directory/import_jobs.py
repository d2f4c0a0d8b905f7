"""Imports that run in a worker: the upload is stored with a queued import report, a job runs it, and whoever
waits polls the report's status (queued -> running -> done or failed) and progress.

`queue_import` checks what can be checked without reading the rows (the upload's size, an XLSX's declared sizes)
and stores the file; the caller enqueues `run_import` once that is committed. `run_import` runs the import as the
staff account that uploaded the file, stores progress in short transactions of its own, and ends with the
report's counts and rejected rows, or with the error (a broken limit names the limit and the value). The upload
is deleted either way. Running it again for a finished import does nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from campaigns.common.errors import DomainError, ValidationError
from campaigns.common.typed_sql import rowcount
from campaigns.common.upload_limits import ImportLimits, LimitExceeded
from campaigns.directory import contact_import, grid_import
from campaigns.directory.import_reports import EMPTY_COUNTS, ImportAnswer, report_to_dict
from campaigns.directory.tabular import check_upload
from campaigns.identity.access import Actor, require_write
from campaigns.identity.accounts import actor_for
from campaigns.models import ImportKind, ImportReport, ImportStatus, ImportUpload, User
from campaigns.models.base import utcnow

IMPORT_KINDS = tuple(ImportKind)
FINISHED = (ImportStatus.DONE, ImportStatus.FAILED)
PROGRESS_STEPS = 50
# An import job is stopped by RQ after 30 minutes, so a "running" import older than this has no live worker.
RUNNING_LEASE = timedelta(minutes=31)
UNEXPECTED = "an unexpected error stopped the import; it has been logged"


def queue_import(
    session: Session,
    actor: Actor,
    kind: str,
    data: bytes,
    filename: str,
    *,
    dry_run: bool,
    limits: ImportLimits,
) -> ImportAnswer:
    """Check the upload (size, an XLSX's declared sizes) and store it with a queued import report; returns the
    report. The caller enqueues `run_import` after the commit. Raises LimitExceeded or ValidationError."""
    require_write(actor)
    if kind not in IMPORT_KINDS:
        raise ValidationError.coded("import.unknown_kind", "unknown import kind '%(kind)s'", kind=kind)
    check_upload(data, filename, limits)
    report = ImportReport(
        kind=kind,
        filename=(filename or "upload")[:255],
        user_id=actor.user_id,
        scope_grid_id=actor.scope_grid_id,
        dry_run=dry_run,
        counts=dict(EMPTY_COUNTS),
        headers=[],
        rejected=[],
        status=ImportStatus.QUEUED,
    )
    session.add(report)
    session.flush()
    session.add(ImportUpload(import_id=report.id, data=data))
    session.flush()
    return report_to_dict(report)


def _claimable(now: datetime):
    return or_(
        ImportReport.status == ImportStatus.QUEUED,
        and_(ImportReport.status == ImportStatus.RUNNING, ImportReport.started_at < now - RUNNING_LEASE),
    )


def imports_to_enqueue(session: Session, now: datetime) -> list[int]:
    """The imports a job should run: queued ones, and running ones whose worker stopped (started more than the
    job timeout ago). For the periodic sweep, which rebuilds what Redis lost."""
    return list(session.scalars(select(ImportReport.id).where(_claimable(now)).order_by(ImportReport.id)))


class ProgressWriter:
    """Stores an import's progress in short transactions of its own, about PROGRESS_STEPS times per import.

    SQLite has one writer at a time: once the import's own transaction has written, a second writer would wait
    for it, so from then on progress is held back until the import commits (PostgreSQL stores it throughout).
    """

    def __init__(self, session_factory: sessionmaker[Session], import_id: int):
        self.session_factory, self.import_id = session_factory, import_id
        self.import_session: Session | None = None
        self.done = self.total = self.stored = 0

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        if done - self.stored < max(total // PROGRESS_STEPS, 1) or self._import_holds_the_sqlite_lock():
            return
        with self.session_factory.begin() as session:
            session.execute(
                update(ImportReport)
                .where(ImportReport.id == self.import_id, ImportReport.status == ImportStatus.RUNNING)
                .values(progress_done=done, progress_total=total)
            )
        self.stored = done

    def _import_holds_the_sqlite_lock(self) -> bool:
        session = self.import_session
        if session is None or session.get_bind().dialect.name != "sqlite":
            return False
        return bool(session.connection().connection.dbapi_connection.in_transaction)


def _uploader(session: Session, report: ImportReport) -> Actor:
    user = session.get(User, report.user_id) if report.user_id is not None else None
    if user is None or user.disabled_at is not None:
        raise ValidationError.coded(
            "import.uploader_gone", "the staff account that uploaded this file no longer exists or is disabled"
        )
    return actor_for(user)


def _importer(report: ImportReport, region: str) -> Callable[..., ImportAnswer]:
    if report.kind == ImportKind.GRIDS:
        return grid_import.import_grids
    return lambda *args, **options: contact_import.import_contacts(*args, region=region, **options)


def _finish_failed(session_factory: sessionmaker[Session], import_id: int, error: dict[str, Any]) -> None:
    with session_factory.begin() as session:
        report = session.get(ImportReport, import_id)
        if report is not None and report.status not in FINISHED:
            report.status, report.error, report.finished_at = ImportStatus.FAILED, error, utcnow()
        upload = session.get(ImportUpload, import_id)
        if upload is not None:
            session.delete(upload)


def _error_of(exc: DomainError) -> dict[str, Any]:
    if isinstance(exc, LimitExceeded):
        return exc.as_dict()
    return {"code": exc.code, "message": exc.message, **exc.details()}


def run_import(
    session_factory: sessionmaker[Session], import_id: int, *, limits: ImportLimits, region: str = "CN"
) -> dict[str, Any]:
    """Run queued import `import_id` to its end and return its status; safe to run twice. The import is claimed
    with one conditional UPDATE, so a second run while it runs, or after it finished, does nothing; one whose
    worker died (running for longer than the job timeout) is run again from the start, as nothing of it was
    committed. A file the import refuses ends as `failed` with the error; an unexpected error does too, and is
    raised."""
    with session_factory.begin() as session:
        now = utcnow()
        claim = (
            update(ImportReport)
            .where(ImportReport.id == import_id, _claimable(now))
            .values(status=ImportStatus.RUNNING, started_at=now)
            .execution_options(synchronize_session=False)
        )
        if rowcount(session.execute(claim)) != 1:
            status = session.scalar(select(ImportReport.status).where(ImportReport.id == import_id))
            return {"id": import_id, "status": status or "missing"}
    progress = ProgressWriter(session_factory, import_id)
    session = session_factory()
    try:
        report = session.get(ImportReport, import_id)
        upload = session.get(ImportUpload, import_id)
        if upload is None:
            raise ValidationError.coded("import.upload_gone", "the uploaded file is gone: upload it again")
        actor = _uploader(session, report)
        progress.import_session = session
        importer = _importer(report, region)
        answer = importer(
            session,
            actor,
            upload.data,
            report.filename,
            dry_run=report.dry_run,
            progress=progress,
            limits=limits,
            report_id=import_id,
        )
        report.progress_total = max(progress.total, answer["counts"]["total"])
        report.progress_done = report.progress_total
        session.delete(upload)
        session.commit()
    except DomainError as exc:
        session.rollback()
        _finish_failed(session_factory, import_id, _error_of(exc))
        return {"id": import_id, "status": ImportStatus.FAILED}
    except Exception:
        session.rollback()
        _finish_failed(session_factory, import_id, {"code": "server_error", "message": UNEXPECTED})
        raise
    finally:
        session.close()
    return {"id": import_id, "status": ImportStatus.DONE, "counts": answer["counts"]}
