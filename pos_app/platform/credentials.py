"""Provider secrets: in the OS keyring, with environment variables as overrides for headless use.

A secret is never written to a plain file, the database or a log; `Secret` hides its value in
reprs and messages so that it cannot leak by accident.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pos_app.platform.secret import Secret

# keyring (and its backends' search through the installed packages) is imported at the first
# secret asked for: a demo till asks none, and the window opens 30 ms sooner.
if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

SERVICE = "pos-app"


@dataclass(frozen=True)
class SecretName:
    """One secret a provider needs: its keyring entry ("<provider>.<what>"), the environment
    variable that overrides it, and its label in the settings."""

    value: str
    env_var: str
    label: str = ""
    required: bool = True  # without it the provider is not set up (else: an extra feature)

    @property
    def provider(self) -> str:
        return self.value.split(".", 1)[0]


def proxy_password(provider: str) -> SecretName:
    """The password of a provider's proxy (its `proxy` setting), if the proxy asks for one."""
    return SecretName(
        f"{provider}.proxy_password", f"{provider.upper()}_PROXY_PASSWORD", "Proxy password", False
    )


# The till's key at the owner's hub, and the callback URLs the hub gave it (they carry the
# hub's path secrets): both from `pos-app link`.
HUB_KEY = SecretName("hub.till_key", "POS_APP_HUB_TILL_KEY", "Hub till key", False)
HUB_CALLBACKS = SecretName("hub.callback_urls", "POS_APP_HUB_CALLBACK_URLS", "Hub callbacks", False)


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


def keyring_status(
    backend: KeyringBackend | None = None, env_vars: tuple[str, ...] = ()
) -> KeyringStatus:
    import keyring

    kr = backend or keyring.get_keyring()
    name = f"{type(kr).__module__}.{type(kr).__name__}"
    if type(kr).__module__.startswith(_UNSAFE_BACKENDS) or type(kr).__name__ in _UNSAFE_NAMES:
        return KeyringStatus(
            False,
            name,
            (
                "No secure keyring is available on this computer, so pos-app cannot store provider "
                f"secrets. {keyring_fix()}, or set the secrets in the environment: "
                + (", ".join(env_vars) or "see the README, Secrets")
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
    import importlib.metadata

    from keyring.backend import KeyringBackend

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
        self,
        environ: Mapping[str, str] | None = None,
        backend: KeyringBackend | None = None,
        names: tuple[SecretName, ...] = (),
    ) -> None:
        self._environ = os.environ if environ is None else environ
        self._backend = backend
        self.names = names  # every secret the installed providers know, for messages

    def _keyring(self) -> KeyringBackend:
        import keyring

        return self._backend or keyring.get_keyring()

    def status(self) -> KeyringStatus:
        return keyring_status(self._keyring(), tuple(name.env_var for name in self.names))

    def get(self, name: SecretName) -> Secret | None:
        """The environment variable if set, else the keyring entry, else None."""
        value = self._environ.get(name.env_var, "").strip()
        if value:
            return Secret(value)
        if not self.status().usable:
            return None
        from keyring.errors import KeyringError

        try:
            stored = self._keyring().get_password(SERVICE, name.value)
        except KeyringError:
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
        from keyring.errors import KeyringError

        try:
            self._keyring().set_password(SERVICE, name.value, value.strip())
        except KeyringError as exc:
            # The backend's message never includes the password, but keep ours plain anyway.
            raise NoSecureKeyring(
                f"The system keyring refused to store {name.value} ({type(exc).__name__})."
            ) from None

    def delete(self, name: SecretName) -> None:
        from keyring.errors import PasswordDeleteError

        with contextlib.suppress(PasswordDeleteError):
            self._keyring().delete_password(SERVICE, name.value)

    def has_all(self, names: tuple[SecretName, ...]) -> bool:
        return all(self.get(n) is not None for n in names)
