"""Texts that come from outside the ui layer, shown in the cashier's language.

The domain stays free of Qt: its reason catalog, status names, input errors and messages
(`Text`) are English templates, translated here at the moment they are shown
(`resources/translations/update.py` collects them for the translators).
"""

from __future__ import annotations

from babel import Locale
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from pos_app.domain.countries import country
from pos_app.domain.errors import Text, ValidationError, message_of
from pos_app.domain.payment import PaymentStatus
from pos_app.domain.reasons import Reason

S = PaymentStatus
STATUS_NAMES = {
    S.CREATED: QT_TRANSLATE_NOOP("Status", "saved"),
    S.SUBMITTING: QT_TRANSLATE_NOOP("Status", "sending"),
    S.PENDING: QT_TRANSLATE_NOOP("Status", "waiting"),
    S.SUCCESSFUL: QT_TRANSLATE_NOOP("Status", "paid"),
    S.FAILED: QT_TRANSLATE_NOOP("Status", "failed"),
    S.EXPIRED: QT_TRANSLATE_NOOP("Status", "expired"),
    S.UNKNOWN: QT_TRANSLATE_NOOP("Status", "not known"),
    S.REFUNDED: QT_TRANSLATE_NOOP("Status", "refunded"),
}


def status_name(status: PaymentStatus) -> str:
    return QCoreApplication.translate("Status", str(STATUS_NAMES[status]))


def reason_message(reason: Reason) -> str:
    if isinstance(reason.message, Text):  # a code the catalog does not know
        return shown(reason.message)
    return QCoreApplication.translate("Reasons", reason.message)


def reason_action(reason: Reason) -> str:
    """What to ask the customer, or an empty text."""
    action = reason.customer_action
    return QCoreApplication.translate("Reasons", action) if action else ""


def shown(text: str) -> str:
    """A message from the layers below in the cashier's language (a plain str as it is)."""
    if isinstance(text, Text):
        params = {k: shown(v) if isinstance(v, Text) else v for k, v in text.params.items()}
        return QCoreApplication.translate("Messages", text.template).format(**params)
    return text


def country_name(region: str, language: str) -> str:
    """The country's name in the cashier's language, from CLDR (babel)."""
    name: str | None = Locale.parse(language).territories.get(region)
    return name or country(region).name


def error_text(error: BaseException) -> str:
    if isinstance(error, ValidationError):
        return QCoreApplication.translate("Validation", error.template).format(**error.params)
    return shown(message_of(error))
