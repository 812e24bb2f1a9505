"""Customer phone numbers: what a cashier types, normalised to the providers' MSISDN form."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from babel import Locale
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from pos_app.domain.countries import country
from pos_app.domain.errors import ValidationError

_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


class PhoneError(ValidationError):
    """The typed phone number cannot be charged."""


class WrongNetwork(PhoneError):
    """The number belongs to another mobile network than the chosen provider's."""


@dataclass(frozen=True)
class TestNumbers:
    """A provider sandbox's test numbers, accepted whatever country the shop is in."""

    pattern: re.Pattern[str]
    network: str  # the network they are shown on, e.g. "<brand> sandbox"


@dataclass(frozen=True)
class PhoneNumber:
    msisdn: str  # country code and digits, no "+": what the providers expect
    region: str | None  # None for a provider's sandbox test number
    network: str | None  # mobile network by the number's prefix, when known

    def on_network(self, names: tuple[str, ...]) -> bool:
        """Whether the number's network (by its prefix: numbers can be ported, so only a
        hint) is one of `names`, matched in lower case within phonenumbers' carrier name."""
        network = (self.network or "").lower()
        return bool(network) and any(name in network for name in names)

    def international(self) -> str:
        """For display: "+256 772 123456"."""
        if self.region is None:
            return f"+{self.msisdn}"
        number = phonenumbers.parse(f"+{self.msisdn}")
        text: str = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
        return text

    def masked(self) -> str:
        """Enough to recognise the customer on screen or in logs: "256772***456"."""
        return mask_msisdn(self.msisdn)


def mask_msisdn(msisdn: str) -> str:
    if len(msisdn) <= 6:
        return "*" * len(msisdn)
    return f"{msisdn[:-6]}***{msisdn[-3:]}"


def parse_phone(text: str, region: str, *, test_numbers: TestNumbers | None = None) -> PhoneNumber:
    """Accept "0772 123 456", "+256772123456" or "256772123456" for the shop's country.

    Raises PhoneError unless the number is a valid mobile number of that country (or one of
    `test_numbers`).
    """
    home = country(region)
    compact = re.sub(r"[\s\-.()/]", "", text.strip())
    if not compact:
        raise PhoneError("Enter the customer's phone number")
    if not re.fullmatch(r"\+?\d+", compact):
        raise PhoneError("{text!r} is not a phone number: use digits only", text=text.strip())
    digits = compact.lstrip("+")
    if test_numbers is not None and test_numbers.pattern.fullmatch(digits):
        return PhoneNumber(msisdn=digits, region=None, network=test_numbers.network)

    if compact.startswith("+"):
        candidates = [compact]
    elif compact.startswith("00"):
        candidates = ["+" + compact[2:]]
    else:
        # Bare digits are national ("0772…") or international without the "+" ("256772…").
        candidates = [compact, "+" + compact]

    typed = text.strip()
    problem = PhoneError(
        "{text} is not a valid {country} mobile number", text=typed, country=home.name
    )
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, home.region)
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_valid_number(number):
            continue
        number_region = phonenumbers.region_code_for_number(number)
        if number_region != home.region:
            if candidate.startswith("+") or len(candidates) == 1:
                problem = PhoneError(
                    "{text} is a number from {other}; this till charges {country} numbers only",
                    text=typed,
                    other=_region_name(number_region),
                    country=home.name,
                )
            continue
        if phonenumbers.number_type(number) not in _MOBILE_TYPES:
            problem = PhoneError("{text} is not a mobile number", text=typed)
            continue
        # The carriers' names are megabytes of tables (about 60 ms to load): not at start-up.
        # The window has them loaded soon after it shows (pos_app/app/deferred.py), before a
        # cashier types the first number.
        from phonenumbers import carrier

        network = carrier.name_for_number(number, "en") or None
        e164: str = phonenumbers.format_number(number, PhoneNumberFormat.E164)
        return PhoneNumber(msisdn=e164[1:], region=home.region, network=network)
    raise problem


def _region_name(region: str | None) -> str:
    if not region:
        return "another country"
    name: str | None = Locale("en").territories.get(region)
    return name or region
