"""`pos-app mpesa-c2b-urls`: register the hub's C2B URLs for the shop's till or paybill number
with Daraja, so customers' own payments to it reach the hub (callbacks.md §2.1).

In production Daraja takes this once per shortcode: changing the URLs later means deleting
them in Daraja's URL Management (two business administrators) or asking Safaricom."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from typing import Any, cast

import httpx

from pos_app.domain.errors import Text, message_of
from pos_app.platform.config import Config
from pos_app.platform.credentials import HUB_CALLBACKS, SecretStore
from pos_app.providers.base import ConfigurationProblem, ProviderError
from pos_app.providers.mpesa import secrets
from pos_app.providers.mpesa.client import MpesaClient
from pos_app.providers.mpesa.provider import MpesaProvider
from pos_app.providers.mpesa.settings import MpesaConfig
from pos_app.providers.spec import BuildContext, Built

Build = Callable[[BuildContext], Built]
SPEC_NOT_SET_UP = "M-Pesa is not set up: its consumer key, consumer secret and passkey are missing"

CONFIRMATION = "daraja/c2b/confirmation"
VALIDATION = "daraja/c2b/validation"
_EXIT_CONFIG = 4
NOT_LINKED = "this till has no hub C2B URLs: link it first (`pos-app link HUB_URL CODE`)"


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--shortcode",
        help="the till or paybill number customers pay (default: [mpesa] party_b or shortcode)",
    )


async def register(client: MpesaClient, shortcode: str, urls: dict[str, str]) -> None:
    """Raises ConfigurationProblem with Daraja's reason when it refuses."""
    token = await client.tokens.get()
    body = {
        "ShortCode": shortcode,
        # Completed: a payment the hub does not answer in time still goes through.
        "ResponseType": "Completed",
        "ConfirmationURL": urls[CONFIRMATION],
        "ValidationURL": urls[VALIDATION],
    }
    try:
        answer = await client.http.post_once(
            "/mpesa/c2b/v2/registerurl", body, {"Authorization": f"Bearer {token.reveal()}"}
        )
    except httpx.HTTPError as exc:
        raise ConfigurationProblem(
            Text("cannot reach M-Pesa: {error}", error=type(exc).__name__)
        ) from None
    said = _json(answer)
    if answer.is_success and str(said.get("ResponseCode", "")) in ("0", "00000000"):
        return
    why = str(said.get("errorMessage") or said.get("ResponseDescription") or answer.status_code)
    if "already registered" in why.lower():
        raise ConfigurationProblem(
            Text(
                "M-Pesa has C2B URLs for {shortcode} already: delete them in Daraja's URL "
                "Management (Self Services), then run this again",
                shortcode=shortcode,
            )
        )
    raise ConfigurationProblem(Text("M-Pesa refused the C2B URLs: {why}", why=why))


def _hub_urls(store: SecretStore) -> dict[str, str]:
    kept = store.get(HUB_CALLBACKS)
    try:
        urls = json.loads(kept.reveal()) if kept else {}
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in urls.items()} if isinstance(urls, dict) else {}


def _json(answer: httpx.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


async def register_for(
    config: Config, store: SecretStore, build: Build, shortcode: str | None = None
) -> str:
    """Register the hub's C2B URLs (kept when the till was linked) for the shop's number;
    the number. Raises ConfigurationProblem (ProviderError) with what to do."""
    section = config.section("mpesa", MpesaConfig)
    urls = _hub_urls(store)
    if CONFIRMATION not in urls or VALIDATION not in urls:
        raise ConfigurationProblem(Text(NOT_LINKED))
    found = {name: value for name in secrets.ALL if (value := store.get(name)) is not None}
    if not all(name in found for name in secrets.ALL if name.required):
        raise ConfigurationProblem(Text(SPEC_NOT_SET_UP))
    number = shortcode or section.party_b or section.shortcode
    built = build(BuildContext(config, section, found, callbacks=urls))
    client = cast(MpesaProvider, built.provider).client
    try:
        await register(client, number, urls)
    finally:
        await client.aclose()
    return number


def run(args: argparse.Namespace, config: Config, store: SecretStore, build: Build) -> int:
    try:
        number = asyncio.run(register_for(config, store, build, args.shortcode))
    except ProviderError as exc:
        print(f"pos-app mpesa-c2b-urls: {message_of(exc)}", file=sys.stderr)
        return _EXIT_CONFIG
    print(f"Customer payments to {number} now reach the hub.")
    return 0
