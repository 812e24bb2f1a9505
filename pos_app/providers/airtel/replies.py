"""What an Airtel answer means to the call that got it: the result, or the error it stands for.

The outcome of a payment is `data.transaction.status` (TS, TF, TE; anything else is still in
progress), never `status.success` alone: Airtel's own samples carry `success: false` on a
successful refund and `true` beside a failure's code (reference airtel-api.md §1.5, §3.4)."""

from __future__ import annotations

from typing import Any

import httpx

from pos_app.domain.errors import Text
from pos_app.platform.secret import Secret
from pos_app.providers.airtel.answers import (
    ACCEPTED,
    ALREADY,
    BAD_CLIENT,
    CONFIG_CODES,
    DECLINED,
    MAYBE,
    NO_WALLET,
    NOT_FOUND,
    NOT_FOUND_CODES,
    read,
)
from pos_app.providers.airtel.reasons import CATALOG
from pos_app.providers.answers import Answer, json_body, preview
from pos_app.providers.base import (
    AccountHolder,
    ConfigurationProblem,
    MalformedResponse,
    ProviderError,
    ProviderUnavailable,
    RemoteStatus,
    RequestRejected,
    StatusReport,
    Submission,
    UnclearAnswer,
)
from pos_app.providers.http import Reply, error_for
from pos_app.providers.tokens import Token

KEYS = "in Settings, or the keyring entries airtel.client_id and airtel.client_secret"
FINAL = {"TS": RemoteStatus.SUCCESSFUL, "TF": RemoteStatus.FAILED, "TE": RemoteStatus.FAILED}
# Codes beside a TF that do not say why it failed: the portal pairs TS and TF with the
# "in process" code, and ESB000010 is the envelope's success (§3.4).
NO_REASON = frozenset({"DP00800001000", "DP00800001001", "DP00800001006", "ESB000010"})
SIGNATURE_REFUSED = "DP00800001026"


def body_of(response: httpx.Response) -> dict[str, Any]:
    body = json_body(response)
    if not isinstance(body, dict):
        raise MalformedResponse(
            Text(
                "Airtel answered HTTP {status} with a body that is not a JSON object ({body})",
                status=response.status_code,
                body=preview(response),
            )
        )
    return body


def _section(body: dict[str, Any], *keys: str) -> dict[str, Any]:
    for key in keys:
        found = body.get(key)
        body = found if isinstance(found, dict) else {}
    return body


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool | dict | list) or value == "":
        return None
    return str(value)


def _says_success(value: Any) -> bool:
    """`data.transaction.status` of a push or refund: "SUCCESS" in Airtel's samples,
    "Success." in [LAR]'s Uganda bodies (§12)."""
    text = _text(value)
    return text is not None and text.strip().rstrip(".").upper() == "SUCCESS"


def _refuse_set_up(reply: Reply, what: str) -> None:
    """A refused set-up (country, currency, wallet, signing) is said with HTTP 200 as often
    as not (§1.5): it is the owner's to fix, whatever else the body holds."""
    if reply.rule.answer is Answer.CREDENTIALS:
        raise unexpected(reply, what)


def access_token(reply: Reply) -> Token:
    if reply.rule is BAD_CLIENT:
        raise ConfigurationProblem(
            Text(
                "Airtel refused the client id or secret ({code}): {keys} (AIRTEL_CLIENT_ID, "
                "AIRTEL_CLIENT_SECRET), enter the app's keys for this environment; a new app "
                "works only once Airtel has approved it",
                code=read(reply.response).code or f"HTTP {reply.response.status_code}",
                keys=KEYS,
            )
        )
    if reply.response.status_code != 200:
        raise unexpected(reply, "a token request")
    body = body_of(reply.response)
    token = body.get("access_token")
    if not isinstance(token, str) or not token:
        raise MalformedResponse("Airtel's token answer has no access_token")
    try:
        # A number in recorded answers, a string ("180") in the docs' sample.
        seconds = float(body.get("expires_in", 180))
    except (TypeError, ValueError) as exc:
        raise MalformedResponse("Airtel's token answer has an unreadable expires_in") from exc
    return Token(Secret(token), seconds)


def unexpected(reply: Reply, what: str) -> ProviderError:
    """The error an answer other than the expected one stands for, by the table."""
    response = reply.response
    said = read(response)
    detail = ": ".join(part for part in (said.code, said.message) if part)
    text = Text(
        "Airtel answered HTTP {status} to {what}{detail}",
        status=response.status_code,
        what=what,
        detail=f" ({detail})" if detail else "",
    )
    if said.code == SIGNATURE_REFUSED:
        text = Text(
            "Airtel refused the signature of {what} ({detail}): check message signing and "
            "its key padding (airtel.message_signing, airtel.signing_padding in Settings); the "
            "encryption key is fetched again on the next payment",
            what=what,
            detail=detail,
        )
    elif reply.rule is DECLINED:
        text = Text(
            "Airtel declined {what} (HTTP 403): it answers only calls from the addresses on "
            "the app's Server IP Allowed List. Send Airtel's calls through a proxy with a "
            "fixed, allow-listed address (airtel.proxy in Settings; README: Airtel through a "
            "proxy)",
            what=what,
        )
    elif reply.rule.answer is Answer.CREDENTIALS and (
        said.code in CONFIG_CODES or reply.rule is NO_WALLET
    ):
        text = Text(
            "Airtel refused this app's set-up for {what} ({detail}): check the shop's country, "
            "the currency, message signing, and the products and countries of the app on "
            "Airtel's portal",
            what=what,
            detail=detail,
        )
    elif reply.rule.answer is Answer.CREDENTIALS and response.status_code in (404, 405):
        text = Text(
            "Airtel answered HTTP {status} to {what} (check airtel.base_url)",
            status=response.status_code,
            what=what,
        )
    return error_for(reply, said, text, CATALOG.lookup(said.code) if said.code else None)


def submission(reply: Reply, what: str) -> Submission:
    """The push's answer: accepted (the prompt is on its way, not paid) or already taken."""
    if reply.rule is ACCEPTED:
        return Submission()
    if reply.rule is ALREADY:
        return Submission(already_existed=True)
    _refuse_set_up(reply, what)
    if reply.rule.result == "refused":
        # Airtel refuses with HTTP 200 as well as 400 (§2.3): the reason is shown.
        raise unexpected(reply, what)
    body = json_body(reply.response)
    status = _section(body, "status") if isinstance(body, dict) else {}
    transaction = _section(body, "data", "transaction") if isinstance(body, dict) else {}
    if reply.rule is MAYBE or (reply.response.is_success and status.get("success") is False):
        # Never shown as started, never charged anew: asked about by our transaction id.
        raise ProviderUnavailable(
            Text(
                "Airtel could not say whether {what} was taken ({code}); it is asked about",
                what=what,
                code=read(reply.response).code or status.get("message") or "no code",
            ),
            delivered=None,
        )
    if reply.response.is_success and _says_success(transaction.get("status")):
        return Submission()  # accepted, under a code not in Airtel's table
    raise unexpected(reply, what)


def status(reply: Reply) -> StatusReport:
    if reply.rule is NOT_FOUND:
        return StatusReport(RemoteStatus.NOT_FOUND, detail={"status": read(reply.response).code})
    response = reply.response
    _refuse_set_up(reply, "a payment enquiry")
    if response.status_code != 200:
        raise unexpected(reply, "a payment enquiry")
    body = body_of(response)
    transaction = _section(body, "data", "transaction")
    raw = _text(transaction.get("status"))
    if raw is None:
        said = read(response)
        raise UnclearAnswer(
            "Airtel's enquiry answer has no transaction status",
            {"http": 200, "code": said.code, "message": said.message},
        )
    envelope = _section(body, "status")
    # `response_code` explains; without it, `result_code` does (§1.5).
    code = _text(envelope.get("response_code")) or _text(envelope.get("result_code"))
    found = FINAL.get(raw.upper(), RemoteStatus.PENDING)  # TIP, TA, TI and anything new
    detail: dict[str, Any] = {"status": raw.upper(), "code": code}
    if found is RemoteStatus.SUCCESSFUL:
        receipt = _text(transaction.get("airtel_money_id"))
        return StatusReport(found, receipt=receipt, detail={**detail, "airtel_money_id": receipt})
    if found is RemoteStatus.FAILED:
        if raw.upper() == "TE" or code is None or code.strip().upper() in NO_REASON:
            code = "DP00800001029" if raw.upper() == "TE" else "ESB000011"
        return StatusReport(found, reason=CATALOG.lookup(code), detail=detail)
    return StatusReport(found, detail=detail)


def account_holder(reply: Reply) -> AccountHolder:
    _refuse_set_up(reply, "a customer check")
    if reply.response.status_code != 200:
        raise unexpected(reply, "a customer check")
    body = body_of(reply.response)
    data = _section(body, "data")
    if not data or _section(body, "status").get("response_code") in (
        "DP02200000000",
        "DP02200000002",
    ):
        return AccountHolder(active=False)
    registered = _text(_section(data, "registration").get("status")) not in (None, "NOT_REGISTERED")
    name = " ".join(p for p in (_text(data.get("first_name")), _text(data.get("last_name"))) if p)
    return AccountHolder(active=registered and data.get("is_barred") is not True, name=name or None)


def refund(reply: Reply) -> Submission:
    """A refund is answered at once: SUCCESS with the refund's own Airtel id, or refused."""
    _refuse_set_up(reply, "a refund")
    if reply.response.status_code != 200:
        raise unexpected(reply, "a refund")
    code = read(reply.response).code
    if code in NOT_FOUND_CODES:  # refunds share the push's rows, which know no "not found"
        raise RequestRejected(
            Text("Airtel has no paid payment under this Airtel id to refund ({code})", code=code),
            CATALOG.lookup(code),
        )
    body = body_of(reply.response)
    transaction = _section(body, "data", "transaction")
    # Not `status.success`: Airtel's own sample says false beside a done refund (§4.1).
    if not _says_success(transaction.get("status")):
        raise unexpected(reply, "a refund")
    refund_id = _text(transaction.get("airtel_money_id"))
    return Submission(provider_request_id=refund_id, detail={"airtel_money_id": refund_id})


def encryption_key(reply: Reply) -> dict[str, Any]:
    _refuse_set_up(reply, "an encryption-key request")
    if reply.response.status_code != 200:
        raise unexpected(reply, "an encryption-key request")
    body = body_of(reply.response)
    # Under `data`, or at the top level as on the .ug host (airtelmoney-py 1.0.5 notes).
    return _section(body, "data") or body
