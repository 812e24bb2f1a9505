"""M-Pesa's section of the config file ([mpesa])."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from pos_app.platform.config import ProviderSection, is_http_url
from pos_app.providers.mpesa.rules import BUY_GOODS, PAYBILL

TRANSACTION_TYPES = (PAYBILL, BUY_GOODS)


@dataclass(frozen=True)
class MpesaConfig(ProviderSection):
    base_url_env: ClassVar[str] = "MPESA_BASE_URL"

    currency: str = "KES"
    first_poll_seconds: float = 3.0
    max_poll_interval_seconds: float = 10.0
    approval_timeout_seconds: float = 120.0
    shortcode: str = "174379"  # PayBill number, or the store number of a till
    transaction_type: str = PAYBILL
    party_b: str = ""  # empty: the shortcode (PayBill); the till number for Buy Goods
    # For Transaction Status and Reversal (refunds); their results go to result_url.
    initiator_name: str = ""
    certificate: str = ""  # path to Safaricom's certificate (PEM or DER) for this environment
    result_url: str = ""
    queue_timeout_url: str = ""

    def problems(self) -> Iterator[tuple[str, str]]:
        for key in ("result_url", "queue_timeout_url"):
            url = getattr(self, key)
            if url and not is_http_url(url, https_only=True):
                yield key, f"must be an https URL, not {url!r}"
        if self.transaction_type not in TRANSACTION_TYPES:
            yield "transaction_type", f"must be one of {', '.join(TRANSACTION_TYPES)}"
        for key in ("shortcode", "party_b"):
            value = getattr(self, key)
            if value and not value.isdigit():
                yield key, f"must be digits only, not {value!r}"
