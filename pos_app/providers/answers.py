"""What a provider's answer means: one table per provider, read top to bottom, first row wins.

The HTTP layer retries on it, the clients raise on it and the engine acts on what they raise,
so a newly documented answer is one new row. The README prints the same rows (`markdown`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

import httpx

Call = Literal["token", "push", "status", "lookup"]
CALLS: tuple[Call, ...] = ("token", "push", "status", "lookup")
ALL_CALLS: frozenset[Call] = frozenset(CALLS)
TOKEN: frozenset[Call] = frozenset({"token"})
PUSH: frozenset[Call] = frozenset({"push"})
STATUS: frozenset[Call] = frozenset({"status"})
LOOKUP: frozenset[Call] = frozenset({"lookup"})


class Answer(StrEnum):
    FINAL = "final answer"
    NOT_PROCESSED = "not processed: safe to send again"
    MAY_HAVE_ARRIVED = "may have arrived"
    CREDENTIALS = "credentials or configuration"
    KEEP_ASKING = "not understood: keep asking"


# Failures of the exchange, not answers: sent again where that is safe.
RETRIED = frozenset({Answer.NOT_PROCESSED, Answer.MAY_HAVE_ARRIVED})


@dataclass(frozen=True)
class Said:
    """The error part of an answer, whatever shape the provider gave it."""

    code: str | None = None
    message: str = ""
    gateway: bool = False  # the API gateway answered, not the provider's own service
    page: str = ""  # a body that is not JSON (a firewall's HTML page), for its words only


@dataclass(frozen=True)
class Rule:
    calls: frozenset[Call]
    statuses: tuple[int, ...]  # empty: any status
    answer: Answer
    meaning: str
    # Any of these error codes ("503.*": any starting so; None: no code; empty: any code).
    codes: tuple[str | None, ...] = ()
    words: tuple[str, ...] = ()  # the message contains one of these, any case (empty: any)
    gateway: bool | None = None  # True: only a gateway's body; None: either
    result: str = ""  # for a final answer, what it says: refused, pending, not found...

    def matches(self, call: Call, status: int, said: Said) -> bool:
        message = f"{said.message}\n{said.page}".lower()
        return (
            call in self.calls
            and (not self.statuses or status in self.statuses)
            and (not self.codes or any(_same_code(said.code, c) for c in self.codes))
            and (not self.words or any(word in message for word in self.words))
            and (self.gateway is None or self.gateway == said.gateway)
        )

    def row(self) -> str:
        calls = "any" if self.calls == ALL_CALLS else ", ".join(sorted(self.calls))
        statuses = ", ".join(str(s) for s in self.statuses) or "any"
        given = [f"`{c or 'none'}`" for c in self.codes]
        given += [f'"{w}"' for w in self.words]
        if self.gateway:
            given.append("gateway body")
        answer = f"{self.answer.value}" + (f" ({self.result})" if self.result else "")
        said = " or ".join(given) or "any"
        return f"| {calls} | {statuses} | {said} | {answer} | {self.meaning} |"


def _same_code(code: str | None, wanted: str | None) -> bool:
    if code is not None and wanted is not None and wanted.endswith("*"):
        return code.startswith(wanted[:-1])
    return code == wanted


def fallback(call: Call) -> Rule:
    """An answer no row knows: cautious for a push, asked again for a status question."""
    if call == "status":
        return Rule(
            ALL_CALLS,
            (),
            Answer.KEEP_ASKING,
            "anything else: recorded once, asked again with backoff until settled or expired",
        )
    return Rule(
        ALL_CALLS,
        (),
        Answer.MAY_HAVE_ARRIVED,
        "anything else: never sent again without proof that it did not arrive"
        if call == "push"
        else "anything else: asked again",
    )


@dataclass(frozen=True)
class AnswerTable:
    provider: str
    rules: tuple[Rule, ...]
    read: Callable[[httpx.Response], Said]

    def rule(self, call: Call, response: httpx.Response) -> Rule:
        said = self.read(response)
        for rule in self.rules:
            # A success is never sent again, whatever words it carries: the client reads it.
            if response.is_success and rule.answer in RETRIED:
                continue
            if rule.matches(call, response.status_code, said):
                return rule
        if response.is_success:
            return Rule(ALL_CALLS, (), Answer.FINAL, "a success")
        return fallback(call)

    def markdown(self) -> str:
        header = (
            "| call | HTTP | error code or message | answer | what it means, what pos-app does |\n"
            "|---|---|---|---|---|\n"
        )
        rows = [rule.row() for rule in self.rules]
        for call in CALLS:
            rule = fallback(call)
            rows.append(f"| {call} | other | any | {rule.answer.value} | {rule.meaning} |")
        return header + "\n".join(rows) + "\n"


def json_body(response: httpx.Response) -> object:
    """The decoded body, or None when it is empty or not JSON (a gateway's HTML page)."""
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def preview(response: httpx.Response) -> str:
    text = response.text[:80].replace("\n", " ")
    return repr(text) if text else "empty"


def page(response: httpx.Response) -> str:
    """The start of a body that is not JSON, where a firewall's page says who refused."""
    return response.text[:4000]


def unclear(response: httpx.Response, said: Said) -> dict[str, object]:
    """What to record of an answer that was not understood (error fields, never headers)."""
    answer: dict[str, object] = {"http": response.status_code}
    if said.code:
        answer["code"] = said.code
    if said.message or said.code:
        answer["message"] = said.message  # not the body: its request id changes every time
    else:
        answer["body"] = preview(response)
    return answer
