"""The end-of-day report in the window: the day's figures (the same sections as `pos-app
report`), a chart of takings per hour, and the owner's exports (CSV, PDF)."""

from __future__ import annotations

from datetime import date, tzinfo

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.report import DayReport
from pos_app.platform.config import ShopConfig
from pos_app.reports.day_report import load, render_html, sections
from pos_app.ui import theme
from pos_app.ui.background_reads import BackgroundReads
from pos_app.ui.texts import shop_today, status_name

BAR = "#1d4ed8"  # 8.6:1 on white: bars read from a step away
translate = QCoreApplication.translate


class ReportView(QWidget):
    export_requested = Signal(str)  # "csv" or "pdf"; the window asks for the owner's PIN
    business_requested = Signal()  # every till's day from the owner's hub, behind the PIN
    print_requested = Signal(object)  # DayReport: the Z report on the till's printer

    def __init__(
        self,
        reads: BackgroundReads,
        shop: ShopConfig,
        tz: tzinfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._reads, self._shop, self._tz = reads, shop, tz
        self._asked = 0  # the newest report asked for; older answers are dropped
        self.report: DayReport | None = None  # the one shown
        layout = QVBoxLayout(self)
        controls = QHBoxLayout()
        today = shop_today(tz)
        self.day = QDateEdit(today, self)
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.setMaximumDate(today.addDays(1))
        self.till = QComboBox(self)
        self.till.addItem(self.tr("All tills"), None)
        self.till.addItem(self.tr("This till ({0})").format(shop.till), shop.till)
        self.refresh_button = QPushButton(self.tr("Refresh (F5)"), self)
        self.refresh_button.setShortcut(QKeySequence("F5"))
        self.refresh_button.clicked.connect(self.refresh)
        self.csv_button = QPushButton(self.tr("Export CSV… (owner)"), self)
        self.csv_button.setToolTip(self.tr("One row per payment of the day, for a spreadsheet"))
        self.csv_button.clicked.connect(lambda: self.export_requested.emit("csv"))
        self.pdf_button = QPushButton(self.tr("Save PDF… (owner)"), self)
        self.pdf_button.setToolTip(self.tr("The report on A4, to print or keep"))
        self.pdf_button.clicked.connect(lambda: self.export_requested.emit("pdf"))
        self.print_button = QPushButton(self.tr("Print Z report"), self)
        self.print_button.setToolTip(self.tr("The day's report on the receipt printer"))
        self.print_button.clicked.connect(self._print)
        self.print_problem = QLabel(self)
        self.print_problem.setStyleSheet(f"color:{theme.ERROR};font-weight:bold;")
        self.print_problem.setVisible(False)
        self.print_button.setVisible(False)  # shown when the till has a printer
        self.business_button = QPushButton(self.tr("Whole business… (owner)"), self)
        self.business_button.setToolTip(
            self.tr("Every till's day as the owner's hub holds it, beside this till's own")
        )
        self.business_button.clicked.connect(self.business_requested.emit)
        self.business_button.setVisible(False)  # shown when the till is linked to a hub
        # A chart has one currency: the shop's, or a choice when the day had several.
        self.currency = QComboBox(self)
        self.currency.setToolTip(self.tr("Currency of the chart"))
        self.currency.setVisible(False)
        self.currency.currentIndexChanged.connect(self._draw_chart)
        for widget in (
            QLabel(self.tr("Day"), self),
            self.day,
            self.till,
            self.currency,
            self.refresh_button,
        ):
            controls.addWidget(widget)
        controls.addStretch(1)
        controls.addWidget(self.business_button)
        controls.addWidget(self.print_problem)
        controls.addWidget(self.print_button)
        controls.addWidget(self.csv_button)
        controls.addWidget(self.pdf_button)
        layout.addLayout(controls)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        self.text = QTextBrowser(split)
        self.text.setObjectName("dayReport")
        self.chart_view = QChartView(takings_chart(None, ""), split)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumWidth(360)
        split.addWidget(self.text)
        split.addWidget(self.chart_view)
        split.setSizes([500, 700])  # the figures fit in 500 px; the chart takes the rest
        layout.addWidget(split, 1)
        self.day.dateChanged.connect(self.refresh)
        self.till.currentIndexChanged.connect(self.refresh)

    def _print(self) -> None:
        self.print_problem.setVisible(False)
        if self.report is not None:
            self.print_requested.emit(self.report)

    def show_print_problem(self, reference_id: str, text: str) -> None:
        """A Z report the printer did not print (`reference_id` is a receipt's: not ours)."""
        if not reference_id:
            self.print_problem.setText(text)
            self.print_problem.setVisible(True)

    def selected_day(self) -> date:
        qdate = self.day.date()
        return date(qdate.year(), qdate.month(), qdate.day())

    def refresh(self, *_: object) -> None:
        """Read the chosen day beside the window (a busy day is thousands of rows)."""
        day, till, tz = self.selected_day(), self.till.currentData(), self._tz
        self._asked += 1
        asked = self._asked
        if self.report is None or (self.report.day, self.report.till) != (day, till):
            self.text.setPlainText(self.tr("Counting…"))  # the same day stays up meanwhile
        self._reads.submit(lambda repo: load(repo, day, tz, till), lambda r: self._show(asked, r))

    def _show(self, asked: int, report: DayReport) -> None:
        if asked != self._asked:
            return  # the day or till changed since
        self.report = report
        self.text.setHtml(report_html(report, self._shop, self._tz))
        currencies = sorted({m.currency for m in report.sales + report.refunds})
        chosen = self.currency.currentText() or self._shop.country_info.currency
        self.currency.blockSignals(True)
        self.currency.clear()
        self.currency.addItems(currencies)
        if chosen in currencies:
            self.currency.setCurrentText(chosen)
        self.currency.blockSignals(False)
        self.currency.setVisible(len(currencies) > 1)
        self._draw_chart()

    def _draw_chart(self, *_: object) -> None:
        if self.report is None:
            return
        # A new chart each time: axes removed from a chart stay drawn until they are deleted.
        old = self.chart_view.chart()
        self.chart_view.setChart(takings_chart(self.report, self.currency.currentText()))
        old.deleteLater()

    @property
    def chart(self) -> QChart:
        return self.chart_view.chart()


def report_html(report: DayReport, shop: ShopConfig, tz: tzinfo) -> str:
    """The report as the window shows it and its PDF export lays it out."""
    return render_html(sections(report, shop, tz, status_name))


def takings_chart(report: DayReport | None, currency: str) -> QChart:
    """Bars of takings (sales − refunds) in `currency` per local hour, every hour from the
    day's first to its last shown so that quiet hours read as quiet."""
    chart = QChart()
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.legend().setVisible(False)
    takings = {
        hour: money
        for hour, amounts in (report.takings_per_hour() if report else {}).items()
        for money in amounts
        if money.currency == currency
    }
    if not takings:
        chart.setTitle(translate("ReportView", "Takings per hour: no sales on this day"))
        return chart
    chart.setTitle(translate("ReportView", "Takings per hour ({0})").format(currency))
    hours = range(min(takings), max(takings) + 1)
    bars = QBarSet(currency)
    bars.setColor(QColor(BAR))
    bars.setLabelColor(QColor(theme.TEXT))  # Qt's default white vanishes outside the bars
    values = [float(takings[h].amount) if h in takings else 0.0 for h in hours]
    bars.append(values)
    series = QBarSeries()
    series.append(bars)
    series.setLabelsVisible(True)
    series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
    series.setLabelsPrecision(15)  # whole amounts as they are, never 1e+04
    chart.addSeries(series)
    hour_axis = QBarCategoryAxis()
    hour_axis.append([f"{hour:02d}" for hour in hours])
    hour_axis.setTitleText(translate("ReportView", "hour"))
    chart.addAxis(hour_axis, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(hour_axis)
    amount_axis = QValueAxis()
    # Room above (and below, for an hour of refunds) for the bars' labels.
    amount_axis.setRange(min(0.0, *values) * 1.2, max(0.0, *values) * 1.2 or 1.0)
    amount_axis.applyNiceNumbers()
    amount_axis.setLabelFormat("%.0f")
    chart.addAxis(amount_axis, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(amount_axis)
    return chart
