"""The owner's PIN: how it is hashed, what a new one must look like, and how long repeated
wrong guesses lock the owner's actions."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from pos_app.domain.errors import ValidationError

MIN_LENGTH, MAX_LENGTH = 4, 12
# scrypt's cost: 16 MiB of memory and ~50 ms per guess on a till, so that even a short PIN
# taken with a copy of the database costs real time to guess.
N, R, P = 2**14, 8, 1
SALT_BYTES = 16
FREE_TRIES = 3  # wrong PINs before any delay
FIRST_DELAY = 30.0  # seconds, doubling with each further wrong PIN
MAX_DELAY = 3600.0


def check_new_pin(pin: str) -> str:
    """The PIN to store, or ValidationError saying why it will not do."""
    if not pin.isascii() or not pin.isdigit():
        raise ValidationError("The PIN must be digits only.")
    if not MIN_LENGTH <= len(pin) <= MAX_LENGTH:
        raise ValidationError(
            "The PIN must have {low} to {high} digits.", low=MIN_LENGTH, high=MAX_LENGTH
        )
    if len(set(pin)) == 1 or pin in "0123456789012" or pin in "9876543210987":
        raise ValidationError("The PIN is too easy to guess: avoid repeats and runs of digits.")
    return pin


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    """A salted scrypt hash with its parameters, e.g. `scrypt$16384$8$1$<salt>$<hash>`."""
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    digest = hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"scrypt${N}${R}${P}${salt.hex()}${digest.hex()}"


def pin_matches(pin: str, stored: str) -> bool:
    """Whether `pin` is the one `stored` was made from (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(
            pin.encode("utf-8"),
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected) // 2,
        )
    except ValueError:  # a damaged record matches nothing
        return False
    return hmac.compare_digest(digest.hex(), expected)


def lockout_seconds(wrong_in_a_row: int) -> float:
    """How long owner actions stay locked after this many wrong PINs in a row."""
    if wrong_in_a_row < FREE_TRIES:
        return 0.0
    return min(MAX_DELAY, FIRST_DELAY * 2.0 ** (wrong_in_a_row - FREE_TRIES))
