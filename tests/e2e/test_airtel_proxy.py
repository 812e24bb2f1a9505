"""Airtel answers collection calls only from the addresses on the app's Server IP Allowed List
(reference airtel-api.md §6.4): a till on a dynamic line sends them through a proxy with a
fixed address. Here a real tinyproxy, listening on 127.0.0.1 and connecting out from
127.0.0.2 (the allow-listed address), between real `pos-app` processes and the simulator
served over https, as Airtel is: the till's calls go through the proxy's CONNECT, so TLS stays
end to end and the proxy never sees a path, a token or a secret."""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from pos_app.sandbox import demo
from pos_app.sandbox.airtel import AirtelSandboxSettings, AirtelSimulator
from pos_app.sandbox.app import create_app
from pos_app.sandbox.server import ThreadedServer

TINYPROXY = shutil.which("tinyproxy")
pytestmark = pytest.mark.skipif(
    TINYPROXY is None,
    reason="tinyproxy is not installed (Debian package tinyproxy; `.ci/dev check` installs it)",
)
FIXED_ADDRESS = "127.0.0.2"  # the proxy's outgoing address, the one Airtel allows
CHARGE = ("charge", "--provider", "airtel", "--amount", "1500", "--phone", "0752123456")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def config_text(proxy: str | None) -> str:
    lines = [
        "[shop]",
        'name = "Kampala shop"',
        'country = "UG"',
        "",
        "[mtn]",
        "enabled = false",
        "",
        "[mpesa]",
        "enabled = false",
        "",
        "[airtel]",
        "first_poll_seconds = 0.2",
        "approval_timeout_seconds = 30",
    ]
    if proxy is not None:
        lines.append(f'proxy = "{proxy}"')
    return "\n".join(lines) + "\n"


def self_signed(folder: Path) -> tuple[str, str]:
    """A certificate for 127.0.0.1 (the simulator's https) and its key, as files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "simulator.pem", folder / "simulator.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_file), str(key_file)


@dataclass
class Proxy:
    port: int
    password: str
    log: Path

    @property
    def url(self) -> str:
        return f"http://till@127.0.0.1:{self.port}"


@dataclass
class Shop:
    airtel: AirtelSimulator
    server: ThreadedServer
    proxy: Proxy
    tmp: Path

    def env(self, *, proxy_password: str | None) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            # Nothing of this machine's own proxies or of another provider's settings.
            if key.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
            and not key.startswith(("AIRTEL_", "MTN_", "MPESA_"))
        }
        env.update(
            POS_APP_DATA_DIR=str(self.tmp / "data"),
            POS_APP_LOG_DIR=str(self.tmp / "logs"),
            AIRTEL_BASE_URL=self.server.url,
            AIRTEL_CLIENT_ID=demo.AIRTEL_CLIENT_ID,
            AIRTEL_CLIENT_SECRET=demo.AIRTEL_CLIENT_SECRET,
            PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
            POS_APP_LOG_LEVEL="DEBUG",
            # The till trusts the simulator's certificate as it trusts Airtel's.
            SSL_CERT_FILE=str(self.tmp / "simulator.pem"),
        )
        env.pop("POS_APP_FAULT_PAUSE", None)
        if proxy_password is not None:
            env["AIRTEL_PROXY_PASSWORD"] = proxy_password
        return env

    def app_log(self) -> str:
        return (self.tmp / "logs" / "pos-app.log").read_text()

    def run(
        self, *args: str, proxy: str | None, proxy_password: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """`pos-app ARGS` with a config whose [airtel] proxy is `proxy` (None: no proxy line)."""
        config = self.tmp / f"config-{secrets.token_hex(4)}.toml"
        config.write_text(config_text(proxy))
        return subprocess.run(
            [sys.executable, "-m", "pos_app", "--config", str(config), *args],
            env=self.env(proxy_password=proxy_password),
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )


@pytest.fixture
def tls(tmp_path: Path) -> tuple[str, str]:
    return self_signed(tmp_path)


@pytest.fixture
def simulator_port() -> int:
    return free_port()


@pytest.fixture
def proxy(tmp_path: Path, simulator_port: int) -> Iterator[Proxy]:
    assert TINYPROXY is not None
    port, password = free_port(), secrets.token_urlsafe(12)
    log = tmp_path / "tinyproxy.log"
    conf = tmp_path / "tinyproxy.conf"
    conf.write_text(
        "\n".join(
            [
                f"Port {port}",
                "Listen 127.0.0.1",
                f"Bind {FIXED_ADDRESS}",
                f"BasicAuth till {password}",
                # CONNECT only to Airtel's port (the simulator's here), as on the hub machine.
                f"ConnectPort {simulator_port}",
                "Timeout 30",
                "MaxClients 20",
                "LogLevel Info",
                f'LogFile "{log}"',
                "Syslog Off",
            ]
        )
        + "\n"
    )
    errors = tmp_path / "tinyproxy.err"
    with errors.open("w") as err:  # a file, not a pipe nobody reads while it runs
        process = subprocess.Popen(
            [TINYPROXY, "-d", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=err
        )
    try:
        deadline = time.monotonic() + 10
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                process.wait(timeout=10)
                log_text = log.read_text() if log.exists() else ""
                pytest.fail(f"tinyproxy did not start: {errors.read_text()}{log_text}")
            time.sleep(0.05)
        yield Proxy(port, password, log)
    finally:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture
def shop(tmp_path: Path, proxy: Proxy, tls: tuple[str, str], simulator_port: int) -> Iterator[Shop]:
    airtel = AirtelSimulator(
        AirtelSandboxSettings(approval_delay=0.3, allowed_addresses=frozenset({FIXED_ADDRESS}))
    )
    app = create_app(others={"airtel": airtel})
    with ThreadedServer(app, port=simulator_port, tls=tls) as server:
        yield Shop(airtel, server, proxy, tmp_path)


def test_a_charge_through_the_proxy_leaves_from_the_allowed_address(shop: Shop) -> None:
    result = shop.run(
        *CHARGE, "--json", "--timeout", "10",
        proxy=shop.proxy.url, proxy_password=shop.proxy.password,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout.splitlines()[-1])["status"] == "successful"
    # The simulator takes collection calls from 127.0.0.2 only: the push came through the proxy.
    [(transaction_id, prompts)] = shop.airtel.accepted.items()
    assert prompts == 1 and shop.airtel.charges() == 1 and shop.airtel.requests["push"] == 1
    proxy_log = shop.proxy.log.read_text()
    assert f"Bound to {FIXED_ADDRESS}" in proxy_log
    assert f"CONNECT 127.0.0.1:{shop.server.port}" in proxy_log
    # TLS end to end: the proxy saw where, never what (no path, no token, no client secret).
    assert "/merchant/" not in proxy_log and transaction_id not in proxy_log
    assert demo.AIRTEL_CLIENT_SECRET not in proxy_log
    assert shop.proxy.password not in shop.app_log()


def test_without_the_proxy_airtel_declines_and_the_owner_is_told_to_set_it(shop: Shop) -> None:
    result = shop.run(*CHARGE, "--timeout", "10", proxy=None)
    said = result.stdout + result.stderr
    assert result.returncode == 4, said  # the owner's settings, as a refused key
    assert "Server IP Allowed List" in said and "proxy" in said
    assert shop.airtel.requests["push"] == 1  # it left from 127.0.0.1, and was declined
    assert not shop.airtel.accepted and shop.airtel.charges() == 0  # no prompt


def test_a_wrong_proxy_password_charges_nobody_and_says_so(shop: Shop) -> None:
    result = shop.run(*CHARGE, "--timeout", "5", proxy=shop.proxy.url, proxy_password="wrong")
    said = result.stdout + result.stderr
    # The proxy refuses the tunnel before the token call: the owner's settings, nothing sent.
    assert result.returncode == 4, said
    assert "nothing was sent" in said and "the proxy refused the way to Airtel" in said, said
    assert shop.airtel.requests["token"] == 0 and shop.airtel.requests["push"] == 0
    assert not shop.airtel.accepted


def test_doctor_checks_the_proxy_and_the_token_through_it(shop: Shop) -> None:
    doctor = shop.run("doctor", proxy=shop.proxy.url, proxy_password=shop.proxy.password)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    lines = doctor.stdout.splitlines()
    assert f"OK   Airtel proxy 127.0.0.1:{shop.proxy.port} answers" in lines, doctor.stdout
    assert "OK   airtel: reachable through its proxy, token accepted" in lines, doctor.stdout
    assert shop.airtel.requests["token"] == 1
    assert f"CONNECT 127.0.0.1:{shop.server.port}" in shop.proxy.log.read_text()
    dead = free_port()  # nothing listens there
    doctor = shop.run(
        "doctor", proxy=f"http://till@127.0.0.1:{dead}", proxy_password=shop.proxy.password
    )
    assert doctor.returncode == 4, doctor.stdout + doctor.stderr
    assert any(
        line.startswith(f"FIX  Airtel proxy 127.0.0.1:{dead} does not answer")
        for line in doctor.stdout.splitlines()
    ), doctor.stdout
