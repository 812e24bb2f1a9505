"""M-Pesa's reasons: the STK Push result codes (ResultCode of the query and the callback)."""

from __future__ import annotations

from functools import partial

from pos_app.domain.reasons import CHECK_SETTINGS, Catalog, Reason

_reason = partial(Reason, "mpesa")  # (code, message, retry helps, customer action, outcome)


CATALOG = Catalog(
    "mpesa",
    (
        _reason("0", "Paid", False, outcome="success"),
        _reason("4999", "Still being processed", False, outcome="pending"),
        _reason(
            "1",
            "Not enough money on the customer's M-Pesa",
            True,
            "Ask the customer to top up, then charge again",
        ),
        _reason("2", "Amount is below the M-Pesa minimum", False),
        _reason(
            "3",
            "Amount is above the M-Pesa maximum per payment",
            False,
            "Split the payment or pay another way",
        ),
        _reason(
            "4",
            "The customer's daily M-Pesa limit is reached",
            False,
            "Ask the customer to pay another way",
        ),
        _reason("8", "The shop's M-Pesa account is full", False),
        _reason(
            "17",
            "M-Pesa refuses the same amount to the same customer within 2 minutes",
            False,
            "Wait 2 minutes before charging this amount again",
        ),
        _reason("26", "M-Pesa is busy", True),
        _reason(
            "1001",
            "The customer's phone is busy with another M-Pesa session",
            True,
            "Ask the customer to close other M-Pesa menus, then wait a minute",
        ),
        _reason(
            "1019",
            "The payment prompt expired",
            True,
            "Ask the customer to answer the prompt quickly",
        ),
        _reason("1025", "M-Pesa could not send the prompt", True),
        _reason("9999", "M-Pesa could not send the prompt", True),
        _reason(
            "1032", "Customer cancelled on phone", True, "Ask the customer whether they want to pay"
        ),
        _reason(
            "1037",
            "The customer's phone could not be reached",
            True,
            "Ask the customer to switch the phone on and keep it unlocked",
        ),
        _reason("2001", "Wrong M-Pesa PIN", True, "Ask the customer to enter the right PIN"),
        _reason("2028", CHECK_SETTINGS, False),
        _reason(
            "8006",
            "The customer's M-Pesa PIN is locked",
            False,
            "Ask the customer to call Safaricom, or pay another way",
        ),
        _reason("SFC_IC0003", CHECK_SETTINGS, False),
        _reason(
            "E3008", "M-Pesa refused this number", False, "In test mode, use the M-Pesa test number"
        ),
    ),
)
