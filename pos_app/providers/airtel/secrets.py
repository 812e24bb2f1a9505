"""Airtel Money's secrets: keyring entries and the environment variables that override them."""

from __future__ import annotations

from pos_app.platform.credentials import SecretName, proxy_password

CLIENT_ID = SecretName("airtel.client_id", "AIRTEL_CLIENT_ID", "Client ID (consumer key)")
CLIENT_SECRET = SecretName(
    "airtel.client_secret", "AIRTEL_CLIENT_SECRET", "Client secret (consumer secret)"
)
PROXY_PASSWORD = proxy_password("airtel")
ALL = (CLIENT_ID, CLIENT_SECRET, PROXY_PASSWORD)
