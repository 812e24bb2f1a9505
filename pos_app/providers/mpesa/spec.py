"""Safaricom M-Pesa (Daraja) as a plug-in: what the rest of the app may know of it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import cast

from pos_app.domain.errors import Text, message_of
from pos_app.domain.receipt_codes import ReceiptCode
from pos_app.platform.secret import Secret
from pos_app.providers.base import ConfigurationProblem
from pos_app.providers.mpesa import c2b_urls, rules, secrets
from pos_app.providers.mpesa.callbacks import ROUTES, STK_ROUTE
from pos_app.providers.mpesa.client import Initiator, MpesaClient, MpesaCredentials, StkSettings
from pos_app.providers.mpesa.provider import MpesaProvider
from pos_app.providers.mpesa.reasons import CATALOG
from pos_app.providers.mpesa.security import security_credential
from pos_app.providers.mpesa.settings import TRANSACTION_TYPES, MpesaConfig
from pos_app.providers.spec import (
    BuildContext,
    Built,
    Capabilities,
    ProviderCommand,
    ProviderSpec,
    SettingRow,
    connection_rows,
)


def build(context: BuildContext) -> Built:
    section = cast(MpesaConfig, context.section)
    # The hub's, once the till is linked: its callback carries the M-Pesa receipt code.
    hub = context.callbacks.get(STK_ROUTE)
    # A hub reached over http or on this machine serves trials with the simulator only.
    local = bool(hub) and section.environment == "sandbox"
    callback = rules.callback_url(hub or section.callback_url, local=local)  # or raises
    found = context.secrets
    base = (
        context.base_url
        or section.base_url
        or (rules.SANDBOX_URL if section.environment == "sandbox" else rules.PRODUCTION_URL)
    )
    client = MpesaClient(
        base_url=base,
        credentials=MpesaCredentials(
            found[secrets.CONSUMER_KEY], found[secrets.CONSUMER_SECRET], found[secrets.PASSKEY]
        ),
        stk=StkSettings(
            section.shortcode, section.transaction_type, section.party_b, callback, local, bool(hub)
        ),
        timeout=section.request_timeout_seconds,
        transport=context.transport,
        proxy=context.proxy("mpesa"),
    )
    try:
        initiator = _initiator(section, found.get(secrets.INITIATOR_PASSWORD))
    except ConfigurationProblem as exc:
        # Only refunds need it: the till charges, and the owner reverses by hand meanwhile.
        problem = Text(
            "{why}: refunds are reversed by hand in the M-Pesa portal until it is fixed",
            why=message_of(exc),
        )
        return Built(MpesaProvider(client, None), "KES", (problem,))
    return Built(MpesaProvider(client, initiator), "KES")


def _initiator(section: MpesaConfig, password: Secret | None) -> Initiator | None:
    if not (section.initiator_name and section.certificate and section.result_url and password):
        return None
    try:
        certificate = Path(section.certificate).read_bytes()
    except OSError as exc:
        raise ConfigurationProblem(
            Text(
                "cannot read [mpesa] certificate {path}: {why}",
                path=section.certificate,
                why=exc.strerror,
            )
        ) from exc
    return Initiator(
        section.initiator_name,
        security_credential(password, certificate),
        section.result_url,
        section.queue_timeout_url or section.result_url,
    )


SPEC = ProviderSpec(
    id="mpesa",
    name="M-Pesa",
    short_name="M-Pesa",
    countries={"KE": "KES"},
    networks=("safaricom",),
    config=MpesaConfig,
    secrets=secrets.ALL,
    reasons=CATALOG,
    rules=rules.CHARGE_RULES,
    capabilities=Capabilities(
        resends_with_same_id=False,  # Daraja has no idempotency key: a resend is a 2nd charge
        asks_without_request_id=False,  # STK Query needs the CheckoutRequestID
        status_gives_receipt=False,  # only the callback carries MpesaReceiptNumber
        resolved_by_hand=True,
        account_lookup=False,
        refunds=True,  # a Reversal, with an API initiator
        reports_refunds=False,  # a Reversal's result goes to the ResultURL only
    ),
    settings=(
        *connection_rows("M-Pesa", "empty: Safaricom's URL for the environment"),
        SettingRow("currency", "Currency"),
        SettingRow("shortcode", "Shortcode", "PayBill number, or the till's store number"),
        SettingRow(
            "transaction_type",
            "Type",
            choices=tuple(zip(TRANSACTION_TYPES, ("PayBill", "Buy Goods (till)"), strict=True)),
        ),
        SettingRow("party_b", "Till number", "Buy Goods only; empty: the shortcode"),
    ),
    rate_limit=5.0,  # Daraja publishes no figure: stay gentle
    build=build,
    not_set_up=Text(
        "M-Pesa is not set up: its consumer key, consumer secret and passkey are missing"
    ),
    receipt_code=ReceiptCode(
        "M-Pesa code", re.compile(r"[A-Z0-9]{10}"), "10 letters and digits", "NLJ7RT61SV"
    ),
    home="KE",  # M-Pesa is Kenyan
    callbacks=ROUTES,
    customer_payments=lambda config, store: c2b_urls.register_for(config, store, build),
    commands=(
        ProviderCommand(
            "mpesa-c2b-urls",
            "register the hub's URLs for customers' own payments to the till/paybill number",
            c2b_urls.arguments,
            lambda args, config, store: c2b_urls.run(args, config, store, build),
        ),
    ),
)
