"""Password hashing with scrypt (memory-hard) at OWASP's cost, stored as a self-describing string.

A stored hash names its own cost (`scrypt$n$r$p$salt$digest`), so hashes made at an older, lower cost still verify;
`needs_rehash` tells the login to store a new hash at the current cost once the password is known to be right.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# OWASP Password Storage Cheat Sheet: scrypt with N=2^17 (128 MiB), r=8, p=1.
OWASP_SCRYPT_N = 2**17
SCRYPT_N, SCRYPT_R, SCRYPT_P = OWASP_SCRYPT_N, 8, 1
_MAX_N = 2**20


def hash_password(password: str) -> str:
    """A new salted scrypt hash of `password` at the current cost."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, 32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str | None) -> bool:
    """True when `password` matches; False for any malformed or missing hash."""
    try:
        scheme, n, r, p, salt, digest = (stored or "").split("$")
        if scheme != "scrypt" or not 1 < int(n) <= _MAX_N:
            return False
        expected = base64.urlsafe_b64decode(digest)
        actual = _scrypt(password, base64.urlsafe_b64decode(salt), int(n), int(r), int(p), len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def needs_rehash(stored: str | None) -> bool:
    """True when `stored` was made at another cost than today's (hash the password again after it verified)."""
    parts = (stored or "").split("$")
    return len(parts) != 6 or parts[:4] != ["scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P)]


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    memory = 128 * r * (n + p + 2)
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=length, maxmem=memory + 2**20)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()
