from __future__ import annotations

import asyncio

from pytestqt.qtbot import QtBot

from pos_app.app.till import build_till
from pos_app.engine.engine import ChargeRequest
from pos_app.platform.config import Config, ShopConfig
from pos_app.store import PaymentRepository
from pos_app.ui.main_window import MainWindow


def test_window_follows_the_engine_and_resumes_unfinished_payments(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, repo: PaymentRepository
) -> None:
    config = Config(shop=ShopConfig(name="Mama Rose", country="UG", timezone="Africa/Kampala"))
    till = build_till(config, demo=True, approval_delay=0.1)
    engine = till.engine(repo)
    amount, phone = till.parse_charge("mtn", "1,500", "0772 123 456")
    left_over = engine.create(ChargeRequest("mtn", amount, phone))  # as if the till had crashed

    window = MainWindow(config, repo, demo=True, engine=engine)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.open_label.text() == "1 unfinished")

    async def scenario() -> None:
        engine.resume()
        paid = await engine.charge(ChargeRequest("mtn", amount, phone))
        assert await engine.settle([left_over.reference_id, paid.reference_id], timeout=10)

    loop.run_until_complete(scenario())
    qtbot.waitUntil(lambda: window.today_label.text() == "Today: USh3,000 (2 paid)")
    assert window.open_label.text() == "0 unfinished"
    assert window.health_label.text() == "MTN OK · M-Pesa OK · Airtel OK"
    loop.run_until_complete(engine.aclose())
