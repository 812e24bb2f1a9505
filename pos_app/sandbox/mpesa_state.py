"""What the M-Pesa simulator knows and decides, apart from HTTP: its settings, the customers'
answers by test number, the pushes and tokens it holds, when a push settles, its key, and the
callbacks it sends (sandbox/mpesa_callbacks.py for their bodies, sandbox/callbacks.py for how).

A push's result goes to its CallBackURL when it settles, at the moment and with the ResultCode
STK Query reports from then on. Customer payments (C2B) come from `pay_c2b`, the plain method
behind `POST /mpesa/c2b/v2/simulate`, which a test or the demo calls directly; their validation
and confirmation go to the URLs registered for the shortcode (`register_c2b_urls`, behind
`POST /mpesa/c2b/v{1,2}/registerurl`). Faults on these callbacks: sandbox/faults.py."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import itertools
import time
from collections import Counter
from collections.abc import Callable, KeysView
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import cached_property
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from starlette.responses import JSONResponse, Response

from pos_app.sandbox import demo
from pos_app.sandbox.callbacks import Callback, CallbackSender, deliverable, json_of
from pos_app.sandbox.faults import Faults, FaultShapes
from pos_app.sandbox.mpesa_callbacks import (
    C2B_ESSENTIAL,
    STK_STATUS,
    C2bPayment,
    C2bUrls,
    c2b_body,
    new_trans_id,
    stamp,
    stk_failure,
    stk_success,
    validation_verdict,
)

NAIROBI = timezone(timedelta(hours=3))
RESULT_DESCRIPTIONS = {
    "0": "The service request is processed successfully.",
    "1": "The balance is insufficient for the transaction.",
    "3": "Declined due to limit rule: greater than the maximum transaction amount.",
    "17": "Rule limited.",
    "1019": "Transaction has expired.",
    "1032": "Request cancelled by user.",
    "1037": "DS timeout user cannot be reached.",
    "2001": "The initiator information is invalid.",
    "2028": "The request is not permitted according to product assignment.",
}


@dataclass(frozen=True)
class StkOutcome:
    """The customer's answer: a ResultCode after the processing phase; `None` means never."""

    result_code: str | None = "0"


# Scripted answers by phone number (every other number pays after the processing phase).
TEST_NUMBERS: dict[str, StkOutcome] = {
    "254708374149": StkOutcome("0"),  # Daraja's own test number
    "254711000001": StkOutcome("1"),  # not enough money
    "254711001032": StkOutcome("1032"),  # cancelled by the customer
    "254711002001": StkOutcome("2001"),  # wrong PIN
    "254711001037": StkOutcome("1037"),  # phone unreachable
    "254711001019": StkOutcome("1019"),  # prompt expired
    "254711000000": StkOutcome(None),  # never answers
}


def _daraja_failure(status: int) -> Response:
    # Daraja's gateway when the service behind it is down; its own 500 otherwise.
    code, message = (
        ("503.001.01", "Service is currently unreachable")
        if status == 503
        else ("500.003.1001", "Internal Server Error")
    )
    return JSONResponse(
        {"requestId": "", "errorCode": code, "errorMessage": message}, status_code=status
    )


def _daraja_rate_limited(retry_after: int) -> Response:
    # Daraja's spike arrest: a 500 with its own code.
    return JSONResponse(
        {
            "requestId": "",
            "errorCode": "500.003.02",
            "errorMessage": "Error Occurred: Spike Arrest Violation",
        },
        status_code=500,
        headers={"Retry-After": str(retry_after)},
    )


DARAJA_SHAPES = FaultShapes(_daraja_failure, _daraja_rate_limited)


@dataclass
class MpesaSandboxSettings:
    consumer_key: str = demo.MPESA_CONSUMER_KEY
    consumer_secret: str = demo.MPESA_CONSUMER_SECRET
    shortcode: str = demo.MPESA_SHORTCODE
    passkey: str = demo.MPESA_PASSKEY
    till_numbers: tuple[str, ...] = (demo.MPESA_TILL,)
    initiator_name: str = demo.MPESA_INITIATOR
    initiator_password: str = demo.MPESA_INITIATOR_PASSWORD
    processing_seconds: float = 4.0  # how long the customer takes to answer
    pending_shape: str = "alternate"  # "error" (500.001.1001), "4999", or "alternate"
    # Seconds from Kenyan time before `Invalid Timestamp`. Daraja "tolerates at least a few hours
    # of skew" (reference mpesa-api.md §1.2.1): Safaricom's own Node library stamps in UTC,
    # mpesakit and django-daraja in the machine's local time; a server "a day behind" failed.
    max_timestamp_skew: float = 12 * 3600.0
    outcome: Callable[[str], StkOutcome] | None = None  # overrides the test-number table
    # Callback URLs over http:// or to a loopback host are taken (Daraja refuses them), so that
    # a hub on this machine gets the callbacks: `pos-app sandbox` takes them.
    local_callbacks: bool = False
    # A registered C2B ValidationURL is asked before each payment. Safaricom turns external
    # validation on by request (callbacks.md §2.1); here it is on so that the path is tried.
    external_validation: bool = True
    # C2B URLs can be registered once per shortcode, as in production ("Urls are already
    # registered"); Daraja's sandbox lets you overwrite them.
    register_once: bool = False


@dataclass
class Push:
    checkout_id: str
    merchant_id: str
    body: dict[str, Any]
    created: float
    outcome: StkOutcome
    queries: int = 0


class MpesaState:
    def __init__(
        self,
        settings: MpesaSandboxSettings | None = None,
        faults: Faults | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings or MpesaSandboxSettings()
        self.faults = faults or Faults(DARAJA_SHAPES)
        self.clock = clock
        self.wall_clock = wall_clock
        self.tokens: dict[str, float] = {}
        self.pushes: dict[str, Push] = {}
        self.requests: Counter[str] = Counter()
        self.async_requests: list[dict[str, Any]] = []  # transaction status and reversals
        self._ids = itertools.count(1)
        self.callbacks = CallbackSender(lambda: self.faults)
        self.c2b_urls: dict[str, C2bUrls] = {}  # by shortcode
        self.c2b_payments: dict[str, C2bPayment] = {}  # by TransID
        self.c2b_balance: Counter[str] = Counter()  # shillings received, by shortcode

    @cached_property
    def _key(self) -> rsa.RSAPrivateKey:
        # Made on first use: generating an RSA key takes a noticeable moment.
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)

    @cached_property
    def certificate_pem(self) -> bytes:
        """The simulator's 'Safaricom certificate' for encrypting the initiator password."""
        return _self_signed(self._key)

    def _decrypt(self, credential: str) -> str | None:
        try:
            return self._key.decrypt(base64.b64decode(credential), padding.PKCS1v15()).decode()
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None

    # -- accounting --

    def charges(self) -> int:
        return sum(1 for p in self.pushes.values() if self._state(p) == "0")

    def pushes_to(self, msisdn: str) -> int:
        return sum(1 for p in self.pushes.values() if str(p.body.get("PhoneNumber")) == msisdn)

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def final_at(self, checkout_id: str) -> float | None:
        push = self.pushes.get(checkout_id)
        if push is None or push.outcome.result_code is None:
            return None
        return push.created + self.settings.processing_seconds

    # -- memory across restarts (demo mode keeps it in the demo folder) --

    def known(self) -> KeysView[str]:
        return self.pushes.keys()

    def remember(self, key: str) -> dict[str, Any]:
        """The push `key` as JSON, as it was made."""
        return dataclasses.asdict(self.pushes[key])

    def recall(self, entry: dict[str, Any]) -> str:
        """Know again what `remember` gave; raises TypeError, KeyError or ValueError."""
        push = Push(**{**entry, "outcome": StkOutcome(**entry["outcome"])})
        self.pushes[push.checkout_id] = push
        self._ids = itertools.count(len(self.pushes) + 1)  # checkout ids stay unique
        return push.checkout_id

    # -- how a push settles --

    def _outcome(self, body: dict[str, Any], phone: str, amount: int, now: float) -> StkOutcome:
        receiver = str(body["PartyB"])
        if body["TransactionType"] == "CustomerPayBillOnline":
            wrong_receiver = receiver != self.settings.shortcode
        else:
            wrong_receiver = receiver not in self.settings.till_numbers
        if wrong_receiver:
            return StkOutcome("2028")
        if amount > 250_000:
            return StkOutcome("3")
        # The same amount to the same customer within 2 minutes is refused.
        if any(
            str(p.body["PhoneNumber"]) == phone
            and int(str(p.body["Amount"])) == amount
            and now - p.created < 120
            for p in self.pushes.values()
        ):
            return StkOutcome("17")
        if self.settings.outcome is not None:
            return self.settings.outcome(phone)
        return TEST_NUMBERS.get(phone, StkOutcome("0"))

    def _state(self, push: Push) -> str | None:
        """The ResultCode once the customer has answered, else None (still processing)."""
        code = push.outcome.result_code
        if code is None or self.clock() - push.created < self.settings.processing_seconds:
            return None
        return code

    # -- callbacks: STK results --

    def announce(self, push: Push) -> None:
        """Post the push's result to its CallBackURL once it settles, if that URL is called at
        all (sandbox/callbacks.py `deliverable`). A push that never settles sends nothing."""
        url = str(push.body.get("CallBackURL", ""))
        if not deliverable(url) or push.outcome.result_code is None:
            return

        def remaining() -> float:
            return push.created + self.settings.processing_seconds - self.clock()

        async def send() -> None:
            await self.callbacks.deliver(self.stk_callback(push, url))

        self.callbacks.after_settling(remaining, send)

    def stk_callback(self, push: Push, url: str) -> Callback:
        """The push's callback as it settles now (its ResultCode as STK Query reports it)."""
        code = self._state(push) or str(push.outcome.result_code)
        when = stamp(self.wall_clock().astimezone(NAIROBI))
        success = stk_success(
            push.merchant_id,
            push.checkout_id,
            int(str(push.body["Amount"])),
            str(push.body["PhoneNumber"]),
            when,
        )
        if code == "0":
            return Callback("stk", url, success, essential=STK_STATUS)
        failure = stk_failure(
            push.merchant_id, push.checkout_id, code, RESULT_DESCRIPTIONS.get(code, "Failed")
        )
        return Callback("stk", url, failure, forged=success, essential=STK_STATUS)

    # -- callbacks: customer payments (C2B) --

    def register_c2b_urls(
        self,
        shortcode: str,
        confirmation_url: str,
        validation_url: str = "",
        response_type: str = "Completed",
        version: str = "v2",
    ) -> C2bUrls:
        """What `registerurl` records (replacing an earlier registration)."""
        urls = C2bUrls(shortcode, response_type, confirmation_url, validation_url, version)
        self.c2b_urls[shortcode] = urls
        return urls

    def pay_c2b(
        self,
        amount: int,
        msisdn: str = "254708374149",
        *,
        shortcode: str | None = None,
        bill_ref: str = "",
        command: str = "CustomerPayBillOnline",
        first_name: str = "JOHN",
        middle_name: str = "",
        last_name: str = "DOE",
    ) -> C2bPayment:
        """A customer pays `amount` shillings to `shortcode` (the simulator's own by default)
        from the phone menu. The validation (if a ValidationURL is registered) and then the
        confirmation are posted to the shortcode's registered URLs in the background; without
        URLs M-PESA completes it silently. Callable from the loop serving the simulator or,
        once it serves, from any other thread (RuntimeError before)."""
        code = shortcode or self.settings.shortcode
        when = stamp(self.wall_clock().astimezone(NAIROBI))
        trans_id = new_trans_id(self.c2b_payments)
        payment = C2bPayment(
            trans_id, code, command, amount, msisdn, bill_ref, when,
            first_name, middle_name, last_name,
        )  # fmt: skip
        self.c2b_payments[trans_id] = payment
        urls = self.c2b_urls.get(code)
        if urls is None:
            self._settle_c2b(payment, accepted=True)
            return payment
        validating = self.settings.external_validation and bool(urls.validation_url)
        if validating and not deliverable(urls.validation_url):
            # A ValidationURL that is never called is an unreachable one: ResponseType decides.
            validating = False
            if urls.response_type == "Cancelled":
                self._settle_c2b(payment, accepted=False)
                return payment
        if not validating:
            self._settle_c2b(payment, accepted=True)  # the task only confirms it
            if not deliverable(urls.confirmation_url):
                return payment
        try:
            self.callbacks.start(lambda: self._c2b_callbacks(payment, urls, validating))
        except RuntimeError:
            del self.c2b_payments[trans_id]
            if payment.state == "completed":
                self.c2b_balance[code] -= amount
            raise
        return payment

    async def _c2b_callbacks(self, payment: C2bPayment, urls: C2bUrls, validating: bool) -> None:
        """Validation (if `validating`; the payment is settled already otherwise), then the
        confirmation of an accepted payment."""
        if validating:
            answer = await self.callbacks.deliver(
                Callback(
                    "c2b-validation",
                    urls.validation_url,
                    c2b_body(payment, urls.version, None),
                    essential=C2B_ESSENTIAL,
                )
            )
            # No readable answer (unreachable, slow, lost): ResponseType decides (§2.1).
            verdict = validation_verdict(json_of(answer))
            accepted, payment.third_party_id = verdict or (urls.response_type == "Completed", "")
            self._settle_c2b(payment, accepted=accepted)
            if not accepted:
                return
        if deliverable(urls.confirmation_url):
            balance = f"{self.c2b_balance[payment.shortcode]}.00"
            await self.callbacks.deliver(
                Callback(
                    "c2b-confirmation",
                    urls.confirmation_url,
                    c2b_body(payment, urls.version, balance),
                    essential=C2B_ESSENTIAL,
                )
            )

    def _settle_c2b(self, payment: C2bPayment, *, accepted: bool) -> None:
        payment.state = "completed" if accepted else "cancelled"
        if accepted:
            self.c2b_balance[payment.shortcode] += payment.amount


def _self_signed(key: rsa.RSAPrivateKey) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pos-app sandbox M-Pesa")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)
