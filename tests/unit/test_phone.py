from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.countries import COUNTRIES
from pos_app.domain.errors import ValidationError
from pos_app.domain.phone import PhoneError, PhoneNumber, mask_msisdn, parse_phone
from pos_app.providers import registry
from pos_app.providers.mtn.spec import SPEC as MTN


def suggested_provider(phone: PhoneNumber) -> str | None:
    """The installed provider the number's network suggests."""
    found = registry.for_number(phone)
    return None if found is None else found.id


# (country, what the cashier types in the local form, MSISDN, spaced local form)
GOOD = [
    ("UG", "0772 123 456", "256772123456"),
    ("GH", "024 123 4567", "233241234567"),
    ("RW", "078 123 4567", "250781234567"),
    ("ZM", "096 123 4567", "260961234567"),
    ("NG", "0803 123 4567", "2348031234567"),
    ("BJ", "01 96 12 34 56", "2290196123456"),
    ("CM", "6 71 23 45 67", "237671234567"),
    ("CG", "06 123 4567", "242061234567"),
    ("CI", "05 01 23 45 67", "2250501234567"),
    ("GW", "955 123 456", "245955123456"),
    ("GN", "621 23 45 67", "224621234567"),
    ("KE", "0712 345 678", "254712345678"),
    ("TZ", "0621 234 567", "255621234567"),
    ("MW", "0991 23 45 67", "265991234567"),
    ("CD", "0991 234 567", "243991234567"),
    ("GA", "06 03 12 34", "24106031234"),
    ("TD", "63 01 23 45", "23563012345"),
    ("NE", "93 12 34 56", "22793123456"),
    ("MG", "032 12 345 67", "261321234567"),
    ("SC", "2 510 123", "2482510123"),
]


def test_every_supported_country_has_a_case() -> None:
    assert {c for c, _, _ in GOOD} == set(COUNTRIES)


@pytest.mark.parametrize(("region", "local", "msisdn"), GOOD)
def test_local_and_international_forms_normalise_to_msisdn(
    region: str, local: str, msisdn: str
) -> None:
    forms = [
        local,
        local.replace(" ", ""),
        f"+{msisdn}",
        msisdn,
        f"00{msisdn}",
        f"+{msisdn[:3]} {msisdn[3:]}",
    ]
    for form in forms:
        assert parse_phone(form, region).msisdn == msisdn, form


@pytest.mark.parametrize(("region", "local", "msisdn"), GOOD)
def test_another_countrys_number_is_refused(region: str, local: str, msisdn: str) -> None:
    other = next(m for r, _, m in GOOD if r != region and m[:3] != msisdn[:3])
    with pytest.raises(PhoneError, match="only"):
        parse_phone(f"+{other}", region)


@pytest.mark.parametrize(
    ("text", "region", "message"),
    [
        ("", "UG", "Enter the customer's phone number"),
        ("07721234", "UG", "not a valid Uganda mobile number"),
        ("0772 123 456 789", "UG", "not a valid Uganda mobile number"),
        ("0414 123 456", "UG", "not a mobile number"),  # Kampala landline
        ("07721234ab", "UG", "digits only"),
        ("+256+772123456", "UG", "digits only"),
        ("0812345678", "KE", "not a valid Kenya mobile number"),
        ("25471234567", "KE", "not a valid Kenya mobile number"),
        ("+255712345678", "KE", "Tanzania"),
        ("46733123450", "UG", "Sweden"),  # an MTN sandbox number outside the sandbox
    ],
)
def test_bad_numbers_are_explained(text: str, region: str, message: str) -> None:
    with pytest.raises(PhoneError, match=message):
        parse_phone(text, region)


def test_kenyan_forms_from_the_daraja_reference() -> None:
    for text in ("0712 345 678", "+254712345678", "254712345678", "712345678"):
        assert parse_phone(text, "KE").msisdn == "254712345678"
    for text in ("0110123456", "+254110123456"):
        assert parse_phone(text, "KE").msisdn == "254110123456"


def test_unsupported_country_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="not a supported country"):
        parse_phone("0772123456", "US")


@pytest.mark.parametrize("number", ["46733123450", "46733123454", "46733123463", "56733123453"])
@pytest.mark.parametrize("region", ["UG", "GH", "CI"])
def test_mtn_sandbox_numbers_are_accepted_in_any_country(number: str, region: str) -> None:
    phone = parse_phone(number, region, test_numbers=MTN.test_numbers)
    assert phone.msisdn == number
    assert phone.region is None
    assert suggested_provider(phone) == "mtn"


def test_network_suggests_the_provider() -> None:
    assert suggested_provider(parse_phone("0772123456", "UG")) == "mtn"
    assert parse_phone("0712345678", "KE").network == "Safaricom"
    assert suggested_provider(parse_phone("0712345678", "KE")) == "mpesa"
    airtel = parse_phone("0752123456", "UG")
    assert airtel.network == "Airtel"
    assert suggested_provider(airtel) == "airtel"


def test_display_and_masking() -> None:
    phone = parse_phone("0772123456", "UG")
    assert phone.international() == "+256 772 123456"
    assert phone.masked() == "256772***456"
    assert "123" not in phone.masked()[3:9]
    assert mask_msisdn("12345") == "*****"


@given(st.text(max_size=25), st.sampled_from(sorted(COUNTRIES)))
def test_parse_never_crashes(text: str, region: str) -> None:
    try:
        phone = parse_phone(text, region)
    except PhoneError as exc:
        assert str(exc)
    else:
        assert phone.msisdn.isdigit()
        assert phone.region == region
