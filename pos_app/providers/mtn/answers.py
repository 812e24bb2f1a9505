"""Every documented MTN MoMo answer and what it means (../shared/reference/momo-api.md §2).

Every MTN request is idempotent (a creation carries its X-Reference-Id, and a resend of one
that arrived is answered 409), so "may have arrived" and "not processed" are both sent again;
they differ in what is known once the attempts run out.
"""

from __future__ import annotations

import httpx

from pos_app.providers.answers import (
    ALL_CALLS,
    LOOKUP,
    PUSH,
    STATUS,
    TOKEN,
    Answer,
    AnswerTable,
    Call,
    Rule,
    Said,
    json_body,
    page,
    preview,
)

A = Answer
BUSINESS: frozenset[Call] = frozenset({"push", "status", "lookup"})

CONFIG_CODES = (
    "NOT_ALLOWED_TARGET_ENVIRONMENT",
    "INVALID_CALLBACK_URL_HOST",
    "INVALID_CURRENCY",
    "FORBIDDEN_IP",
    "ACCESS_DENIED",
)
# A 500 that says nothing definite: the service may have failed half way.
PASSING_CODES = (None, "INTERNAL_PROCESSING_ERROR")


def read(response: httpx.Response) -> Said:
    """Any of MTN's error shapes: {code, message}, the token's {error}, the gateway's
    {statusCode, message}; an empty or non-JSON body says nothing."""
    body = json_body(response)
    if not isinstance(body, dict):
        return Said(None, preview(response) if response.content else "", page=page(response))
    code = body.get("code") or body.get("error")
    message = body.get("message") or body.get("error_description") or ""
    return Said(str(code) if code else None, str(message), gateway="statusCode" in body)


# Rows the client acts on by name.
GATEWAY_REFUSED = Rule(
    ALL_CALLS,
    (401,),
    A.CREDENTIALS,
    "the API gateway refused the subscription key (wrong product's key, or inactive)",
    gateway=True,
)
LOGIN_FAILED = (
    Rule(TOKEN, (401,), A.CREDENTIALS, "wrong API user or API key (`login_failed`)"),
    Rule(
        TOKEN,
        (500,),
        A.CREDENTIALS,
        "wrong API user or API key: what the live API sends (laravel-mtn-momo #46)",
        codes=("login_failed",),
    ),
)
TOKEN_REFUSED = Rule(
    BUSINESS,
    (401,),
    A.CREDENTIALS,
    "access token refused: a fresh one is fetched once and the request sent again with "
    "the same X-Reference-Id; refused again, a person must check the keys",
)

RULES = (
    Rule(ALL_CALLS, (429,), A.NOT_PROCESSED, "too many requests: sent again after Retry-After"),
    GATEWAY_REFUSED,
    Rule(TOKEN, (200,), A.FINAL, "an access token, kept until shortly before it expires"),
    LOGIN_FAILED[0],
    Rule(TOKEN, (400,), A.CREDENTIALS, "the token call refused as sent"),
    LOGIN_FAILED[1],
    TOKEN_REFUSED,
    Rule(ALL_CALLS, (403,), A.CREDENTIALS, "not allowed (IP not whitelisted, product off)"),
    Rule(
        frozenset({"token", "push"}),
        (404,),
        A.CREDENTIALS,
        "no such address: check mtn.base_url",
    ),
    Rule(
        ALL_CALLS,
        (),
        A.CREDENTIALS,
        "wrong target environment, callback host, currency or account set-up",
        codes=CONFIG_CODES,
    ),
    Rule(
        ALL_CALLS,
        (500, 503),
        A.NOT_PROCESSED,
        "service unavailable: refused before processing",
        codes=("SERVICE_UNAVAILABLE",),
    ),
    Rule(
        ALL_CALLS,
        (503,),
        A.NOT_PROCESSED,
        "service unavailable: refused before processing; a push is sent again (same "
        "X-Reference-Id) within the charge's deadline",
    ),
    Rule(PUSH, (202,), A.FINAL, "accepted: the prompt is on its way", result="accepted"),
    Rule(
        PUSH,
        (409,),
        A.FINAL,
        "this X-Reference-Id arrived before: the first attempt was taken",
        result="already existed",
    ),
    Rule(
        PUSH,
        (400,),
        A.FINAL,
        "a field refused as sent: sending again cannot help",
        result="refused",
    ),
    Rule(
        BUSINESS,
        (500, 502, 504),
        A.MAY_HAVE_ARRIVED,
        "a server failure with no definite answer: sent again with the same X-Reference-Id "
        "(a question: asked again)",
        codes=PASSING_CODES,
    ),
    Rule(
        PUSH,
        (500,),
        A.FINAL,
        "a definite refusal (PAYER_NOT_FOUND, NOT_ENOUGH_FUNDS, ...): the reason is shown",
        result="refused",
    ),
    Rule(
        STATUS,
        (200,),
        A.FINAL,
        "SUCCESSFUL (believed only if amount, currency, number and externalId agree), "
        "FAILED with its reason, or still in progress (PENDING, CREATED, ONGOING, anything new)",
    ),
    Rule(STATUS, (404,), A.FINAL, "no such request: it never arrived", result="not found"),
    Rule(LOOKUP, (200,), A.FINAL, "the account holder's answer"),
    Rule(LOOKUP, (404,), A.FINAL, "no such account holder", result="not found"),
    Rule(LOOKUP, (400,), A.FINAL, "not a number MTN accepts", result="refused"),
    Rule(TOKEN, (500, 502, 504), A.MAY_HAVE_ARRIVED, "a server failure: asked again"),
)

TABLE = AnswerTable("MTN", RULES, read)
