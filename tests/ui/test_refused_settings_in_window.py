"""A till whose MTN key is refused: the cashier is told nothing was sent or charged, the owner
is pointed at the settings, and no payment is saved (so none shows as refused)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pytestqt.qtbot import QtBot

from pos_app.engine.engine import ChargeRequest
from pos_app.platform.secret import Secret
from pos_app.providers.mtn.client import MtnCredentials
from pos_app.store import PaymentRepository, open_database
from pos_app.store.repository import PaymentFilter
from tests.ui.conftest import Counter, until


def test_a_refused_key_is_the_owners_to_fix_and_nothing_is_saved(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    repo = PaymentRepository(open_database(tmp_path / "pos.sqlite3"))
    counter = Counter(qtbot, loop, repo, approval_delay=1.0, timezone="Africa/Kampala")
    till, engine, window, simulator = counter.till, counter.engine, counter.window, counter.mtn
    client = engine.providers["mtn"].client  # type: ignore[attr-defined]
    right = client._credentials
    client._credentials = MtnCredentials(right.api_user, Secret("wrong"), right.subscription_keys)
    amount, phone = till.parse_charge("mtn", "1,500", "0772 123 456")

    async def scenario() -> None:
        assert window.panel is not None
        window.counter._charge(ChargeRequest("mtn", amount, phone))
        await until(lambda: window.panel is not None and bool(window.panel.error.text()))

    loop.run_until_complete(scenario())
    assert window.panel is not None
    assert window.panel.error.text().startswith("Not sent, nothing charged")
    assert "API user or API key" in window.panel.error.toolTip()
    assert "MTN settings to check" in window.health_label.text()
    assert "login_failed" in window.health_label.toolTip()
    assert repo.count(PaymentFilter()) == 0
    assert simulator.requests["POST requesttopay"] == 0
    window.close()
    loop.run_until_complete(engine.aclose())
    repo.close()
