"""The content-addressed audio store: each MP3 lives at `<root>/<sha[:2]>/<sha>.mp3`, named by its SHA-256.

A file is written under a temporary name in its final directory and renamed into place, so a reader never sees half
a file and two writers of the same bytes cannot corrupt each other. Paths are only ever built from a name that is
exactly 64 lowercase hex digits; anything else is refused before the file system is touched.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")


def is_sha256(name: str) -> bool:
    """True for exactly 64 lowercase hexadecimal digits."""
    return isinstance(name, str) and SHA256_PATTERN.fullmatch(name) is not None


class AudioStore:
    """MP3 files under `root`, by SHA-256; `put` is idempotent."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        """Where the file of `sha256` lives (whether or not it exists); ValueError for anything but a SHA-256."""
        if not is_sha256(sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / f"{sha256}.mp3"

    def find(self, sha256: str) -> Path | None:
        """The file of `sha256` when it is stored, else None (also for names that are not a SHA-256)."""
        if not is_sha256(sha256):
            return None
        path = self.path_for(sha256)
        return path if path.is_file() else None

    def put(self, data: bytes) -> str:
        """Store `data` (atomically, once) and return its SHA-256."""
        sha256 = hashlib.sha256(data).hexdigest()
        path = self.path_for(sha256)
        if path.is_file() and path.stat().st_size == len(data):
            return sha256
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-", suffix=".mp3")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return sha256
