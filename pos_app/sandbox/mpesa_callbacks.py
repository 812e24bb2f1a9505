"""The bodies of Daraja's callbacks as the M-Pesa simulator sends them
(../shared/reference/callbacks.md §1.2 and §2.2), and the C2B records they describe.

- STK result, posted to the push's CallBackURL once its outcome settles: B1's shape for a
  success (CallbackMetadata items Amount, MpesaReceiptNumber, TransactionDate, PhoneNumber, the
  date and phone as JSON numbers, no Balance item as in the current doc sample), B2's for a
  failure, with the ResultCode (a JSON number) and ResultDesc that STK Query reports.
- C2B validation and confirmation (C2's v2 shape): TransAmount as text with two decimals,
  MSISDN masked ("2547 ***** 126") for URLs registered with v2, hashed (SHA-256, hex) with v1;
  OrgAccountBalance blank in validation, the new balance in confirmation.
"""

from __future__ import annotations

import hashlib
import secrets
import string
from collections.abc import Container
from dataclasses import dataclass
from datetime import datetime
from typing import Any

_LETTERS = string.ascii_uppercase
_CODE_CHARACTERS = string.ascii_uppercase + string.digits
SUCCESS_DESCRIPTION = "The service request is processed successfully."
STK_STATUS = ("Body", "stkCallback", "ResultCode")  # what a "status"-malformed copy lacks
C2B_ESSENTIAL = ("TransID",)
TRANSACTION_TYPES = {"CustomerPayBillOnline": "Pay Bill", "CustomerBuyGoodsOnline": "Buy Goods"}


def receipt_code(checkout_id: str) -> str:
    """The M-Pesa code of a paid push: 10 capitals and digits, starting with a letter, always
    the same for the same push (duplicates and a forged copy carry the same one)."""
    digest = hashlib.sha256(f"pos-app sandbox receipt {checkout_id}".encode()).digest()
    return _LETTERS[digest[0] % 26] + "".join(_CODE_CHARACTERS[b % 36] for b in digest[1:10])


def new_trans_id(taken: Container[str]) -> str:
    """A fresh C2B TransID (10 capitals and digits), unlike any in `taken`."""
    while True:
        code = secrets.choice(_LETTERS) + "".join(
            secrets.choice(_CODE_CHARACTERS) for _ in range(9)
        )
        if code not in taken:
            return code


def stamp(when: datetime) -> str:
    """YYYYMMDDHHmmss of an aware datetime already in Nairobi time."""
    return when.strftime("%Y%m%d%H%M%S")


def stk_success(
    merchant_id: str, checkout_id: str, amount: int, phone: str, when: str
) -> dict[str, Any]:
    items: list[dict[str, Any]] = [
        {"Name": "Amount", "Value": float(amount)},
        {"Name": "MpesaReceiptNumber", "Value": receipt_code(checkout_id)},
        {"Name": "TransactionDate", "Value": int(when)},
        {"Name": "PhoneNumber", "Value": int(phone)},
    ]
    return {
        "Body": {
            "stkCallback": {
                "MerchantRequestID": merchant_id,
                "CheckoutRequestID": checkout_id,
                "ResultCode": 0,
                "ResultDesc": SUCCESS_DESCRIPTION,
                "CallbackMetadata": {"Item": items},
            }
        }
    }


def stk_failure(merchant_id: str, checkout_id: str, code: str, description: str) -> dict[str, Any]:
    return {
        "Body": {
            "stkCallback": {
                "MerchantRequestID": merchant_id,
                "CheckoutRequestID": checkout_id,
                "ResultCode": int(code) if code.isdigit() else code,
                "ResultDesc": description,
            }
        }
    }


@dataclass(frozen=True)
class C2bUrls:
    """What a shortcode registered with `registerurl`."""

    shortcode: str
    response_type: str  # "Completed"/"Cancelled": M-PESA's choice when validation is unreachable
    confirmation_url: str
    validation_url: str  # "" when none
    version: str = "v2"  # "v1": the MSISDN goes out hashed; "v2": masked


@dataclass
class C2bPayment:
    """A customer paid a till or paybill from the phone menu (Lipa na M-Pesa)."""

    trans_id: str
    shortcode: str
    command: str  # CustomerPayBillOnline or CustomerBuyGoodsOnline
    amount: int
    msisdn: str
    bill_ref: str
    trans_time: str  # YYYYMMDDHHmmss, Nairobi time
    first_name: str = "JOHN"
    middle_name: str = ""
    last_name: str = "DOE"
    state: str = "pending"  # "pending" (being validated), "completed", "cancelled"
    third_party_id: str = ""  # from the validation answer, echoed in the confirmation


def masked(msisdn: str) -> str:
    """The v2 form: "2547 ***** 126"."""
    return f"{msisdn[:4]} ***** {msisdn[-3:]}"


def c2b_body(payment: C2bPayment, version: str, balance: str | None) -> dict[str, Any]:
    """The validation body (`balance` None: OrgAccountBalance blank) or the confirmation's."""
    msisdn = (
        hashlib.sha256(payment.msisdn.encode()).hexdigest()
        if version == "v1"
        else masked(payment.msisdn)
    )
    return {
        "TransactionType": TRANSACTION_TYPES.get(payment.command, ""),
        "TransID": payment.trans_id,
        "TransTime": payment.trans_time,
        "TransAmount": f"{payment.amount}.00",
        "BusinessShortCode": payment.shortcode,
        "BillRefNumber": payment.bill_ref,
        "InvoiceNumber": "",
        "OrgAccountBalance": balance or "",
        "ThirdPartyTransID": payment.third_party_id if balance is not None else "",
        "MSISDN": msisdn,
        "FirstName": payment.first_name,
        "MiddleName": payment.middle_name,
        "LastName": payment.last_name,
    }


def validation_verdict(body: Any) -> tuple[bool, str] | None:
    """(accepted, ThirdPartyTransID) from a validation answer's JSON; None when it says
    nothing readable (M-PESA then does what ResponseType says). "0 (Zero) always means
    complete. Other values mean canceling." (§2.3)"""
    if not isinstance(body, dict) or "ResultCode" not in body:
        return None
    third_party = body.get("ThirdPartyTransID")
    return str(body["ResultCode"]) == "0", third_party if isinstance(third_party, str) else ""
