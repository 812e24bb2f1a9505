"""What an MTN answer means to the call that got it: the result, or the error it stands for.

The client decides what to ask and how often; these only read what came back, by the answer
table's row first and the body second."""

from __future__ import annotations

from pos_app.domain.errors import Text
from pos_app.platform.secret import Secret
from pos_app.providers.answers import Answer
from pos_app.providers.base import (
    ConfigurationProblem,
    MalformedResponse,
    ProviderError,
    RemoteStatus,
    StatusReport,
    Submission,
    UnclearAnswer,
)
from pos_app.providers.http import Reply, error_for
from pos_app.providers.mtn.answers import GATEWAY_REFUSED, LOGIN_FAILED, read
from pos_app.providers.mtn.parsing import json_object, status_report
from pos_app.providers.mtn.reasons import CATALOG
from pos_app.providers.tokens import Token


def gateway_refusal(product: str) -> Text:
    return Text(
        "MTN refused the {product} subscription key (is it the key of the {title} "
        "product, and is the subscription active?)",
        product=product,
        title=product.title(),
    )


def access_token(reply: Reply, product: str) -> Token:
    response = reply.response
    if reply.rule is GATEWAY_REFUSED:
        raise ConfigurationProblem(gateway_refusal(product))
    if reply.rule in LOGIN_FAILED:
        raise ConfigurationProblem(
            Text(
                "MTN refused the {product} API user or API key ({code}): in Settings, "
                "or the keyring entries mtn.api_user and mtn.api_key (MTN_MOMO_API_USER, "
                "MTN_MOMO_API_KEY), enter the pair made for this environment",
                product=product,
                code=read(response).code or f"HTTP {response.status_code}",
            )
        )
    if response.status_code != 200:
        raise unexpected(reply, f"{product} token")
    body = json_object(response)
    token, expires_in = body.get("access_token"), body.get("expires_in", 3600)
    if not isinstance(token, str) or not token:
        raise MalformedResponse("MTN token answer has no access_token")
    try:
        seconds = float(expires_in)
    except (TypeError, ValueError) as exc:
        raise MalformedResponse("MTN token answer has an unreadable expires_in") from exc
    return Token(Secret(token), seconds)


def unexpected(reply: Reply, what: str) -> ProviderError:
    """The error an answer other than the expected one stands for, by the table."""
    response, answer = reply.response, reply.rule.answer
    said = read(response)
    if said.code:
        detail = f" ({said.code}: {said.message})" if said.message else f" ({said.code})"
    else:
        detail = f" ({said.message})" if said.message else ""
    text = Text(
        "MTN answered HTTP {status} to {what}{detail}",
        status=response.status_code,
        what=what,
        detail=detail,
    )
    if answer is Answer.CREDENTIALS and response.status_code == 404:
        text = Text(
            "MTN answered HTTP {status} to {what} (check mtn.base_url)",
            status=response.status_code,
            what=what,
        )
    # A 400 names a field, not a reason the cashier can act on.
    known = said.code and response.status_code != 400
    return error_for(reply, said, text, CATALOG.lookup(said.code) if known else None)


def submission(reply: Reply, what: str) -> Submission:
    if reply.response.status_code == 202:
        return Submission()
    if reply.response.status_code == 409:
        # The same id arrived before (a lost answer, or a resend after a crash).
        return Submission(already_existed=True)
    raise unexpected(reply, what)


def status(reply: Reply, product: str, *, party_key: str, expected: dict[str, str]) -> StatusReport:
    response = reply.response
    if response.status_code == 404:
        return StatusReport(RemoteStatus.NOT_FOUND, detail={"status": "RESOURCE_NOT_FOUND"})
    if response.status_code != 200:
        raise unexpected(reply, f"a {product} status query")
    try:
        return status_report(json_object(response), party_key=party_key, expected=expected)
    except MalformedResponse as exc:
        raise UnclearAnswer(str(exc), {"http": 200, "message": str(exc)}) from exc


def account_active(reply: Reply) -> bool:
    if reply.response.status_code != 200:
        raise unexpected(reply, "an account holder check")
    result = json_object(reply.response).get("result")
    if not isinstance(result, bool):
        raise MalformedResponse("MTN account holder answer has no true/false result")
    return result


def user_name(reply: Reply) -> str | None:
    if reply.response.status_code == 404:
        return None
    if reply.response.status_code != 200:
        raise unexpected(reply, "a basic user info query")
    body = json_object(reply.response)
    name = body.get("name")
    if not name:
        parts = [body.get("given_name"), body.get("family_name")]
        name = " ".join(str(p) for p in parts if p)
    return str(name) if name else None


def balance(reply: Reply) -> tuple[str, str]:
    if reply.response.status_code != 200:
        raise unexpected(reply, "a balance query")
    body = json_object(reply.response)
    amount, currency = body.get("availableBalance"), body.get("currency")
    if amount is None or not isinstance(currency, str):
        raise MalformedResponse("MTN balance answer lacks availableBalance or currency")
    return str(amount), currency


def notified(reply: Reply) -> None:
    if not reply.response.is_success:
        raise unexpected(reply, "a delivery notification")
