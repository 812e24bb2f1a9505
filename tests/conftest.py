from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TYPE_CHECKING, Any

import keyring
import pytest
from keyring.backend import KeyringBackend

from tests.postgres import PostgresServer, postgres_server

if TYPE_CHECKING:
    from pos_app.domain.money import Money
    from pos_app.engine.engine import ChargeRequest

# Real Qt widgets, no display: set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

SECRET_ENV_VARS = (
    "MTN_MOMO_SUBSCRIPTION_KEY",
    "MTN_MOMO_API_USER",
    "MTN_MOMO_API_KEY",
    "MTN_MOMO_DISBURSEMENT_SUBSCRIPTION_KEY",
    "MPESA_CONSUMER_KEY",
    "MPESA_CONSUMER_SECRET",
    "MPESA_PASSKEY",
    "MPESA_INITIATOR_PASSWORD",
    "MTN_MOMO_BASE_URL",
    "MPESA_BASE_URL",
    "AIRTEL_CLIENT_ID",
    "AIRTEL_CLIENT_SECRET",
    "AIRTEL_BASE_URL",
    "MTN_PROXY_PASSWORD",
    "MPESA_PROXY_PASSWORD",
    "AIRTEL_PROXY_PASSWORD",
    "POS_APP_CONFIG",
    "POS_APP_OWNER_PIN",
    "POS_APP_NEW_OWNER_PIN",
    "POS_APP_HUB_TILL_KEY",
    "POS_APP_HUB_CALLBACK_URLS",
    "POS_APP_HUB_DATABASE_URL",
    "POS_APP_PRINTER",
)
OWNER_PIN = "480213"


def mtn_body(msisdn: str = "256772123456", **changes: Any) -> dict[str, Any]:
    """An MTN request-to-pay body as a shop's till sends it."""
    return {
        "amount": "12.50",
        "currency": "EUR",
        "externalId": "SALE-1",
        "payer": {"partyIdType": "MSISDN", "partyId": msisdn},
        "payerMessage": "Shop sale",
        "payeeNote": "Sale 1",
    } | changes


def charge_request(
    provider: str,
    amount: Money,
    msisdn: str,
    *,
    external_id: str | None = None,
    message: str | None = None,
    cashier: str | None = None,
) -> ChargeRequest:
    """A charge of `msisdn` as the engine takes it. The number is taken as given (no region,
    no network): the engine sends the MSISDN and leaves reading a typed number to the till."""
    from pos_app.domain.phone import PhoneNumber
    from pos_app.engine.engine import ChargeRequest

    return ChargeRequest(
        provider,
        amount,
        PhoneNumber(msisdn, None, None),
        external_id=external_id,
        message=message,
        cashier=cashier,
    )


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps secrets in memory, for tests."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.store:
            raise keyring.errors.PasswordDeleteError(username)
        del self.store[(service, username)]


@pytest.fixture(scope="session", autouse=True)
def deferred_modules() -> None:
    """What the app loads on a worker thread once its window shows (pos_app/app/deferred.py),
    loaded before any test: the windows made here skip that step, and the first number typed
    would otherwise load the carriers' tables inside a lag probe."""
    from pos_app.app.deferred import load_deferred

    load_deferred(demo=True)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """Every test gets its own data dir, config dir and keyring, and no real secrets, and
    starts in the live world (a command under test may enter the demo world)."""
    from pos_app.platform import paths

    paths.enter_demo_world(False)
    for name in SECRET_ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("POS_APP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("POS_APP_LOG_DIR", str(tmp_path / "logs"))
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    yield memory
    paths.enter_demo_world(False)
    keyring.set_keyring(previous)
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, RotatingFileHandler)]:
        root.removeHandler(handler)  # a command's log file, in this test's folder
        handler.close()


@pytest.fixture
def memory_keyring(isolated: MemoryKeyring) -> MemoryKeyring:
    return isolated


@pytest.fixture
def owner_pin(isolated: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> str:
    """This till's database has an owner PIN, and owner commands are given it."""
    from pos_app.engine.owner import OwnerGate
    from pos_app.platform import paths
    from pos_app.store import PaymentRepository, open_database

    repository = PaymentRepository(open_database(paths.database_path()))
    try:
        OwnerGate(repository.owner_log, "Till 1").set_pin(OWNER_PIN)
    finally:
        repository.close()
    monkeypatch.setenv("POS_APP_OWNER_PIN", OWNER_PIN)
    return OWNER_PIN


@pytest.fixture
def stick(tmp_path: Path) -> Iterator[Path]:
    """A USB stick of 300 KB: a real, small file system (tests/storage_faults.py)."""
    from tests.storage_faults import small_disk

    with small_disk(tmp_path / "stick", "300k") as folder:
        yield folder


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the whole session, started when a test first needs it."""
    with postgres_server() as server:
        yield server
