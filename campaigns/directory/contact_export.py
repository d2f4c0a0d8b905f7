"""Contact export: the contacts in the caller's scope (filtered like the contact list) as CSV or XLSX.

The columns are the import's columns (plus the grid's name and the opted-out flag, which an import ignores), so
an exported file can be edited and imported back. Every cell is defused against formula injection.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy.orm import Session

from campaigns.directory.contacts import contacts_query
from campaigns.directory.tabular import csv_chunks, xlsx_bytes
from campaigns.identity.access import Actor
from campaigns.models import Contact

EXPORT_HEADERS = [
    "name",
    "phone",
    "grid_code",
    "grid_name",
    "role",
    "language",
    "channels",
    "households",
    "tags",
    "opted_out",
]
EXPORT_FORMATS = ("csv", "xlsx")
BATCH = 1000


def _cells(contact: Contact) -> list[str]:
    return [
        contact.name,
        contact.phone,
        contact.grid.code,
        contact.grid.name,
        contact.role,
        contact.language,
        ",".join(contact.channels or []),
        str(contact.households),
        ",".join(contact.tags),
        "yes" if contact.opted_out else "",
    ]


def check_export(session: Session, actor: Actor, **filters: Any) -> None:
    """Raise NotFound or ValidationError now for filters an export would fail on (before a stream starts)."""
    contacts_query(session, actor, **filters)


def export_rows(session: Session, actor: Actor, **filters: Any) -> Iterator[list[str]]:
    """The header, then one row per contact in scope matching `filters` (see contacts_query), read in batches."""
    query = contacts_query(session, actor, **filters).execution_options(yield_per=BATCH)
    yield list(EXPORT_HEADERS)
    for contact in session.scalars(query):
        yield _cells(contact)


def export_csv(session: Session, actor: Actor, **filters: Any) -> Iterator[str]:
    """The export as CSV text chunks (UTF-8 with BOM, CRLF), for streaming."""
    return csv_chunks(export_rows(session, actor, **filters))


def export_xlsx(session: Session, actor: Actor, **filters: Any) -> bytes:
    """The export as an XLSX workbook whose cells are all text."""
    return xlsx_bytes(export_rows(session, actor, **filters), title="contacts")
