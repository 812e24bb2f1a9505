"""Why a payment did not (or did) go through, in words a cashier can act on.

The app's own reasons live here; each provider brings its catalog of codes (its spec's
`reasons`). An unknown code still yields a usable Reason, never an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Literal

from pos_app.domain.errors import Text

ReasonSource = str  # "app", or a provider's id
Outcome = Literal["success", "pending", "failure"]
CHECK_SETTINGS = "Shop setup problem: ask the owner to check the provider settings"


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


class Catalog:
    """One source's reasons by code; `upper`: codes are matched in upper case."""

    def __init__(self, source: ReasonSource, reasons: Iterable[Reason], *, upper: bool = False):
        self.source = source
        self.upper = upper
        self.reasons: dict[str, Reason] = {}
        for reason in reasons:
            if reason.source != source or reason.code in self.reasons:
                raise ValueError(f"reason {reason.source}:{reason.code} does not fit {source}")
            self.reasons[reason.code] = reason

    def lookup(self, code: str | int | None) -> Reason:
        """The catalog entry; an unknown code gets a generic failure that still names it."""
        key = "" if code is None else str(code).strip()
        if self.upper:
            key = key.upper()
        found = self.reasons.get(key)
        if found is not None:
            return found
        return Reason(
            self.source,
            key or "UNKNOWN_REASON",
            Text("The payment failed ({code})", code=key) if key else _UNKNOWN_MESSAGE,
            True,
        )


_reason = partial(Reason, "app")  # (code, message, retry helps, customer action, outcome)


_UNKNOWN_MESSAGE = "The payment failed for a reason the app does not know"
APP = Catalog(
    "app",
    (
        _reason(
            "NO_ANSWER",
            "No answer from the customer in time",
            True,
            "Ask the customer whether a prompt appeared and whether money left their account",
        ),
        _reason("NEVER_ARRIVED", "The provider never received this payment", True),
        _reason(
            "CALLBACK_SAID_PAID",
            "The provider says it failed, but its callback said paid",
            False,
            "Check the customer's confirmation SMS before charging again",
        ),
        _reason(
            "NOT_SENT",
            "Never sent to the customer's phone: the till stopped or could not save it first",
            True,
            "Charge again",
        ),
        _reason("REQUEST_REFUSED", "The provider refused the request", False),
        _reason("CONFIGURATION", CHECK_SETTINGS, False),
        _reason("SEND_TIMEOUT", "No reply while sending: checking with the provider", False),
        _reason("UNKNOWN_REASON", _UNKNOWN_MESSAGE, True),
        _reason("NOT_RECEIVED", "The owner found that no money was received", True),
        _reason("REFUND_NOT_MADE", "The owner recorded that this refund was not made", False),
    ),
)


def app_reason(code: str) -> Reason:
    """One of the app's own reasons."""
    return APP.lookup(code)


def reason_key(reason: Reason) -> str:
    """How a reason is stored with a payment: "<source>:<code>", e.g. "app:NO_ANSWER"."""
    return f"{reason.source}:{reason.code}"


def from_key(key: str, catalogs: Mapping[ReasonSource, Catalog]) -> Reason:
    """The reason stored as `key`, from `catalogs` (the app's and the providers')."""
    prefix, _, code = key.partition(":")
    catalog = APP if prefix == "app" else catalogs.get(prefix)
    if catalog is None or not code:
        return app_reason("UNKNOWN_REASON")
    return catalog.lookup(code)
