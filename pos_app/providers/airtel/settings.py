"""Airtel Money's section of the config file ([airtel])."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from pos_app.platform.config import ProviderSection

# (value, label in the settings): signing where the country table says Airtel asks for it,
# always or never; how the AES key is wrapped for x-key (UNVERIFIED: both seen).
SIGNING = (
    ("auto", "Where Airtel asks for it (Zambia, Malawi)"),
    ("on", "Always"),
    ("off", "Never"),
)
PADDINGS = (("pkcs1", "PKCS#1"), ("oaep", "OAEP"))


@dataclass(frozen=True)
class AirtelConfig(ProviderSection):
    base_url_env: ClassVar[str] = "AIRTEL_BASE_URL"

    # Airtel documents "at least one minute" before the first enquiry; a customer at the
    # counter types the PIN within seconds, and an early enquiry only says TIP.
    first_poll_seconds: float = 5.0
    max_poll_interval_seconds: float = 20.0
    approval_timeout_seconds: float = 240.0
    message_signing: str = "auto"  # signed pushes (v2, x-signature and x-key)
    signing_padding: str = "pkcs1"

    def problems(self) -> Iterator[tuple[str, str]]:
        for key, choices in (("message_signing", SIGNING), ("signing_padding", PADDINGS)):
            if getattr(self, key) not in dict(choices):
                yield key, f"must be one of {', '.join(dict(choices))}"
