"""Money as integer minor units of an ISO 4217 currency, parsed strictly from cashier input."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.numbers import (
    format_currency,
    get_currency_precision,
    get_decimal_symbol,
    is_currency,
)

from pos_app.domain.errors import ValidationError

# SQLite integers are signed 64-bit; far below that, no till takes a payment of 10^12 major units.
MAX_INTEGER_DIGITS = 12
# Spaces people and locales put between groups of thousands (plain, no-break, narrow no-break).
_SPACES = " \u00a0\u202f"


class AmountError(ValidationError):
    """The typed amount is not a valid amount of money."""


@functools.lru_cache(maxsize=64)  # CLDR lookups are slow and the answer never changes
def currency_digits(currency: str) -> int:
    """How many decimal digits the currency has (UGX 0, KES 2), from babel's CLDR data."""
    code = currency.upper()
    if not re.fullmatch(r"[A-Z]{3}", code) or not is_currency(code):
        raise AmountError("{currency!r} is not a known currency code", currency=currency)
    digits: int = get_currency_precision(code)
    return digits


@dataclass(frozen=True, order=False)
class Money:
    """An exact amount: `minor_units` of the currency's smallest unit (cents, or whole UGX)."""

    minor_units: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.minor_units, int) or isinstance(self.minor_units, bool):
            raise TypeError("minor_units must be an int")
        object.__setattr__(self, "currency", self.currency.upper())
        currency_digits(self.currency)

    @classmethod
    def from_decimal(cls, amount: Decimal, currency: str) -> Money:
        digits = currency_digits(currency)
        if not amount.is_finite():
            raise AmountError("Enter an amount in digits")
        scaled = amount.scaleb(digits)
        if scaled != scaled.to_integral_value():
            raise _too_many_decimals(currency.upper(), digits)
        return cls(int(scaled), currency)

    @classmethod
    def parse(cls, text: str, currency: str, locale: str = "en") -> Money:
        """Parse a positive amount typed by a cashier ("1500", "1,500", "1 500", "15.50")."""
        return cls.from_decimal(parse_amount(text, currency, locale), currency)

    @property
    def digits(self) -> int:
        return currency_digits(self.currency)

    @property
    def amount(self) -> Decimal:
        return Decimal(self.minor_units).scaleb(-self.digits)

    def to_plain_string(self) -> str:
        """The amount with exactly the currency's digits and no grouping: "1500", "12.50"."""
        return f"{self.amount:.{self.digits}f}"

    def format(self, locale: str = "en") -> str:
        """For display, in the shop's locale: "USh1,500", "1 500 F CFA"."""
        text: str = format_currency(self.amount, self.currency, locale=locale)
        return text

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(self.minor_units + other.minor_units, self.currency)

    def __str__(self) -> str:
        return f"{self.to_plain_string()} {self.currency}"


def _too_many_decimals(currency: str, digits: int) -> AmountError:
    if digits == 0:
        return AmountError(
            "{currency} has no decimal part: enter a whole number", currency=currency
        )
    return AmountError(
        "{currency} allows at most {digits} decimal places", currency=currency, digits=digits
    )


def parse_amount(text: str, currency: str, locale: str = "en") -> Decimal:
    """Strictly parse a positive amount; raises AmountError with a cashier-friendly message.

    The decimal separator is the locale's ("." in English, "," in French). Thousands may be
    grouped with spaces, or with the other of "." and ",", but only in groups of three, so
    that "1,50" is refused rather than guessed.
    """
    code = currency.upper()
    digits = currency_digits(code)
    decimal_sep = get_decimal_symbol(locale)
    if decimal_sep not in ".,":
        decimal_sep = "."
    group_seps = _SPACES + ("," if decimal_sep == "." else ".")

    cleaned = text.strip()
    if not cleaned:
        raise AmountError("Enter an amount")
    if cleaned.startswith("-") or cleaned.startswith("\u2212"):
        raise AmountError("The amount cannot be negative")
    if re.search(r"[eE]", cleaned) or cleaned.lower() in {"nan", "inf", "infinity"}:
        raise AmountError("{text!r} is not an amount: use digits only", text=text.strip())
    if not all(
        (ch.isascii() and ch.isdigit()) or ch in group_seps or ch == decimal_sep for ch in cleaned
    ):
        raise AmountError("{text!r} is not an amount: use digits only", text=text.strip())

    whole, sep, fraction = cleaned.partition(decimal_sep)
    if sep and (not fraction or not fraction.isdigit()):
        raise AmountError("{text!r} is not an amount: check the decimal part", text=text.strip())
    groups = re.split(f"[{re.escape(group_seps)}]", whole)
    if not groups[0] or not all(g.isdigit() for g in groups):
        raise AmountError("{text!r} is not an amount: check the separators", text=text.strip())
    if len(groups) > 1 and (len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:])):
        raise AmountError("{text!r} is not an amount: group thousands in threes", text=text.strip())

    integer_part = "".join(groups).lstrip("0") or "0"
    if len(integer_part) > MAX_INTEGER_DIGITS:
        raise AmountError("The amount is too large")
    if len(fraction) > digits:
        raise _too_many_decimals(code, digits)
    try:
        value = Decimal(f"{integer_part}.{fraction or '0'}")
    except InvalidOperation as exc:  # pragma: no cover - the checks above admit only digits
        raise AmountError("{text!r} is not an amount", text=text.strip()) from exc
    if value <= 0:
        raise AmountError("The amount must be more than zero")
    return value
