"""MTN MoMo's secrets: keyring entries and the environment variables that override them."""

from __future__ import annotations

from pos_app.platform.credentials import SecretName, proxy_password

SUBSCRIPTION_KEY = SecretName(
    "mtn.subscription_key", "MTN_MOMO_SUBSCRIPTION_KEY", "Collection subscription key"
)
API_USER = SecretName("mtn.api_user", "MTN_MOMO_API_USER", "API user")
API_KEY = SecretName("mtn.api_key", "MTN_MOMO_API_KEY", "API key")
DISBURSEMENT_KEY = SecretName(
    "mtn.disbursement_subscription_key",
    "MTN_MOMO_DISBURSEMENT_SUBSCRIPTION_KEY",
    "Disbursement subscription key (refunds)",
    required=False,
)
PROXY_PASSWORD = proxy_password("mtn")
ALL = (SUBSCRIPTION_KEY, API_USER, API_KEY, DISBURSEMENT_KEY, PROXY_PASSWORD)
