"""Every documented Daraja answer and what it means (../shared/reference/mpesa-api.md §1-§2).

An STK Push carries no id of ours, so a push that may have arrived is never sent again;
only an answer that proves it was not taken (a rate limit, a gateway's "unreachable") is.
`500.001.1001` is Daraja's one code for many answers: the message tells them apart.
"""

from __future__ import annotations

import httpx

from pos_app.providers.answers import (
    ALL_CALLS,
    PUSH,
    STATUS,
    TOKEN,
    Answer,
    AnswerTable,
    Rule,
    Said,
    json_body,
    page,
    preview,
)

A = Answer

# A refusal naming one of these fields is the till's set-up, not the customer's payment.
CONFIG_FIELDS = (
    "BusinessShortCode",
    "PartyB",
    "Password",
    "TransactionType",
    "CallBackURL",
    "Timestamp",
    "Initiator",
    "SecurityCredential",
    "ResultURL",
    "QueueTimeOutURL",
)
GENERIC = "500.001.1001"


def read(response: httpx.Response) -> Said:
    """{requestId, errorCode, errorMessage}, or Apigee's {fault: {faultstring, detail:
    {errorcode}}}; an empty or non-JSON body says nothing."""
    body = json_body(response)
    if not isinstance(body, dict):
        return Said(None, preview(response) if response.content else "", page=page(response))
    fault = body.get("fault")
    if isinstance(fault, dict):
        detail = fault.get("detail")
        code = detail.get("errorcode") if isinstance(detail, dict) else None
        return Said(str(code) if code else None, str(fault.get("faultstring", "")), gateway=True)
    code = body.get("errorCode")
    return Said(str(code) if code else None, str(body.get("errorMessage") or ""))


# The code differs per API (404.001.03, 400.003.01, 401.002.01, ...); the message does not.
TOKEN_REFUSED = Rule(
    ALL_CALLS,
    (),
    A.CREDENTIALS,
    "access token refused: a fresh one is fetched once and the request sent again (it "
    "was not processed); refused again, the Daraja app lacks the product",
    words=("invalid access token",),
)

RULES = (
    Rule(ALL_CALLS, (429,), A.NOT_PROCESSED, "too many requests: sent again after a pause"),
    Rule(
        ALL_CALLS,
        (),
        A.NOT_PROCESSED,
        'spike arrest, quota, "system is busy": refused before processing',
        codes=("500.003.02", "500.003.03"),
    ),
    Rule(ALL_CALLS, (), A.NOT_PROCESSED, "spike arrest", words=("spike arrest",)),
    Rule(
        ALL_CALLS,
        (),
        A.NOT_PROCESSED,
        "the web firewall in front of Daraja refused the request (an Incapsula page)",
        words=("incapsula incident",),
    ),
    Rule(
        ALL_CALLS,
        (503,),
        A.NOT_PROCESSED,
        "the gateway could not reach the service (`503.001.01` Service is currently "
        "unreachable, or Apigee's ServiceUnavailable fault): a push is sent again within the "
        "charge's deadline. Other gateway faults (a 502 such as `Unexpected EOF at target`, a "
        "504) may come after the service took the request: below",
        codes=("503.001.01", "messaging.adaptors.http.flow.ServiceUnavailable"),
    ),
    Rule(TOKEN, (200,), A.FINAL, "an access token (`expires_in` often a string)"),
    Rule(
        TOKEN,
        (400, 401, 403, 404),
        A.CREDENTIALS,
        "wrong consumer key or secret (often an empty 400), or `400.008.0x`",
    ),
    TOKEN_REFUSED,
    Rule(
        ALL_CALLS,
        (),
        A.CREDENTIALS,
        "wrong passkey or shortcode, the Daraja app lacks the product",
        words=("wrong credentials", "merchant does not exist", "apiproduct"),
    ),
    Rule(
        ALL_CALLS,
        (400,),
        A.CREDENTIALS,
        "`400.002.02` naming a set-up field (BusinessShortCode, Password, CallBackURL, ...)",
        words=tuple(f"invalid {name.lower()}" for name in CONFIG_FIELDS),
    ),
    Rule(
        STATUS,
        (),
        A.FINAL,
        "`500.001.1001` The transaction is being processed: still in progress",
        words=("being processed",),
        result="pending",
    ),
    Rule(
        STATUS,
        (),
        A.FINAL,
        "no such CheckoutRequestID: the prompt never arrived",
        words=("does not exist", "invalid checkoutrequestid"),
        result="not found",
    ),
    Rule(ALL_CALLS, (401, 403, 404, 405), A.CREDENTIALS, "wrong address or method, not allowed"),
    Rule(
        PUSH,
        (200,),
        A.FINAL,
        "ResponseCode 0: the prompt is on its way (another ResponseCode: refused)",
        result="accepted",
    ),
    Rule(
        PUSH,
        (),
        A.FINAL,
        "another session is open on the customer's phone: wait a minute",
        words=("lock subscriber",),
        result="refused",
    ),
    Rule(
        PUSH,
        (400,),
        A.FINAL,
        "`400.002.02` naming the number or the amount: sending again cannot help",
        result="refused",
    ),
    Rule(
        STATUS,
        (200,),
        A.FINAL,
        "ResultCode 0 paid; 4999 or none: in progress; another code: failed with its reason",
    ),
    Rule(
        STATUS,
        (500,),
        A.KEEP_ASKING,
        "`500.001.1001` with any other message (or none): recorded once, asked again",
        codes=(GENERIC,),
    ),
    Rule(
        frozenset({"token", "status", "lookup"}),
        (500, 502, 503, 504),
        A.MAY_HAVE_ARRIVED,
        "a server failure: asked again",
    ),
    Rule(
        PUSH,
        (500, 502, 503, 504),
        A.MAY_HAVE_ARRIVED,
        "a server failure, a timeout, a 504 or an unrecognised body: never pushed again; "
        "unknown until a person checks",
    ),
)

TABLE = AnswerTable("M-Pesa", RULES, read)
