from __future__ import annotations

import logging
from pathlib import Path

import pytest

from pos_app.cli.main import main
from pos_app.platform import logs
from pos_app.platform.secret import Secret

log = logging.getLogger("pos_app.test")


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    path = logs.start_logging()
    assert path == tmp_path / "logs" / "pos-app.log"  # POS_APP_LOG_DIR from the isolated fixture
    return path


def flushed(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("256772123456", "256***456"),
        ("+256772123456", "256***456"),
        ("+256 772 123 456", "256***456"),
        ("0772-123-456", "077***456"),
        ("0722000555", "072***555"),
        ("GET /collection/v1_0/accountholder/msisdn/256772123456/active", "msisdn/256***456/"),
    ],
)
def test_phone_numbers_are_masked(log_file: Path, written: str, shown: str) -> None:
    log.info("customer %s", written)
    text = flushed(log_file)
    assert shown in text
    digits = "".join(c for c in written if c.isdigit())
    assert digits not in "".join(c for c in text if c.isdigit() or c == "\n")


# References whose first two groups are all digits: about one in 280 (CI met one).
@pytest.mark.parametrize(
    "reference",
    [
        "550e8400-e29b-41d4-a716-446655440000",
        "59753728-7143-4b4f-ab98-dd6380890eef",
        "12345678-1234-4123-8123-123456789012",
    ],
)
def test_ordinary_numbers_stay_readable(log_file: Path, reference: str) -> None:
    log.info("payment %s at 2026-11-24 07:47:12 for 1500 UGX, attempt 3 of 12345678", reference)
    text = flushed(log_file)
    assert reference in text
    assert "2026-11-24 07:47:12" in text and "1500 UGX" in text and "12345678" in text
    assert "***" not in text


def test_secrets_are_masked_in_messages_and_tracebacks(log_file: Path) -> None:
    api_key = Secret("b7e3c9d2f0a14e5b9c8d7e6f5a4b3c2d")  # known to the app: masked anywhere
    log.info("headers: Authorization: Bearer eyJhbGciOi.payload.sig")
    log.info("Authorization: Basic dXNlcjpwYXNz")
    log.info('{"access_token": "tok-123456", "expires_in": "3599"}')
    log.info("Ocp-Apim-Subscription-Key: 0f1e2d3c4b5a, password=hunter2 passkey='bfb279f9'")
    try:
        raise RuntimeError(f"provider said: bad key {api_key.reveal()}")
    except RuntimeError:
        log.exception("call failed")
    text = flushed(log_file)
    for leaked in (
        "eyJhbGciOi",
        "dXNlcjpwYXNz",
        "tok-123456",
        "0f1e2d3c4b5a",
        "hunter2",
        "bfb279f9",
        api_key.reveal(),
    ):
        assert leaked not in text
    assert "Bearer ***" in text and "Basic ***" in text and '"access_token": "***' in text
    assert "call failed" in text and "RuntimeError: provider said: bad key ***" in text
    assert '"expires_in": "3599"' in text


def test_the_log_rotates_and_keeps_a_bounded_number_of_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logs, "MAX_BYTES", 2_000)
    path = logs.start_logging()
    assert path is not None
    for n in range(400):
        log.info("line %d %s", n, "x" * 50)
    flushed(path)
    files = sorted(p.name for p in path.parent.iterdir())
    assert files == ["pos-app.log", *(f"pos-app.log.{n}" for n in range(1, logs.BACKUPS + 1))]
    assert all(p.stat().st_size <= 2_000 for p in path.parent.iterdir())
    assert "line 399" in path.read_text()


def test_a_second_start_replaces_the_handler(tmp_path: Path) -> None:
    logs.start_logging()
    logs.start_logging()
    ours = [h for h in logging.getLogger().handlers if isinstance(h, logs._PosAppHandler)]
    assert len(ours) == 1


def test_log_level_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert logs.level_from_environment() == logging.INFO
    monkeypatch.setenv("POS_APP_LOG_LEVEL", "debug")
    assert logs.level_from_environment() == logging.DEBUG
    monkeypatch.setenv("POS_APP_LOG_LEVEL", "chatty")
    assert logs.level_from_environment() == logging.INFO


def test_an_unwritable_log_folder_does_not_stop_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")  # a file where the folder should be: even root cannot create it
    monkeypatch.setenv("POS_APP_LOG_DIR", str(blocker / "logs"))
    assert logs.start_logging() is None
    assert "no log file" in capsys.readouterr().err
    assert main(["receipts", "--format", "json"]) == 0


def test_commands_write_their_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--demo"]) == 0
    text = flushed(tmp_path / "logs" / "pos-app.log")
    assert "INFO pos_app: pos-app" in text and "starting" in text
