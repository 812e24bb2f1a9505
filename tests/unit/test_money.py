from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.money import AmountError, Money, currency_digits, parse_amount

ZERO_DIGIT = ["UGX", "RWF", "XAF", "XOF", "GNF"]
TWO_DIGIT = ["GHS", "ZMW", "NGN", "KES", "EUR"]


@pytest.mark.parametrize("currency", ZERO_DIGIT)
def test_zero_decimal_currencies(currency: str) -> None:
    assert currency_digits(currency) == 0


@pytest.mark.parametrize("currency", TWO_DIGIT)
def test_two_decimal_currencies(currency: str) -> None:
    assert currency_digits(currency) == 2


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("1500", "UGX", 1500),
        ("1,500", "UGX", 1500),
        ("1 500", "UGX", 1500),
        ("1\u00a0500", "XOF", 1500),
        ("  1500  ", "UGX", 1500),
        ("1,234,567", "UGX", 1234567),
        ("15.50", "KES", 1550),
        ("15.5", "GHS", 1550),
        ("15", "EUR", 1500),
        ("1,500.25", "NGN", 150025),
        ("0.01", "ZMW", 1),
        ("007", "UGX", 7),
    ],
)
def test_parse_accepts_what_cashiers_type(text: str, currency: str, minor: int) -> None:
    money = Money.parse(text, currency)
    assert money == Money(minor, currency)


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("", "UGX", "Enter an amount"),
        ("   ", "UGX", "Enter an amount"),
        ("-1500", "UGX", "negative"),
        ("\u22121500", "UGX", "negative"),
        ("0", "UGX", "more than zero"),
        ("0.00", "KES", "more than zero"),
        ("NaN", "UGX", "digits only"),
        ("inf", "UGX", "digits only"),
        ("1e5", "UGX", "digits only"),
        ("1E5", "KES", "digits only"),
        ("15.50", "UGX", "no decimal part"),
        ("1500.00", "UGX", "no decimal part"),
        ("1.234", "KES", "at most 2 decimal places"),
        ("1,50", "UGX", "threes"),
        ("12,34,567", "UGX", "threes"),
        ("1,5000", "UGX", "threes"),
        ("15.", "KES", "decimal part"),
        ("1.5.0", "KES", "decimal part"),
        ("USh 1500", "UGX", "digits only"),
        ("1500x", "UGX", "digits only"),
        ("+1500", "UGX", "digits only"),
        (",500", "UGX", "separators"),
        ("1,,500", "UGX", "separators"),
        ("１５００", "UGX", "digits only"),  # full-width digits are not what a keypad sends
        ("1" * 13, "UGX", "too large"),
    ],
)
def test_parse_rejects_with_a_clear_message(text: str, currency: str, message: str) -> None:
    with pytest.raises(AmountError, match=message):
        Money.parse(text, currency)


def test_french_locale_uses_comma_for_decimals() -> None:
    assert Money.parse("15,50", "EUR", locale="fr_CI") == Money(1550, "EUR")
    assert Money.parse("1 500", "XOF", locale="fr_CI") == Money(1500, "XOF")
    assert Money.parse("1.500", "XOF", locale="fr_CI") == Money(1500, "XOF")


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(AmountError, match="not a known currency"):
        Money(100, "XYZ")
    with pytest.raises(AmountError, match="not a known currency"):
        parse_amount("100", "usd1")


def test_minor_units_must_be_int() -> None:
    with pytest.raises(TypeError):
        Money(1.5, "KES")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(True, "KES")


def test_from_decimal_refuses_fractions_the_currency_lacks() -> None:
    assert Money.from_decimal(Decimal("12.50"), "KES").minor_units == 1250
    with pytest.raises(AmountError, match="no decimal part"):
        Money.from_decimal(Decimal("12.5"), "UGX")
    with pytest.raises(AmountError):
        Money.from_decimal(Decimal("NaN"), "UGX")


def test_plain_string_for_providers() -> None:
    assert Money(1500, "UGX").to_plain_string() == "1500"
    assert Money(1250, "EUR").to_plain_string() == "12.50"
    assert Money(5, "KES").to_plain_string() == "0.05"


def test_display_format_follows_locale() -> None:
    assert Money(1500, "UGX").format("en_UG") == "USh1,500"
    assert Money(1550, "KES").format("en_KE") == "Ksh15.50"
    assert Money(1500, "XOF").format("fr_CI") == "1\u202f500\u00a0F\u202fCFA"


def test_addition_keeps_currency() -> None:
    assert Money(100, "UGX") + Money(50, "UGX") == Money(150, "UGX")
    with pytest.raises(ValueError, match="cannot add"):
        Money(100, "UGX") + Money(50, "KES")


currencies = st.sampled_from(ZERO_DIGIT + TWO_DIGIT)
minor_units = st.integers(min_value=1, max_value=10**12 - 1)


@given(minor=minor_units, currency=currencies)
def test_plain_string_round_trips(minor: int, currency: str) -> None:
    money = Money(minor, currency)
    assert Money.parse(money.to_plain_string(), currency) == money


@given(minor=minor_units, currency=currencies, sep=st.sampled_from([",", " ", "\u202f"]))
def test_grouped_thousands_parse_the_same(minor: int, currency: str, sep: str) -> None:
    money = Money(minor, currency)
    whole, _, fraction = money.to_plain_string().partition(".")
    grouped = f"{int(whole):,}".replace(",", sep)
    text = grouped + (f".{fraction}" if fraction else "")
    assert Money.parse(text, currency) == money


@given(text=st.text(max_size=20), currency=currencies)
def test_parse_never_crashes_and_only_yields_positive_amounts(text: str, currency: str) -> None:
    try:
        money = Money.parse(text, currency)
    except AmountError as exc:
        assert str(exc)
    else:
        assert money.minor_units > 0
