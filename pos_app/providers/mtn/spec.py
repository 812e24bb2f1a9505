"""MTN MoMo as a plug-in: what the rest of the app may know of it."""

from __future__ import annotations

import re
from typing import cast

from pos_app.domain.errors import Text
from pos_app.domain.phone import TestNumbers
from pos_app.platform.secret import Secret
from pos_app.providers.mtn import environments, secrets
from pos_app.providers.mtn.callbacks import ROUTES, callback_id
from pos_app.providers.mtn.client import MtnClient, MtnCredentials, Product
from pos_app.providers.mtn.provider import MtnProvider
from pos_app.providers.mtn.provisioning import provision
from pos_app.providers.mtn.reasons import CATALOG
from pos_app.providers.mtn.settings import MtnConfig
from pos_app.providers.mtn.setup_command import MTN_SETUP
from pos_app.providers.mtn.text import MAX_NOTE
from pos_app.providers.spec import (
    BuildContext,
    Built,
    Capabilities,
    ChargeRules,
    ProviderSpec,
    Provisioning,
    SettingRow,
    connection_rows,
)


def build(context: BuildContext) -> Built:
    section = cast(MtnConfig, context.section)
    env = environments.resolve(section, context.config.shop.country)
    found = context.secrets
    keys: dict[Product, Secret] = {"collection": found[secrets.SUBSCRIPTION_KEY]}
    if secrets.DISBURSEMENT_KEY in found:
        keys["disbursement"] = found[secrets.DISBURSEMENT_KEY]
    client = MtnClient(
        base_url=context.base_url or env.base_url,
        target_environment=env.target_environment,
        credentials=MtnCredentials(
            # The API user is an id, sent in clear in the Basic header: not a secret.
            api_user=found[secrets.API_USER].reveal(),
            api_key=found[secrets.API_KEY],
            subscription_keys=keys,
        ),
        timeout=section.request_timeout_seconds,
        callback_url=section.callback_url or None,
        hub_callbacks=context.callbacks,
        transport=context.transport,
        proxy=context.proxy("mtn"),
    )
    return Built(MtnProvider(client, env.currency), env.currency)


SPEC = ProviderSpec(
    id="mtn",
    name="MTN MoMo",
    short_name="MTN",
    countries={region: environments.currency(region) for region in environments.TARGETS},
    # Carrier names in phonenumbers' data: MTN runs under older brands in Guinea (Areeba) and
    # Guinea-Bissau (Spacetel).
    networks=("mtn", "areeba", "spacetel"),
    config=MtnConfig,
    secrets=secrets.ALL,
    reasons=CATALOG,
    rules=ChargeRules(message_length=MAX_NOTE),
    capabilities=Capabilities(
        resends_with_same_id=True,  # a second request with the same X-Reference-Id gets 409
        asks_without_request_id=True,
        status_gives_receipt=True,  # financialTransactionId
        resolved_by_hand=False,
        account_lookup=True,
        refunds=True,
        reports_refunds=True,
    ),
    settings=(
        *connection_rows("MTN MoMo", "empty: MTN's URL for the environment"),
        SettingRow("target_environment", "Target environment", "empty: by country"),
        SettingRow("currency", "Currency", "empty: EUR in the sandbox, else the country's"),
    ),
    # MTN documents 10 status queries per second (since raised to 150 per IP).
    rate_limit=10.0,
    build=build,
    not_set_up=Text(
        "MTN is not set up: its API user, API key and subscription key are missing "
        "(run `pos-app mtn-setup` for the sandbox)"
    ),
    # MTN's sandbox answers by these Swedish-looking test numbers (46733123450-63,
    # 56733123453), whatever country the shop is in.
    test_numbers=TestNumbers(re.compile(r"[45]67331234\d\d"), "MTN sandbox"),
    commands=(MTN_SETUP,),
    provisioning=Provisioning(
        secrets.SUBSCRIPTION_KEY,
        Text("Type the MTN Collection subscription key from momodeveloper.mtn.com first"),
        provision,
    ),
    callbacks=ROUTES,
    callback_id=callback_id,
)
