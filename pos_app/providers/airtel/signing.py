"""Airtel's message signing (reference airtel-api.md §7): the exact body bytes encrypted with
a fresh AES-256-CBC key and IV (`x-signature`), that key and IV encrypted with Airtel's RSA
public key (`x-key`). The public key comes from Airtel and expires (`valid_upto`)."""

from __future__ import annotations

import base64
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pos_app.providers.base import MalformedResponse

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

# cryptography is imported where it is used, not at start-up (about 30 ms); the window has it
# loaded soon after it shows (pos_app/app/deferred.py).

# Airtel's `valid_upto` ("12-08-2024 21:29:26") names no zone (§7.2), and Airtel's countries
# keep clocks from UTC+1 to UTC+4 (Seychelles); Zambia and Malawi, which sign, are at UTC+2.
# It is read as the earliest instant it can mean, so no key is used past its expiry there
# (read as UTC and renewed an hour early, a key given in Lusaka time was used for an hour
# after it expired, every signed payment refused with DP00800001026).
VALID_UPTO = "%d-%m-%Y %H:%M:%S"
LATEST_ZONE = 4 * 3600.0
RENEW_BEFORE = 600.0
UNKNOWN_EXPIRY = 3600.0  # a key whose expiry cannot be read is kept this long
LONGEST_KEEP = 24 * 3600.0
# A key Airtel serves that is past its expiry only in the latest zone is valid in Airtel's
# own: kept a little, not fetched again for every payment (a refused signature forgets it).
SHORT_KEEP = 300.0


@dataclass(frozen=True)
class EncryptionKey:
    key: RSAPublicKey
    renew_at: float  # time.time() after which it is fetched again


def read_key(data: dict[str, object], now: float | None = None) -> EncryptionKey:
    """The key from the encryption-keys answer's `data` (or its top level, as on the .ug host)."""
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    now = time.time() if now is None else now
    encoded = data.get("key")
    if not isinstance(encoded, str) or not encoded:
        raise MalformedResponse("Airtel's encryption-key answer has no key")
    try:
        key = load_der_public_key(base64.b64decode(encoded))
    except ValueError as exc:
        raise MalformedResponse("Airtel's encryption key is not a public key") from exc
    if not isinstance(key, RSAPublicKey):
        raise MalformedResponse("Airtel's encryption key is not an RSA key")
    return EncryptionKey(key, renew_at(data.get("valid_upto"), now))


def renew_at(valid_upto: object, now: float) -> float:
    """When to fetch the key again, by Airtel's `valid_upto` (see LATEST_ZONE)."""
    if not isinstance(valid_upto, str):
        return now + UNKNOWN_EXPIRY
    try:
        latest = datetime.strptime(valid_upto.strip(), VALID_UPTO).replace(tzinfo=UTC).timestamp()
    except ValueError:
        return now + UNKNOWN_EXPIRY
    earliest = latest - LATEST_ZONE  # `latest`: read as UTC, later than in any of its zones
    if latest <= now:
        return now  # expired in every zone: fetched again for the next payment
    if earliest <= now:
        return now + min(SHORT_KEEP, latest - now)
    left = earliest - now
    # Renewed RENEW_BEFORE early, or halfway through a shorter life (still kept, not refetched).
    return now + min(left - min(RENEW_BEFORE, left / 2), LONGEST_KEEP)


def signature_headers(body: bytes, key: RSAPublicKey, oaep: bool) -> dict[str, str]:
    """`x-signature` and `x-key` for exactly these body bytes."""
    from cryptography.hazmat.primitives import hashes, padding
    from cryptography.hazmat.primitives.asymmetric import padding as rsa_padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    aes_key, iv = os.urandom(32), os.urandom(16)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(body) + padder.finalize()
    encryptor = Cipher(algorithms.AES(aes_key), modes.CBC(iv)).encryptor()
    signature = encryptor.update(padded) + encryptor.finalize()
    pair = f"{base64.b64encode(aes_key).decode()}:{base64.b64encode(iv).decode()}".encode()
    # OAEP as PHP's OPENSSL_PKCS1_OAEP_PADDING means it (SHA-1): with a 1024-bit key, SHA-256
    # leaves no room for the 69-byte pair.
    wrap = (
        rsa_padding.OAEP(rsa_padding.MGF1(hashes.SHA1()), hashes.SHA1(), None)  # noqa: S303
        if oaep
        else rsa_padding.PKCS1v15()
    )
    return {
        "x-signature": base64.b64encode(signature).decode(),
        "x-key": base64.b64encode(key.encrypt(pair, wrap)).decode(),
    }
