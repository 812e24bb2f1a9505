"""Texts that come from outside the ui layer, shown in the cashier's language.

The domain stays free of Qt: its reason catalog, status names, input errors and messages
(`Text`) are English templates, translated here at the moment they are shown
(`resources/translations/update.py` collects them for the translators).
"""

from __future__ import annotations

import sys
from datetime import datetime, tzinfo

from babel import Locale
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDate

from pos_app.domain.countries import country
from pos_app.domain.errors import Text, ValidationError, message_of
from pos_app.domain.payment import (
    EXPIRED,
    PAID,
    REFUNDED,
    REFUSED,
    UNKNOWN,
    WAITING,
    WORDS,
    PaymentStatus,
    status_word,
    statuses_of,
)
from pos_app.domain.reasons import Reason

# The people's words of the domain (STATUS_WORDS), as the translators see them: one entry per
# word, so the window, the report and the printouts say the same as the command line.
WORD_NAMES = {
    PAID: QT_TRANSLATE_NOOP("Status", "paid"),
    REFUSED: QT_TRANSLATE_NOOP("Status", "refused"),
    WAITING: QT_TRANSLATE_NOOP("Status", "waiting"),
    EXPIRED: QT_TRANSLATE_NOOP("Status", "expired"),
    UNKNOWN: QT_TRANSLATE_NOOP("Status", "unknown"),
    REFUNDED: QT_TRANSLATE_NOOP("Status", "refunded"),
}


def word_name(word: str) -> str:
    """A people's word for a status, in the cashier's language."""
    return QCoreApplication.translate("Status", str(WORD_NAMES[word]))


def status_name(status: PaymentStatus) -> str:
    return word_name(status_word(status))


def status_choices() -> list[tuple[str, frozenset[PaymentStatus]]]:
    """One filter choice per people's word, with the statuses it covers (`waiting`: saved,
    sending and pending), in the cashier's language."""
    return [(word_name(word), statuses_of(word)) for word in WORDS]


# Without a secure keyring, what the status bar tells the cashier to do, per system.
KEYRING_ADVICE = {
    "linux": QT_TRANSLATE_NOOP(
        "Keyring",
        "No secure keyring: install and unlock GNOME Keyring or KWallet "
        "(or set the secrets as environment variables)",
    ),
    "darwin": QT_TRANSLATE_NOOP(
        "Keyring",
        "No secure keyring: unlock the login keychain in Keychain Access "
        "(or set the secrets as environment variables)",
    ),
    "win32": QT_TRANSLATE_NOOP(
        "Keyring",
        "No secure keyring: Windows Credential Manager is not reachable; reinstall pos-app "
        "(or set the secrets as environment variables)",
    ),
}


def keyring_advice(platform: str = sys.platform) -> str:
    key = "win32" if platform == "win32" else "darwin" if platform == "darwin" else "linux"
    return QCoreApplication.translate("Keyring", str(KEYRING_ADVICE[key]))


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


def shop_today(tz: tzinfo) -> QDate:
    """Today where the shop is (its configured zone), not on the computer's clock: a till in
    UTC must not show yesterday's report to a shop in Kampala after 21:00."""
    today = datetime.now(tz).date()
    return QDate(today.year, today.month, today.day)
