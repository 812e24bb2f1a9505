"""The day report in the real window, over the seeded day whose figures tests/unit/test_report.py
computes by hand: the figures, the chart of takings per hour, and the owner's exports."""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCharts import QBarCategoryAxis, QBarSeries
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from pos_app.engine.engine import ChargeRequest
from pos_app.platform.config import Config, ShopConfig
from pos_app.reports.records import JSON_FIELDS
from pos_app.store import PaymentRepository
from pos_app.ui.main_window import MainWindow
from tests.seeded_day import DAY, seed_day
from tests.ui.conftest import Counter
from tests.ui.test_main_window import enter_pin

PIN = "480213"


@pytest.fixture
def window(qtbot: QtBot, repo: PaymentRepository) -> Iterator[MainWindow]:
    shop = ShopConfig(name="Duka", country="KE", till="Till 1", timezone="Africa/Nairobi")
    shown = MainWindow(Config(shop=shop), repo, demo=False)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    yield shown
    shown.close()


def show_day(qtbot: QtBot, window: MainWindow, till_index: int = 0) -> None:
    """Open the report tab on the seeded day and wait for its figures."""
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.report_page  # its view made when shown
    assert window.report.isVisible()
    view = window.report
    view.till.setCurrentIndex(till_index)
    view.day.setDate(QDate(DAY.year, DAY.month, DAY.day))
    qtbot.waitUntil(
        lambda: (
            view.report is not None
            and view.report.day == DAY
            and view.report.till == view.till.currentData()
        )
    )


def report_text(window: MainWindow) -> str:
    """The report's text, one space between words (column widths are layout, not figures)."""
    return " ".join(window.report.text.toPlainText().split())


def bars(window: MainWindow) -> tuple[str, list[str], list[float]]:
    chart = window.report.chart
    [series] = chart.series()
    assert isinstance(series, QBarSeries)
    [bar_set] = series.barSets()
    [hours] = [a for a in chart.axes() if isinstance(a, QBarCategoryAxis)]
    return chart.title(), hours.categories(), [bar_set.at(i) for i in range(bar_set.count())]


def test_the_day_with_its_chart_of_takings_per_hour(
    qtbot: QtBot, repo: PaymentRepository, window: MainWindow
) -> None:
    seed_day(repo)
    show_day(qtbot, window)
    text = report_text(window)
    for expected in (
        "Payments 9",
        "Sales (paid) Ksh100.00, UGX13,000",
        "Refunds 3 · UGX5,499",
        "Takings (sales − refunds) Ksh100.00, UGX7,501",
        "Success rate 71.4 %",
        "First payment 09:10:00",
        "MTN MoMo · refund paid 3 · UGX5,499",  # status names as the cashier reads them
        "17:45:00 waiting",
    ):
        assert expected in text, expected
    assert "256772123456" not in text
    # Two currencies that day: the chart shows one, the shop's (Kenya) first.
    currency = window.report.currency
    assert currency.isVisibleTo(window) and currency.currentText() == "KES"
    assert bars(window) == ("Takings per hour (KES)", ["10"], [100.0])
    currency.setCurrentText("UGX")
    # Hand-computed (tests/unit/test_report.py): sales minus the refunds made in each hour.
    assert bars(window) == (
        "Takings per hour (UGX)",
        ["08", "09", "10", "11", "12", "13", "14", "15"],
        [-999.0, 4000.0, 0.0, 0.0, 0.0, 5000.0, 0.0, -500.0],
    )
    show_day(qtbot, window, till_index=1)  # this till only: not Till 2's 5000 at 13:00
    assert "Payments 8" in report_text(window)
    assert currency.currentText() == "UGX"  # the choice is kept
    assert bars(window)[2] == [-999.0, 4000.0, 0.0, 0.0, 0.0, 0.0, 0.0, -500.0]


def test_a_day_without_sales(qtbot: QtBot, window: MainWindow) -> None:
    show_day(qtbot, window)
    assert window.report.chart.title() == "Takings per hour: no sales on this day"
    assert window.report.chart.series() == []
    assert not window.report.currency.isVisibleTo(window)
    assert "no payments" in report_text(window)


def save_as(qtbot: QtBot, window: MainWindow, path: Path) -> None:
    dialog = window.owner_actions.dialog
    assert isinstance(dialog, QFileDialog) and dialog.isVisible()
    dialog.selectFile(str(path))
    dialog.accept()


def test_exports_are_the_owners(
    qtbot: QtBot, repo: PaymentRepository, window: MainWindow, tmp_path: Path
) -> None:
    ids = seed_day(repo)
    window.owner.set_pin(PIN)
    show_day(qtbot, window)
    qtbot.mouseClick(window.report.csv_button, Qt.MouseButton.LeftButton)
    pin = enter_pin(window, "000999")
    assert pin.error.text() == "Wrong PIN." and window.owner_actions.dialog is pin
    enter_pin(window, PIN)
    target = tmp_path / "day.csv"
    save_as(qtbot, window, target)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == f"Saved {target}")
    with target.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == JSON_FIELDS
    assert {r["reference_id"] for r in rows} == set(ids.values()) - {
        ids["yesterday"],
        ids["tomorrow"],
    }
    [export] = [a for a in repo.owner_log.recent(5) if a.action == "export"]
    assert export.detail == {"day": "2026-11-23", "format": "csv", "till": None}

    qtbot.mouseClick(window.report.pdf_button, Qt.MouseButton.LeftButton)
    enter_pin(window, PIN)
    pdf = tmp_path / "day.pdf"
    save_as(qtbot, window, pdf)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == f"Saved {pdf}")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert [a.action for a in repo.owner_log.recent(2)] == ["export", "pin accepted"]


def test_an_export_that_cannot_be_written_says_why(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    for fmt in ("csv", "pdf"):
        target = tmp_path / "no such folder" / f"day.{fmt}"
        # As after the PIN and the file dialog.
        window.owner_actions.export_to(target, DAY, None, fmt)
        qtbot.waitUntil(lambda: isinstance(window.owner_actions.dialog, QMessageBox))
        box = window.owner_actions.dialog
        assert isinstance(box, QMessageBox)
        assert box.text() == f"Could not save {target}: No such file or directory"
        box.close()
        window.owner_actions.dialog = None
        assert not target.parent.exists()


def test_the_report_speaks_french(french: None, qtbot: QtBot, repo: PaymentRepository) -> None:
    shop = ShopConfig(name="Boutique", country="CI", till="Caisse 1", timezone="Africa/Abidjan")
    window = MainWindow(Config(shop=shop), repo, demo=False)
    qtbot.addWidget(window)
    assert window.tabs.tabText(2) == "Rapport du jour (Ctrl+3)"
    assert window.till_label.text() == "Caisse 1 · Côte d’Ivoire"  # CLDR's French name
    window.show_report()
    qtbot.waitUntil(lambda: window.report.report is not None)
    text = report_text(window)
    assert "Rapport de fin de journée" in text and "Recette (ventes − remboursements)" in text
    assert window.report.chart.title() == "Recette par heure : aucune vente ce jour-là"
    window.close()


def test_todays_report_follows_the_payments_as_they_end(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository
) -> None:
    counter = Counter(qtbot, loop, repo)
    window = counter.window
    window.show_report()
    qtbot.waitUntil(lambda: window.report.report is not None)
    assert window.report.report is not None and window.report.report.count == 0
    amount, phone = counter.till.parse_charge("mtn", "1500", "0772123456")
    loop.run_until_complete(counter.engine.charge(ChargeRequest("mtn", amount, phone)))
    counter.finish()  # paid, while the report is on screen
    qtbot.waitUntil(lambda: "Sales (paid) USh1,500" in report_text(window))
    assert bars(window)[2] == [1500.0]
    counter.close()
