"""Ed25519 signatures on loudspeaker feed items, so a terminal can refuse an item Gridcast did not issue.

The signed bytes of an item are its canonical serialization: the item without its `signature` field, as JSON with
keys sorted, no whitespace (separators "," and ":"), non-ASCII characters written as themselves, encoded in UTF-8.
Items hold only strings, whole numbers, booleans, null, lists and objects (never floats), so this form is exact in
every JSON library. The signature is the 64-byte Ed25519 signature of those bytes, in standard base64 with padding;
`key_id` (inside the signed part) is the first 16 hex digits of the SHA-256 of the 32-byte raw public key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ALGORITHM = "Ed25519"
SEED_BYTES = 32


def canonical_bytes(item: dict[str, Any]) -> bytes:
    """The bytes that are signed: the item minus `signature`, as sorted, compact UTF-8 JSON."""
    unsigned = {key: value for key, value in item.items() if key != "signature"}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def key_id_of(public_raw: bytes) -> str:
    return hashlib.sha256(public_raw).hexdigest()[:16]


def decode_seed(text: str) -> bytes:
    """A 32-byte Ed25519 private seed from base64 (standard or URL-safe, padding optional); ValueError otherwise."""
    cleaned = text.strip().replace("-", "+").replace("_", "/")
    try:
        seed = base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("must be a 32-byte Ed25519 seed in base64 (it is not base64)") from exc
    if len(seed) != SEED_BYTES:
        raise ValueError(f"must be a 32-byte Ed25519 seed in base64 (it holds {len(seed)} bytes)")
    return seed


class ItemSigner:
    """Signs feed items with the deployment's Ed25519 key (a 32-byte seed) and describes its public key."""

    def __init__(self, seed: bytes):
        self._private = Ed25519PrivateKey.from_private_bytes(seed)
        self.public_raw = self._private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.key_id = key_id_of(self.public_raw)

    def public_key(self) -> dict[str, str]:
        """What a terminal needs to check items: the algorithm, the raw public key (base64) and its id."""
        return {
            "algorithm": ALGORITHM,
            "public_key": base64.b64encode(self.public_raw).decode(),
            "key_id": self.key_id,
        }

    def sign(self, item: dict[str, Any]) -> dict[str, Any]:
        """The item with `key_id` set and `signature` added over its canonical bytes."""
        signed = {**item, "key_id": self.key_id}
        signed["signature"] = base64.b64encode(self._private.sign(canonical_bytes(signed))).decode()
        return signed


def verify_item(item: dict[str, Any], public_key_b64: str) -> bool:
    """Whether `item` carries a valid signature by the key `public_key_b64` (raw 32 bytes, base64)."""
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64, validate=True))
        public.verify(base64.b64decode(item["signature"], validate=True), canonical_bytes(item))
    except (InvalidSignature, KeyError, TypeError, ValueError, binascii.Error):
        return False
    return True
