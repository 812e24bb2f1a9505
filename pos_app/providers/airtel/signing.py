"""Airtel's message signing (reference airtel-api.md §7): the exact body bytes encrypted with
a fresh AES-256-CBC key and IV (`x-signature`), that key and IV encrypted with Airtel's RSA
public key (`x-key`). The public key comes from Airtel and expires (`valid_upto`)."""

from __future__ import annotations

import base64
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.asymmetric import padding as rsa_padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.serialization import load_der_public_key

from pos_app.providers.base import MalformedResponse

# Airtel's `valid_upto` ("12-08-2024 21:29:26", zone unknown: taken as UTC, renewed early).
VALID_UPTO = "%d-%m-%Y %H:%M:%S"
RENEW_BEFORE = 3600.0
UNKNOWN_EXPIRY = 3600.0  # a key whose expiry cannot be read is kept this long


@dataclass(frozen=True)
class EncryptionKey:
    key: RSAPublicKey
    renew_at: float  # time.time() after which it is fetched again


def read_key(data: dict[str, object], now: float | None = None) -> EncryptionKey:
    """The key from the encryption-keys answer's `data` (or its top level, as on the .ug host)."""
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
    renew_at = now + UNKNOWN_EXPIRY
    upto = data.get("valid_upto")
    if isinstance(upto, str):
        try:
            expiry = datetime.strptime(upto, VALID_UPTO).replace(tzinfo=UTC).timestamp()
            renew_at = min(expiry - RENEW_BEFORE, now + 24 * 3600)
        except ValueError:
            pass
    return EncryptionKey(key, renew_at)


def signature_headers(body: bytes, key: RSAPublicKey, oaep: bool) -> dict[str, str]:
    """`x-signature` and `x-key` for exactly these body bytes."""
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
