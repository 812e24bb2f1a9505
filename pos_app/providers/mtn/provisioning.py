"""MTN sandbox provisioning: create an API user and its API key (sandbox only)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx

from pos_app.domain.errors import Text
from pos_app.platform.config import Config
from pos_app.platform.credentials import SecretStore
from pos_app.platform.secret import Secret
from pos_app.providers.base import ConfigurationProblem, MalformedResponse, ProviderUnavailable
from pos_app.providers.mtn import environments
from pos_app.providers.mtn.answers import read
from pos_app.providers.mtn.parsing import json_object
from pos_app.providers.mtn.secrets import API_KEY, API_USER, SUBSCRIPTION_KEY
from pos_app.providers.mtn.settings import MtnConfig


@dataclass(frozen=True)
class ApiUser:
    user_id: str
    api_key: Secret
    callback_host: str


async def provision_sandbox_user(
    base_url: str,
    subscription_key: Secret,
    *,
    callback_host: str = "localhost",
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: float = 15.0,
) -> ApiUser:
    """POST /v1_0/apiuser, then POST /v1_0/apiuser/{id}/apikey; returns the new credentials."""
    user_id = str(uuid.uuid4())
    headers = {"Ocp-Apim-Subscription-Key": subscription_key.reveal()}
    async with httpx.AsyncClient(
        base_url=base_url.rstrip("/"), transport=transport, timeout=timeout
    ) as http:
        try:
            created = await http.post(
                "/v1_0/apiuser",
                json={"providerCallbackHost": callback_host},
                headers={**headers, "X-Reference-Id": user_id},
            )
            _expect(created, 201, "creating the API user")
            keyed = await http.post(f"/v1_0/apiuser/{user_id}/apikey", headers=headers)
            _expect(keyed, 201, "creating the API key")
        except httpx.TransportError as exc:
            raise ProviderUnavailable(
                f"MTN sandbox unreachable at {base_url} ({type(exc).__name__})", delivered=None
            ) from exc
    api_key = json_object(keyed).get("apiKey")
    if not isinstance(api_key, str) or not api_key:
        raise MalformedResponse("MTN answered the API key request without an apiKey")
    return ApiUser(user_id, Secret(api_key), callback_host)


async def provision_into_keyring(
    store: SecretStore,
    base_url: str,
    subscription_key: Secret,
    *,
    remember_key: bool,
    callback_host: str = "localhost",
) -> ApiUser:
    """Provision a sandbox API user and keep its credentials in the keyring (and the
    subscription key too when it was typed rather than read from there)."""
    user = await provision_sandbox_user(base_url, subscription_key, callback_host=callback_host)
    store.set(API_USER, user.user_id)
    store.set(API_KEY, user.api_key.reveal())
    if remember_key:
        store.set(SUBSCRIPTION_KEY, subscription_key.reveal())
    return user


async def get_api_user(
    base_url: str,
    subscription_key: Secret,
    user_id: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, str]:
    async with httpx.AsyncClient(
        base_url=base_url.rstrip("/"), transport=transport, timeout=15.0
    ) as http:
        response = await http.get(
            f"/v1_0/apiuser/{user_id}",
            headers={"Ocp-Apim-Subscription-Key": subscription_key.reveal()},
        )
    _expect(response, 200, "reading the API user")
    return {str(k): str(v) for k, v in json_object(response).items()}


def _expect(response: httpx.Response, status: int, what: str) -> None:
    if response.status_code == status:
        return
    said = read(response)
    detail = " ".join(part for part in (said.code, said.message) if part)
    raise ConfigurationProblem(
        Text(
            "MTN sandbox refused {what}: HTTP {status}{detail}",
            what=what,
            status=response.status_code,
            detail=f" ({detail})" if detail else "",
        )
    )


async def provision(
    store: SecretStore,
    config: Config,
    key: Secret,
    remember_key: bool,
    callback_host: str = "localhost",
) -> Text:
    """Sandbox credentials for this till's MTN environment, into the keyring; what to tell
    the owner (the settings' button and `pos-app mtn-setup` both say it)."""
    section = config.section("mtn", MtnConfig)
    base_url = environments.resolve(section, config.shop.country).base_url
    user = await provision_into_keyring(
        store, base_url, key, remember_key=remember_key, callback_host=callback_host
    )
    return Text(
        "MTN sandbox API user {user} created on {url}; its API key is in the keyring",
        user=user.user_id,
        url=base_url,
    )
