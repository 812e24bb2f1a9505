"""The providers' answer tables: what the clients and the engine act on, and what the README
prints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from pos_app.providers.airtel.answers import DECLINED, NOT_FOUND, TOKEN_REFUSED
from pos_app.providers.airtel.answers import TABLE as AIRTEL
from pos_app.providers.answers import Answer, AnswerTable, Call
from pos_app.providers.mpesa.answers import TABLE as MPESA
from pos_app.providers.mtn.answers import TABLE as MTN

README = Path(__file__).parents[2] / "README.md"
APIGEE_FAULT = {
    "fault": {
        "faultstring": "Unexpected EOF at target",
        "detail": {"errorcode": "messaging.adaptors.http.flow.UnexpectedEOFAtTarget"},
    }
}


APIGEE_UNAVAILABLE = {
    "fault": {
        "faultstring": "The Service is temporarily unavailable",
        "detail": {"errorcode": "messaging.adaptors.http.flow.ServiceUnavailable"},
    }
}
INCAPSULA_PAGE = (
    '<html style="height:100%"><head><META NAME="ROBOTS" CONTENT="NOINDEX, NOFOLLOW">'
    + "<script>/* ... */</script>" * 20
    + "</head><body>Request unsuccessful. Incapsula incident ID: 1730-8199</body></html>"
)


def airtel(
    response_code: str | None, result_code: str | None = None, code: str | int = "500"
) -> dict[str, object]:
    """Airtel's envelope (§1.5): `status.code` is HTTP-like, a string or a number."""
    status: dict[str, object] = {"code": code, "success": False, "message": "m"}
    if response_code:
        status["response_code"] = response_code
    if result_code:
        status["result_code"] = result_code
    return {"status": status}


AIRTEL_INVALID_TOKEN = {
    "error_description": "The access token is invalid or has expired",
    "error": "invalid_token",
}


def daraja(code: str, message: str) -> dict[str, str]:
    return {"requestId": "1-2-3", "errorCode": code, "errorMessage": message}


def mtn(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def answer(table: AnswerTable, call: Call, status: int, body: Any = None) -> Answer:
    response = (
        httpx.Response(status, json=body)
        if body is not None and not isinstance(body, str)
        else httpx.Response(status, text=body or "")
    )
    return table.rule(call, response).answer


@pytest.mark.parametrize("table", [MTN, MPESA, AIRTEL], ids=["mtn", "mpesa", "airtel"])
def test_the_readme_prints_the_tables_the_code_acts_on(table: AnswerTable) -> None:
    assert table.markdown() in README.read_text(encoding="utf-8"), (
        "README.md is out of date: rewrite its answer tables from pos_app/providers/*/answers.py"
    )


@pytest.mark.parametrize("table", [MTN, MPESA, AIRTEL], ids=["mtn", "mpesa", "airtel"])
@pytest.mark.parametrize(
    "body", [{"code": "TEAPOT", "errorCode": "418.0", "errorMessage": "?"}, "<html>", None]
)
def test_an_answer_no_row_knows_is_cautious_for_a_push_and_asked_again_for_a_status(
    table: AnswerTable, body: Any
) -> None:
    assert answer(table, "push", 418, body) is Answer.MAY_HAVE_ARRIVED
    assert answer(table, "status", 418, body) is Answer.KEEP_ASKING
    assert answer(table, "status", 299, body) is Answer.FINAL  # a success is read, not retried


@pytest.mark.parametrize(
    ("table", "status", "body", "expected"),
    [
        (
            MPESA,
            503,
            daraja("503.001.01", "Service is currently unreachable"),
            Answer.NOT_PROCESSED,
        ),
        (MPESA, 502, APIGEE_FAULT, Answer.MAY_HAVE_ARRIVED),  # EOF after the service took it
        (MPESA, 503, APIGEE_UNAVAILABLE, Answer.NOT_PROCESSED),
        (MPESA, 503, INCAPSULA_PAGE, Answer.NOT_PROCESSED),
        (MPESA, 500, daraja("500.003.02", "Spike Arrest Violation"), Answer.NOT_PROCESSED),
        (MPESA, 503, None, Answer.MAY_HAVE_ARRIVED),
        (MPESA, 504, daraja("504.001.01", "Gateway timeout"), Answer.MAY_HAVE_ARRIVED),
        (MPESA, 500, daraja("500.003.1001", "Internal Server Error"), Answer.MAY_HAVE_ARRIVED),
        (MPESA, 500, daraja("500.001.1001", ""), Answer.MAY_HAVE_ARRIVED),
        (MPESA, 500, daraja("500.001.1001", "Wrong credentials"), Answer.CREDENTIALS),
        (
            MTN,
            503,
            mtn("SERVICE_UNAVAILABLE", "Service temporarily unavailable"),
            Answer.NOT_PROCESSED,
        ),
        (MTN, 503, None, Answer.NOT_PROCESSED),
        (MTN, 500, None, Answer.MAY_HAVE_ARRIVED),
        (MTN, 500, mtn("INTERNAL_PROCESSING_ERROR", "x"), Answer.MAY_HAVE_ARRIVED),
        (MTN, 504, None, Answer.MAY_HAVE_ARRIVED),
        (MTN, 500, mtn("PAYER_NOT_FOUND", "x"), Answer.FINAL),
        (MTN, 500, mtn("NOT_ALLOWED_TARGET_ENVIRONMENT", "x"), Answer.CREDENTIALS),
        (
            AIRTEL,
            408,
            {"status_message": "I/O Exception", "status_code": "CONNECTION_TIMEOUT"},
            Answer.MAY_HAVE_ARRIVED,
        ),
        (AIRTEL, 500, None, Answer.MAY_HAVE_ARRIVED),
        (AIRTEL, 502, INCAPSULA_PAGE, Answer.MAY_HAVE_ARRIVED),
        (AIRTEL, 503, "<html>503 Service Temporarily Unavailable</html>", Answer.MAY_HAVE_ARRIVED),
        (AIRTEL, 504, None, Answer.MAY_HAVE_ARRIVED),
        (AIRTEL, 429, None, Answer.MAY_HAVE_ARRIVED),
        (AIRTEL, 400, None, Answer.MAY_HAVE_ARRIVED),  # no code: the same id is safe to resend
        (AIRTEL, 200, airtel("DP00800001000", "ESB000041"), Answer.FINAL),
        (AIRTEL, 200, airtel("DP00800001000"), Answer.FINAL),  # read by the client: a maybe
        (AIRTEL, 200, airtel("DP00800001004", "ESB000008", 400), Answer.FINAL),
        (AIRTEL, 400, airtel("DP00800001010", None, 400), Answer.FINAL),
        (AIRTEL, 200, airtel(None, "ROUTER006", 400), Answer.CREDENTIALS),
        (AIRTEL, 200, airtel("DP00800001026", None, 401), Answer.CREDENTIALS),
        (
            AIRTEL,
            400,
            {"status_message": "Partner x not found", "status_code": "ROUTER110"},
            Answer.CREDENTIALS,
        ),
        (AIRTEL, 401, AIRTEL_INVALID_TOKEN, Answer.CREDENTIALS),
        (AIRTEL, 403, INCAPSULA_PAGE, Answer.CREDENTIALS),
    ],
)
def test_a_push_is_sent_again_only_when_the_answer_proves_it_was_not_taken(
    table: AnswerTable, status: int, body: Any, expected: Answer
) -> None:
    assert answer(table, "push", status, body) is expected


@pytest.mark.parametrize(
    ("table", "body", "expected"),
    [
        (MPESA, daraja("500.001.1001", "The transaction is being processed"), Answer.FINAL),
        (MPESA, daraja("500.001.1001", ""), Answer.KEEP_ASKING),
        (MPESA, daraja("500.001.1001", "Something new"), Answer.KEEP_ASKING),
        (MPESA, daraja("500.001.1001", "Wrong credentials"), Answer.CREDENTIALS),
        (MTN, mtn("SOMETHING_NEW", "x"), Answer.KEEP_ASKING),
        (AIRTEL, airtel(None, "ESB000014", 500), Answer.MAY_HAVE_ARRIVED),  # asked again
        (AIRTEL, {"status_message": "?", "status_code": "SOMETHING_NEW"}, Answer.MAY_HAVE_ARRIVED),
    ],
)
def test_a_status_answer_not_understood_is_asked_again(
    table: AnswerTable, body: Any, expected: Answer
) -> None:
    assert answer(table, "status", 500, body) is expected


def test_mtn_token_login_failed_is_credentials_whether_401_or_500() -> None:
    for status in (401, 500):
        assert answer(MTN, "token", status, {"error": "login_failed"}) is Answer.CREDENTIALS
    gateway = {"statusCode": 401, "message": "Access denied due to invalid subscription key."}
    assert answer(MTN, "push", 401, gateway) is Answer.CREDENTIALS
    assert answer(MTN, "token", 500, {"error": "something else"}) is Answer.MAY_HAVE_ARRIVED


@pytest.mark.parametrize("table", [MTN, MPESA, AIRTEL], ids=["mtn", "mpesa", "airtel"])
def test_a_success_is_read_never_sent_again_whatever_it_says(table: AnswerTable) -> None:
    for body in (daraja("500.003.02", "Spike Arrest Violation"), INCAPSULA_PAGE):
        for call in ("push", "status", "token"):
            assert answer(table, call, 200, body) is Answer.FINAL


@pytest.mark.parametrize(
    ("status", "body", "rule"),
    [
        (401, AIRTEL_INVALID_TOKEN, TOKEN_REFUSED),
        (
            401,
            {"error": "invalid_request", "error_description": "The access token is missing"},
            TOKEN_REFUSED,
        ),
        (401, None, TOKEN_REFUSED),
        # [121]'s mock (observed in Zambia) answers an expired token with 403 (§1.3).
        (403, AIRTEL_INVALID_TOKEN, TOKEN_REFUSED),
        (403, INCAPSULA_PAGE, DECLINED),
        (403, airtel("ROUTER007", None, 403), DECLINED),
        (403, None, DECLINED),
    ],
)
def test_airtel_refreshes_the_token_only_when_airtel_says_it_is_the_token(
    status: int, body: Any, rule: object
) -> None:
    for call in ("push", "status", "lookup"):
        response = (
            httpx.Response(status, json=body)
            if body is not None and not isinstance(body, str)
            else httpx.Response(status, text=body or "")
        )
        assert AIRTEL.rule(call, response) is rule


@pytest.mark.parametrize("status", [200, 404])
@pytest.mark.parametrize(
    "body", [airtel("DP00800001025", None, "404"), airtel(None, "ESB000045", 404)]
)
def test_airtel_not_found_is_final_for_an_enquiry_whatever_the_http_status(
    status: int, body: Any
) -> None:
    assert AIRTEL.rule("status", httpx.Response(status, json=body)) is NOT_FOUND
