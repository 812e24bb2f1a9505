"""What a provider's payment callback says, read strictly and without I/O.

Providers sign none of these bodies (../shared/reference/callbacks.md §1.1, §5.1, §6): anyone who
knows a URL can post one. So a parser only reads: it never decides that money moved. What it
reads is a `Notice`; what looked odd goes in `Notice.problems` rather than being fixed up, and
a body the route cannot take at all raises `MalformedCallback`. Each provider package lists its
routes as `ROUTES` in its own `callbacks` module.
"""

from __future__ import annotations

import codecs
import ipaddress
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

# Daraja refuses URLs containing these words, in any case (callbacks.md §3); the same pointers
# are said to apply to every Daraja callback URL, so no route of any provider uses them.
REFUSED_IN_URLS = re.compile(r"mpesa|m-pesa|safaricom|exe|exec|cmd|sql|query", re.IGNORECASE)
_PATH = re.compile(r"[a-z0-9_-]+(?:/[a-z0-9_-]+)*")
_METHODS = frozenset({"POST", "PUT"})

# No real payment comes near this; a bigger number is a forgery or a unit mistake.
AMOUNT_LIMIT = Decimal(10**12)
_CENTS = Decimal("0.01")
_AMOUNT_TEXT = re.compile(r"[0-9]+(?:\.[0-9]+)?")
# Ids become database keys: longer than this is not an id any provider issues.
MAX_ID = 128
MAX_ACCOUNT = 100
MAX_CODE = 40  # result codes and status words are short: "1032", "NOT_ENOUGH_FUNDS", "TS"
MAX_DISPLAY = 500  # a description shown on a till
# A string (closed or running to the end: then the JSON parser refuses it anyway) or a bracket.
# Possessive, so an unterminated string costs one pass, not one per quote.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*+"?|[\[\]{}]', re.DOTALL)
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class CallbackKind(StrEnum):
    OUTCOME = "outcome"  # a push's or a refund's final result
    CUSTOMER_PAYMENT = "customer_payment"  # Daraja C2B confirmation: a customer paid the till
    VALIDATION = "validation"  # Daraja C2B validation: asked before the payment completes


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class MalformedCallback(ValueError):
    """The body is not what the route takes. The message says what in plain English; of the
    body it quotes at most a key or a short status word, never customer data or a token."""


@dataclass(frozen=True)
class Notice:
    """What a callback says, read strictly; nothing in it is trusted yet (a status query
    confirms it where one exists)."""

    # CheckoutRequestID / MTN's X-Reference-Id from the URL / Airtel transaction.id / TransID
    request_id: str | None
    outcome: Outcome | None  # None when the status cannot be read: nothing is relayed then
    code: str | None  # the provider's raw result code, as text ("0", "1032", "TS")
    description: str = ""  # display only: never branched on
    amount: Decimal | None = None
    phone: str | None = None  # as given: digits, masked or hashed; never a number
    receipt_code: str | None = None
    merchant_request_id: str | None = None
    shortcode: str | None = None
    payer_name: str | None = None
    account: str | None = None  # typed by the customer: untrusted, kept as given (capped)
    paid_at: str | None = None  # the provider's local time, verbatim (timezone unstated)
    # What was odd but not fatal: flagged for a person or a status query, never applied blindly.
    problems: tuple[str, ...] = ()


Parser = Callable[[Any, str | None], Notice]


@dataclass(frozen=True)
class CallbackRoute:
    path: str  # chosen by the provider package, e.g. "daraja/stk"; the hub adds its own prefix
    kind: CallbackKind
    methods: tuple[str, ...]
    per_request: bool  # the request id comes from the URL (MTN puts none in the body)
    parse: Parser  # (decoded JSON, request id from the URL or None) -> Notice
    answer: Mapping[str, Any] | None  # the JSON the provider expects once stored; None: empty 200
    sources: tuple[str, ...] = ()  # published source networks: a signal, never proof (§4)

    def __post_init__(self) -> None:
        # A path Daraja would refuse fails at import, not when a URL is first registered.
        if not _PATH.fullmatch(self.path) or REFUSED_IN_URLS.search(self.path):
            raise ValueError(f"callback path {self.path!r} is not a usable URL part")
        if not self.methods or not set(self.methods) <= _METHODS:
            raise ValueError(f"callback methods {self.methods!r} are not POST/PUT")
        for network in self.sources:
            ipaddress.ip_network(network, strict=True)

    def read(self, raw: bytes, request_id: str | None = None) -> Notice:
        """The raw body (stored by the caller first) read as this route's notice."""
        return self.parse(read_json(raw), request_id)


def read_json(raw: bytes, *, max_depth: int = 32) -> Any:
    """Strict JSON: UTF-8 without a byte-order mark, no repeated keys, no NaN or Infinity,
    numbers with a point or exponent as Decimal (never float), at most `max_depth` nested
    arrays/objects. Anything else raises MalformedCallback, never another exception."""
    if not raw.strip():
        raise MalformedCallback("the body is empty")
    if raw.startswith(_BOMS):
        raise MalformedCallback("the body starts with a byte-order mark")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedCallback("the body is not UTF-8 text") from exc
    _check_depth(text, max_depth)
    try:
        return json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_float=Decimal,
            parse_constant=_no_constant,
        )
    except MalformedCallback:
        raise
    # RecursionError cannot happen after _check_depth, unless max_depth is set very high;
    # ArithmeticError: a Decimal exponent beyond what the decimal module holds;
    # ValueError: JSON syntax, or an integer longer than Python converts.
    except (ValueError, ArithmeticError, RecursionError) as exc:
        raise MalformedCallback("the body is not valid JSON") from exc


def _check_depth(text: str, max_depth: int) -> None:
    """Counted on the text before parsing, so a 10,000-level body never reaches the parser."""
    depth = 0
    for match in _TOKENS.finditer(text):
        bracket = text[match.start()]
        if bracket in "[{":
            depth += 1
            if depth > max_depth:
                raise MalformedCallback(f"the body nests deeper than {max_depth} levels")
        elif bracket in "]}":
            depth -= 1


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Parsers disagree on which of two equal keys wins: such a body means two things.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise MalformedCallback(f"the body repeats the key {quoted(key)}")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise MalformedCallback(f"the body holds {name}, which is not a JSON number")


def quoted(word: str) -> str:
    """A key or a status word for a message: the provider's vocabulary, not customer data.
    Anything long or odd is not shown."""
    return repr(word) if len(word) <= MAX_CODE and word.isprintable() else "(not shown)"


def mapping(value: Any, what: str) -> Mapping[str, Any]:
    """`value` as a JSON object, or MalformedCallback naming `what`."""
    if not isinstance(value, dict):
        raise MalformedCallback(f"{what} is {kind_of(value)}, not an object")
    return value


def child(parent: Mapping[str, Any], key: str, what: str) -> Mapping[str, Any]:
    """The object under `key`, which the route cannot do without."""
    if key not in parent:
        raise MalformedCallback(f"{what} is missing")
    return mapping(parent[key], what)


def text(value: Any, what: str) -> str | None:
    """A field meant as text: a string, or a whole JSON number (providers send ids and phone
    numbers both ways). None and "" read as absent; true/false, fractions, lists and objects
    are refused, as are strings that cannot be stored (lone surrogates, NUL)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MalformedCallback(f"{what} is {kind_of(value)}, not text")
    if isinstance(value, int):
        if abs(value) >= 10**40:
            raise MalformedCallback(f"{what} is a number too long to be read as text")
        return str(value)
    if "\x00" in value:
        raise MalformedCallback(f"{what} contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise MalformedCallback(f"{what} contains a lone surrogate") from exc
    return value or None


def required_id(value: Any, what: str) -> str:
    """The correlation id a route cannot do without."""
    found = text(value, what)
    if found is None:
        raise MalformedCallback(f"{what} is missing")
    if len(found) > MAX_ID or not found.isprintable() or found != found.strip():
        raise MalformedCallback(f"{what} does not look like an id")
    return found


def amount(value: Any, what: str = "amount") -> Decimal:
    """A positive amount with at most two decimals, below AMOUNT_LIMIT: a whole JSON number,
    a Decimal from read_json, or a plain numeric string ("10", "5.00"). Never via float."""
    if isinstance(value, bool):
        raise MalformedCallback(f"{what} is true/false, not an amount")
    if isinstance(value, str):
        if not _AMOUNT_TEXT.fullmatch(value):
            raise MalformedCallback(f"{what} is text that is not a plain positive number")
        number = Decimal(value)
    elif isinstance(value, int | Decimal):
        number = Decimal(value)
    else:
        raise MalformedCallback(f"{what} is {kind_of(value)}, not an amount")
    if not number.is_finite():
        raise MalformedCallback(f"{what} is not a finite number")
    if number <= 0:
        raise MalformedCallback(f"{what} is not positive")
    # Checked before any rounding: 1e309 must not be expanded into 310 digits.
    if number >= AMOUNT_LIMIT:
        raise MalformedCallback(f"{what} is absurdly large")
    # By value: 1.005 is refused, 5.000 is 5.00.
    if number != number.quantize(_CENTS):
        raise MalformedCallback(f"{what} has more than two decimals")
    exponent = number.as_tuple().exponent
    # 1E+3 reads as 1000 and 5.000 as 5.00; 1.00 stays 1.00.
    if isinstance(exponent, int) and exponent > 0:
        return number.quantize(Decimal(1))
    if isinstance(exponent, int) and exponent < -2:
        return number.quantize(_CENTS)
    return number


def amount_or_flag(value: Any, what: str, problems: list[str]) -> Decimal | None:
    """An optional amount: absent is None; unreadable is None plus a problem (never applied)."""
    if value is None:
        return None
    try:
        return amount(value, what)
    except MalformedCallback as exc:
        problems.append(str(exc))
        return None


def text_or_flag(value: Any, what: str, problems: list[str]) -> str | None:
    """An optional text field: unreadable is None plus a problem."""
    try:
        return text(value, what)
    except MalformedCallback as exc:
        problems.append(str(exc))
        return None


def code_text(value: Any, what: str, problems: list[str]) -> str | None:
    """A result code or status word: short printable text, else None plus a problem (then the
    outcome cannot be read)."""
    found = text_or_flag(value, what, problems)
    if found is not None and (len(found) > MAX_CODE or not found.isprintable()):
        problems.append(f"{what} is too long or odd to be a code")
        return None
    return found


def display_text(value: Any, what: str, problems: list[str]) -> str:
    """Free text shown to a person, never branched on: capped, "" when absent or unreadable."""
    return capped(text_or_flag(value, what, problems), MAX_DISPLAY, what, problems) or ""


def check_format(
    value: str | None, pattern: re.Pattern[str], problem: str, problems: list[str]
) -> None:
    """Kept as given, but flagged when it does not look as documented."""
    if value is not None and not pattern.fullmatch(value):
        problems.append(problem)


def capped(value: str | None, limit: int, what: str, problems: list[str]) -> str | None:
    if value is not None and len(value) > limit:
        problems.append(f"{what} was cut to {limit} characters")
        return value[:limit]
    return value


def kind_of(value: Any) -> str:
    """The JSON type of a value, in words (the value itself is never shown)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, Decimal):
        return "a fractional number"
    if isinstance(value, str):
        return "text" if value else "empty text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"
