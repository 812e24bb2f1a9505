"""A disk that fills while the counter is working: the real window, the demo simulator, a real
SQLite file on a real 2 MB file system. The outcome heard while the disk is full is shown and
kept, no new charge leaves, quitting is refused, and all is saved once space returns, without
the window ever stalling."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pytestqt.qtbot import QtBot

from pos_app.domain.payment import PaymentStatus
from pos_app.engine.engine import ChargeRequest
from pos_app.store import PaymentRepository, open_database
from pos_app.ui.lag_probe import LagProbe
from tests.storage_faults import fill, small_disk
from tests.ui.conftest import Counter, until


def test_a_disk_filling_between_push_and_outcome(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    with small_disk(tmp_path / "disk") as disk:
        repo = PaymentRepository(open_database(disk / "pos.sqlite3"))
        counter = Counter(qtbot, loop, repo, approval_delay=1.0, timezone="Africa/Kampala")
        till, engine, window, simulator = (
            counter.till,
            counter.engine,
            counter.window,
            counter.mtn,
        )
        engine.save_retry = 0.2
        assert window.disk_space.isVisible()  # 2 MB is far below the 200 MB floor
        assert "Low disk space" in window.disk_space.text()
        probe = LagProbe()
        references: list[str] = []
        amount, phone = till.parse_charge("mtn", "1,500", "0772 123 456")

        async def scenario() -> None:
            probe.start()
            paid = await engine.charge(ChargeRequest("mtn", amount, phone))
            references.append(paid.reference_id)
            assert paid.status == PaymentStatus.PENDING  # on disk: the push is out
            filler = await asyncio.to_thread(fill, disk)
            await until(lambda: bool(engine.unsaved()))  # the customer approved meanwhile

            card = window.cards.cards[paid.reference_id]
            assert "PAID" in card.state.text()
            assert "not yet saved: disk full" in card.state.text()
            assert not card.receipt.isVisible()
            assert repo.get(paid.reference_id).status == PaymentStatus.PENDING
            assert window.storage_banner.isVisible()
            assert "disk full" in window.storage_banner.text()
            assert "1 payment outcome(s) kept in memory" in window.storage_banner.text()

            window.close()  # quitting now would lose the outcome
            assert window.isVisible() and window.refused_close is not None
            window.refused_close.accept()

            pushes = simulator.requests["POST requesttopay"]
            assert window.panel is not None
            window.counter._charge(ChargeRequest("mtn", amount, phone))
            await until(lambda: window.panel is not None and bool(window.panel.error.text()))
            assert window.panel.error.text() == "Not sent: disk full"
            assert simulator.requests["POST requesttopay"] == pushes  # nothing left the till

            await asyncio.to_thread(filler.unlink)
            await until(lambda: not engine.unsaved())
            saved = repo.get(paid.reference_id)
            assert saved.status == PaymentStatus.SUCCESSFUL
            await until(lambda: not window.storage_banner.isVisible())
            assert window.panel.error.text() == ""  # "Not sent: disk full" is over
            assert "not yet saved" not in card.state.text()
            assert card.receipt.isVisible()
            probe.stop()

        loop.run_until_complete(scenario())
        print(f"worst lag {probe.worst() * 1000:.1f} ms over {len(probe.lags)} ticks")
        assert probe.lags and probe.worst() < 0.05, f"the window stalled {probe.worst():.3f} s"
        assert repo.verify().intact
        assert dict(simulator.accepted) == {references[0]: 1}  # one push, never twice
        window.close()
        assert not window.isVisible()
        loop.run_until_complete(engine.aclose())
        repo.close()
