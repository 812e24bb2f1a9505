"""Real `pos-app` processes against the simulator served over HTTP, with a real SQLite file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pos_app.sandbox import demo
from pos_app.sandbox.airtel import AirtelSandboxSettings, AirtelSimulator
from pos_app.sandbox.app import create_app
from pos_app.sandbox.mpesa import MpesaSandboxSettings, MpesaSimulator
from pos_app.sandbox.mtn import MtnSandboxSettings, MtnSimulator
from pos_app.sandbox.server import ThreadedServer

CONFIG = """
[shop]
name = "Test shop"
country = "UG"

[mtn]
first_poll_seconds = 0.2
approval_timeout_seconds = 30

[mpesa]
callback_url = "https://pos-app.invalid/daraja/cb"
first_poll_seconds = 0.2
approval_timeout_seconds = 30

[airtel]
first_poll_seconds = 0.2
approval_timeout_seconds = 30
"""


@dataclass
class Rig:
    mtn: MtnSimulator
    mpesa: MpesaSimulator
    airtel: AirtelSimulator
    server: ThreadedServer
    env: dict[str, str]
    db: Path

    def run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pos_app", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start(self, *args: str, pause: str | None = None) -> subprocess.Popen[str]:
        env = dict(self.env)
        if pause:
            env["POS_APP_FAULT_PAUSE"] = pause
        return subprocess.Popen(
            [sys.executable, "-m", "pos_app", *args],
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def rows(self) -> list[tuple[str, str, str | None, str]]:
        conn = sqlite3.connect(self.db)
        try:
            return conn.execute(
                "SELECT reference_id, status, provider_request_id, msisdn "
                "FROM payments ORDER BY created_at"
            ).fetchall()
        finally:
            conn.close()


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    mtn = MtnSimulator(MtnSandboxSettings(approval_delay=0.3))
    mpesa = MpesaSimulator(MpesaSandboxSettings(processing_seconds=0.3))
    airtel = AirtelSimulator(AirtelSandboxSettings(approval_delay=0.3))
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    with ThreadedServer(create_app(mtn, mpesa, others={"airtel": airtel})) as server:
        env = {
            **os.environ,
            "POS_APP_DATA_DIR": str(tmp_path / "data"),
            "POS_APP_CONFIG": str(config),
            "MTN_MOMO_BASE_URL": server.url,
            "MPESA_BASE_URL": server.url,
            "AIRTEL_BASE_URL": server.url,
            "MTN_MOMO_API_USER": demo.MTN_API_USER,
            "MTN_MOMO_API_KEY": demo.MTN_API_KEY,
            "MTN_MOMO_SUBSCRIPTION_KEY": demo.MTN_SUBSCRIPTION_KEYS["collection"],
            "MPESA_CONSUMER_KEY": demo.MPESA_CONSUMER_KEY,
            "MPESA_CONSUMER_SECRET": demo.MPESA_CONSUMER_SECRET,
            "MPESA_PASSKEY": demo.MPESA_PASSKEY,
            "AIRTEL_CLIENT_ID": demo.AIRTEL_CLIENT_ID,
            "AIRTEL_CLIENT_SECRET": demo.AIRTEL_CLIENT_SECRET,
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
            # Every provider request in the log: the masking below is checked on all of it.
            "POS_APP_LOG_LEVEL": "DEBUG",
        }
        env.pop("POS_APP_FAULT_PAUSE", None)
        env.pop("AIRTEL_PROXY_PASSWORD", None)
        yield Rig(mtn, mpesa, airtel, server, env, tmp_path / "data" / "pos-app.sqlite3")
