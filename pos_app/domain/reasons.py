"""Why a payment did not (or did) go through, in words a cashier can act on.

Every MTN MoMo reason code and every M-Pesa STK result code in the providers' references,
plus the app's own reasons. An unknown code still yields a usable Reason, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pos_app.domain.errors import Text

ReasonSource = Literal["mtn", "mpesa", "app"]
Outcome = Literal["success", "pending", "failure"]


@dataclass(frozen=True)
class Reason:
    source: ReasonSource
    code: str
    message: str  # short, for the cashier
    retry_helps: bool  # can charging again (a new payment) succeed?
    customer_action: str | None = None  # what to ask the customer to do, if anything
    outcome: Outcome = "failure"

    @property
    def customer_must_act(self) -> bool:
        return self.customer_action is not None


def _mtn(code: str, message: str, retry: bool, action: str | None = None) -> Reason:
    return Reason("mtn", code, message, retry, action)


def _mpesa(
    code: str, message: str, retry: bool, action: str | None = None, outcome: Outcome = "failure"
) -> Reason:
    return Reason("mpesa", code, message, retry, action, outcome)


def _app(code: str, message: str, retry: bool, action: str | None = None) -> Reason:
    return Reason("app", code, message, retry, action)


_CHECK_SETTINGS = "Shop setup problem: ask the owner to check the provider settings"

_CATALOG: tuple[Reason, ...] = (
    # MTN MoMo: the ErrorReason enum, the common-error page and newer enriched reasons.
    _mtn(
        "PAYER_NOT_FOUND",
        "No MoMo account for this number",
        True,
        "Check the number, or ask for another MoMo number",
    ),
    _mtn("PAYEE_NOT_FOUND", "The shop's MoMo account was not found", False),
    _mtn(
        "NOT_ALLOWED",
        "MTN did not allow this payment",
        False,
        "Ask the customer to contact MTN or pay another way",
    ),
    _mtn("NOT_ALLOWED_TARGET_ENVIRONMENT", _CHECK_SETTINGS, False),
    _mtn("INVALID_CALLBACK_URL_HOST", _CHECK_SETTINGS, False),
    _mtn("INVALID_CURRENCY", "Wrong currency for this MTN account", False),
    _mtn("SERVICE_UNAVAILABLE", "MTN is unavailable right now", True),
    _mtn(
        "INTERNAL_PROCESSING_ERROR",
        "MTN could not process it (often: not enough money)",
        True,
        "Ask the customer to check their MoMo balance",
    ),
    _mtn(
        "NOT_ENOUGH_FUNDS",
        "Not enough money on the customer's MoMo account",
        True,
        "Ask the customer to top up, then charge again",
    ),
    _mtn(
        "PAYER_LIMIT_REACHED",
        "The customer's MoMo limit is reached",
        False,
        "Ask the customer to pay another way",
    ),
    _mtn("PAYEE_NOT_ALLOWED_TO_RECEIVE", "The shop's MoMo account cannot receive money", False),
    _mtn(
        "PAYMENT_NOT_APPROVED",
        "The customer did not approve the payment",
        True,
        "Ask the customer to approve the prompt on their phone",
    ),
    _mtn("RESOURCE_NOT_FOUND", "MTN never received this payment", True),
    _mtn(
        "APPROVAL_REJECTED",
        "Customer rejected the payment on their phone",
        True,
        "Ask the customer whether they want to pay",
    ),
    _mtn(
        "EXPIRED",
        "The customer did not answer in time",
        True,
        "Ask the customer to approve within 5 minutes",
    ),
    _mtn(
        "TRANSACTION_CANCELED",
        "Customer cancelled on phone",
        True,
        "Ask the customer whether they want to pay",
    ),
    _mtn("RESOURCE_ALREADY_EXIST", "MTN already has this payment", False),
    _mtn(
        "COULD_NOT_PERFORM_TRANSACTION",
        "The customer did not approve within 5 minutes",
        True,
        "Ask the customer to approve within 5 minutes",
    ),
    _mtn(
        "SENDER_ACCOUNT_NOT_ACTIVE",
        "The customer's MoMo account is not active",
        False,
        "Ask the customer to contact MTN or pay another way",
    ),
    _mtn("PAYEE_LIMIT_REACHED", "The shop's MoMo account limit is reached", False),
    _mtn(
        "LOW_BALANCE_OR_PAYEE_LIMIT_REACHED_OR_NOT_ALLOWED",
        "Not enough money, or a limit is reached",
        True,
        "Ask the customer to check their MoMo balance",
    ),
    _mtn("FORBIDDEN_IP", _CHECK_SETTINGS, False),
    _mtn("ACCESS_DENIED", _CHECK_SETTINGS, False),
    # M-Pesa STK Push result codes (ResultCode of the query and the callback).
    _mpesa("0", "Paid", False, outcome="success"),
    _mpesa("4999", "Still being processed", False, outcome="pending"),
    _mpesa(
        "1",
        "Not enough money on the customer's M-Pesa",
        True,
        "Ask the customer to top up, then charge again",
    ),
    _mpesa("2", "Amount is below the M-Pesa minimum", False),
    _mpesa(
        "3",
        "Amount is above the M-Pesa maximum per payment",
        False,
        "Split the payment or pay another way",
    ),
    _mpesa(
        "4",
        "The customer's daily M-Pesa limit is reached",
        False,
        "Ask the customer to pay another way",
    ),
    _mpesa("8", "The shop's M-Pesa account is full", False),
    _mpesa(
        "17",
        "M-Pesa refuses the same amount to the same customer within 2 minutes",
        False,
        "Wait 2 minutes before charging this amount again",
    ),
    _mpesa("26", "M-Pesa is busy", True),
    _mpesa(
        "1001",
        "The customer's phone is busy with another M-Pesa session",
        True,
        "Ask the customer to close other M-Pesa menus, then wait a minute",
    ),
    _mpesa(
        "1019", "The payment prompt expired", True, "Ask the customer to answer the prompt quickly"
    ),
    _mpesa("1025", "M-Pesa could not send the prompt", True),
    _mpesa("9999", "M-Pesa could not send the prompt", True),
    _mpesa(
        "1032", "Customer cancelled on phone", True, "Ask the customer whether they want to pay"
    ),
    _mpesa(
        "1037",
        "The customer's phone could not be reached",
        True,
        "Ask the customer to switch the phone on and keep it unlocked",
    ),
    _mpesa("2001", "Wrong M-Pesa PIN", True, "Ask the customer to enter the right PIN"),
    _mpesa("2028", _CHECK_SETTINGS, False),
    _mpesa(
        "8006",
        "The customer's M-Pesa PIN is locked",
        False,
        "Ask the customer to call Safaricom, or pay another way",
    ),
    _mpesa("SFC_IC0003", _CHECK_SETTINGS, False),
    _mpesa(
        "E3008", "M-Pesa refused this number", False, "In test mode, use the M-Pesa test number"
    ),
    # The app's own reasons.
    _app(
        "NO_ANSWER",
        "No answer from the customer in time",
        True,
        "Ask the customer whether a prompt appeared and whether money left their account",
    ),
    _app("NEVER_ARRIVED", "The provider never received this payment", True),
    _app(
        "NOT_SENT",
        "Never sent to the customer's phone: the till stopped or could not save it first",
        True,
        "Charge again",
    ),
    _app("REQUEST_REFUSED", "The provider refused the request", False),
    _app("CONFIGURATION", _CHECK_SETTINGS, False),
    _app("SEND_TIMEOUT", "No reply while sending: checking with the provider", False),
    _app("UNKNOWN_REASON", "The payment failed for a reason the app does not know", True),
    _app("NOT_RECEIVED", "The owner found that no money was received", True),
    _app("REFUND_NOT_MADE", "The owner recorded that this refund was not made", False),
)

CATALOG: dict[tuple[ReasonSource, str], Reason] = {(r.source, r.code): r for r in _CATALOG}


def lookup(source: ReasonSource, code: str | int | None) -> Reason:
    """The catalog entry; an unknown code gets a generic failure that still names the code."""
    key = "" if code is None else str(code).strip()
    if source == "mtn":
        key = key.upper()
    found = CATALOG.get((source, key))
    if found is not None:
        return found
    return Reason(
        source,
        key or "UNKNOWN_REASON",
        Text("The payment failed ({code})", code=key)
        if key
        else CATALOG["app", "UNKNOWN_REASON"].message,
        True,
    )


def reason_key(reason: Reason) -> str:
    """How a reason is stored with a payment: "mtn:NOT_ENOUGH_FUNDS", "mpesa:1032"."""
    return f"{reason.source}:{reason.code}"


def from_key(key: str) -> Reason:
    prefix, _, code = key.partition(":")
    source = _SOURCES.get(prefix)
    if source is None or not code:
        return lookup("app", "UNKNOWN_REASON")
    return lookup(source, code)


_SOURCES: dict[str, ReasonSource] = {"mtn": "mtn", "mpesa": "mpesa", "app": "app"}
