"""Headless subcommands of `pos-app` (the window lives in pos_app.ui)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from pos_app.config import Config
from pos_app.credentials import Secret, SecretName, SecretStore
from pos_app.providers.base import ProviderError
from pos_app.providers.mtn import environments
from pos_app.providers.mtn.provisioning import provision_into_keyring

EXIT_OK = 0
EXIT_CONFIG = 4


def sandbox(args: argparse.Namespace) -> int:
    from pos_app.sandbox import demo
    from pos_app.sandbox.app import create_app
    from pos_app.sandbox.mpesa import MpesaSandboxSettings, MpesaSimulator
    from pos_app.sandbox.mtn import MtnSandboxSettings, MtnSimulator
    from pos_app.sandbox.server import serve

    mtn = MtnSimulator(MtnSandboxSettings(approval_delay=args.approval_delay))
    mpesa = MpesaSimulator(MpesaSandboxSettings(processing_seconds=args.approval_delay))
    url = f"http://{args.host}:{args.port}"
    print(f"pos-app sandbox: MTN MoMo and M-Pesa Daraja simulator on {url} (Ctrl-C to stop)")
    print("Point pos-app at it with these public demo credentials:")
    print(
        f"  MTN_MOMO_BASE_URL={url} MTN_MOMO_API_USER={demo.MTN_API_USER} "
        f"MTN_MOMO_API_KEY={demo.MTN_API_KEY} "
        f"MTN_MOMO_SUBSCRIPTION_KEY={demo.MTN_SUBSCRIPTION_KEYS['collection']}"
    )
    print(
        f"  MPESA_BASE_URL={url} MPESA_CONSUMER_KEY={demo.MPESA_CONSUMER_KEY} "
        f"MPESA_CONSUMER_SECRET={demo.MPESA_CONSUMER_SECRET} MPESA_PASSKEY={demo.MPESA_PASSKEY}",
        flush=True,
    )
    try:
        serve(create_app(mtn, mpesa), args.host, args.port)
    except OSError as exc:
        print(f"pos-app sandbox: cannot listen on {url} ({exc.strerror})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def mtn_setup(args: argparse.Namespace, config: Config) -> int:
    """Provision MTN sandbox credentials and keep them in the keyring."""
    if config.mtn.environment != "sandbox":
        print(
            "pos-app mtn-setup: provisioning exists only in MTN's sandbox; production "
            "credentials come from MTN's partner portal.",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    store = SecretStore()
    keyring = store.status()
    if not keyring.usable:
        print(f"pos-app mtn-setup: {keyring.message}", file=sys.stderr)
        return EXIT_CONFIG
    key = store.get(SecretName.MTN_SUBSCRIPTION_KEY)
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
        return EXIT_CONFIG
    env = environments.resolve(config.mtn, config.shop.country)
    try:
        user = asyncio.run(
            provision_into_keyring(
                store, env.base_url, key, remember_key=typed, callback_host=args.callback_host
            )
        )
    except ProviderError as exc:
        print(f"pos-app mtn-setup: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    print(
        f"MTN sandbox API user {user.user_id} created on {env.base_url}; its API key is in "
        "the system keyring."
    )
    return EXIT_OK
