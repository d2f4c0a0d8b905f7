"""Import reports: the outcome of a contacts or grids import, with every rejected row kept for download; and the
uploaded file of an import that waits for a worker."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from campaigns.models.base import Base, UtcDateTime, utcnow


class ImportKind(StrEnum):
    """What a file imports."""

    CONTACTS = "contacts"
    GRIDS = "grids"


class ImportStatus(StrEnum):
    """An import's status: queued -> running -> done or failed (a synchronous import is `done` at once)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ImportReport(Base):
    """One import of a file: its status (queued -> running -> done or failed), progress (rows done / total),
    counts, the header row, the rejected rows (row number, reason, a bounded excerpt of the values) and, when it
    failed, the error."""

    __tablename__ = "import_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    scope_grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id", ondelete="SET NULL"))
    dry_run: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    headers: Mapped[list] = mapped_column(JSON, default=list)
    rejected: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(
        String(10), default=ImportStatus.DONE.value, server_default=ImportStatus.DONE.value
    )
    progress_done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    progress_total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error: Mapped[dict | None] = mapped_column(JSON)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ImportUpload(Base):
    """The bytes of an uploaded file while its import is queued or running; deleted when the import ends."""

    __tablename__ = "import_uploads"

    import_id: Mapped[int] = mapped_column(ForeignKey("import_reports.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
