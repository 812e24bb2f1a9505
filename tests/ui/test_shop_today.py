"""The receipts and the day report open on the shop's today, not the computer's."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from pos_app.platform.config import ShopConfig
from pos_app.store import PaymentRepository
from pos_app.ui.background_reads import BackgroundReads
from pos_app.ui.receipts import ReceiptsView
from pos_app.ui.report_view import ReportView

# Fourteen hours ahead of UTC and twelve behind: whatever the hour, one of the two shops is on
# another date than a computer on UTC.
ZONES = (ZoneInfo("Etc/GMT-14"), ZoneInfo("Etc/GMT+12"))


def test_views_open_on_the_shops_date(qtbot: QtBot, repo: PaymentRepository) -> None:
    differs = False
    for tz in ZONES:
        today = datetime.now(tz).date()
        expected = QDate(today.year, today.month, today.day)
        differs = differs or expected != QDate.currentDate()
        receipts = ReceiptsView(repo, "en_UG", tz)
        qtbot.addWidget(receipts)
        assert receipts.date_from.date() == expected == receipts.date_to.date()
        report = ReportView(BackgroundReads(repo, receipts), ShopConfig(), tz)
        qtbot.addWidget(report)
        assert report.day.date() == expected
        assert report.day.maximumDate() == expected.addDays(1)
    assert differs  # the check above could tell the two clocks apart
