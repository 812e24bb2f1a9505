"""Command-line manners: exit codes in --help, option values refused by the parser, quiet
keyring warnings (none in demo mode), WARN in doctor, closed pipes."""

from __future__ import annotations

import argparse
import io
import sys
from dataclasses import replace

import keyring
import pytest
from keyring.backends import fail

from pos_app.cli.common import positive_seconds
from pos_app.cli.doctor import doctor
from pos_app.cli.main import EXIT_CODES, build_parser, startup_keyring_problem
from pos_app.cli.payment_commands import still_waiting
from pos_app.domain.errors import Text
from pos_app.platform import console
from pos_app.platform.config import Config
from pos_app.platform.credentials import SecretName, SecretStore, installed_backends, keyring_fix
from pos_app.providers.mpesa.settings import MpesaConfig
from pos_app.providers.mtn.spec import SPEC as MTN
from tests.testpay import registered

COMMANDS = {
    "charge": ["charge", "--provider", "mtn", "--amount", "1500", "--phone", "0772123456"],
    "sync": ["sync"],
    "refund": ["refund", "3f1b8c1e-5d8a-4c4e-9f57-6c1a2b3c4d5e"],
}


def test_help_lists_every_exit_code() -> None:
    text = build_parser().format_help()
    assert "exit codes:" in text
    for code in ("0", "1", "2", "3", "4", "5", "130"):
        assert f"\n  {code} " in text, code
    assert "owner PIN" in text and "still waiting" in text
    assert ".venv/bin/pos-app" in text and EXIT_CODES.splitlines()[0] in text


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("timeout", ["-1", "0", "-0.5", "nan", "inf", "soon"])
def test_a_timeout_must_be_a_positive_number_of_seconds(
    command: str, timeout: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        build_parser().parse_args([*COMMANDS[command], "--timeout", timeout])
    assert caught.value.code == 2
    assert "--timeout" in capsys.readouterr().err


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_positive_timeout_is_taken(command: str) -> None:
    args = build_parser().parse_args([*COMMANDS[command], "--timeout", "0.5"])
    assert args.timeout == 0.5
    assert positive_seconds("360") == 360.0
    with pytest.raises(argparse.ArgumentTypeError, match="above 0"):
        positive_seconds("0")


def test_a_charge_still_waiting_says_what_happens_next() -> None:
    text = still_waiting(360.0)
    assert "still waiting for the customer after 360 s" in text
    assert "the payment is saved" in text and "`pos-app sync`" in text


def test_no_word_about_secrets_in_demo_mode(capsys: pytest.CaptureFixture[str]) -> None:
    keyring.set_keyring(fail.Keyring())
    assert startup_keyring_problem(SecretStore(), demo=True) is None
    assert capsys.readouterr().err == ""
    problem = startup_keyring_problem(SecretStore(), demo=False)
    assert problem is not None and "No secure keyring" in problem
    assert "No secure keyring" in capsys.readouterr().err


def test_a_working_keyring_is_not_a_problem(capsys: pytest.CaptureFixture[str]) -> None:
    assert startup_keyring_problem(SecretStore(), demo=False) is None  # the memory keyring
    assert capsys.readouterr().err == ""


@pytest.mark.skipif(sys.platform == "win32", reason="Windows' own backend is viable there")
def test_only_this_systems_keyring_backends_are_listed() -> None:
    names = installed_backends()
    assert "Windows" not in names
    if sys.platform != "darwin":
        assert "macOS" not in names


def test_doctor_warns_without_a_secure_keyring(capsys: pytest.CaptureFixture[str]) -> None:
    keyring.set_keyring(fail.Keyring())
    code = doctor(argparse.Namespace(), Config(), demo=False)
    out = capsys.readouterr().out
    [line] = [line for line in out.splitlines() if "keyring:" in line or "secure keyring" in line]
    assert line.startswith("WARN no secure keyring: ")
    assert keyring_fix() in line
    if sys.platform.startswith("linux"):
        assert "GNOME Keyring or KWallet" in line
    backends = next(line for line in out.splitlines() if "keyring backends" in line)
    assert backends.startswith("OK   keyring backends for this system: ")
    if sys.platform.startswith("linux"):
        assert "Windows" not in backends and "macOS" not in backends
    # No provider secrets here: those are FIX lines, and a FIX is what makes the exit 4.
    assert "FIX  MTN secrets missing" in out and code == 4


def test_doctor_says_every_installed_providers_secrets(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # MTN's required secrets and its optional refund key are found; a provider defined here
    # (one doctor was never told of) lacks its key; M-Pesa is switched off.
    for name in MTN.secrets:
        monkeypatch.setenv(name.env_var, "x")
    monkeypatch.setenv("MTN_MOMO_BASE_URL", "http://127.0.0.1:9")  # refused at once
    key = SecretName("testpay.key", "TESTPAY_KEY", "Key")
    spec = replace(
        MTN,
        id="testpay",
        short_name="TestPay",
        secrets=(key,),
        commands=(),
        not_set_up=Text("Test Pay is not set up: its key is missing"),
    )
    with registered(spec):
        config = Config(providers={"mpesa": MpesaConfig(enabled=False)})
        code = doctor(argparse.Namespace(), config, demo=False)
    out = capsys.readouterr().out.splitlines()
    assert (
        "OK   MTN secrets present: subscription_key (environment), api_user (environment), "
        "api_key (environment), disbursement_subscription_key (environment), "
        "proxy_password (environment)"
    ) in out
    assert "OK   M-Pesa: disabled in the config" in out
    assert (
        "FIX  TestPay secrets missing: testpay.key (set TESTPAY_KEY or store it in the keyring)"
    ) in out
    assert "FIX  testpay: Test Pay is not set up: its key is missing" in out
    assert code == 4


def test_doctor_in_demo_mode_says_nothing_about_the_keyring(
    capsys: pytest.CaptureFixture[str],
) -> None:
    keyring.set_keyring(fail.Keyring())
    code = doctor(argparse.Namespace(), Config(), demo=True)
    out = capsys.readouterr().out
    assert "secure keyring" not in out and "FIX" not in out
    # The storage lines may warn (no backup yet), never about the keyring.
    assert not [line for line in out.splitlines() if "WARN" in line and "keyring" in line]
    assert "WARN backup: none" in out
    assert "Secrets are stored" not in out
    assert code == 0


def test_keyring_fix_for_each_system() -> None:
    assert "GNOME Keyring" in keyring_fix("linux")
    assert "keychain" in keyring_fix("darwin")
    assert "Credential Manager" in keyring_fix("win32")


def test_a_closed_pipe_ends_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", io.StringIO())

    def reader_gone() -> int:
        raise BrokenPipeError

    assert console.run_quietly_on_closed_pipe(reader_gone) == console.EXIT_CLOSED_PIPE
    assert console.run_quietly_on_closed_pipe(lambda: 3) == 3
