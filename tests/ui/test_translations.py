"""The French catalog is complete, current with the code, and used by the real widgets."""

from __future__ import annotations

import asyncio
import importlib.util
import shutil
import string
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from pos_app.app.till import SetupProblem, build_till
from pos_app.app.translations import install_translators
from pos_app.domain.errors import Text, message_of
from pos_app.domain.money import AmountError, Money
from pos_app.domain.phone import PhoneError, parse_phone
from pos_app.platform import paths
from pos_app.platform.config import Config, ShopConfig
from pos_app.platform.credentials import SecretStore
from pos_app.providers import registry
from pos_app.providers.base import ConfigurationProblem, circuit_health
from pos_app.providers.mpesa.settings import MpesaConfig
from pos_app.providers.resilience import CircuitBreaker
from pos_app.store import PaymentRepository
from pos_app.ui.texts import error_text, reason_message, shown
from tests.ui.conftest import Counter

TRANSLATIONS = paths.resources_dir() / "translations"


def update_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("update", TRANSLATIONS / "update.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def messages(ts: Path) -> list[tuple[str, str, str, str | None]]:
    """(context, source, translation, type) of every message."""
    found = []
    for context in ET.parse(ts).getroot():  # noqa: S314 - our own file
        name = context.findtext("name") or ""
        for message in context.findall("message"):
            translation = message.find("translation")
            assert translation is not None
            found.append(
                (
                    name,
                    message.findtext("source") or "",
                    # A plural's forms, one per line: each must be translated.
                    "\n".join(form.text or "" for form in translation.findall("numerusform"))
                    or translation.text
                    or "",
                    translation.get("type"),
                )
            )
    return found


def fields(text: str) -> list[str]:
    return sorted(f"{name}!{conv}" for _, name, _, conv in string.Formatter().parse(text) if name)


def test_the_catalog_is_current_with_the_code_and_compiled(tmp_path: Path) -> None:
    for name in ("pos_app_fr.ts", "pos_app_fr.qm"):
        shutil.copy(TRANSLATIONS / name, tmp_path / name)
    update_script().update(tmp_path)
    # A text added to the code and not to the catalog would appear here as a difference.
    assert messages(tmp_path / "pos_app_fr.ts") == messages(TRANSLATIONS / "pos_app_fr.ts")
    assert (tmp_path / "pos_app_fr.qm").read_bytes() == (
        TRANSLATIONS / "pos_app_fr.qm"
    ).read_bytes()


def test_every_text_has_a_french_translation_with_the_same_fields() -> None:
    found = messages(TRANSLATIONS / "pos_app_fr.ts")
    contexts = {context for context, *_ in found}
    assert {"Reasons", "Validation", "Status", "SettingsDialog", "PaymentCard"} <= contexts
    for context, source, translation, kind in found:
        assert kind is None and translation.strip(), f"{context}: {source!r} is not translated"
        assert fields(translation) == fields(source), f"{context}: {source!r}"


def test_english_needs_no_translator(qapp: QApplication) -> None:
    assert install_translators(qapp, "en") == []


def test_input_errors_are_shown_in_french(french: None) -> None:
    with pytest.raises(PhoneError) as caught:
        parse_phone("0772 12", "UG")
    assert error_text(caught.value) == "0772 12 n'est pas un numéro mobile valide (Uganda)"
    with pytest.raises(AmountError) as amount:
        Money.parse("12,50", "XOF", "fr_CI")
    assert "XOF n'a pas de décimales" in error_text(amount.value)


def test_the_window_speaks_french(
    french: None, qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository
) -> None:
    counter = Counter(qtbot, loop, repo, "KE", sound=False)
    window = counter.window
    assert window.tabs.tabText(0) == "Caisse (Ctrl+1)"
    assert window.demo_banner.text() == "DÉMO — aucun argent réel n'est débité"
    qtbot.waitUntil(
        lambda: window.today_label.text() == "Aujourd'hui : aucun paiement reçu pour l'instant"
    )
    counter.type_charge("150", "0711000001")  # the simulator: not enough money
    counter.finish()
    [card] = window.cards.cards.values()
    assert card.state.text() == "✖ REFUSÉ · Solde M-Pesa du client insuffisant"
    assert card.retry.text() == "Encaisser à nouveau"
    counter.close()


def test_messages_from_the_engine_are_shown_in_french(french: None) -> None:
    # No credentials at all: the till says what is missing, in the cashier's language.
    config = Config(shop=ShopConfig(country="CI"), providers={"mpesa": MpesaConfig(enabled=False)})
    till = build_till(config, demo=False, secrets=SecretStore({}))
    with pytest.raises(SetupProblem) as missing:
        till.parse_charge("mtn", "1500", "0707000000")
    assert str(missing.value).startswith("MTN is not set up")  # the log's and commands' English
    assert error_text(missing.value).startswith("MTN n’est pas configuré : il manque")
    with pytest.raises(SetupProblem) as absent:
        till.parse_charge("mpesa", "100", "0712345678")
    assert error_text(absent.value) == "M-Pesa n’est pas configuré sur cette caisse"
    note = Text("the provider says it failed")
    assert (str(note), shown(note)) == (
        "the provider says it failed",
        "l’opérateur indique qu’il a échoué",
    )
    assert shown("plain text") == "plain text"
    # What the providers say about their state, and their refusals, as the owner reads them.
    breaker = CircuitBreaker(threshold=1, cooldown=30)
    assert shown(circuit_health("MTN MoMo", breaker).message) == "MTN MoMo joignable"
    breaker.record_failure()
    assert shown(circuit_health("MTN MoMo", breaker).message).startswith(
        "MTN MoMo injoignable (nouvel essai dans "
    )
    refusal = ConfigurationProblem(
        Text("no MTN {product} subscription key is configured", product="disbursement")
    )
    assert error_text(refusal) == "aucune clé d'abonnement MTN disbursement n'est configurée"
    nested = Text("the provider refused the question: {problem}", problem=message_of(refusal))
    assert shown(nested).endswith(": aucune clé d'abonnement MTN disbursement n'est configurée")
    # M-Pesa's credentials are there, but Daraja would refuse this callback URL.
    secrets = SecretStore(
        {"MPESA_CONSUMER_KEY": "k", "MPESA_CONSUMER_SECRET": "s", "MPESA_PASSKEY": "p"}
    )
    kenya = Config(
        shop=ShopConfig(country="KE"), providers={"mpesa": MpesaConfig(callback_url="http://x")}
    )
    refused = build_till(kenya, demo=False, secrets=secrets).unavailable["mpesa"]
    assert shown(refused) == "[mpesa] callback_url doit être une URL https publique, pas http://x/…"
    # A code missing from the catalog still names the code.
    assert reason_message(registry.reason("mtn:NEW_CODE")) == "Le paiement a échoué (NEW_CODE)"
