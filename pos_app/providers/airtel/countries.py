"""The countries Airtel Money collects in (reference airtel-api.md §1.1 and §8): the currency of
the X-Currency header, the host of each environment, and how long a national number is.

Airtel is moving every country to a host of its own (`openapi.airtel.<tld>`); where no host
of a country's own is known, the pan-African one serves. The owner can set another in the
settings (`airtel.base_url`)."""

from __future__ import annotations

from dataclasses import dataclass

PAN_AFRICAN = ("https://openapiuat.airtel.africa", "https://openapi.airtel.africa")


@dataclass(frozen=True)
class AirtelCountry:
    region: str  # X-Country
    currency: str  # X-Currency
    hosts: tuple[str, str]  # (sandbox "UAT", production)
    digits: int | None  # length of the national number Airtel wants (None: not known)
    signs: bool = False  # Airtel asks for signed pushes here (the portal's messageSigningCountries)


def _hosts(tld: str) -> tuple[str, str]:
    return (f"https://openapiuat.airtel.{tld}", f"https://openapi.airtel.{tld}")


COUNTRIES: dict[str, AirtelCountry] = {
    c.region: c
    for c in (
        AirtelCountry("UG", "UGX", _hosts("ug"), 9),
        AirtelCountry("KE", "KES", PAN_AFRICAN, 9),
        AirtelCountry("TZ", "TZS", _hosts("co.tz"), 9),
        AirtelCountry("RW", "RWF", _hosts("co.rw"), 9),
        AirtelCountry("ZM", "ZMW", _hosts("co.zm"), 9, signs=True),
        AirtelCountry("MW", "MWK", _hosts("mw"), 9, signs=True),
        AirtelCountry("CD", "CDF", _hosts("cd"), 9),
        AirtelCountry("CG", "XAF", _hosts("cg"), 9),
        AirtelCountry("GA", "XAF", PAN_AFRICAN, None),
        AirtelCountry("TD", "XAF", _hosts("td"), 8),
        AirtelCountry("NE", "XOF", PAN_AFRICAN, 8),
        AirtelCountry("MG", "MGA", (_hosts("mg")[0], PAN_AFRICAN[1]), 9),
        AirtelCountry("SC", "SCR", PAN_AFRICAN, 7),
        AirtelCountry("NG", "NGN", PAN_AFRICAN, 10),
    )
}
