from __future__ import annotations

import logging
import pickle

import pytest
from keyring.backends import fail, null

from pos_app.platform.credentials import (
    SERVICE,
    NoSecureKeyring,
    SecretStore,
    keyring_status,
)
from pos_app.platform.secret import Secret
from pos_app.providers import registry
from pos_app.providers.mpesa.secrets import CONSUMER_KEY, PASSKEY
from pos_app.providers.mtn.secrets import API_KEY
from tests.conftest import MemoryKeyring


def test_documented_environment_variables() -> None:
    assert {n.env_var for n in registry.secret_names()} == {
        "MTN_MOMO_SUBSCRIPTION_KEY",
        "MTN_MOMO_API_USER",
        "MTN_MOMO_API_KEY",
        "MTN_MOMO_DISBURSEMENT_SUBSCRIPTION_KEY",
        "MPESA_CONSUMER_KEY",
        "MPESA_CONSUMER_SECRET",
        "MPESA_PASSKEY",
        "MPESA_INITIATOR_PASSWORD",
        "AIRTEL_CLIENT_ID",
        "AIRTEL_CLIENT_SECRET",
        "MTN_PROXY_PASSWORD",
        "MPESA_PROXY_PASSWORD",
        "AIRTEL_PROXY_PASSWORD",
    }


def test_keyring_store_and_read(memory_keyring: MemoryKeyring) -> None:
    store = SecretStore(environ={})
    assert store.get(API_KEY) is None
    store.set(API_KEY, "  k3y  ")
    assert memory_keyring.store[(SERVICE, "mtn.api_key")] == "k3y"
    assert store.get(API_KEY) == Secret("k3y")
    assert store.source(API_KEY) == "keyring"
    store.delete(API_KEY)
    store.delete(API_KEY)  # already gone: fine
    assert store.get(API_KEY) is None


def test_environment_overrides_keyring(memory_keyring: MemoryKeyring) -> None:
    store = SecretStore(environ={"MTN_MOMO_API_KEY": "from-env"})
    store.set(API_KEY, "from-keyring")
    assert store.get(API_KEY) == Secret("from-env")
    assert store.source(API_KEY) == "environment"


def test_has_all() -> None:
    spec = registry.spec("mtn")
    assert spec is not None
    required = spec.required_secrets()
    env = {n.env_var: "x" for n in required}
    assert SecretStore(environ=env).has_all(required)
    env.pop("MTN_MOMO_API_USER")
    assert not SecretStore(environ=env).has_all(required)


def test_empty_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        SecretStore(environ={}).set(PASSKEY, "  ")


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()])
def test_without_a_keyring_falls_back_to_environment_and_says_so(
    backend: object, tmp_path: object
) -> None:
    store = SecretStore(
        environ={"MPESA_PASSKEY": "pk"},
        backend=backend,  # type: ignore[arg-type]
        names=registry.secret_names(),
    )
    status = store.status()
    assert not status.usable
    assert "No secure keyring" in status.message and "MPESA_PASSKEY" in status.message
    assert store.get(PASSKEY) == Secret("pk")
    assert store.get(CONSUMER_KEY) is None
    with pytest.raises(NoSecureKeyring, match="environment"):
        store.set(CONSUMER_KEY, "value")


def test_plaintext_file_backends_are_not_trusted() -> None:
    class PlaintextKeyring(MemoryKeyring):
        pass

    assert not keyring_status(PlaintextKeyring()).usable
    assert keyring_status(MemoryKeyring()).usable


def test_broken_keyring_reads_as_missing() -> None:
    class Broken(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            from keyring.errors import KeyringLocked

            raise KeyringLocked("locked")

        def set_password(self, service: str, username: str, password: str) -> None:
            from keyring.errors import PasswordSetError

            raise PasswordSetError(f"cannot store {password}")

    store = SecretStore(environ={}, backend=Broken())
    assert store.get(API_KEY) is None
    with pytest.raises(NoSecureKeyring) as info:
        store.set(API_KEY, "hunter2-secret")
    assert "hunter2-secret" not in str(info.value)
    assert info.value.__cause__ is None and info.value.__context__ is not None


def test_secret_never_shows_its_value(caplog: pytest.LogCaptureFixture) -> None:
    secret = Secret("hunter2-secret")
    logging.getLogger("test").warning("token %s in %r and %s", secret, [secret], {"k": secret})
    assert "hunter2" not in caplog.text
    assert "hunter2" not in f"{secret} {secret!r} {[secret]}"
    assert secret.reveal() == "hunter2-secret"
    with pytest.raises(TypeError):
        pickle.dumps(secret)
