"""What Daraja requires of an STK Push, checked before anything is sent."""

from __future__ import annotations

import base64
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import urlsplit

from pos_app.domain.errors import Text, ValidationError
from pos_app.domain.money import Money
from pos_app.providers.base import ConfigurationProblem, RequestRejected
from pos_app.providers.spec import ChargeRules

SANDBOX_URL = "https://sandbox.safaricom.co.ke"
PRODUCTION_URL = "https://api.safaricom.co.ke"
# Kenya has no daylight saving: a fixed offset needs no tz database (not even on Windows).
NAIROBI = timezone(timedelta(hours=3), "EAT")
MIN_AMOUNT, MAX_AMOUNT = 1, 250_000
MAX_ACCOUNT_REFERENCE, MAX_TRANSACTION_DESC = 12, 13
PAYBILL, BUY_GOODS = "CustomerPayBillOnline", "CustomerBuyGoodsOnline"
_MSISDN = re.compile(r"254[17]\d{8}")


def timestamp(now: datetime) -> str:
    """YYYYMMDDHHmmss in Kenyan time, whatever the computer's time zone."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(NAIROBI).strftime("%Y%m%d%H%M%S")


def password(shortcode: str, passkey: str, stamp: str) -> str:
    return base64.b64encode(f"{shortcode}{passkey}{stamp}".encode("ascii")).decode("ascii")


# What one STK Push may charge: the only definition (the till checks it as the cashier types,
# the engine before saving, and the client once more before the wire).
CHARGE_RULES = ChargeRules(
    whole_units=True,
    smallest=Decimal(MIN_AMOUNT),
    largest=Decimal(MAX_AMOUNT),
    message_length=MAX_TRANSACTION_DESC,
)


def whole_shillings(amount: Money) -> int:
    if amount.currency != "KES":
        raise RequestRejected(f"M-Pesa takes KES, not {amount.currency}")
    try:
        CHARGE_RULES.check(amount, "M-Pesa")
    except ValidationError as exc:
        raise RequestRejected(str(exc)) from exc
    return amount.minor_units // 100


def msisdn(number: str) -> str:
    if not _MSISDN.fullmatch(number):
        raise RequestRejected(f"{number} is not a Safaricom number (254 then 7 or 1 and 8 digits)")
    return number


def account_reference(text: str | None, fallback: str) -> str:
    """1 to 12 letters and digits: shown to the customer in the prompt."""
    cleaned = re.sub(r"[^A-Za-z0-9]", "", text or "")[:MAX_ACCOUNT_REFERENCE]
    return cleaned or re.sub(r"[^A-Za-z0-9]", "", fallback)[:MAX_ACCOUNT_REFERENCE] or "POS"


def transaction_desc(text: str | None) -> str:
    """Always sent (omitting it is refused), 1 to 13 characters."""
    cleaned = re.sub(r"[^A-Za-z0-9 .,-]", "", text or "").strip()[:MAX_TRANSACTION_DESC].strip()
    return cleaned or "Payment"


def callback_url(url: str, *, local: bool = False) -> str:
    """Daraja insists on one even though a desktop never receives the call. A `local` one (a
    hub on this machine, with a simulator) may be http:// and a local address."""
    if local and urlsplit(url).scheme in ("http", "https") and urlsplit(url).hostname:
        return url
    if not url:
        raise ConfigurationProblem(
            Text(
                "M-Pesa needs [mpesa] callback_url: a public https URL (Daraja refuses a push "
                "without one, even though pos-app learns the outcome by asking)"
            )
        )
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or url != url.strip() or " " in url:
        raise ConfigurationProblem(
            # Only where it points: a hub's URL carries a secret in its path.
            Text(
                "[mpesa] callback_url must be a public https URL, not {url}",
                url=f"{parts.scheme}://{parts.hostname or ''}/…",
            )
        )
    if parts.hostname in ("localhost", "127.0.0.1") or parts.hostname.endswith(".local"):
        raise ConfigurationProblem(Text("[mpesa] callback_url must be public, not a local address"))
    if "mpesa" in url.lower():
        raise ConfigurationProblem(
            Text(
                "[mpesa] callback_url must not contain the word 'mpesa' (Daraja refuses such URLs)"
            )
        )
    return url
