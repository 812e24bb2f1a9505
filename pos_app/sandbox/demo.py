"""Fixed credentials of the built-in sandbox. Public on purpose: they open nothing but the
simulator, which is what demo mode talks to."""

from __future__ import annotations

from pos_app.credentials import Secret
from pos_app.providers.mtn.client import MtnCredentials

MTN_API_USER = "6f1d3a52-7c1e-4b8e-9d0a-3c2b1a0f9e8d"
MTN_API_KEY = "demo-mtn-api-key"
MTN_SUBSCRIPTION_KEYS = {
    "collection": "demo-collection-subscription-key",
    "disbursement": "demo-disbursement-subscription-key",
    "remittance": "demo-remittance-subscription-key",
}
MTN_CALLBACK_HOST = "localhost"


def mtn_credentials() -> MtnCredentials:
    return MtnCredentials(
        api_user=MTN_API_USER,
        api_key=Secret(MTN_API_KEY),
        subscription_keys={p: Secret(k) for p, k in MTN_SUBSCRIPTION_KEYS.items()},  # type: ignore[misc]
    )
