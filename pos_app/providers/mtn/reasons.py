"""MTN MoMo's reasons: the ErrorReason enum, the common-error page and newer enriched reasons."""

from __future__ import annotations

from functools import partial

from pos_app.domain.reasons import CHECK_SETTINGS, Catalog, Reason

_reason = partial(Reason, "mtn")  # (code, message, retry helps, customer action, outcome)


CATALOG = Catalog(
    "mtn",
    (
        _reason(
            "PAYER_NOT_FOUND",
            "No MoMo account for this number",
            True,
            "Check the number, or ask for another MoMo number",
        ),
        _reason("PAYEE_NOT_FOUND", "The shop's MoMo account was not found", False),
        _reason(
            "NOT_ALLOWED",
            "MTN did not allow this payment",
            False,
            "Ask the customer to contact MTN or pay another way",
        ),
        _reason("NOT_ALLOWED_TARGET_ENVIRONMENT", CHECK_SETTINGS, False),
        _reason("INVALID_CALLBACK_URL_HOST", CHECK_SETTINGS, False),
        _reason("INVALID_CURRENCY", "Wrong currency for this MTN account", False),
        _reason("SERVICE_UNAVAILABLE", "MTN is unavailable right now", True),
        _reason(
            "INTERNAL_PROCESSING_ERROR",
            "MTN could not process it (often: not enough money)",
            True,
            "Ask the customer to check their MoMo balance",
        ),
        _reason(
            "NOT_ENOUGH_FUNDS",
            "Not enough money on the customer's MoMo account",
            True,
            "Ask the customer to top up, then charge again",
        ),
        _reason(
            "PAYER_LIMIT_REACHED",
            "The customer's MoMo limit is reached",
            False,
            "Ask the customer to pay another way",
        ),
        _reason(
            "PAYEE_NOT_ALLOWED_TO_RECEIVE", "The shop's MoMo account cannot receive money", False
        ),
        _reason(
            "PAYMENT_NOT_APPROVED",
            "The customer did not approve the payment",
            True,
            "Ask the customer to approve the prompt on their phone",
        ),
        _reason("RESOURCE_NOT_FOUND", "MTN never received this payment", True),
        _reason(
            "APPROVAL_REJECTED",
            "Customer rejected the payment on their phone",
            True,
            "Ask the customer whether they want to pay",
        ),
        _reason(
            "EXPIRED",
            "The customer did not answer in time",
            True,
            "Ask the customer to approve within 5 minutes",
        ),
        _reason(
            "TRANSACTION_CANCELED",
            "Customer cancelled on phone",
            True,
            "Ask the customer whether they want to pay",
        ),
        _reason("RESOURCE_ALREADY_EXIST", "MTN already has this payment", False),
        _reason(
            "COULD_NOT_PERFORM_TRANSACTION",
            "The customer did not approve within 5 minutes",
            True,
            "Ask the customer to approve within 5 minutes",
        ),
        _reason(
            "SENDER_ACCOUNT_NOT_ACTIVE",
            "The customer's MoMo account is not active",
            False,
            "Ask the customer to contact MTN or pay another way",
        ),
        _reason("PAYEE_LIMIT_REACHED", "The shop's MoMo account limit is reached", False),
        _reason(
            "LOW_BALANCE_OR_PAYEE_LIMIT_REACHED_OR_NOT_ALLOWED",
            "Not enough money, or a limit is reached",
            True,
            "Ask the customer to check their MoMo balance",
        ),
        _reason("FORBIDDEN_IP", CHECK_SETTINGS, False),
        _reason("ACCESS_DENIED", CHECK_SETTINGS, False),
    ),
    upper=True,
)
