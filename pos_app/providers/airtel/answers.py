"""Every documented Airtel Money answer and what it means (reference airtel-api.md §5).

Airtel answers most refusals with HTTP 200 and `status.success: false`: its rows match the
code in the body's `status` as much as the HTTP status. A push is recognised when sent again
with the same transaction id (ESB000041), so an answer that may have arrived is sent again
like one that was not processed.
"""

from __future__ import annotations

from dataclasses import dataclass

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
NOT_PUSH: frozenset[Call] = frozenset({"token", "status", "lookup"})

# The ESB code says more than the collection code where both come: a resent id is
# DP00800001000 ("ambiguous") and ESB000041 ("already exists").
DECIDING_RESULT_CODES = frozenset(
    {"ESB000001", "ESB000004", "ESB000014", "ESB000041", "ESB000045", "0000900"}
)
CONFIG_CODES = (
    "DP00800001026",  # signing refused (or an expired encryption key)
    "ESB000034",
    "ESB000035",
    "ESB000039",
    "ROUTER001",
    "ROUTER005",
    "ROUTER006",
    "ROUTER007",
    "ROUTER110",
    "ROUTER112",
    "ROUTER119",
)
# The push may have been taken: asked about by our id (and sent again with it).
MAYBE_CODES = ("DP00800001000", "DP00800001024", "ESB000001", "ESB000004", "0000900", "ROUTER117")
# Refused as sent: a wrong amount or number, or the customer's wallet said no at once.
REFUSED_CODES = (
    "DP00800001002",
    "DP00800001003",
    "DP00800001004",
    "DP00800001005",
    "DP00800001007",
    "DP00800001008",
    "DP00800001009",
    "DP00800001010",
    "DP00800001029",
    "ESB000008",
    "ESB000011",
    "ESB000033",
    "ESB000036",
    "ROUTER003",
)
NOT_FOUND_CODES = ("DP00800001025", "ESB000045")


def read(response: httpx.Response) -> Said:
    """Any of Airtel's shapes: the `status` envelope, OAuth's {error}, the router's
    {status_code, status_message}; a body that is not JSON (a firewall's page) says nothing
    but its words."""
    body = json_body(response)
    if not isinstance(body, dict):
        return Said(None, preview(response) if response.content else "", page=page(response))
    status = body.get("status")
    if isinstance(status, dict):
        response_code, result_code = (
            _code(status.get("response_code")),
            _code(status.get("result_code")),
        )
        code = result_code if result_code in DECIDING_RESULT_CODES else None
        return Said(code or response_code or result_code, str(status.get("message") or ""))
    if "error" in body:
        return Said(_code(body.get("error")), str(body.get("error_description") or ""))
    return Said(_code(body.get("status_code")), str(body.get("status_message") or ""), gateway=True)


def _code(value: object) -> str | None:
    if value is None or isinstance(value, bool | dict | list):
        return None
    text = str(value).strip()
    return text.upper() or None


# Rows the client acts on by name.
BAD_CLIENT = Rule(
    TOKEN,
    (400, 401),
    A.CREDENTIALS,
    "wrong client id or secret, or the app is not approved yet (`invalid_client`)",
)


@dataclass(frozen=True)
class _TokenRule(Rule):
    """Any 401, and a 403 that says `invalid_token`: [121]'s mock of Airtel Zambia answers an
    expired token with 403 (§1.3), while a bare 403 is the IP allow list or a firewall."""

    def matches(self, call: Call, status: int, said: Said) -> bool:
        return call in self.calls and (
            status == 401 or (status == 403 and said.code == "INVALID_TOKEN")
        )


TOKEN_REFUSED = _TokenRule(
    BUSINESS,
    (401, 403),
    A.CREDENTIALS,
    "access token refused (`invalid_token`; a 403 only with that code; it lives 180 s): a "
    "fresh one is fetched once and the request sent again with the same transaction id; "
    "refused again, a person must act",
)
DECLINED = Rule(
    ALL_CALLS,
    (403,),
    A.CREDENTIALS,
    "declined: this computer's address is not on the app's Server IP Allowed List (set a "
    "proxy with a fixed address), or a firewall or signing refused it",
)
ACCEPTED = Rule(
    PUSH,
    (200,),
    A.FINAL,
    "`DP00800001006` (`data.transaction.status` SUCCESS): the prompt is on its way, not paid",
    codes=("DP00800001006",),
    result="accepted",
)
ALREADY = Rule(
    PUSH,
    (),
    A.FINAL,
    "`ESB000041`: this transaction id arrived before: the first attempt was taken",
    codes=("ESB000041",),
    result="already existed",
)
MAYBE = Rule(
    PUSH,
    (200,),
    A.FINAL,
    "ambiguous (`DP00800001000`, timed out, `ESB000001`/`004`, `ROUTER117`): asked about by "
    "our transaction id, never charged anew",
    codes=MAYBE_CODES,
    result="may have arrived",
)
NOT_FOUND = Rule(
    STATUS,
    (200, 404),
    A.FINAL,
    "no such transaction (`DP00800001025`, `ESB000045`): an accepted push is asked about for "
    "90 s (it may not be visible yet), then it never arrived; one whose answer was lost is "
    "sent again with the same id",
    codes=NOT_FOUND_CODES,
    result="not found",
)
# The currency header picks the wallet: "Missing request header 'x-wallet-id'" (observed in
# Zambia, [121] mock, §1.4) means no wallet of that currency for this app, not a wrong field.
NO_WALLET = Rule(
    ALL_CALLS,
    (),
    A.CREDENTIALS,
    "`ESB000008` \"Missing request header 'x-wallet-id'\": no wallet of this currency for the app",
    words=("x-wallet-id",),  # alone: a row prints its codes and words as alternatives
)

RULES = (
    Rule(NOT_PUSH, (429,), A.NOT_PROCESSED, "too many requests: asked again after a pause"),
    Rule(
        PUSH,
        (429,),
        A.MAY_HAVE_ARRIVED,
        "too many requests: sent again later with the same transaction id (whether a limited "
        "push was taken is not documented)",
    ),
    Rule(TOKEN, (200,), A.FINAL, "an access token, kept until 30 s before it expires"),
    BAD_CLIENT,
    TOKEN_REFUSED,
    DECLINED,
    Rule(
        ALL_CALLS,
        (),
        A.CREDENTIALS,
        "country, currency, wallet or signing not set up for this app (`ROUTER00x`, "
        "`ESB000034`/`035`/`039`, `DP00800001026`)",
        codes=CONFIG_CODES,
    ),
    NO_WALLET,
    Rule(
        frozenset({"token", "push"}),
        (404, 405),
        A.CREDENTIALS,
        "no such address: check airtel.base_url",
    ),
    Rule(
        ALL_CALLS,
        (408, 500, 502, 504),
        A.MAY_HAVE_ARRIVED,
        "a time-out or server failure (`I/O Exception`): sent again with the same transaction "
        "id (a question: asked again)",
    ),
    Rule(
        ALL_CALLS,
        (503,),
        A.MAY_HAVE_ARRIVED,
        "maintenance (often an HTML page): sent again with the same transaction id",
    ),
    ACCEPTED,
    ALREADY,
    MAYBE,
    Rule(
        PUSH,
        (),
        A.FINAL,
        "refused as sent (amount, number, barred wallet, wrong PIN...): the reason is shown",
        codes=REFUSED_CODES,
        result="refused",
    ),
    NOT_FOUND,
    Rule(
        STATUS,
        (200,),
        A.FINAL,
        "`data.transaction.status` decides: TS paid (with `airtel_money_id`), TF failed with its "
        "code, TE expired; TIP, TA and anything new: still in progress",
    ),
    Rule(LOOKUP, (200,), A.FINAL, "the account holder's answer (or the encryption key)"),
    Rule(TOKEN, (500, 502, 504), A.MAY_HAVE_ARRIVED, "a server failure: asked again"),
)

TABLE = AnswerTable("Airtel", RULES, read)
