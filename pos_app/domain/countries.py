"""The countries pos-app serves: the currency and locale each uses. Which mobile-money
providers serve a country is for the providers to say (their spec's countries)."""

from __future__ import annotations

from dataclasses import dataclass

from pos_app.domain.errors import ValidationError

# A provider's id as the provider registry knows it (and as it is stored with a payment).
Provider = str


@dataclass(frozen=True)
class Country:
    region: str  # ISO 3166-1 alpha-2, as phonenumbers and babel use it
    name: str
    currency: str  # ISO 4217
    locale: str  # default locale for formatting amounts


COUNTRIES: dict[str, Country] = {
    c.region: c
    for c in (
        Country("UG", "Uganda", "UGX", "en_UG"),
        Country("GH", "Ghana", "GHS", "en_GH"),
        Country("RW", "Rwanda", "RWF", "en_RW"),
        Country("ZM", "Zambia", "ZMW", "en_ZM"),
        Country("NG", "Nigeria", "NGN", "en_NG"),
        Country("BJ", "Benin", "XOF", "fr_BJ"),
        Country("CM", "Cameroon", "XAF", "fr_CM"),
        Country("CG", "Congo-Brazzaville", "XAF", "fr_CG"),
        Country("CI", "Côte d'Ivoire", "XOF", "fr_CI"),
        Country("GW", "Guinea-Bissau", "XOF", "pt_GW"),
        Country("GN", "Guinea-Conakry", "GNF", "fr_GN"),
        Country("KE", "Kenya", "KES", "en_KE"),
        Country("TZ", "Tanzania", "TZS", "en_TZ"),
        Country("MW", "Malawi", "MWK", "en_MW"),
        Country("CD", "DR Congo", "CDF", "fr_CD"),
        Country("GA", "Gabon", "XAF", "fr_GA"),
        Country("TD", "Chad", "XAF", "fr_TD"),
        Country("NE", "Niger", "XOF", "fr_NE"),
        Country("MG", "Madagascar", "MGA", "fr_MG"),
        Country("SC", "Seychelles", "SCR", "en_SC"),
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
