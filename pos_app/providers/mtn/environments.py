"""Where MTN lives for each country: base URL, X-Target-Environment and currency.

One setting (sandbox or production, plus the shop's country) decides all three, because a
sandbox host with a country target (or the reverse) is always wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

from pos_app.domain.countries import country
from pos_app.providers.mtn.settings import MtnConfig

SANDBOX_URL = "https://sandbox.momodeveloper.mtn.com"
PRODUCTION_URL = "https://proxy.momoapi.mtn.com"
SANDBOX_CURRENCY = "EUR"  # the sandbox accepts nothing else

# X-Target-Environment per country. MTN's own list has uganda, ghana, ivorycoast, zambia,
# cameroon, benin, congo, guineaconakry; mtnrwanda is used widely but not in MTN's list, and
# mtnnigeria / mtnguineabissau follow the pattern unverified: `target_environment` overrides.
TARGETS: dict[str, str] = {
    "UG": "mtnuganda",
    "GH": "mtnghana",
    "RW": "mtnrwanda",
    "ZM": "mtnzambia",
    "NG": "mtnnigeria",
    "BJ": "mtnbenin",
    "CM": "mtncameroon",
    "CG": "mtncongo",
    "CI": "mtnivorycoast",
    "GW": "mtnguineabissau",
    "GN": "mtnguineaconakry",
}
PRODUCTION_URLS = {"RW": "https://proxy.momoapi.mtn.co.rw"}


def currency(region: str) -> str:
    """What MTN charges in, in production, in the country."""
    return country(region).currency


@dataclass(frozen=True)
class MtnEnvironment:
    base_url: str
    target_environment: str
    currency: str

    @property
    def is_sandbox(self) -> bool:
        return self.target_environment == "sandbox"


def resolve(config: MtnConfig, shop_country: str) -> MtnEnvironment:
    region = shop_country.upper()
    if config.environment == "sandbox":
        return MtnEnvironment(
            base_url=config.base_url or SANDBOX_URL,
            target_environment=config.target_environment or "sandbox",
            currency=config.currency or SANDBOX_CURRENCY,
        )
    return MtnEnvironment(
        base_url=config.base_url or PRODUCTION_URLS.get(region, PRODUCTION_URL),
        target_environment=config.target_environment or TARGETS.get(region, ""),
        currency=config.currency or currency(region),
    )
