"""Settings of issue 23: the number format picked from a list with example amounts, the amount
guard's limits and ported numbers, written to the config file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QCheckBox
from pytestqt.qtbot import QtBot

from pos_app.platform.config import load_config
from pos_app.providers import registry
from pos_app.ui.settings_rows import number_formats
from tests.ui.test_settings import OWNER_FILE, combo, dialog_for, field


def test_number_formats_show_an_example_amount() -> None:
    formats = dict(number_formats("UG", "en"))
    assert formats["en_UG"] == "English (Uganda) — USh1,500,000"
    assert "fr" in formats and "en" in formats  # English and French always
    assert all(locale == "en" or locale.endswith("UG") or locale == "fr" for locale in formats)
    assert dict(number_formats("CI", "fr"))["fr_CI"].startswith("Français (Côte d’Ivoire) — 1")


def test_number_format_and_limits_are_saved(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(OWNER_FILE, encoding="utf-8")
    dialog = dialog_for(qtbot, path)
    formats = combo(dialog, "shop", "locale")
    labels = [formats.itemText(i) for i in range(formats.count())]
    assert formats.currentData() == ""  # the country's, until chosen
    assert labels[0].startswith("The country's: ") and "CFA" in labels[0]
    # Named in the shop's language (French in Côte d'Ivoire).
    assert "Anglais — F\u202fCFA1,500,000" in labels
    formats.setCurrentIndex(formats.findData("en"))
    largest = field(dialog, "shop", "largest_charge")
    confirm = field(dialog, "shop", "confirm_above")
    assert largest.text() == "" and "1" in largest.placeholderText()  # the default, shown
    assert largest.placeholderText().startswith("default: ")
    assert confirm.placeholderText().startswith("default: ")
    largest.setText("2000000")
    confirm.setText("300000")
    ported = dialog.inputs[dialog.setting("shop", "allow_ported_numbers")]
    assert isinstance(ported, QCheckBox) and not ported.isChecked()
    ported.setChecked(True)
    dialog.save()
    assert "Settings saved" in dialog.outcome.text()
    shop = load_config(path, registry.config_sections()).shop
    assert shop.locale == "en"
    assert (shop.largest_charge, shop.confirm_above) == (2_000_000, 300_000)
    assert shop.allow_ported_numbers
    assert "keep this comment" in path.read_text(encoding="utf-8")
    # Emptied: the default again (0 in the file); a word is refused, nothing written.
    largest.setText("")
    confirm.setText("lots")
    dialog.save()
    assert dialog.outcome.text().startswith("Confirm above: ")
    assert load_config(path, registry.config_sections()).shop.largest_charge == 2_000_000
    confirm.setText("")
    dialog.save()
    assert load_config(path, registry.config_sections()).shop.largest_charge == 0
