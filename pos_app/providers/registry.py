"""The installed providers: the built-in plug-ins, and any registered by the app's owner
code (or a test). The only module outside `app/` and `sandbox/` that names a provider."""

from __future__ import annotations

from pos_app.domain.phone import PhoneNumber
from pos_app.domain.reasons import Catalog, Reason, from_key
from pos_app.platform.config import Sections
from pos_app.platform.credentials import SecretName
from pos_app.providers.airtel.spec import SPEC as AIRTEL
from pos_app.providers.mpesa.spec import SPEC as MPESA
from pos_app.providers.mtn.spec import SPEC as MTN
from pos_app.providers.spec import ProviderSpec

_SPECS: dict[str, ProviderSpec] = {spec.id: spec for spec in (MTN, MPESA, AIRTEL)}


def register(spec: ProviderSpec) -> None:
    """Install another provider (a plug-in); its id must be new."""
    if spec.id in _SPECS or spec.id == "app":
        raise ValueError(f"a provider {spec.id!r} is already installed")
    can = spec.capabilities
    if (can.resolved_by_hand or can.lost_refunds_by_hand) and spec.receipt_code is None:
        # The owner settles its payments with the code from the customer's SMS.
        raise ValueError(f"provider {spec.id!r} is resolved by hand but has no receipt code")
    _SPECS[spec.id] = spec


def unregister(provider: str) -> None:
    _SPECS.pop(provider, None)


def specs() -> tuple[ProviderSpec, ...]:
    return tuple(_SPECS.values())


def ids() -> tuple[str, ...]:
    return tuple(_SPECS)


def spec(provider: str) -> ProviderSpec | None:
    return _SPECS.get(provider)


def name(provider: str) -> str:
    """The provider's brand; its id for one no longer installed (an old payment's)."""
    found = _SPECS.get(provider)
    return found.name if found is not None else provider


def config_sections() -> Sections:
    return {spec.id: spec.config for spec in _SPECS.values()}


def secret_names() -> tuple[SecretName, ...]:
    return tuple(name for spec in _SPECS.values() for name in spec.secrets)


def catalogs() -> dict[str, Catalog]:
    return {spec.id: spec.reasons for spec in _SPECS.values()}


def reason(key: str) -> Reason:
    """The reason stored as `key` ("<source>:<code>"): asked for each row a table shows."""
    found = _SPECS.get(key.partition(":")[0])
    return from_key(key, {found.id: found.reasons} if found is not None else {})


def for_number(phone: PhoneNumber, among: tuple[str, ...] | None = None) -> ProviderSpec | None:
    """The provider whose network the number is on (by its prefix: only a hint)."""
    for candidate in _SPECS.values():
        if (among is None or candidate.id in among) and phone.on_network(candidate.networks):
            return candidate
    return None
