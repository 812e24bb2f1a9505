"""Fixed credentials of the built-in sandbox. Public on purpose: they open nothing but the
simulator, which is what demo mode talks to."""

from __future__ import annotations

from pos_app.platform.secret import Secret
from pos_app.providers.mpesa.client import MpesaCredentials
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
        subscription_keys={
            "collection": Secret(MTN_SUBSCRIPTION_KEYS["collection"]),
            "disbursement": Secret(MTN_SUBSCRIPTION_KEYS["disbursement"]),
            "remittance": Secret(MTN_SUBSCRIPTION_KEYS["remittance"]),
        },
    )


MPESA_CONSUMER_KEY = "demo-mpesa-consumer-key"
MPESA_CONSUMER_SECRET = "demo-mpesa-consumer-secret"
# Safaricom's published sandbox shortcode and passkey (see the Daraja reference, §3).
MPESA_SHORTCODE = "174379"
MPESA_PASSKEY = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919"
MPESA_TILL = "600000"
MPESA_INITIATOR = "testapi"
MPESA_INITIATOR_PASSWORD = "demo-initiator-password"
MPESA_CALLBACK_URL = "https://pos-app.invalid/daraja/callback"


def mpesa_credentials() -> MpesaCredentials:
    return MpesaCredentials(
        Secret(MPESA_CONSUMER_KEY), Secret(MPESA_CONSUMER_SECRET), Secret(MPESA_PASSKEY)
    )


AIRTEL_CLIENT_ID = "demo-airtel-client-id"
AIRTEL_CLIENT_SECRET = "demo-airtel-client-secret"
