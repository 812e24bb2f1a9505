"""The whole business's day from the owner's hub (behind the owner's PIN), beside this till's
own figures: each till's payments, takings and open payments as the hub holds them, and
whether the hub holds all of each till's history."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.money import Money
from pos_app.domain.report import DayReport
from pos_app.link.client import HubError

Fetch = Callable[[date], Awaitable[list[dict[str, Any]]]]


def amounts(values: Any, locale: str) -> str:
    try:
        moneys = [Money.from_decimal(Decimal(v["amount"]), v["currency"]) for v in values]
    except (TypeError, KeyError, InvalidOperation, ValueError):
        return "?"
    return ", ".join(m.format(locale) for m in moneys) or "—"


class BusinessDialog(QDialog):
    def __init__(
        self,
        fetch: Fetch,
        day: date,
        own: DayReport | None,
        locale: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._locale = locale
        self.setWindowTitle(self.tr("The whole business — {0}").format(day.isoformat()))
        self.resize(760, 420)
        layout = QVBoxLayout(self)
        self.own = QLabel(self._own_text(own), self)
        self.own.setWordWrap(True)
        layout.addWidget(self.own)
        self.state = QLabel(self.tr("Asking the owner's hub…"), self)
        self.state.setWordWrap(True)
        layout.addWidget(self.state)
        self.table = QTableWidget(0, 6, self)
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Shop"),
                self.tr("Till"),
                self.tr("Payments"),
                self.tr("Takings"),
                self.tr("Open"),
                self.tr("At the hub"),
            ]
        )
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.loaded = asyncio.ensure_future(self._load(fetch, day))

    def done(self, result: int) -> None:
        self.loaded.cancel()  # closed before the hub answered: nothing to fill any more
        super().done(result)

    def _own_text(self, own: DayReport | None) -> str:
        if own is None:
            return self.tr("This till's own figures are not read yet.")
        takings = ", ".join(m.format(self._locale) for m in own.takings) or "—"
        return self.tr("This till's own figures: {0} payment(s), takings {1}.").format(
            own.count, takings
        )

    async def _load(self, fetch: Fetch, day: date) -> None:
        try:
            tills = await fetch(day)
        except HubError as exc:
            self.state.setText(self.tr("The hub cannot be asked now: {0}").format(exc))
            return
        self.state.setText(
            self.tr("{0} till(s) at the hub. Figures are what each till has sent so far.").format(
                len(tills)
            )
        )
        self.table.setRowCount(len(tills))
        for row, till in enumerate(tills):
            name = str(till.get("till", ""))
            if till.get("this_till"):
                name = self.tr("{0} (this till)").format(name)
            cells = [
                str(till.get("shop", "")),
                name,
                str(till.get("payments", "")),
                amounts(till.get("takings", []), self._locale),
                str(till.get("open", "")),
                self._sync_text(till),
            ]
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()

    def _sync_text(self, till: dict[str, Any]) -> str:
        if not till.get("intact", True):
            return self.tr("history changed: {0}").format(till.get("problem") or "")
        behind = int(till.get("behind") or 0)
        if behind:
            return self.tr("%n event(s) not yet at the hub", "", behind)
        return self.tr("all of it") if till.get("synced_at") else self.tr("nothing yet")
