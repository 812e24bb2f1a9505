"""Receipts: a Qt model that pages lazily over the repository, and the view around it."""

from __future__ import annotations

from datetime import date, tzinfo
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.payment import Payment, PaymentEvent, PaymentStatus
from pos_app.domain.phone import mask_msisdn
from pos_app.platform.config import ShopConfig
from pos_app.printing.layout import payment_slip
from pos_app.printing.qt_out import save_pdf, slip_html
from pos_app.providers import registry
from pos_app.store import PaymentRepository
from pos_app.store.repository import PageCursor, PaymentFilter, Total, local_day
from pos_app.ui import provider_facts
from pos_app.ui.background_reads import BackgroundReads
from pos_app.ui.receipt_printing import original_of
from pos_app.ui.texts import reason_message, shop_today, status_choices, status_name

Index = QModelIndex | QPersistentModelIndex
PAGE = 100


class ReceiptsModel(QAbstractTableModel):
    """Newest first. Rows arrive a page at a time as the view scrolls (keyset paging keeps a
    page deep in a million rows as quick as the first)."""

    COLUMNS = (
        QT_TRANSLATE_NOOP("ReceiptsModel", "Time"),
        QT_TRANSLATE_NOOP("ReceiptsModel", "Amount"),
        QT_TRANSLATE_NOOP("ReceiptsModel", "Provider"),
        QT_TRANSLATE_NOOP("ReceiptsModel", "Phone"),
        QT_TRANSLATE_NOOP("ReceiptsModel", "Status"),
        QT_TRANSLATE_NOOP("ReceiptsModel", "Receipt / reason"),
        QT_TRANSLATE_NOOP("ReceiptsModel", "Reference"),
    )

    def __init__(
        self, repository: PaymentRepository, locale: str, tz: tzinfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._repository = repository
        self._locale = locale
        self._tz = tz
        self._filter = PaymentFilter()
        self._rows: list[Payment] = []
        self._cursor: PageCursor | None = None
        self._exhausted = True

    def set_filter(self, flt: PaymentFilter) -> None:
        self.beginResetModel()
        self._filter = flt
        page = self._repository.page(flt, limit=PAGE)
        self._rows = list(page.payments)
        self._cursor = page.next_cursor
        self._exhausted = page.next_cursor is None
        self.endResetModel()

    @property
    def filter(self) -> PaymentFilter:
        return self._filter

    def payment(self, row: int) -> Payment:
        return self._rows[row]

    # -- Qt model API --

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid() or self._exhausted:
            return
        page = self._repository.page(self._filter, limit=PAGE, after=self._cursor)
        if page.payments:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.payments) - 1)
            self._rows.extend(page.payments)
            self.endInsertRows()
        self._cursor = page.next_cursor
        self._exhausted = page.next_cursor is None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(str(self.COLUMNS[section]))
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.TextAlignmentRole,
        ):
            return None
        column = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return (
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if column == 1
                else None
            )
        payment = self._rows[index.row()]
        if column == 0:
            return payment.created_at.astimezone(self._tz).strftime("%Y-%m-%d %H:%M:%S")
        if column == 1:
            amount = payment.amount.format(self._locale)
            return f"−{amount}" if payment.refund_of else amount
        if column == 2:
            return registry.name(payment.provider)
        if column == 3:
            return mask_msisdn(payment.msisdn)
        if column == 4:
            return status_name(payment.status)
        if column == 5:
            if payment.provider_transaction_id:
                return payment.provider_transaction_id
            return reason_message(registry.reason(payment.reason)) if payment.reason else ""
        return payment.external_id or payment.reference_id[:8]


class ReceiptsView(QWidget):
    opened = Signal(object)  # Payment

    def __init__(
        self,
        repository: PaymentRepository,
        locale: str,
        tz: tzinfo,
        parent: QWidget | None = None,
        reads: BackgroundReads | None = None,
        *,
        region: str | None = None,
    ) -> None:
        super().__init__(parent)
        self._repository = repository
        self._locale = locale
        self._tz = tz
        self._region = region  # the shop's country, for phone numbers typed in the search
        self._reads = reads or BackgroundReads(repository, self)
        self._asked = 0  # the newest summary asked for; older answers are dropped
        layout = QVBoxLayout(self)
        filters = QHBoxLayout()
        today = shop_today(tz)
        self.date_from = QDateEdit(today, self)
        self.date_to = QDateEdit(today, self)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.status = QComboBox(self)
        self.status.addItem(self.tr("Any status"), frozenset())
        # One choice per people's word ("waiting" covers saved, sending and pending).
        for label, statuses in status_choices():
            self.status.addItem(label, statuses)
        self.provider = QComboBox(self)
        self.provider.addItem(self.tr("Any provider"), None)
        for spec in registry.specs():
            self.provider.addItem(spec.name, spec.id)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Phone, order reference or receipt number"))
        for widget in (
            QLabel(self.tr("From")),
            self.date_from,
            QLabel(self.tr("to")),
            self.date_to,
            self.status,
            self.provider,
            self.search,
        ):
            filters.addWidget(widget)
        layout.addLayout(filters)
        self.model = ReceiptsModel(repository, locale, tz, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.doubleClicked.connect(
            lambda index: self.opened.emit(self.model.payment(index.row()))
        )
        layout.addWidget(self.table, 1)
        self.summary = QLabel(self)
        self.summary.setObjectName("receiptsSummary")
        layout.addWidget(self.summary)
        for signal in (
            self.date_from.dateChanged,
            self.date_to.dateChanged,
            self.status.currentIndexChanged,
            self.provider.currentIndexChanged,
            self.search.textChanged,
        ):
            signal.connect(self.apply_filter)
        self.apply_filter()

    def current_filter(self) -> PaymentFilter:
        first, last = _day(self.date_from.date()), _day(self.date_to.date())
        first, last = min(first, last), max(first, last)
        return PaymentFilter(
            start=local_day(first, self._tz)[0],
            end=local_day(last, self._tz)[1],
            statuses=self.status.currentData(),
            provider=self.provider.currentData(),
            search=self.search.text() or None,
            region=self._region,
        )

    def apply_filter(self, *_: object) -> None:
        flt = self.current_filter()
        self.model.set_filter(flt)  # the first page: quick at any depth (keyset paging)
        # Counting and totalling a long range is not: it runs beside the window.
        self._asked += 1
        asked = self._asked
        self.summary.setText(self.tr("Counting…"))
        self._reads.submit(
            lambda repo: (repo.count(flt), repo.totals(flt)),
            lambda result: self._show_summary(asked, *result),
        )

    def _show_summary(self, asked: int, count: int, totals: list[Total]) -> None:
        if asked != self._asked:
            return  # the filter changed since
        paid = [t for t in totals if t.received]
        received = ", ".join(t.amount.format(self._locale) for t in paid) or "—"
        self.summary.setText(self.tr("{0} payments · received {1}").format(count, received))


class ReceiptDetail(QDialog):
    """One receipt and its full history, to print or save as PDF; for the owner, a refund or
    a resolution by hand where one applies."""

    refund_requested = Signal(object)  # Payment
    resolve_requested = Signal(object)  # Payment
    print_requested = Signal(object)  # Payment: the window prints it on the till's printer

    def __init__(
        self,
        payment: Payment,
        repository: PaymentRepository,
        shop: ShopConfig,
        tz: tzinfo,
        parent: QWidget | None = None,
        *,
        owner_tools: bool = False,
        demo: bool = False,
    ) -> None:
        super().__init__(parent)
        self.payment = payment
        self.problem: QMessageBox | None = None  # why the last save failed, for tests
        self.setWindowTitle(self.tr("Receipt {0}").format(payment.reference_id[:8]))
        layout = QVBoxLayout(self)
        # The receipt itself, as printed and saved as PDF, on its white paper.
        self.slip = payment_slip(payment, original_of(payment, repository), shop, tz, demo=demo)
        self.summary = QLabel(slip_html(self.slip, points=11), self)
        self.summary.setObjectName("receipt")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setStyleSheet("background:white;color:black;padding:12px;")
        self.summary.setFixedWidth(360)
        layout.addWidget(self.summary, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(QLabel(self.tr("What happened"), self))
        self.history = QListWidget(self)
        day = payment.created_at.astimezone(tz).date()
        for event in repository.events(payment.reference_id):
            at = event.at.astimezone(tz)
            when = at.strftime("%H:%M" if at.date() == day else "%Y-%m-%d %H:%M")
            self.history.addItem(f"{when}  {self._happened(event)}")
        layout.addWidget(self.history)
        buttons = QHBoxLayout()
        self.print_button = QPushButton(self.tr("Print… (Ctrl+P)"), self)
        self.print_button.setShortcut(QKeySequence("Ctrl+P"))
        self.print_button.clicked.connect(lambda: self.print_requested.emit(self.payment))
        self.pdf_button = QPushButton(self.tr("Save as PDF…"), self)
        self.pdf_button.clicked.connect(self.ask_pdf_path)
        self.refund_button = QPushButton(self.tr("Refund… (owner)"), self)
        self.refund_button.clicked.connect(lambda: self.refund_requested.emit(self.payment))
        can = provider_facts.capabilities(payment.provider)
        self.refund_button.setVisible(
            owner_tools
            and payment.status == PaymentStatus.SUCCESSFUL
            and not payment.refund_of
            and (can is not None and can.refunds)
        )
        self.resolve_button = QPushButton(self.tr("Resolve… (owner)"), self)
        self.resolve_button.clicked.connect(lambda: self.resolve_requested.emit(self.payment))
        self.resolve_button.setVisible(owner_tools and provider_facts.needs_a_person(payment))
        buttons.addWidget(self.refund_button)
        buttons.addWidget(self.resolve_button)
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.pdf_button)
        layout.addLayout(buttons)

    def _happened(self, event: PaymentEvent) -> str:
        """One step of the payment's history, in the cashier's words."""
        provider = registry.name(self.payment.provider)
        status = event.to_status
        unclear = event.detail.get("not_understood")
        if isinstance(unclear, dict):
            said = " ".join(
                str(unclear[key]) for key in ("http", "code", "message", "body") if unclear.get(key)
            )
            return self.tr("An answer from {0} not understood ({1}): asked again").format(
                provider, said
            )
        disagrees = event.detail.get("receipt_disagrees")
        if isinstance(disagrees, dict):  # for the owner: the customer's SMS tells which
            return self.tr("⚠ The code typed, {0}, is not {1}'s: {2}").format(
                disagrees.get("typed"), provider, disagrees.get("provider")
            )
        if status == PaymentStatus.CREATED:
            text = self.tr("Started at the till")
        elif status == PaymentStatus.SUBMITTING:
            text = self.tr("Sending to {0}").format(provider)
        elif status == PaymentStatus.PENDING:
            text = self.tr("Sent to {0}, waiting for the customer").format(provider)
        else:
            name = status_name(status)
            text = name[:1].upper() + name[1:]
        if event.reason:
            text += f": {reason_message(registry.reason(event.reason))}"
        if event.is_correction:
            text += self.tr(" (a late answer corrected it)")
        return text

    def ask_pdf_path(self) -> None:
        dialog = QFileDialog(
            self,
            self.tr("Save receipt as PDF"),
            f"receipt-{self.payment.reference_id[:8]}.pdf",
            "PDF (*.pdf)",
        )
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.fileSelected.connect(lambda name: self.save_pdf(Path(name)))
        dialog.open()

    def save_pdf(self, path: Path) -> None:
        try:
            save_pdf(path, self.slip)
        except OSError as exc:
            self.problem = QMessageBox(
                QMessageBox.Icon.Warning,
                self.tr("Save receipt as PDF"),
                self.tr("Could not save {0}: {1}").format(path, exc.strerror or exc),
                QMessageBox.StandardButton.Ok,
                self,
            )
            self.problem.open()


def _day(qdate: QDate) -> date:
    return date(qdate.year(), qdate.month(), qdate.day())
