"""Airtel Money as a plug-in: what the rest of the app may know of it."""

from __future__ import annotations

import re
from typing import cast

from pos_app.domain.errors import Text
from pos_app.domain.receipt_codes import ReceiptCode
from pos_app.providers.airtel import secrets
from pos_app.providers.airtel.callbacks import ROUTES, callback_id
from pos_app.providers.airtel.client import AirtelClient, AirtelCredentials, Signing
from pos_app.providers.airtel.countries import COUNTRIES
from pos_app.providers.airtel.provider import REFERENCE_LENGTH, AirtelProvider
from pos_app.providers.airtel.reasons import CATALOG
from pos_app.providers.airtel.settings import PADDINGS, SIGNING, AirtelConfig
from pos_app.providers.spec import (
    BuildContext,
    Built,
    Capabilities,
    ChargeRules,
    ProviderSpec,
    SettingRow,
    connection_rows,
)

ID = "airtel"


def build(context: BuildContext) -> Built:
    section = cast(AirtelConfig, context.section)
    # The till builds Airtel only where the shop's country is one of its own (`local`).
    country = COUNTRIES[context.config.shop.country.upper()]
    currency = section.currency or country.currency
    production = section.environment == "production"
    signs = section.message_signing == "on" or (section.message_signing == "auto" and country.signs)
    client = AirtelClient(
        base_url=context.base_url or section.base_url or country.hosts[production],
        country=country.region,
        currency=currency,
        credentials=AirtelCredentials(
            context.secrets[secrets.CLIENT_ID], context.secrets[secrets.CLIENT_SECRET]
        ),
        signing=Signing(oaep=section.signing_padding == "oaep") if signs else None,
        timeout=section.request_timeout_seconds,
        transport=context.transport,
        proxy=context.proxy(ID),
    )
    return Built(AirtelProvider(client, country.digits), currency)


SPEC = ProviderSpec(
    id=ID,
    name="Airtel Money",
    short_name="Airtel",
    countries={region: country.currency for region, country in COUNTRIES.items()},
    networks=("airtel",),
    config=AirtelConfig,
    secrets=secrets.ALL,
    reasons=CATALOG,
    # Limits are per country and merchant, unpublished (Uganda's UAT takes UGX 500 and up):
    # Airtel's own refusal (DP00800001004) names them.
    rules=ChargeRules(message_length=REFERENCE_LENGTH),
    capabilities=Capabilities(
        resends_with_same_id=True,  # a resent transaction id gets ESB000041, no new prompt
        asks_without_request_id=True,  # the enquiry takes our own transaction id
        status_gives_receipt=True,  # airtel_money_id
        resolved_by_hand=False,
        account_lookup=True,  # KYC: /standard/v1/users/{msisdn}
        refunds=True,  # full refunds of a paid payment
        reports_refunds=True,  # answered at once; no enquiry exists for a lost answer
        partial_refunds=False,  # the refund names the payment, never an amount (§4.1)
        # No refund enquiry exists (§4.1): a refund whose answer was lost is the owner's to
        # check on Airtel's portal and confirm here.
        lost_refunds_by_hand=True,
    ),
    settings=(
        *connection_rows("Airtel Money", "empty: the country's Airtel host for the environment"),
        SettingRow("currency", "Currency", "empty: the country's"),
        SettingRow("message_signing", "Message signing", choices=SIGNING),
        SettingRow("signing_padding", "Key padding", choices=PADDINGS),
    ),
    # One recorded gateway answer says 10 requests a minute on the push; Airtel publishes no
    # limit. Status questions share 1 a second, and the client slows down when the gateway
    # says the minute is nearly spent.
    rate_limit=1.0,
    build=build,
    # An Airtel id as its portal and messages show it ("MP210603.1234.L06941", or digits in
    # Uganda: "133410367531"), typed by the owner who confirms a refund by hand.
    receipt_code=ReceiptCode(
        "Airtel Money id",
        re.compile(r"(?=[0-9.]*[A-Z])[A-Z0-9][A-Z0-9.]{7,29}|[0-9]{11,20}"),
        "8 to 30 letters, digits and dots, or 11 to 20 digits",
        "MP210603.1234.L06941",
        letters_required=False,
    ),
    local=True,  # an Airtel wallet is of one country: the shop's
    # A push may take a while to be visible to the enquiry (Airtel advises enquiring one to
    # three minutes after it; reference §3.5-3.6).
    not_found_grace=90.0,
    not_set_up=Text(
        "Airtel Money is not set up: its client id and client secret are missing (see the "
        "README: Airtel Money)"
    ),
    callbacks=ROUTES,
    callback_id=callback_id,
)
