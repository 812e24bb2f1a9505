"""What the Airtel simulator knows and decides, apart from HTTP: its settings, the customers'
answers by test number, the tokens, payments and refunds it holds, its RSA key, the per-minute
request window, when a payment settles, and the callback it sends.

Airtel calls one callback URL per application, set in its developer portal, not per request:
here `settings.callback_url`. When a collection settles it is POSTed
`{"transaction": {"id", "message", "status_code", "airtel_money_id"}}` (callbacks.md §6):
status_code TS or TF (an expired prompt, TE on enquiry, is sent as TF: the callback documents
only these two), airtel_money_id null on a failure. No `hash` is sent: its recipe is not settled
(§6). Faults on these callbacks: sandbox/faults.py."""

from __future__ import annotations

import base64
import dataclasses
import secrets
import string
import time
from collections import Counter
from collections.abc import Callable, KeysView
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from pos_app.providers.airtel.countries import COUNTRIES
from pos_app.sandbox import demo
from pos_app.sandbox.airtel_checks import AIRTEL_SHAPES, AMBIGUOUS, IN_PROCESS, PAID
from pos_app.sandbox.callbacks import Callback, CallbackSender, deliverable
from pos_app.sandbox.faults import Faults


@dataclass(frozen=True)
class Answer:
    """How the holder of a number answers a push: the final `status` (TS, TF or TE) and its
    response_code, after `approvals` approval delays (None: never, TIP for ever); `ambiguous`:
    TA instead of TIP until then. `registered` False: the push is refused at once."""

    status: str = "TS"
    code: str = PAID
    approvals: float | None = 1.0
    ambiguous: bool = False
    barred: bool = False
    registered: bool = True


# National numbers (Uganda's are Airtel's 70/74/75 prefixes). The first two and 7500002240 are
# the UG UAT set "provided by the Airtel integration team" (reference §9); the rest are ours,
# one per collection failure code of the Airtel table (§5.2).
TEST_NUMBERS: dict[str, Answer] = {
    "706218827": Answer(),  # UAT registered subscriber: approves after the approval delay
    # UAT barred number: the push is accepted, then fails as "not permitted to payee".
    "752600157": Answer("TF", "DP00800001010", barred=True),
    "7500002240": Answer(registered=False),  # UAT unregistered (10 digits: a push fails on length)
    "700000002": Answer("TF", "DP00800001002"),  # wrong PIN
    "700000003": Answer("TF", "DP00800001003"),  # over the wallet's transaction limit
    "700000005": Answer("TF", "DP00800001005"),  # the customer did not enter the PIN
    "700000007": Answer("TF", "DP00800001007"),  # not enough balance
    "700000008": Answer("TF", "DP00800001008"),  # refused
    "700000009": Answer("TF", "DP00800001009"),  # do not honor
    "700000029": Answer("TE", "DP00800001029"),  # the prompt expired
    # An ambiguous answer that settles later: TA until `ambiguous_seconds`, then TS.
    "700000000": Answer(approvals=3.0, ambiguous=True),
    "700000001": Answer(approvals=None),  # never answers: TIP for ever (the till times out)
    "700000010": Answer(registered=False),  # not on Airtel Money: the push is refused at once
}
ORDINARY = Answer()  # any other number: the customer approves after the approval delay
# UG UAT: a push over the wallet's balance or limit is accepted first and fails on enquiry.
NO_BALANCE_FROM = Decimal(2_000_000)  # -> TF DP00800001007
OVER_LIMIT_ABOVE = Decimal(5_000_000)  # -> TF DP00800001003

# Airtel's descriptions (§5.2), the enquiry's data.transaction.message.
MESSAGES = {
    PAID: "Your transaction has been successfully processed",  # [LAR] recorded TS
    IN_PROCESS: "Transaction in pending state. Please check after sometime.",
    AMBIGUOUS: "The transaction is still processing and is in ambiguous state. "
    "Please do the transaction enquiry to fetch the transaction status.",
    "DP00800001002": "Incorrect pin has been entered.",
    "DP00800001003": "The User has exceeded their wallet allowed transaction limit.",
    "DP00800001005": "User didn't enter the pin.",
    "DP00800001007": "User wallet does not have enough money to cover the payable amount.",
    "DP00800001008": "The transaction was refused.",
    "DP00800001009": "This is a generic refusal that has several possible causes.",
    "DP00800001010": "Payee is already initiated for churn or barred or not registered on "
    "Airtel Money platform.",
    "DP00800001029": "Transaction has been expired.",
}

# Country calling codes, to read a KYC number sent with one.
DIAL_CODES = {
    "UG": "256", "KE": "254", "TZ": "255", "RW": "250", "ZM": "260", "MW": "265", "CD": "243",
    "CG": "242", "GA": "241", "TD": "235", "NE": "227", "MG": "261", "SC": "248", "NG": "234",
}  # fmt: skip


@dataclass
class AirtelSandboxSettings:
    client_id: str = demo.AIRTEL_CLIENT_ID
    client_secret: str = demo.AIRTEL_CLIENT_SECRET
    country: str = "UG"  # the OpCo: X-Country must be it
    currency: str = "UGX"  # X-Currency must be it
    approval_delay: float = 5.0  # how long an ordinary customer takes to type the PIN
    ambiguous_seconds: float | None = None  # 700000000 settles then; None: 3 approval delays
    msisdn_digits: int | None = None  # None: the country's (countries.py); 0: any length
    signing_required: bool = False  # v1 pushes and refunds refused, as in ZM and MW
    # Collection and refund calls from other addresses are declined (Airtel's "Server IP
    # Allowed List"); None: every address.
    allowed_addresses: frozenset[str] | None = None
    rate_limit_per_minute: int = 60  # pushes and enquiries ([PM] recorded a limit of 10)
    codes_as_numbers: bool = False  # status.code as a JSON number, as the [121] mock has it
    expires_in_as_text: bool = False  # the token's expires_in as "180" (the doc sample)
    ts_code_in_process: bool = False  # TS paired with DP00800001006, as Airtel's samples do
    not_found_status: int = 200  # HTTP status of an enquiry for an unknown id (UNVERIFIED)
    # data.transaction.id of an accepted push: "random" ([PM] sample), "echo" ([LAR]) or
    # "false" ([DOC-UG]); a client must key on the id it sent.
    push_id: str = "random"
    key_bits: int = 2048  # the signing key ([DOC-ZM] shows 1024)
    key_at_top_level: bool = False  # encryption key fields outside `data` ([PY]: the .ug host)
    outcome: Callable[[str], Answer] | None = None  # overrides the test-number table
    # Where settled collections are POSTed (Airtel's portal setting); "": no callbacks.
    callback_url: str = ""
    merchant_name: str = "Sandbox Shop"  # in the callback's message

    def __post_init__(self) -> None:
        if self.msisdn_digits is None and self.country in COUNTRIES:
            self.msisdn_digits = COUNTRIES[self.country].digits

    def settle_seconds(self, answer: Answer) -> float | None:
        if answer.approvals is None:
            return None
        if answer.ambiguous and self.ambiguous_seconds is not None:
            return self.ambiguous_seconds
        return answer.approvals * self.approval_delay


@dataclass(frozen=True)
class Outcome:
    """A payment's fate, decided at the push: `status`/`code` from `delay` seconds on."""

    status: str
    code: str
    delay: float | None
    ambiguous: bool = False


@dataclass
class Payment:
    id: str  # the partner's transaction.id
    body: dict[str, Any]
    created: float
    outcome: Outcome
    airtel_money_id: str


@dataclass
class Refund:
    original: str  # the refunded payment's airtel_money_id
    airtel_money_id: str  # the refund's own
    created: float


_STATUS = ("transaction", "status_code")  # what a "status"-malformed callback lacks


def _money_id(prefix: str) -> str:
    """An Airtel reference like the callbacks' "MP210603.1234.L06941"."""
    stamp = datetime.now(UTC).strftime("%y%m%d.%H%M")
    return f"{prefix}{stamp}.{secrets.choice(string.ascii_uppercase)}{secrets.randbelow(10**5):05d}"


class AirtelState:
    def __init__(
        self,
        settings: AirtelSandboxSettings | None = None,
        faults: Faults | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings or AirtelSandboxSettings()
        self.faults = faults or Faults(AIRTEL_SHAPES, token_ttl=180)  # Airtel's 180 s tokens
        self.clock = clock
        self.tokens: dict[str, float] = {}  # access token -> expiry
        self.payments: dict[str, Payment] = {}  # by transaction.id
        self.refunds: dict[str, Refund] = {}  # by the refunded payment's airtel_money_id
        self.requests: Counter[str] = Counter()  # "token", "push", "enquiry", "refund"...
        self.accepted: Counter[str] = Counter()  # transaction id -> prompts sent (must be 1)
        self.key_id = 100
        self.key_valid_upto = datetime.max.replace(tzinfo=UTC)  # set when the key is made
        self._by_money_id: dict[str, str] = {}
        self._window = (-1, 0)  # (minute on the simulator's clock, requests in it)
        self.callbacks = CallbackSender(lambda: self.faults)

    # -- accounting for tests and benchmarks --

    def charges(self) -> int:
        """Successful payments so far."""
        return sum(1 for p in self.payments.values() if self.state_of(p)[0] == "TS")

    def expire_tokens(self) -> None:
        """Every issued token stops working now (the client must notice and refresh)."""
        self.tokens.clear()

    def final_at(self, transaction_id: str) -> float | None:
        """When (on the simulator's clock) the payment's final state became visible."""
        payment = self.payments.get(transaction_id)
        if payment is None or payment.outcome.delay is None:
            return None
        return payment.created + payment.outcome.delay

    # -- memory across restarts (demo mode keeps it in the demo folder) --

    def known(self) -> KeysView[tuple[str, str]]:
        keys = dict.fromkeys(("payment", k) for k in self.payments)
        keys.update(dict.fromkeys(("refund", k) for k in self.refunds))
        return keys.keys()

    def remember(self, key: tuple[str, str]) -> dict[str, Any]:
        """What was asked under `key`, as JSON (neither changes once made)."""
        kind, name = key
        record = self.payments[name] if kind == "payment" else self.refunds[name]
        return {"kind": kind, **dataclasses.asdict(record)}

    def recall(self, entry: dict[str, Any]) -> tuple[str, str]:
        """Know again what `remember` gave; raises TypeError, KeyError or ValueError."""
        fields = {k: v for k, v in entry.items() if k != "kind"}
        if entry["kind"] == "refund":
            refund = Refund(**fields)
            self.refunds[refund.original] = refund
            return "refund", refund.original
        if entry["kind"] != "payment":
            raise ValueError(f"not an Airtel record: {entry['kind']!r}")
        payment = Payment(**{**fields, "outcome": Outcome(**fields["outcome"])})
        self._keep(payment)
        return "payment", payment.id

    # -- payments --

    def create(self, transaction_id: str, body: dict[str, Any], answer: Answer) -> Payment:
        """The accepted push: the customer is prompted (once per transaction id)."""
        seconds = self.settings.settle_seconds(answer)
        outcome = Outcome(answer.status, answer.code, seconds, answer.ambiguous)
        payment = Payment(transaction_id, body, self.clock(), outcome, _money_id("MP"))
        self._keep(payment)
        self.announce(payment)
        return payment

    # -- the callback --

    def announce(self, payment: Payment) -> None:
        """POST the payment's result to `settings.callback_url` once it settles (if that URL is
        called at all: sandbox/callbacks.py `deliverable`)."""
        url = self.settings.callback_url
        if not deliverable(url) or payment.outcome.delay is None:
            return

        def remaining() -> float | None:
            delay = payment.outcome.delay
            return None if delay is None else payment.created + delay - self.clock()

        async def send() -> None:
            await self.callbacks.deliver(self.callback(payment, url))

        self.callbacks.after_settling(remaining, send)

    def callback(self, payment: Payment, url: str) -> Callback:
        state, code = self.state_of(payment)
        transaction = payment.body.get("transaction", {})
        amount = Decimal(str(transaction.get("amount", 0)))
        currency = self.settings.currency

        def paid(money_id: str) -> dict[str, Any]:
            message = (
                f"Paid {currency} {amount:,} to {self.settings.merchant_name} Charge "
                f"{currency} 0, Trans ID {money_id}."
            )
            return {
                "transaction": {
                    "id": payment.id,
                    "message": message,
                    "status_code": "TS",
                    "airtel_money_id": money_id,
                }
            }

        if state == "TS":
            return Callback("airtel", url, paid(payment.airtel_money_id), essential=_STATUS)
        failed = {
            "transaction": {
                "id": payment.id,
                "message": MESSAGES.get(code, "The transaction has failed."),
                "status_code": "TF",
                "airtel_money_id": None,
            }
        }
        return Callback("airtel", url, failed, forged=paid(_money_id("MP")), essential=_STATUS)

    def _keep(self, payment: Payment) -> None:
        self.payments[payment.id] = payment
        self._by_money_id[payment.airtel_money_id] = payment.id
        self.accepted[payment.id] += 1

    def by_money_id(self, airtel_money_id: str) -> Payment | None:
        found = self._by_money_id.get(airtel_money_id)
        return self.payments.get(found) if found is not None else None

    def refund_payment(self, payment: Payment) -> Refund:
        refund = Refund(payment.airtel_money_id, _money_id("CI"), self.clock())
        self.refunds[refund.original] = refund
        return refund

    def answer_for(self, msisdn: str, amount: Decimal) -> Answer:
        if self.settings.outcome is not None:
            return self.settings.outcome(msisdn)
        answer = TEST_NUMBERS.get(msisdn, ORDINARY)
        if answer != ORDINARY:  # a test number's own answer wins over the amount's
            return answer
        if amount > OVER_LIMIT_ABOVE:
            return Answer("TF", "DP00800001003")
        if amount >= NO_BALANCE_FROM:
            return Answer("TF", "DP00800001007")
        return answer

    def state_of(self, payment: Payment) -> tuple[str, str]:
        """(data.transaction.status, status.response_code) as an enquiry sees them now."""
        outcome = payment.outcome
        if outcome.delay is None or self.clock() - payment.created < outcome.delay:
            return ("TA", AMBIGUOUS) if outcome.ambiguous else ("TIP", IN_PROCESS)
        if outcome.status == "TS" and self.settings.ts_code_in_process:
            return "TS", IN_PROCESS
        return outcome.status, outcome.code

    def national(self, number: str) -> str:
        """A KYC path's number without the country code, if it came with one (UNVERIFIED
        which form Airtel wants there, §4.2: both are taken)."""
        code = DIAL_CODES.get(self.settings.country, "")
        digits = self.settings.msisdn_digits
        if code and digits and len(number) == len(code) + digits and number.startswith(code):
            return number[len(code) :]
        return number

    # -- the per-minute window of pushes and enquiries --

    def take_rate(self) -> bool:
        """Count one request in the current minute; False (not counted) when over the limit."""
        minute = int(self.clock() // 60)
        used = self._window[1] if self._window[0] == minute else 0
        if used >= self.settings.rate_limit_per_minute:
            return False
        self._window = (minute, used + 1)
        return True

    def rate_headers(self) -> dict[str, str]:
        minute = int(self.clock() // 60)
        used = self._window[1] if self._window[0] == minute else 0
        limit = self.settings.rate_limit_per_minute
        return {
            "x-ratelimit-limit-minute": str(limit),
            "x-ratelimit-remaining-minute": str(max(0, limit - used)),
        }

    def window_left(self) -> int:
        """Seconds until the current minute's window closes."""
        return max(1, int(60 - self.clock() % 60))

    # -- the signing key (GET /v1/rsa/encryption-keys) --

    @cached_property
    def private_key(self) -> rsa.RSAPrivateKey:
        # Made on first use (generating an RSA key takes a noticeable moment); valid a day.
        self.key_valid_upto = datetime.now(UTC) + timedelta(days=1)
        return rsa.generate_private_key(public_exponent=65537, key_size=self.settings.key_bits)

    def public_key(self) -> str:
        """The key as Airtel publishes it: base64 DER SubjectPublicKeyInfo ("MIIB..."). An
        expired one is replaced (the client must fetch again once valid_upto has passed)."""
        key = self.private_key
        if datetime.now(UTC) > self.key_valid_upto:
            self.rotate_key()
            key = self.private_key
        der = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode()

    def rotate_key(self) -> None:
        """A new signing key: signatures made with the old one are refused from now on."""
        self.__dict__.pop("private_key", None)
        self.key_id += 1
