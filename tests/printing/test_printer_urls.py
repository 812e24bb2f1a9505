"""Printers given as URLs (--printer, POS_APP_PRINTER, [printer] url) and the [printer]
section: what is understood, and bad values refused with what is expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos_app.platform.config import ConfigError, load_config
from pos_app.platform.printer_config import PrinterTarget, PrinterUrlError, parse_printer_url
from pos_app.providers import registry


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("tcp://192.168.1.50:9100", PrinterTarget("tcp", host="192.168.1.50", port=9100)),
        ("tcp://printer.local", PrinterTarget("tcp", host="printer.local", port=9100)),
        ("usb://04b8:0202", PrinterTarget("usb", vendor=0x04B8, product=0x0202)),
        ("usb://0x0416:0x5011", PrinterTarget("usb", vendor=0x0416, product=0x5011)),
        ("serial:///dev/ttyUSB0?baud=9600", PrinterTarget("serial", device="/dev/ttyUSB0")),
        ("serial://COM3?baud=19200", PrinterTarget("serial", device="COM3", baud=19200)),
        ("win32://EPSON TM-T20II Receipt", PrinterTarget("win32", name="EPSON TM-T20II Receipt")),
        ("win32://EPSON%20TM-T20", PrinterTarget("win32", name="EPSON TM-T20")),
        ("system", PrinterTarget("system")),
        ("none", PrinterTarget("none")),
        ("  SYSTEM ", PrinterTarget("system")),
    ],
)
def test_printer_urls(url: str, target: PrinterTarget) -> None:
    assert parse_printer_url(url) == target
    assert parse_printer_url(target.url) == target  # written back, read the same


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("lpt://1", "is not a printer"),
        ("http://192.168.1.50:9100", "is not a printer"),
        ("tcp://", "is not a printer"),
        ("tcp://host:99999", "port must be a number"),
        ("tcp://host:abc", "port must be a number"),
        ("tcp://host:9100/queue", "expected tcp://HOST:PORT"),
        ("usb://04b8", "expected usb://VID:PID"),
        ("usb://zzzz:0202", "expected usb://VID:PID"),
        ("serial:///dev/ttyUSB0?baud=1234", "speed one of"),
        ("serial:///dev/ttyUSB0?speed=9600", "expected serial://"),
        ("win32://", "is not a printer"),
        ("win32://%20", "expected win32://PRINTER NAME"),
        ("printer", "is not a printer"),
    ],
)
def test_bad_printer_urls_say_what_is_expected(url: str, says: str) -> None:
    with pytest.raises(PrinterUrlError, match=says.replace("?", r"\?")):
        parse_printer_url(url)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("section", "says"),
    [
        ('url = "tcp://"', "'printer.url'"),
        ("paper_mm = 60", "'printer.paper_mm' must be 58 or 80"),
        ('paper_mm = "80"', "'printer.paper_mm' must be a whole number"),
        ("chars_per_line = 200", "'printer.chars_per_line'"),
        ('code_page = "KLINGON"', "'printer.code_page' must be one of AUTO"),
        ("copies = 0", "'printer.copies' must be from 1 to 5"),
        ("auto_print = 1", "'printer.auto_print' must be true or false"),
        ("timeout_seconds = 0.1", "'printer.timeout_seconds'"),
        ("colour = true", "unknown key 'printer.colour'"),
    ],
)
def test_a_bad_printer_section_is_refused(tmp_path: Path, section: str, says: str) -> None:
    path = write(tmp_path, f"[printer]\n{section}\n")
    with pytest.raises(ConfigError, match=says):
        load_config(path, registry.config_sections())


def test_the_printer_section_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[printer]\nurl = "tcp://10.0.0.9:9100"\npaper_mm = 58\ncode_page = "CP858"\n'
        "auto_print = true\ncopies = 2\n",
    )
    printer = load_config(path, registry.config_sections()).printer
    assert printer.target == PrinterTarget("tcp", host="10.0.0.9", port=9100)
    assert (printer.paper_mm, printer.columns, printer.code_page) == (58, 32, "CP858")
    assert printer.auto_print and printer.copies == 2


def test_pos_app_printer_stands_in_for_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, '[printer]\nurl = "system"\npaper_mm = 58\n')
    monkeypatch.setenv("POS_APP_PRINTER", "usb://04b8:0202")
    printer = load_config(path, registry.config_sections()).printer
    assert printer.target.kind == "usb" and printer.paper_mm == 58
    monkeypatch.setenv("POS_APP_PRINTER", "parallel://1")
    with pytest.raises(ConfigError, match="POS_APP_PRINTER"):
        load_config(path, registry.config_sections())
