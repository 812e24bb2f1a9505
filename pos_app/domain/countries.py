"""The countries pos-app serves: which mobile-money provider, currency and locale each uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pos_app.domain.errors import ValidationError

Provider = Literal["mtn", "mpesa"]
PROVIDER_NAMES: dict[Provider, str] = {"mtn": "MTN MoMo", "mpesa": "M-Pesa"}  # brand names
PROVIDERS: tuple[Provider, ...] = ("mtn", "mpesa")


@dataclass(frozen=True)
class Country:
    region: str  # ISO 3166-1 alpha-2, as phonenumbers and babel use it
    name: str
    currency: str  # ISO 4217
    provider: Provider  # the mobile-money provider pos-app uses there
    locale: str  # default locale for formatting amounts


COUNTRIES: dict[str, Country] = {
    c.region: c
    for c in (
        Country("UG", "Uganda", "UGX", "mtn", "en_UG"),
        Country("GH", "Ghana", "GHS", "mtn", "en_GH"),
        Country("RW", "Rwanda", "RWF", "mtn", "en_RW"),
        Country("ZM", "Zambia", "ZMW", "mtn", "en_ZM"),
        Country("NG", "Nigeria", "NGN", "mtn", "en_NG"),
        Country("BJ", "Benin", "XOF", "mtn", "fr_BJ"),
        Country("CM", "Cameroon", "XAF", "mtn", "fr_CM"),
        Country("CG", "Congo-Brazzaville", "XAF", "mtn", "fr_CG"),
        Country("CI", "Côte d'Ivoire", "XOF", "mtn", "fr_CI"),
        Country("GW", "Guinea-Bissau", "XOF", "mtn", "pt_GW"),
        Country("GN", "Guinea-Conakry", "GNF", "mtn", "fr_GN"),
        Country("KE", "Kenya", "KES", "mpesa", "en_KE"),
    )
}


def country(region: str) -> Country:
    try:
        return COUNTRIES[region.upper()]
    except KeyError:
        known = ", ".join(sorted(COUNTRIES))
        raise ValidationError(
            "{region!r} is not a supported country (one of {known})", region=region, known=known
        ) from None
