"""What a reconciliation run of the day found."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QVBoxLayout, QWidget

from pos_app.domain.phone import mask_msisdn
from pos_app.engine.engine import Finding
from pos_app.providers import registry
from pos_app.ui.texts import reason_message, shown, status_name


class FindingsDialog(QDialog):
    """What a reconciliation run found: each payment asked about, and what changed."""

    def __init__(self, findings: list[Finding], locale: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Reconcile day"))
        layout = QVBoxLayout(self)
        corrected = sum(1 for f in findings if f.corrected)
        self.summary = QLabel(
            self.tr("{0} payment(s) checked, {1} corrected.").format(len(findings), corrected),
            self,
        )
        layout.addWidget(self.summary)
        self.items = QListWidget(self)
        for finding in findings:
            self.items.addItem(finding_line(finding, locale))
        layout.addWidget(self.items)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def finding_line(finding: Finding, locale: str) -> str:
    """One payment of the run: amount, number, its status (or its change) and why."""
    p = finding.payment
    change = (
        f"{status_name(finding.before)} → {status_name(p.status)}"
        if finding.corrected
        else status_name(p.status)
    )
    why = (
        f" ({reason_message(registry.reason(p.reason))})" if finding.corrected and p.reason else ""
    )
    said = shown(finding.note)
    return f"{p.amount.format(locale)} · {mask_msisdn(p.msisdn)} · {change}: {said}{why}"
