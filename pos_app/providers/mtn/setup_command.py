"""`pos-app mtn-setup`: sandbox credentials made by MTN's provisioning API, into the keyring."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from pos_app.platform.config import Config
from pos_app.platform.credentials import SecretStore
from pos_app.platform.secret import Secret
from pos_app.providers.base import ProviderError
from pos_app.providers.mtn.provisioning import provision
from pos_app.providers.mtn.secrets import SUBSCRIPTION_KEY
from pos_app.providers.mtn.settings import MtnConfig
from pos_app.providers.spec import ProviderCommand

_EXIT_CONFIG = 4  # the command line's "configuration, setup or credentials problem"


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--callback-host",
        default="localhost",
        help="providerCallbackHost of the new API user (default localhost)",
    )


def mtn_setup(args: argparse.Namespace, config: Config, store: SecretStore) -> int:
    """Provision MTN sandbox credentials and keep them in the keyring."""
    section = config.section("mtn", MtnConfig)
    if section.environment != "sandbox":
        print(
            "pos-app mtn-setup: provisioning exists only in MTN's sandbox; production "
            "credentials come from MTN's partner portal.",
            file=sys.stderr,
        )
        return _EXIT_CONFIG
    keyring = store.status()
    if not keyring.usable:
        print(f"pos-app mtn-setup: {keyring.message}", file=sys.stderr)
        return _EXIT_CONFIG
    key = store.get(SUBSCRIPTION_KEY)
    typed = False
    if key is None and sys.stdin.isatty():
        entered = getpass.getpass("MTN Collection subscription key (from momodeveloper.mtn.com): ")
        key, typed = (Secret(entered.strip()), True) if entered.strip() else (None, False)
    if key is None:
        print(
            "pos-app mtn-setup: no MTN subscription key: set MTN_MOMO_SUBSCRIPTION_KEY or run "
            "this in a terminal to type it.",
            file=sys.stderr,
        )
        return _EXIT_CONFIG
    try:
        said = asyncio.run(provision(store, config, key, typed, args.callback_host))
    except ProviderError as exc:
        print(f"pos-app mtn-setup: {exc}", file=sys.stderr)
        return _EXIT_CONFIG
    print(f"{said}.")
    return 0


MTN_SETUP = ProviderCommand(
    "mtn-setup",
    "create MTN sandbox credentials and store them in the keyring",
    _arguments,
    mtn_setup,
)
