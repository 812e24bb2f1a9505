"""The cashier's language: pos-app's own catalog and Qt's (for the standard dialogs)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from pos_app.platform import paths


def translations_dir() -> str:
    return str(paths.resources_dir() / "translations")


def install_translators(app: QCoreApplication, language: str) -> list[QTranslator]:
    """Install the translators for `language` ("en" needs none); returns those installed."""
    if language == "en":
        return []
    installed = []
    ours = QTranslator(app)
    if ours.load(f"pos_app_{language}", translations_dir()):
        installed.append(ours)
    qt = QTranslator(app)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt.load(QLocale(language), "qtbase", "_", qt_dir):
        installed.append(qt)
    for translator in installed:
        app.installTranslator(translator)
    return installed
