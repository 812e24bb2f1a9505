"""M-Pesa's secrets: keyring entries and the environment variables that override them."""

from __future__ import annotations

from pos_app.platform.credentials import SecretName, proxy_password

CONSUMER_KEY = SecretName("mpesa.consumer_key", "MPESA_CONSUMER_KEY", "Consumer key")
CONSUMER_SECRET = SecretName(
    "mpesa.consumer_secret",
    "MPESA_CONSUMER_SECRET",
    "Consumer secret",
)
PASSKEY = SecretName("mpesa.passkey", "MPESA_PASSKEY", "Passkey")
INITIATOR_PASSWORD = SecretName(
    "mpesa.initiator_password",
    "MPESA_INITIATOR_PASSWORD",
    "Initiator password (refunds)",
    required=False,
)
PROXY_PASSWORD = proxy_password("mpesa")
ALL = (CONSUMER_KEY, CONSUMER_SECRET, PASSKEY, INITIATOR_PASSWORD, PROXY_PASSWORD)
