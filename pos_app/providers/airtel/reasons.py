"""Airtel Money's reasons: the collection codes (DP008000010xx, the `response_code` of an
answer) and the older ESB and gateway codes (`result_code`), reference airtel-api.md §5."""

from __future__ import annotations

from functools import partial

from pos_app.domain.reasons import CHECK_SETTINGS, Catalog, Reason

_reason = partial(Reason, "airtel")  # (code, message, retry helps, customer action, outcome)

_APPROVE = "Ask the customer to approve the prompt on their phone"

CATALOG = Catalog(
    "airtel",
    (
        _reason("DP00800001001", "Paid", False, outcome="success"),
        _reason("DP00800001006", "Waiting for the customer's PIN", False, outcome="pending"),
        _reason("DP00800001000", "Airtel has not settled it yet", False, outcome="pending"),
        _reason(
            "DP00800001002",
            "The customer typed a wrong Airtel Money PIN",
            True,
            "Ask the customer to type their PIN again carefully",
        ),
        _reason(
            "DP00800001003",
            "The customer's Airtel Money limit is reached",
            False,
            "Ask the customer to pay another way",
        ),
        _reason(
            "DP00800001004",
            "Airtel refused the amount (too small, or not whole)",
            False,
            "Check the amount",
        ),
        _reason(
            "DP00800001005",
            "The customer did not enter the PIN",
            True,
            _APPROVE,
        ),
        _reason(
            "DP00800001007",
            "Not enough money on the customer's Airtel Money",
            True,
            "Ask the customer to top up, then charge again",
        ),
        _reason(
            "DP00800001008",
            "Airtel refused the payment",
            False,
            "Ask the customer to contact Airtel or pay another way",
        ),
        _reason(
            "DP00800001009",
            "Airtel declined the payment",
            False,
            "Ask the customer to contact Airtel or pay another way",
        ),
        _reason(
            "DP00800001010",
            "This number cannot pay by Airtel Money (barred or not registered)",
            False,
            "Ask for another Airtel Money number, or another way to pay",
        ),
        _reason(
            "DP00800001024",
            "The payment timed out at Airtel",
            True,
            "Ask the customer to answer the prompt quickly",
        ),
        _reason("DP00800001025", "Airtel never received this payment", True),
        _reason("DP00800001026", CHECK_SETTINGS, False),
        _reason(
            "DP00800001029",
            "The payment prompt expired",
            True,
            "Ask the customer to answer the prompt quickly",
        ),
        _reason("ESB000011", "Airtel refused the payment", True),
        _reason(
            "ESB000033",
            "Airtel refused the phone number",
            False,
            "Check the number, or ask for another Airtel number",
        ),
        _reason(
            "ESB000036",
            "Airtel refused the phone number",
            False,
            "Check the number, or ask for another Airtel number",
        ),
        _reason("ESB000034", CHECK_SETTINGS, False),
        _reason("ESB000035", CHECK_SETTINGS, False),
        _reason("ESB000039", CHECK_SETTINGS, False),
        _reason("ESB000045", "Airtel never received this payment", True),
        _reason("ROUTER001", CHECK_SETTINGS, False),
        _reason("ROUTER005", CHECK_SETTINGS, False),
        _reason("ROUTER006", CHECK_SETTINGS, False),
        _reason("ROUTER007", CHECK_SETTINGS, False),
        _reason("ROUTER112", CHECK_SETTINGS, False),
        _reason("ROUTER119", CHECK_SETTINGS, False),
    ),
    upper=True,
)
