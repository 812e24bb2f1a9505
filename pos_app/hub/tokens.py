"""The hub's secrets: callback-path secrets, till keys and enrolment codes, and their hashes."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

# Lower-case hex cannot spell any word a provider refuses in a callback URL
# (providers.callbacks.REFUSED_IN_URLS).
ROUTE_SECRET = re.compile(r"[0-9a-f]{64}")
# No 0/O or 1/I/L: the code is read off one screen and typed on another.
_CODE_LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def route_secret() -> str:
    """256 random bits for a callback path, as 64 lower-case hex digits."""
    return secrets.token_hex(32)


def till_key() -> str:
    return "till_" + secrets.token_urlsafe(32)


def enrolment_code() -> str:
    """About 80 random bits in four groups, e.g. `K7QM-2XWD-9RTH-BN4P`."""
    letters = "".join(secrets.choice(_CODE_LETTERS) for _ in range(16))
    return "-".join(letters[i : i + 4] for i in range(0, 16, 4))


def normal_code(code: str) -> str:
    """An enrolment code as typed (spaces, lower case, no dashes) in its one written form."""
    letters = re.sub(r"[\s-]", "", code).upper()
    return "-".join(letters[i : i + 4] for i in range(0, len(letters), 4))


def hashed(value: str) -> bytes:
    """Keys and codes carry 80 to 256 random bits: one SHA-256 is enough to keep them unusable
    if the database leaks (a slow hash is for what people choose, such as passwords)."""
    return hashlib.sha256(value.encode()).digest()


def same_secret(given: str, stored: str) -> bool:
    return hmac.compare_digest(given.encode(), stored.encode())
