"""Provider secrets: in the OS keyring, with environment variables as overrides for headless use.

A secret is never written to a plain file, the database or a log; `Secret` hides its value in
reprs and messages so that it cannot leak by accident.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from pos_app import logs

SERVICE = "pos-app"


class SecretName(StrEnum):
    MTN_SUBSCRIPTION_KEY = "mtn.subscription_key"
    MTN_API_USER = "mtn.api_user"
    MTN_API_KEY = "mtn.api_key"
    MTN_DISBURSEMENT_KEY = "mtn.disbursement_subscription_key"
    MPESA_CONSUMER_KEY = "mpesa.consumer_key"
    MPESA_CONSUMER_SECRET = "mpesa.consumer_secret"  # noqa: S105 - a name, not a secret
    MPESA_PASSKEY = "mpesa.passkey"
    MPESA_INITIATOR_PASSWORD = "mpesa.initiator_password"  # noqa: S105 - a name

    @property
    def env_var(self) -> str:
        return ENV_VARS[self]

    @property
    def provider(self) -> str:
        return self.value.split(".", 1)[0]


ENV_VARS: dict[SecretName, str] = {
    SecretName.MTN_SUBSCRIPTION_KEY: "MTN_MOMO_SUBSCRIPTION_KEY",
    SecretName.MTN_API_USER: "MTN_MOMO_API_USER",
    SecretName.MTN_API_KEY: "MTN_MOMO_API_KEY",
    SecretName.MTN_DISBURSEMENT_KEY: "MTN_MOMO_DISBURSEMENT_SUBSCRIPTION_KEY",
    SecretName.MPESA_CONSUMER_KEY: "MPESA_CONSUMER_KEY",
    SecretName.MPESA_CONSUMER_SECRET: "MPESA_CONSUMER_SECRET",
    SecretName.MPESA_PASSKEY: "MPESA_PASSKEY",
    SecretName.MPESA_INITIATOR_PASSWORD: "MPESA_INITIATOR_PASSWORD",
}


class Secret:
    """A secret value that prints as *** everywhere; `reveal()` only where it is sent."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        logs.hide(value)  # even a value quoted by a library's error message stays out of the log

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("a Secret cannot be pickled")


class NoSecureKeyring(Exception):
    """There is nowhere safe to store a secret on this computer."""


@dataclass(frozen=True)
class KeyringStatus:
    usable: bool
    backend: str
    message: str


# Backends that store nothing, or store secrets readable by anyone with the file.
_UNSAFE_BACKENDS = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt.file")
_UNSAFE_NAMES = ("PlaintextKeyring",)


def keyring_status(backend: KeyringBackend | None = None) -> KeyringStatus:
    kr = backend or keyring.get_keyring()
    name = f"{type(kr).__module__}.{type(kr).__name__}"
    if type(kr).__module__.startswith(_UNSAFE_BACKENDS) or type(kr).__name__ in _UNSAFE_NAMES:
        return KeyringStatus(
            False,
            name,
            (
                "No secure keyring is available on this computer, so pos-app cannot store provider "
                f"secrets. {keyring_fix()}, or set the secrets in the environment: "
                + ", ".join(ENV_VARS.values())
                + "."
            ),
        )
    return KeyringStatus(True, name, f"Secrets are stored in the system keyring ({name}).")


def keyring_fix(platform: str = sys.platform) -> str:
    """What to do on this operating system when there is no secure keyring."""
    if platform == "win32":
        return (
            "Windows Credential Manager is not reachable: reinstall pos-app "
            "(its keyring support is missing)"
        )
    if platform == "darwin":
        return "Unlock the login keychain (Keychain Access)"
    return (
        "Install and unlock GNOME Keyring or KWallet (Debian/Ubuntu: "
        "`sudo apt install gnome-keyring`, then log in to the desktop again)"
    )


def installed_backends() -> list[str]:
    """Keyring backends found through the `keyring.backends` entry points that can work on this
    system: keyring itself says which (a backend whose `priority` raises, such as Windows on
    Linux or SecretService without its D-Bus library, is not viable here).

    Empty means none (or the package metadata is missing: a packaged app built without it),
    and then keyring can only fall back to storing nothing."""
    loaded = []
    for entry in importlib.metadata.entry_points(group="keyring.backends"):
        try:
            entry.load()
        except Exception:  # noqa: S112 - a backend that cannot load is not installed
            continue
        loaded.append((entry.name, entry.module))
    viable = {cls.__module__ for cls in KeyringBackend.get_viable_backends()}
    return sorted(
        name
        for name, module in loaded
        if any(m == module or m.startswith(module + ".") for m in viable)
    )


class SecretStore:
    def __init__(
        self, environ: Mapping[str, str] | None = None, backend: KeyringBackend | None = None
    ) -> None:
        self._environ = os.environ if environ is None else environ
        self._backend = backend

    def _keyring(self) -> KeyringBackend:
        return self._backend or keyring.get_keyring()

    def status(self) -> KeyringStatus:
        return keyring_status(self._keyring())

    def get(self, name: SecretName) -> Secret | None:
        """The environment variable if set, else the keyring entry, else None."""
        value = self._environ.get(name.env_var, "").strip()
        if value:
            return Secret(value)
        if not self.status().usable:
            return None
        try:
            stored = self._keyring().get_password(SERVICE, name.value)
        except keyring.errors.KeyringError:
            # A locked or broken keyring reads as "not configured"; status() tells why.
            return None
        return Secret(stored) if stored else None

    def source(self, name: SecretName) -> str | None:
        """Where the secret comes from ("environment" or "keyring"), never the value."""
        if self._environ.get(name.env_var, "").strip():
            return "environment"
        return "keyring" if self.get(name) is not None else None

    def set(self, name: SecretName, value: str) -> None:
        if not value.strip():
            raise ValueError(f"{name.value} cannot be empty")
        status = self.status()
        if not status.usable:
            raise NoSecureKeyring(status.message)
        try:
            self._keyring().set_password(SERVICE, name.value, value.strip())
        except keyring.errors.KeyringError as exc:
            # The backend's message never includes the password, but keep ours plain anyway.
            raise NoSecureKeyring(
                f"The system keyring refused to store {name.value} ({type(exc).__name__})."
            ) from None

    def delete(self, name: SecretName) -> None:
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            self._keyring().delete_password(SERVICE, name.value)

    def has_all(self, names: tuple[SecretName, ...]) -> bool:
        return all(self.get(n) is not None for n in names)


MTN_SECRETS = (SecretName.MTN_SUBSCRIPTION_KEY, SecretName.MTN_API_USER, SecretName.MTN_API_KEY)
MPESA_SECRETS = (
    SecretName.MPESA_CONSUMER_KEY,
    SecretName.MPESA_CONSUMER_SECRET,
    SecretName.MPESA_PASSKEY,
)
