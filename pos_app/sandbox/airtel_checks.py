"""What the Airtel simulator refuses in a request, and Airtel's words and shapes for refusing it
(reference airtel-api.md §1.3-§1.5, §2.2, §5, §7.3, §8).

Airtel's gateway is Kong: the token and access-token errors are Kong's OAuth2 plug-in's words,
recorded from Airtel's servers. Business refusals come back as HTTP 200 with the envelope's
`status.success` false; router errors have a `{status_message, status_code}` body of their own."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import padding as block_padding
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from pos_app.sandbox.faults import FaultShapes

ESB_SUCCESS = "ESB000010"
IN_PROCESS = "DP00800001006"
PAID = "DP00800001001"
AMBIGUOUS = "DP00800001000"
INVALID_AMOUNT = "DP00800001004"
NOT_PERMITTED = "DP00800001010"  # barred, churned or not registered on Airtel Money
NOT_FOUND = "DP00800001025"
FORBIDDEN = "DP00800001026"
KYC_OK, KYC_FAILED = "DP02200000001", "DP02200000000"
KEY_OK = "DP02010001001"

# Kong's OAuth2 answers (§1.3): recorded from Airtel, except the missing-token one ([MW] probe)
# and the grant type one, which is Kong's own wording for the same plug-in.
BAD_CLIENT = {"error_description": "Invalid client authentication", "error": "invalid_client"}
BAD_GRANT = {"error_description": "Invalid grant_type", "error": "unsupported_grant_type"}
TOKEN_MISSING = {"error": "invalid_request", "error_description": "The access token is missing"}
TOKEN_INVALID = {
    "error_description": "The access token is invalid or has expired",
    "error": "invalid_token",
}
CHALLENGE_MISSING = 'Bearer realm="service"'
CHALLENGE_INVALID = (
    'Bearer realm="service" error="invalid_token" '
    'error_description="The access token is invalid or has expired"'
)

# The [PM] recording (2022-03-01, HTTP 200), field order and all.
DUPLICATE = {
    "status": {
        "response_code": AMBIGUOUS,
        "code": "500",
        "success": False,
        "result_code": "ESB000041",
        "message": "External Transaction ID already exists.",
    }
}
MISSING_WALLET = "Missing request header 'x-wallet-id' for method parameter of type String"
# 429 over the per-minute limit: UNVERIFIED (no recording; router-shaped like the 408).
RATE_LIMITED = {"status_message": "API rate limit exceeded", "status_code": "429"}
# What Airtel's sandbox shows while it is down ([UGU] handles these non-JSON 503 pages).
MAINTENANCE_PAGE = (
    "<!DOCTYPE html><html><head><title>503 Service Temporarily Unavailable</title></head>"
    "<body><h1>Service Temporarily Unavailable</h1><p>The server is temporarily unable to "
    "service your request due to maintenance downtime.</p></body></html>"
)

ZERO_DECIMALS = frozenset({"UGX", "RWF", "XAF", "XOF", "MGA"})
MINIMUM = {"UGX": Decimal(500)}  # the UG UAT minimum (499 -> DP00800001004, §8.3)
# Alphanumeric 4-64 (§2.2), but with spaces: Airtel's own sample is "Testing transaction".
REFERENCE = re.compile(r"[A-Za-z0-9 ]{4,64}")


def status(
    code: str,
    message: str,
    *,
    success: bool,
    result: str | None = None,
    response: str | None = None,
) -> dict[str, Any]:
    """The envelope's `status`: `code` is an HTTP-like status as a string, which may differ
    from the real HTTP status."""
    shaped: dict[str, Any] = {"code": code, "message": message, "success": success}
    if result is not None:
        shaped["result_code"] = result
    if response is not None:
        shaped["response_code"] = response
    return shaped


def refusal(
    code: str, message: str, *, result: str | None = None, response: str | None = None
) -> dict[str, Any]:
    return {"status": status(code, message, success=False, result=result, response=response)}


def router(code: str, message: str) -> dict[str, str]:
    """The gateway's own error body (ROUTER110, 408 I/O Exception...)."""
    return {"status_message": message, "status_code": code}


def field_refusal(what: str) -> dict[str, Any]:
    # ESB000008 "Field validation." (§5.3); Airtel's wording beyond it is not recorded.
    return refusal("400", f"Field validation: {what}", result="ESB000008")


def not_found() -> dict[str, Any]:
    return refusal(
        "404",
        "No Transaction Found With Provided Transaction Id.",
        result="ESB000045",
        response=NOT_FOUND,
    )


def forbidden() -> dict[str, Any]:
    # The collection table's DP00800001026 text (§5.2); the HTTP-like code "401" and the
    # absent result_code are a guess: no recording of it was found.
    return refusal("401", "Forbidden: X-signature and payload did not match.", response=FORBIDDEN)


def msisdn_refusal(digits: int | None) -> dict[str, Any]:
    length = digits if digits is not None else "valid"
    return refusal(
        "400", f"Invalid MSISDN Length. MSISDN Length should be {length}", result="ESB000033"
    )


# -- headers --


def header_problem(
    request: Request, country: str, currency: str, partner: str
) -> tuple[int, dict[str, Any]] | None:
    """(HTTP status, body) refusing the X-Country / X-Currency headers, or None. The values
    are ISO codes; their case is not held against a client (nothing says Airtel does)."""
    given_country = request.headers.get("X-Country", "")
    if not given_country:
        return 400, router("ROUTER110", f"Partner {partner} not found")  # [121] mock
    if given_country.upper() != country:
        return 200, refusal("400", "Invalid country code provided.", result="ROUTER006")
    given_currency = request.headers.get("X-Currency", "")
    if not given_currency:  # the currency header picks the wallet ([121] mock, observed in ZM)
        return 200, refusal("400", MISSING_WALLET, result="ESB000008")
    if given_currency.upper() != currency:
        return 200, refusal("400", "Invalid Currency", result="ROUTER112")
    return None


def json_content(request: Request) -> bool:
    # Airtel documents Content-Type: application/json on every POST; a Java backend refuses
    # a body it was not told is JSON (httpx's `content=` sends none unless asked).
    return "json" in request.headers.get("Content-Type", "").lower()


def parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except (ValueError, UnicodeDecodeError):
        return None


def token_fields(raw: bytes, content_type: str) -> dict[str, Any]:
    """The token call's fields: JSON as documented, or form-encoded (UNVERIFIED, §1.3; Kong's
    OAuth2 plug-in reads both)."""
    if "x-www-form-urlencoded" in content_type.lower():
        try:
            return dict(parse_qsl(raw.decode(), keep_blank_values=True))
        except UnicodeDecodeError:
            return {}
    parsed = parse_json(raw)
    return parsed if isinstance(parsed, dict) else {}


# -- the push body (§2.2, §8) --


def push_problem(
    body: dict[str, Any], country: str, currency: str, digits: int | None
) -> dict[str, Any] | None:
    """Airtel's HTTP 200 refusal of a push body, or None when it is acceptable."""
    reference = body.get("reference")
    if not isinstance(reference, str) or not REFERENCE.fullmatch(reference):
        return field_refusal("reference must be 4 to 64 alphanumeric characters")
    subscriber, transaction = body.get("subscriber"), body.get("transaction")
    if not isinstance(subscriber, dict) or not isinstance(transaction, dict):
        return field_refusal("subscriber and transaction must be objects")
    for part in (subscriber, transaction):
        # Optional (same-country payments need neither), but never another country's.
        if "country" in part and part["country"] != country:
            return refusal("400", "Invalid Country Name", result="ESB000034")
        if "currency" in part and part["currency"] != currency:
            return refusal("400", "Invalid Currency Code", result="ESB000035")
    msisdn = subscriber.get("msisdn")
    if not isinstance(msisdn, str):
        return field_refusal("subscriber.msisdn must be a string")
    if not msisdn.isdigit() or not msisdn.isascii() or (digits and len(msisdn) != digits):
        return msisdn_refusal(digits)  # a "+", a space, a country code or a leading 0
    problem = amount_problem(transaction.get("amount"), currency)
    if problem is not None:
        return problem
    transaction_id = transaction.get("id")
    if isinstance(transaction_id, bool) or not isinstance(transaction_id, str | int):
        return field_refusal("transaction.id is mandatory")
    if not 1 <= len(str(transaction_id)) <= 64:
        return field_refusal("transaction.id must be 1 to 64 characters")
    return None


def amount_problem(amount: Any, currency: str) -> dict[str, Any] | None:
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        return field_refusal("transaction.amount must be a number")  # every sample: a number
    value = Decimal(str(amount))
    if not value.is_finite():  # NaN or Infinity, which Python's JSON reader lets through
        return refusal("400", "Invalid Amount", result="ESB000008", response=INVALID_AMOUNT)
    exponent = int(value.as_tuple().exponent)
    if (
        value <= 0
        or exponent < -3  # the [121] mock refuses more than 3 decimal places
        or (currency in ZERO_DECIMALS and value != value.to_integral())
        or value < MINIMUM.get(currency, Decimal(0))
    ):
        return refusal("400", "Invalid Amount", result="ESB000008", response=INVALID_AMOUNT)
    return None


# -- message signing (§7.3) --

# How x-key's "<b64 key>:<b64 iv>" may be wrapped: PKCS#1 v1.5 ([DOC-ZM], [PY]) or OAEP (a
# Madagascar client: SHA-1; Java's OAEPWithSHA-256AndMGF1Padding: SHA-256 with an MGF1 on
# SHA-1). UNVERIFIED which Airtel uses: every one is tried.
_SHA1 = hashes.SHA1()  # noqa: S303 - what OAEP's clients use by default, not a choice of ours
_WRAPPINGS: tuple[padding.AsymmetricPadding, ...] = (
    padding.PKCS1v15(),
    padding.OAEP(mgf=padding.MGF1(_SHA1), algorithm=_SHA1, label=None),
    padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None),
    padding.OAEP(mgf=padding.MGF1(_SHA1), algorithm=hashes.SHA256(), label=None),
)


def _b64(text: str) -> bytes | None:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def signature_ok(key: rsa.RSAPrivateKey, raw: bytes, signature: str, wrapped: str) -> bool:
    """Whether `signature` is the body's exact bytes, AES-CBC encrypted with the key and IV
    that `wrapped` carries (encrypted with our public key), as Airtel checks it."""
    expected, sealed = _b64(signature), _b64(wrapped)
    if not expected or not sealed:
        return False
    return any(_encrypts_to(pair, raw, expected) for pair in _unwrapped(key, sealed))


def _unwrapped(key: rsa.RSAPrivateKey, sealed: bytes) -> Iterator[bytes]:
    for wrapping in _WRAPPINGS:
        try:
            # With implicit rejection PKCS#1 v1.5 may give random bytes: they fail below.
            yield key.decrypt(sealed, wrapping)
        except ValueError:
            continue


def _encrypts_to(pair: bytes, raw: bytes, expected: bytes) -> bool:
    try:
        key_text, _, iv_text = pair.decode("ascii").partition(":")
    except UnicodeDecodeError:
        return False
    aes_key, iv = _b64(key_text), _b64(iv_text)
    if aes_key is None or iv is None or len(aes_key) not in (16, 24, 32) or len(iv) != 16:
        return False
    padder = block_padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(aes_key), modes.CBC(iv)).encryptor()
    sealed = encryptor.update(padder.update(raw) + padder.finalize()) + encryptor.finalize()
    return hmac.compare_digest(sealed, expected)


# -- injected faults --


def _failure(status_code: int) -> Response:
    if status_code == 408:  # recorded on a push ([PM] "Payments USSD - IO Exception")
        return JSONResponse(router("CONNECTION_TIMEOUT", "I/O Exception"), status_code=408)
    if status_code == 503:
        return HTMLResponse(MAINTENANCE_PAGE, status_code=503)
    return JSONResponse(router(str(status_code), "Internal Server Error"), status_code=status_code)


def _rate_limited(retry_after: int) -> Response:
    return JSONResponse(RATE_LIMITED, status_code=429, headers={"Retry-After": str(retry_after)})


AIRTEL_SHAPES = FaultShapes(_failure, _rate_limited)
