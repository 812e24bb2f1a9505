"""The owner's receipt printer: how it is connected, its paper, its code page, whether receipts
print by themselves, and a test page to see it all works before saving."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from pos_app.platform.config import ConfigError
from pos_app.platform.config_writer import save_config
from pos_app.platform.printer_config import (
    BAUDS,
    CODE_PAGES,
    COPIES_MAX,
    ENV_VARIABLE,
    PrinterConfig,
    PrinterTarget,
    PrinterUrlError,
    parse_printer_url,
)
from pos_app.printing.layout import test_page_slip
from pos_app.providers import registry
from pos_app.ui import theme
from pos_app.ui.receipt_printing import ReceiptPrinting

KINDS = ("none", "system", "tcp", "usb", "serial", "win32")


def file_printer_url(path: Path) -> str:
    """[printer] url as the config file has it."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return PrinterConfig().url
    url = data.get("printer", {}).get("url", PrinterConfig().url)
    return url if isinstance(url, str) else PrinterConfig().url


class PrinterSettingsDialog(QDialog):
    saved = Signal(object)  # PrinterConfig

    def __init__(self, printing: ReceiptPrinting, path: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Receipt printer"))
        self._printing, self._path = printing, path
        config = printing.config
        # With POS_APP_PRINTER set, the printer shown is the environment's; the file's own
        # (kept unless the owner chooses another) is this.
        self._file_url = file_printer_url(path) if os.environ.get(ENV_VARIABLE) else None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.kind = QComboBox(self)
        names = (
            self.tr("No printer"),
            self.tr("This computer's printer (its driver and print dialog)"),
            self.tr("Thermal printer on the network (ESC/POS)"),
            self.tr("Thermal printer on USB (ESC/POS)"),
            self.tr("Thermal printer on a serial port (ESC/POS)"),
            self.tr("Thermal printer through Windows (raw ESC/POS)"),
        )
        for kind, name in zip(KINDS, names, strict=True):
            self.kind.addItem(name, kind)
        form.addRow(self.tr("Printer"), self.kind)
        self.where = QStackedWidget(self)
        self.host, self.port = QLineEdit(self), QSpinBox(self)
        self.port.setRange(1, 65535)
        self.vendor, self.product = QLineEdit(self), QLineEdit(self)
        self.device, self.baud = QLineEdit(self), QComboBox(self)
        self.baud.addItems([str(b) for b in BAUDS])
        self.name = QLineEdit(self)
        self.host.setPlaceholderText("192.168.1.50")
        self.vendor.setPlaceholderText("04b8")
        self.product.setPlaceholderText("0202")
        self.device.setPlaceholderText("/dev/ttyUSB0 or COM3")
        pages = (
            (),
            (),
            ((self.tr("Address"), self.host), (self.tr("Port"), self.port)),
            (
                (self.tr("Vendor id (hex)"), self.vendor),
                (self.tr("Product id (hex)"), self.product),
            ),
            ((self.tr("Port"), self.device), (self.tr("Speed (baud)"), self.baud)),
            ((self.tr("Printer name"), self.name),),
        )
        for rows in pages:
            page = QWidget(self.where)
            page_form = QFormLayout(page)
            page_form.setContentsMargins(0, 0, 0, 0)
            for label, field in rows:
                page_form.addRow(label, field)
            self.where.addWidget(page)
        form.addRow(self.where)
        self.kind.currentIndexChanged.connect(self.where.setCurrentIndex)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.paper = QComboBox(self)
        self.paper.addItem("80 mm", 80)
        self.paper.addItem("58 mm", 58)
        form.addRow(self.tr("Paper"), self.paper)
        self.columns = QSpinBox(self)
        self.columns.setRange(0, 64)
        self.columns.setSpecialValueText(self.tr("the paper's usual"))
        form.addRow(self.tr("Characters per line"), self.columns)
        self.code_page = QComboBox(self)
        self.code_page.addItems(list(CODE_PAGES))
        self.code_page.setToolTip(self.tr("For accented letters (é, à, ç); AUTO suits most"))
        form.addRow(self.tr("Code page"), self.code_page)
        self.auto_print = QCheckBox(self.tr("Print the receipt as soon as a payment is paid"))
        form.addRow(self.auto_print)
        self.copies = QSpinBox(self)
        self.copies.setRange(1, COPIES_MAX)
        form.addRow(self.tr("Copies"), self.copies)
        self.ask_status = QCheckBox(self.tr("Ask the printer whether it is ready and printed"))
        self.ask_status.setToolTip(
            self.tr(
                "Turn off only for a printer that never answers: a receipt then counts as "
                "printed once sent"
            )
        )
        form.addRow(self.ask_status)
        layout.addLayout(form)
        self.overridden = QLabel(self)
        self.overridden.setWordWrap(True)
        override = os.environ.get(ENV_VARIABLE)
        self.overridden.setText(
            self.tr("{0} is set: this till prints on {1} until it is removed").format(
                ENV_VARIABLE, override
            )
            if override
            else ""
        )
        self.overridden.setVisible(bool(override))
        layout.addWidget(self.overridden)
        self.test_button = QPushButton(self.tr("Print test page"), self)
        self.test_button.clicked.connect(self.print_test_page)
        layout.addWidget(self.test_button)
        self.outcome = QLabel(self)
        self.outcome.setWordWrap(True)
        layout.addWidget(self.outcome)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._show(config)

    def _kind_changed(self, index: int) -> None:
        # Receipts print by themselves only on a thermal printer: the system's asks a dialog.
        self.auto_print.setEnabled(KINDS[index] not in ("none", "system"))

    def _show(self, config: PrinterConfig) -> None:
        try:
            target = config.target
        except PrinterUrlError:
            target = PrinterTarget(kind="none")
        self.kind.setCurrentIndex(KINDS.index(target.kind))
        self.where.setCurrentIndex(KINDS.index(target.kind))
        self.host.setText(target.host)
        self.port.setValue(target.port)
        self.vendor.setText(f"{target.vendor:04x}" if target.vendor else "")
        self.product.setText(f"{target.product:04x}" if target.product else "")
        self.device.setText(target.device)
        self.baud.setCurrentText(str(target.baud))
        self.name.setText(target.name)
        self.paper.setCurrentIndex(self.paper.findData(config.paper_mm))
        self.columns.setValue(config.chars_per_line)
        self.code_page.setCurrentText(config.code_page)
        self.auto_print.setChecked(config.auto_print)
        self.copies.setValue(config.copies)
        self.ask_status.setChecked(config.ask_status)
        self._kind_changed(self.kind.currentIndex())

    def url(self) -> str:
        """The printer as a URL; raises PrinterUrlError when a field is missing or wrong."""
        kind = self.kind.currentData()
        host, device, name = self.host.text().strip(), self.device.text().strip(), self.name.text()
        url = {
            "tcp": f"tcp://{host}:{self.port.value()}",
            "usb": f"usb://{self.vendor.text().strip()}:{self.product.text().strip()}",
            "serial": f"serial://{device}?baud={self.baud.currentText()}",
            "win32": f"win32://{name.strip()}",
        }.get(kind, kind)
        return parse_printer_url(url).url

    def chosen(self) -> PrinterConfig:
        """What the dialog shows, as a config; raises PrinterUrlError."""
        return dataclasses.replace(
            self._printing.config,
            url=self.url(),
            paper_mm=int(self.paper.currentData()),
            chars_per_line=self.columns.value(),
            code_page=self.code_page.currentText(),
            auto_print=self.auto_print.isChecked(),
            copies=self.copies.value(),
            ask_status=self.ask_status.isChecked(),
        )

    def print_test_page(self) -> None:
        try:
            config = self.chosen()
        except PrinterUrlError as exc:
            self._say(str(exc), error=True)
            return
        slip = test_page_slip(self._printing.shop, config, datetime.now(self._printing.tz))
        self._say(self.tr("Printing the test page…"))
        self._printing.print_test(config, slip, self._tested)

    def _tested(self, problem: str | None) -> None:
        if problem is None:
            self._say(self.tr("Test page sent: check it came out right"))
        else:
            self._say(self.tr("Test page not printed: {0}").format(problem), error=True)

    def save(self) -> None:
        try:
            chosen = self.chosen()
            values = {f.name: getattr(chosen, f.name) for f in dataclasses.fields(chosen)}
            if self._file_url is not None and chosen.url == self._printing.config.url:
                values["url"] = self._file_url  # the environment's printer stays out of the file
            save_config(self._path, {"printer": values}, registry.config_sections())
        except (PrinterUrlError, ConfigError, OSError) as exc:
            self._say(str(exc), error=True)
            return
        self.saved.emit(chosen)
        self.accept()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.outcome.setText(text)
        self.outcome.setStyleSheet(f"color:{theme.ERROR};" if error else "")
