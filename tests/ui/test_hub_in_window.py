"""The cashier window of a till linked to the owner's hub (real PostgreSQL, real HTTP, the
demo's simulators): an M-Pesa charge ends paid with the code from the callback, with none
typed; a customer's own payment to the shop's number is taken for a sale by one till only."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.app.till import build_till, secret_store
from pos_app.cli.main import main
from pos_app.domain.money import Money
from pos_app.engine.engine import ChargeRequest
from pos_app.platform import paths
from pos_app.platform.config import Config, HubConfig, ShopConfig
from pos_app.platform.credentials import HUB_CALLBACKS, HUB_KEY
from pos_app.store import PaymentRepository, open_database
from pos_app.store.repository import PaymentFilter
from pos_app.ui.business_dialog import BusinessDialog
from pos_app.ui.main_window import MainWindow
from tests.conftest import MemoryKeyring
from tests.hub.conftest import Hub, database_url, here, hub, hub_factory  # noqa: F401
from tests.hub.test_callbacks import C2B
from tests.ui.test_main_window import enter_pin

ENTERED = "480213"


@pytest.fixture
def shop_repo() -> Iterator[PaymentRepository]:
    """The till's own database, where `pos-app receipts` reads it."""
    paths.data_dir().mkdir(parents=True, exist_ok=True)
    db = open_database(paths.data_dir() / paths.DATABASE_NAME)
    yield PaymentRepository(db)
    db.close()


def linked_window(
    linked_to: Hub,
    loop: asyncio.AbstractEventLoop,
    repo: PaymentRepository,
    qtbot: QtBot,
    *,
    with_sync: bool = False,
) -> MainWindow:
    """A window on a till linked to the hub; its history uploaded only when the test is
    about that (one fewer task talking to the hub while pytest-qt spins Qt without asyncio's
    loop running: stack-pitfalls §1.10)."""
    the_hub = here(linked_to)
    till_client = the_hub.add_till("Duka", "Till 1")
    secrets = secret_store()
    secrets.set(HUB_KEY, till_client.key)
    secrets.set(HUB_CALLBACKS, json.dumps(the_hub.callback_urls))
    config = Config(
        shop=ShopConfig(name="Duka la Mama", country="KE", timezone="Africa/Nairobi"),
        hub=HubConfig(url=the_hub.url, till_id=till_client.till_id),
    )
    till = build_till(config, demo=True, approval_delay=0.5)
    engine = till.engine(repo)
    if not with_sync and till.link is not None:
        till.link.sync = None
    window = MainWindow(config, repo, demo=True, engine=engine, till=till)
    qtbot.addWidget(window)
    window.show()
    link = till.link
    assert link is not None

    async def connected() -> None:
        link.start()
        await until(lambda: link.up)

    loop.run_until_complete(connected())
    return window


async def until(condition: Callable[[], bool], timeout: float = 60) -> None:
    """Wait for `condition`, the loop (and the window) running meanwhile."""
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("not reached in time")


def test_an_mpesa_charge_ends_paid_with_the_code_from_the_callback(
    qtbot: QtBot,
    loop: asyncio.AbstractEventLoop,
    hub: Hub,  # noqa: F811
    memory_keyring: MemoryKeyring,
    shop_repo: PaymentRepository,
    capsys: pytest.CaptureFixture[str],
) -> None:
    window = linked_window(hub, loop, shop_repo, qtbot)
    engine = window._engine
    assert engine is not None and window._till is not None
    assert window.hub_label.text() == "Hub: connected"
    amount, phone = window._till.parse_charge("mpesa", "250", "0708 374 149")

    async def charge() -> str:
        payment = await engine.charge(ChargeRequest("mpesa", amount, phone))
        assert await engine.settle([payment.reference_id], timeout=20)
        return payment.reference_id

    reference = loop.run_until_complete(charge())
    paid = engine.current(reference)
    assert paid.receipt_source == "callback"  # the simulator's callback, through the hub
    code = paid.provider_transaction_id
    assert code and len(code) == 10
    # The simulator's answers agreed: asked once after the callback (none before: hub up).
    assert engine.status_queries <= 2
    qtbot.waitUntil(lambda: code in window.cards.cards[reference].state.text())
    loop.run_until_complete(engine.aclose())
    capsys.readouterr()
    assert main(["receipts", "--format", "csv"]) == 0
    csv = capsys.readouterr().out
    assert code in csv and "callback" in csv


def test_a_customer_payment_is_taken_by_one_till(
    qtbot: QtBot,
    loop: asyncio.AbstractEventLoop,
    hub: Hub,  # noqa: F811
    memory_keyring: MemoryKeyring,
    shop_repo: PaymentRepository,
) -> None:
    window = linked_window(hub, loop, shop_repo, qtbot)
    hub.bind_shortcode("Duka", "600966")
    other_till = hub.add_till("Duka", "Till 2")
    incoming = window.counter.incoming
    assert incoming is not None
    assert window.hub_label.text() == "Hub: connected"
    hub.callback("daraja/c2b/confirmation", C2B)  # the customer paid the shop's number
    loop.run_until_complete(until(lambda: incoming.list.count() == 1))
    assert "RKL51ZDR4F" in incoming.list.item(0).text()
    assert "NICHOLAS" in incoming.list.item(0).text()
    assert incoming.take_button.isEnabled()
    qtbot.mouseClick(incoming.take_button, Qt.MouseButton.LeftButton)
    loop.run_until_complete(until(lambda: "Taken" in incoming.message.text()))
    assert incoming.list.count() == 0
    (taken,) = [p for p in shop_repo.each(PaymentFilter()) if p.receipt_source == "c2b"]
    assert (taken.provider_transaction_id, taken.status.value) == ("RKL51ZDR4F", "successful")
    assert taken.product == "c2b"  # its kind in the CSV and the day report
    assert str(taken.amount.amount) == "5.00"
    # The other till of the shop cannot take it again.
    assert other_till.post("/v1/c2b/RKL51ZDR4F/claim", {"sale": "s"}).status_code == 409
    assert window._engine is not None
    loop.run_until_complete(window._engine.aclose())


def test_the_owner_sees_every_till_from_the_hub_beside_this_ones_own(
    qtbot: QtBot,
    loop: asyncio.AbstractEventLoop,
    hub: Hub,  # noqa: F811
    memory_keyring: MemoryKeyring,
    shop_repo: PaymentRepository,
) -> None:
    window = linked_window(hub, loop, shop_repo, qtbot, with_sync=True)
    engine, till = window._engine, window._till
    assert engine is not None and till is not None and till.link and till.link.sync
    sync = till.link.sync
    hub.add_till("Duka", "Till 2")  # another counter, nothing sent yet
    amount, phone = till.parse_charge("mpesa", "250", "0708 374 149")

    async def charge_and_send() -> None:
        payment = await engine.charge(ChargeRequest("mpesa", amount, phone))
        assert await engine.settle([payment.reference_id], timeout=20)
        assert await sync.catch_up(20)

    loop.run_until_complete(charge_and_send())
    assert "not yet at the hub" not in window.hub_label.text()
    window.show_report()
    loop.run_until_complete(
        until(lambda: window.report.report is not None and window.report.report.count == 1)
    )
    assert window.report.business_button.isVisible()
    window.owner.set_pin(ENTERED)
    window.report.business_button.click()
    enter_pin(window, ENTERED)
    dialog = window.owner_actions.dialog
    assert isinstance(dialog, BusinessDialog)
    loop.run_until_complete(asyncio.wait_for(dialog.loaded, 20))
    rows = {
        dialog.table.item(row, 1).text(): [
            dialog.table.item(row, column).text() for column in range(6)
        ]
        for row in range(dialog.table.rowCount())
    }
    paid = Money(25000, "KES").format(till.config.shop.effective_locale)
    assert rows["Till 1 (this till)"][2:] == ["1", paid, "0", "all of it"]
    assert rows["Till 2"][2:] == ["0", "—", "0", "nothing yet"]
    assert f"1 payment(s), takings {paid}" in dialog.own.text()
    assert [a.action for a in shop_repo.owner_log.recent()][:1] == ["whole business"]
    loop.run_until_complete(engine.aclose())
