"""Import jobs: run one queued contacts or grids import."""

from __future__ import annotations

from campaigns.directory.import_jobs import run_import
from workers.composition import services


def run_import_job(import_id: int) -> dict:
    """Run queued import `import_id` with the worker's import limits; safe to run twice (a finished import is left
    alone). A refused file ends the import as failed with the error; an unexpected error also fails the job."""
    base = services()
    settings = base.settings
    return run_import(base.session_factory, import_id, limits=settings.import_limits, region=settings.default_region)
