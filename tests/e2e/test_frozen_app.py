"""Build the packaged app with build.spec, then use the frozen executable as a shop would:
its version, the doctor, a whole charge against the in-process simulator, the window.

Slow (the build takes about a minute); deselect with `-m "not slow"`.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from pos_app.platform.credentials import installed_backends
from pos_app.sandbox import demo
from tests.printing.escpos_decode import decode
from tests.printing.fake_printer import FakePrinter

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
EXE_NAME = "pos-app.exe" if sys.platform == "win32" else "pos-app"


@dataclass
class Bundle:
    folder: Path
    work: Path  # a folder of its own: no source tree, no virtual environment in sight

    @property
    def executable(self) -> Path:
        return self.folder / EXE_NAME

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PYTHON", "VIRTUAL_ENV", "POS_APP_"))
        }
        env.update(
            POS_APP_DATA_DIR=str(self.work / "data"),
            POS_APP_LOG_DIR=str(self.work / "logs"),
            XDG_CONFIG_HOME=str(self.work / "config"),
            QT_QPA_PLATFORM="offscreen",
            **extra,
        )
        return env

    def run(self, *args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.executable), *args],
            cwd=self.work,
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    build = tmp_path_factory.mktemp("build")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            str(ROOT / "build.spec"),
            "--noconfirm",
            "--distpath",
            str(build / "dist"),
            "--workpath",
            str(build / "work"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    shutil.rmtree(build / "work")  # PyInstaller's intermediate files, 100+ MB
    folder = build / "dist" / "pos-app"
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"\nbundle: {folder}, {size / 2**20:.0f} MiB")
    return Bundle(folder, tmp_path_factory.mktemp("shop"))


def test_version_comes_from_the_package_metadata(bundle: Bundle) -> None:
    result = bundle.run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"pos-app {importlib.metadata.version('pos-app')}"


def test_doctor_in_demo_mode(bundle: Bundle) -> None:
    result = bundle.run("doctor", "--demo")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK   mtn: reachable, token accepted" in result.stdout
    assert "OK   mpesa: reachable, token accepted" in result.stdout
    assert "intact, schema" in result.stdout
    assert "keyring" not in result.stdout  # demo mode needs no secret: nothing about them
    # keyring's backends are found through entry points: the build must keep their metadata.
    # Only this system's (viable) backends are listed, the same in the bundle as from source.
    live = bundle.run(
        "doctor",
        MTN_MOMO_BASE_URL="http://127.0.0.1:9",  # live (a key is set), answered at once
        MTN_MOMO_API_USER="x",
        MTN_MOMO_API_KEY="x",
        MTN_MOMO_SUBSCRIPTION_KEY="x",
    )
    expected = installed_backends()
    assert expected and "Windows" not in expected and "macOS" not in expected
    assert f"keyring backends for this system: {', '.join(expected)}" in live.stdout


@pytest.mark.parametrize(
    ("provider", "phone", "full", "masked"),
    [
        ("mtn", "0772 123 456", "256772123456", "256772***456"),
        ("mpesa", "0722 000 555", "254722000555", "254722***555"),
        ("airtel", "0752 123 456", "256752123456", "256752***456"),
    ],
)
def test_a_headless_charge_ends_successful(
    bundle: Bundle, provider: str, phone: str, full: str, masked: str
) -> None:
    result = bundle.run(
        "charge", "--demo", "--provider", provider, "--amount", "1500", "--phone", phone, "--json"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    updates = [json.loads(line) for line in result.stdout.splitlines()]
    assert updates[-1]["status"] == "successful"
    # M-Pesa's status query carries no receipt number (the cashier records it from the SMS);
    # MTN's gives its financialTransactionId, Airtel's its airtel_money_id.
    assert bool(updates[-1]["receipt"]) == (provider in ("mtn", "airtel"))
    reference = updates[-1]["reference_id"]
    stored = json.loads(bundle.run("receipts", "--demo", "--format", "json").stdout)
    assert {p["reference_id"]: p["status"] for p in stored}[reference] == "successful"
    log = (bundle.work / "logs" / "pos-app.log").read_text()
    assert f"payment {reference} successful: {provider}" in log and masked in log
    assert full not in log


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_the_frozen_simulator_serves_a_frozen_charge_over_http(bundle: Bundle) -> None:
    """`pos-app sandbox` (uvicorn, Starlette) and a charge with credentials, not demo mode:
    both packaged, talking real HTTP."""
    port = free_port()
    server = subprocess.Popen(
        [str(bundle.executable), "sandbox", "--port", str(port), "--approval-delay", "0.5"],
        cwd=bundle.work,
        env=bundle.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert server.poll() is None and time.monotonic() < deadline, "no sandbox server"
            time.sleep(0.1)
        result = bundle.run(
            "charge",
            "--provider",
            "mtn",
            "--amount",
            "25",
            "--phone",
            "0772 123 456",
            MTN_MOMO_BASE_URL=f"http://127.0.0.1:{port}",
            MTN_MOMO_API_USER=demo.MTN_API_USER,
            MTN_MOMO_API_KEY=demo.MTN_API_KEY,
            MTN_MOMO_SUBSCRIPTION_KEY=demo.MTN_SUBSCRIPTION_KEYS["collection"],
            PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "DEMO" not in result.stderr
    assert "PAID" in result.stdout and "256772***456" in result.stdout


def test_a_frozen_receipt_prints_on_a_network_printer(bundle: Bundle) -> None:
    """python-escpos and its printer database travel with the app: a demo charge, then its
    receipt and the day's report on a real TCP printer."""
    charged = bundle.run(
        "--demo",
        "charge",
        "--provider",
        "mtn",
        "--amount",
        "2500",
        "--phone",
        "0772123456",
        "--json",
    )
    assert charged.returncode == 0, charged.stderr
    reference = json.loads(charged.stdout.splitlines()[-1])["reference_id"]
    with FakePrinter("ok") as printer:
        printed = bundle.run("--demo", "print", reference[:8], "--printer", printer.url)
        assert printed.returncode == 0, printed.stderr
        report = bundle.run("--demo", "report", "--print", POS_APP_PRINTER=printer.url)
        assert report.returncode == 0, report.stderr
        receipt, day = printer.wait_for_jobs(2)
    assert decode(receipt).qr_codes[0].startswith(reference)
    assert "End-of-day report" in " ".join(decode(day).texts())


def test_the_window_opens_with_its_icon_and_title(bundle: Bundle) -> None:
    result = bundle.run("--demo", "--smoke-test")
    assert result.returncode == 0, result.stderr
    assert "window shown in" in result.stdout
    assert "pos-app — My shop — Till 1 — DEMO" in result.stdout
    assert "icon ok" in result.stdout  # the SVG plugins travelled with Qt


def test_the_bundle_holds_what_the_app_needs_and_not_more(bundle: Bundle) -> None:
    internal = bundle.folder / "_internal"
    names = {p.name for p in internal.rglob("*")}
    assert "pos_app_fr.qm" in names and "icon.svg" in names
    assert any(name.startswith("libQt6Charts.so") or name == "Qt6Charts.dll" for name in names)
    qt_translations = {p.name for p in internal.rglob("qtbase_*.qm")}
    assert qt_translations == {"qtbase_fr.qm"}
    assert any(name.startswith("keyring-") and name.endswith(".dist-info") for name in names)
    for unwanted in ("QtWebEngine", "QtQml", "QtQuick", "QtNetwork", "QtDesigner", "tkinter"):
        assert not any(unwanted in name for name in names), unwanted
    for unwanted in ("pytest", "hypothesis", "PyInstaller"):
        assert unwanted not in names
