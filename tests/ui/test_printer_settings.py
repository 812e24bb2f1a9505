"""The owner sets up the receipt printer from the window, behind the PIN: a test page on the
printer being set up, bad values refused without touching the config file, and the saved
printer used at once."""

from __future__ import annotations

import asyncio
import tomllib
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from pos_app.platform.printer_config import PrinterConfig
from pos_app.store import PaymentRepository
from pos_app.ui.printer_settings import PrinterSettingsDialog
from tests.printing.escpos_decode import decode
from tests.printing.fake_printer import FakePrinter
from tests.ui.conftest import Counter, click, until
from tests.ui.test_main_window import enter_pin

PIN = "480213"


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    path.write_text('# the shop\n[shop]\nname = "Mama Rose"\ncountry = "UG"\n', encoding="utf-8")
    monkeypatch.setenv("POS_APP_CONFIG", str(path))
    return path


def open_dialog(counter: Counter) -> PrinterSettingsDialog:
    window = counter.window
    window.owner.set_pin(PIN)
    window.owner_actions.printer_action.trigger()
    pin = enter_pin(window, PIN)
    assert not pin.isVisible()
    dialog = window.owner_actions.dialog
    assert isinstance(dialog, PrinterSettingsDialog)
    return dialog


def test_set_up_a_network_printer_with_a_test_page(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository, config_file: Path
) -> None:
    counter = Counter(qtbot, loop, repo)
    window = counter.window
    dialog = open_dialog(counter)
    assert dialog.kind.currentData() == "system"  # today's way, until the owner changes it
    with FakePrinter("ok") as fake:
        dialog.kind.setCurrentIndex(dialog.kind.findData("tcp"))
        dialog.host.setText("127.0.0.1")
        dialog.port.setValue(fake.port)
        dialog.paper.setCurrentIndex(dialog.paper.findData(58))
        dialog.auto_print.setChecked(True)
        click(loop, dialog.test_button)
        loop.run_until_complete(until(lambda: "Test page sent" in dialog.outcome.text()))
        texts = decode(fake.wait_for_jobs(1)[0]).texts()
        assert "Printer test page" in texts
        assert any(t.endswith(fake.url) for t in texts)
        assert all(len(t) <= 32 for t in texts)  # 58 mm
        dialog.save()
        saved = tomllib.loads(config_file.read_text(encoding="utf-8"))
        assert saved["printer"]["url"] == fake.url
        assert saved["printer"]["paper_mm"] == 58 and saved["printer"]["auto_print"] is True
        assert config_file.read_text(encoding="utf-8").startswith("# the shop")  # kept
        assert window.printing.config.url == fake.url  # used from now on
        assert not window.report.print_button.isHidden()
    window.close()
    counter.close()


def test_a_printer_that_cannot_be_refuses_to_save(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository, config_file: Path
) -> None:
    counter = Counter(qtbot, loop, repo)
    dialog = open_dialog(counter)
    before = config_file.read_text(encoding="utf-8")
    dialog.kind.setCurrentIndex(dialog.kind.findData("usb"))
    dialog.vendor.setText("EPSON")
    dialog.product.setText("0202")
    click(loop, dialog.test_button)
    assert "expected usb://VID:PID" in dialog.outcome.text()
    dialog.save()
    assert dialog.isVisible() and "expected usb://VID:PID" in dialog.outcome.text()
    assert config_file.read_text(encoding="utf-8") == before
    assert counter.window.printing.config.url == "system"
    counter.window.close()
    counter.close()


def test_the_environments_printer_stays_out_of_the_file(
    qtbot: QtBot,
    loop: asyncio.AbstractEventLoop,
    repo: PaymentRepository,
    config_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """POS_APP_PRINTER for a trial: saving another setting keeps the file's own printer."""
    monkeypatch.setenv("POS_APP_PRINTER", "tcp://10.0.0.7:9100")
    counter = Counter(qtbot, loop, repo, printer=PrinterConfig(url="tcp://10.0.0.7:9100"))
    dialog = open_dialog(counter)
    assert "POS_APP_PRINTER is set" in dialog.overridden.text()
    assert dialog.host.text() == "10.0.0.7"
    dialog.copies.setValue(2)
    dialog.save()
    saved = tomllib.loads(config_file.read_text(encoding="utf-8"))["printer"]
    assert saved["url"] == "system" and saved["copies"] == 2
    counter.window.close()
    counter.close()
