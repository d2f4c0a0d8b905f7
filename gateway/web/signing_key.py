"""The deployment's feed signing key: GRIDCAST_SPEAKER_SIGNING_KEY, or else one made once and kept in
var/speaker-signing-key (mode 0600, its 32-byte seed in base64), shared by every process of the deployment."""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from flask import Flask, current_app

from campaigns.common.settings import Settings
from campaigns.common.signing import SEED_BYTES, ItemSigner, decode_seed

SIGNING_KEY_FILE = "speaker-signing-key"


def stored_seed(var_dir: Path) -> bytes:
    """The seed kept in var/speaker-signing-key, made on first use. The file is written whole under another name and
    then linked into place, so a process racing another never reads a half-written key."""
    path = var_dir / SIGNING_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{SIGNING_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(base64.b64encode(secrets.token_bytes(SEED_BYTES)).decode() + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return decode_seed(path.read_text())


def signer_for(settings: Settings) -> ItemSigner:
    seed = decode_seed(settings.speaker_signing_key) if settings.speaker_signing_key else stored_seed(settings.var_dir)
    return ItemSigner(seed)


def feed_signer(app: Flask | None = None) -> ItemSigner:
    """The app's item signer, made on first use."""
    app = app or current_app
    signer = app.extensions.get("gridcast_feed_signer")
    if signer is None:
        signer = app.extensions["gridcast_feed_signer"] = signer_for(app.extensions["gridcast"].settings)
    return signer
