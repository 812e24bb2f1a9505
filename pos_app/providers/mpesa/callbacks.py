"""Daraja's callbacks: the STK Push result, and C2B validation and confirmation
(../shared/reference/callbacks.md §1-§2, §4)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from pos_app.providers.callbacks import (
    MAX_ACCOUNT,
    MAX_DISPLAY,
    CallbackKind,
    CallbackRoute,
    Notice,
    Outcome,
    amount_or_flag,
    capped,
    check_format,
    child,
    code_text,
    display_text,
    mapping,
    quoted,
    required_id,
    text_or_flag,
)

# Daraja "Getting Started", Callback and IP Whitelisting (§4): identical in independent copies.
# Addresses seen elsewhere are left out; an unlisted source is flagged, not refused, by the hub.
SAFARICOM_SOURCES = tuple(
    f"{address}/32"
    for address in (
        "196.201.214.200",
        "196.201.214.206",
        "196.201.213.114",
        "196.201.214.207",
        "196.201.214.208",
        "196.201.213.44",
        "196.201.212.127",
        "196.201.212.138",
        "196.201.212.129",
        "196.201.212.136",
        "196.201.212.74",
        "196.201.212.69",
    )
)

# Undocumented for STK; the answer Odoo's payment module gives (§1.1 #5, §10.1 #8).
STK_ANSWER = MappingProxyType({"ResultCode": 0, "ResultDesc": "Accepted"})
# Documented (§2.3): validation's "0" is text, confirmation's 0 a number ("Always 0").
VALIDATION_ANSWER = MappingProxyType({"ResultCode": "0", "ResultDesc": "Accepted"})
CONFIRMATION_ANSWER = MappingProxyType({"ResultCode": 0, "ResultDesc": "Success"})

_RECEIPT = re.compile(r"[A-Z0-9]{10}")
_STAMP = re.compile(r"[0-9]{14}")  # YYYYMMDDHHmmss, Nairobi time by all accounts
_DIGITS = re.compile(r"[0-9]+")
_SHORTCODE = re.compile(r"[0-9]{5,7}")  # "5 to 6 digits" per the doc; 7 seen in production
_NAMES = ("FirstName", "MiddleName", "LastName")


def parse_stk(body: Any, request_id: str | None = None) -> Notice:
    """Body.stkCallback. CheckoutRequestID is the correlation id; the metadata (only on a
    success) is read by Name, since its items come in varying order and number."""
    del request_id  # Daraja puts the id in the body
    envelope = child(mapping(body, "the body"), "Body", "Body")
    result = child(envelope, "stkCallback", "Body.stkCallback")
    problems: list[str] = []
    checkout = required_id(result.get("CheckoutRequestID"), "CheckoutRequestID")
    merchant = text_or_flag(result.get("MerchantRequestID"), "MerchantRequestID", problems)
    # A number in callbacks, text in STK Query answers, and codes like SFC_IC0003 exist:
    # compared as text, "0" alone is success.
    code = code_text(result.get("ResultCode"), "ResultCode", problems)
    outcome = None
    if code is None:
        problems.append("ResultCode is missing or unreadable: the outcome is unknown")
    else:
        outcome = Outcome.SUCCEEDED if code == "0" else Outcome.FAILED
    items = _metadata(result.get("CallbackMetadata"), problems)
    amount = _shillings(amount_or_flag(items.get("Amount"), "Amount", problems), problems)
    receipt = text_or_flag(items.get("MpesaReceiptNumber"), "MpesaReceiptNumber", problems)
    check_format(receipt, _RECEIPT, "MpesaReceiptNumber is not 10 capitals and digits", problems)
    paid_at = text_or_flag(items.get("TransactionDate"), "TransactionDate", problems)
    check_format(paid_at, _STAMP, "TransactionDate is not 14 digits", problems)
    phone = text_or_flag(items.get("PhoneNumber"), "PhoneNumber", problems)
    check_format(phone, _DIGITS, "PhoneNumber is not digits", problems)
    if outcome is Outcome.SUCCEEDED:
        if amount is None:
            problems.append("a success without a readable Amount")
        if receipt is None:
            problems.append("a success without a MpesaReceiptNumber")
    elif items:
        # Daraja sends metadata only for successes.
        problems.append("CallbackMetadata on a result that is not a success")
    return Notice(
        request_id=checkout,
        outcome=outcome,
        code=code,
        description=display_text(result.get("ResultDesc"), "ResultDesc", problems),
        amount=amount,
        phone=phone,
        receipt_code=receipt,
        merchant_request_id=merchant,
        paid_at=paid_at,
        problems=tuple(problems),
    )


def _metadata(value: Any, problems: list[str]) -> dict[str, Any]:
    """Item values by Name (a Balance item may come without a Value). A list that cannot be
    read whole is ignored whole: half of a suspect list is not evidence."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append("CallbackMetadata is not an object: ignored")
        return {}
    items = value.get("Item")
    if not isinstance(items, list):
        problems.append("CallbackMetadata.Item is not a list: metadata ignored")
        return {}
    found: dict[str, Any] = {}
    for item in items:
        name = item.get("Name") if isinstance(item, dict) else None
        if not isinstance(name, str) or not name:
            problems.append("a CallbackMetadata item has no Name: metadata ignored")
            return {}
        if name in found:
            problems.append(f"CallbackMetadata names {quoted(name)} twice: metadata ignored")
            return {}
        found[name] = item.get("Value")
    return found


def _shillings(amount: Decimal | None, problems: list[str]) -> Decimal | None:
    # M-Pesa moves whole shillings only: a fraction is kept for the record but flagged.
    if amount is not None and amount != amount.to_integral_value():
        problems.append("the amount is not whole shillings")
    return amount


def parse_validation(body: Any, request_id: str | None = None) -> Notice:
    """Daraja asks before completing a C2B payment: a question, so no outcome."""
    del request_id
    return _c2b(body, None)


def parse_confirmation(body: Any, request_id: str | None = None) -> Notice:
    """Daraja confirms only completed C2B payments (§2.1), hence a success."""
    del request_id
    return _c2b(body, Outcome.SUCCEEDED)


def _c2b(body: Any, outcome: Outcome | None) -> Notice:
    root = mapping(body, "the body")
    problems: list[str] = []
    trans_id = required_id(root.get("TransID"), "TransID")
    check_format(trans_id, _RECEIPT, "TransID is not 10 capitals and digits", problems)
    # The hub serves only its registered shortcodes: without one nothing can be routed.
    shortcode = required_id(root.get("BusinessShortCode"), "BusinessShortCode")
    check_format(shortcode, _SHORTCODE, "BusinessShortCode is not 5 to 7 digits", problems)
    if "TransAmount" not in root or root["TransAmount"] is None:
        problems.append("TransAmount is missing")
    amount = _shillings(amount_or_flag(root.get("TransAmount"), "TransAmount", problems), problems)
    paid_at = text_or_flag(root.get("TransTime"), "TransTime", problems)
    check_format(paid_at, _STAMP, "TransTime is not 14 digits", problems)
    # Masked ("2547 ***** 126"), hashed (hex) or digits, as text or a number: kept as given.
    phone = capped(text_or_flag(root.get("MSISDN"), "MSISDN", problems), 100, "MSISDN", problems)
    account = text_or_flag(root.get("BillRefNumber"), "BillRefNumber", problems)
    # InvoiceNumber and ThirdPartyTransID are not read (null, "" or absent alike);
    # OrgAccountBalance is the business's balance, which no till is shown.
    return Notice(
        request_id=trans_id,
        outcome=outcome,
        code=None,
        description=display_text(root.get("TransactionType"), "TransactionType", problems),
        amount=amount,
        phone=phone,
        receipt_code=trans_id,
        shortcode=shortcode,
        payer_name=_payer_name(root, problems),
        account=capped(account, MAX_ACCOUNT, "BillRefNumber", problems),
        paid_at=paid_at,
        problems=tuple(problems),
    )


def _payer_name(root: Mapping[str, Any], problems: list[str]) -> str | None:
    """The names Daraja gives (often blanked for data minimisation), joined by single spaces."""
    parts = (text_or_flag(root.get(key), key, problems) for key in _NAMES)
    joined = " ".join(part.strip() for part in parts if part and part.strip())
    return capped(joined, MAX_DISPLAY, "the payer's name", problems) or None


STK_ROUTE = "daraja/stk"

ROUTES: tuple[CallbackRoute, ...] = (
    CallbackRoute(
        path=STK_ROUTE,
        kind=CallbackKind.OUTCOME,
        methods=("POST",),
        per_request=False,
        parse=parse_stk,
        answer=STK_ANSWER,
        sources=SAFARICOM_SOURCES,
    ),
    CallbackRoute(
        path="daraja/c2b/validation",
        kind=CallbackKind.VALIDATION,
        methods=("POST",),
        per_request=False,
        parse=parse_validation,
        answer=VALIDATION_ANSWER,
        sources=SAFARICOM_SOURCES,
    ),
    CallbackRoute(
        path="daraja/c2b/confirmation",
        kind=CallbackKind.CUSTOMER_PAYMENT,
        methods=("POST",),
        per_request=False,
        parse=parse_confirmation,
        answer=CONFIRMATION_ANSWER,
        sources=SAFARICOM_SOURCES,
    ),
)
