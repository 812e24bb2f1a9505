from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QModelIndex
from pytestqt.qtbot import QtBot

from pos_app.domain.money import Money
from pos_app.domain.payment import Payment, PaymentStatus
from pos_app.platform.config import ShopConfig
from pos_app.store import PaymentRepository, open_database
from pos_app.store.repository import PaymentFilter, to_db_time
from pos_app.ui.receipts import PAGE, ReceiptDetail, ReceiptsModel, ReceiptsView

S = PaymentStatus
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "pos.sqlite3"


@pytest.fixture
def repo(db_path: Path) -> Iterator[PaymentRepository]:
    db = open_database(db_path)
    yield PaymentRepository(db)
    db.close()


def bulk(db_path: Path, count: int, start: datetime) -> None:
    """Many stored payments fast: one transaction, written the way the repository writes them."""
    conn = sqlite3.connect(db_path)
    rows = []
    for i in range(count):
        at = to_db_time(start - timedelta(seconds=i))
        status = "successful" if i % 4 else "failed"
        rows.append(
            (
                str(uuid.uuid4()),
                "mtn" if i % 3 else "mpesa",
                "collection",
                100 * (i % 50 + 1),
                "UGX",
                f"256772{i:06d}",
                f"ORDER-{i}",
                status,
                at,
                at,
            )
        )
    conn.executemany(
        "INSERT INTO payments (reference_id, provider, product, amount_minor, currency, msisdn,"
        " external_id, status, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    conn.commit()
    conn.close()


def test_model_pages_lazily_through_100000_receipts(
    qtbot: QtBot, repo: PaymentRepository, db_path: Path
) -> None:
    bulk(db_path, 100_000, NOW)
    model = ReceiptsModel(repo, "en_UG", UTC)
    model.set_filter(PaymentFilter())
    assert model.rowCount() == PAGE  # not 100,000 rows in memory
    fetched = 0
    while model.canFetchMore(QModelIndex()) and fetched < 30:
        model.fetchMore(QModelIndex())
        fetched += 1
    assert model.rowCount() == PAGE * 31
    times = [model.payment(r).created_at for r in range(model.rowCount())]
    assert times == sorted(times, reverse=True)  # newest first, no gaps or repeats
    assert len({model.payment(r).reference_id for r in range(model.rowCount())}) == model.rowCount()
    assert model.data(model.index(0, 1)) == "USh100"
    assert model.data(model.index(0, 3)) == "256772***000"


def test_view_scrolls_to_more_rows_and_filters(
    qtbot: QtBot, repo: PaymentRepository, db_path: Path
) -> None:
    # One a second back from noon: all of them today (back from now, some were yesterday's
    # when the test ran in the first 83 minutes of a UTC day).
    bulk(db_path, 5_000, NOW.replace(hour=12, minute=0, second=0))
    view = ReceiptsView(repo, "en_UG", UTC)
    qtbot.addWidget(view)
    view.resize(1000, 600)
    view.show()
    assert view.model.rowCount() == PAGE
    for _ in range(3):
        view.table.scrollToBottom()
        qtbot.wait(10)
    assert view.model.rowCount() > PAGE  # the view asked for more as it scrolled
    qtbot.waitUntil(lambda: view.summary.text().startswith("5000 payments · received USh"))
    view.status.setCurrentIndex(view.status.findText("refused"))
    assert view.summary.text() == "Counting…"  # counted beside the window, not in its way
    view.search.setText("0")  # asked again before the first answer: only the newest is shown
    view.search.setText("")
    qtbot.waitUntil(lambda: view.summary.text().startswith("1250 payments"))
    view.provider.setCurrentIndex(view.provider.findData("mpesa"))
    assert {view.model.payment(r).provider for r in range(view.model.rowCount())} == {"mpesa"}
    view.status.setCurrentIndex(0)
    view.provider.setCurrentIndex(0)
    view.search.setText("772004321")
    assert view.model.rowCount() == 1 and view.model.payment(0).external_id == "ORDER-4321"
    view.search.setText("")
    tomorrow = QDate.currentDate().addDays(1)
    view.date_from.setDate(tomorrow)
    view.date_to.setDate(tomorrow)
    qtbot.waitUntil(
        lambda: view.summary.text().startswith("0 payments") and view.model.rowCount() == 0
    )


def test_receipt_detail_shows_the_history(qtbot: QtBot, repo: PaymentRepository) -> None:
    payment, event = Payment.create(
        provider="mtn",
        amount=Money(1500, "UGX"),
        msisdn="256772123456",
        now=NOW,
        external_id="ORDER-9",
    )
    repo.save_new(payment, event)
    for status in (S.SUBMITTING, S.PENDING, S.EXPIRED):
        repo.transition(
            payment.reference_id,
            status,
            NOW,
            reason="app:NO_ANSWER" if status == S.EXPIRED else None,
        )
    repo.transition(
        payment.reference_id,
        S.SUCCESSFUL,
        NOW + timedelta(minutes=6),
        provider_transaction_id="777",
    )
    dialog = ReceiptDetail(repo.get(payment.reference_id), repo, ShopConfig(country="UG"), UTC)
    qtbot.addWidget(dialog)
    text = dialog.summary.text()  # the receipt as printed
    assert "USh1,500" in text and "777" in text and "ORDER-9" in text and "256772***456" in text
    history = [dialog.history.item(i).text() for i in range(dialog.history.count())]
    assert len(history) == 5
    assert history[-1].endswith("Paid (a late answer corrected it)")
    assert "No answer from the customer in time" in history[-2]


def test_a_typed_code_the_callback_contradicts_shows_in_the_history(
    qtbot: QtBot, repo: PaymentRepository
) -> None:
    payment, event = Payment.create(
        provider="mpesa", amount=Money(10000, "KES"), msisdn="254708374149", now=NOW
    )
    repo.save_new(payment, event)
    for status in (S.SUBMITTING, S.PENDING, S.SUCCESSFUL):
        repo.transition(payment.reference_id, status, NOW)
    repo.add_receipt(payment.reference_id, "NLJ7RT61SX", NOW)  # typed from the SMS: a typo
    flagged = {"receipt_disagrees": {"provider": "NLJ7RT61SV", "typed": "NLJ7RT61SX"}}
    repo.note(payment.reference_id, flagged, NOW)  # what the hub's callback said
    dialog = ReceiptDetail(repo.get(payment.reference_id), repo, ShopConfig(country="KE"), UTC)
    qtbot.addWidget(dialog)
    history = [dialog.history.item(i).text() for i in range(dialog.history.count())]
    assert history[-1].endswith("⚠ The code typed, NLJ7RT61SX, is not M-Pesa's: NLJ7RT61SV")


def test_receipt_saved_as_pdf_for_an_80mm_roll(
    qtbot: QtBot, repo: PaymentRepository, tmp_path: Path
) -> None:
    from pos_app.printing.layout import receipt_lines

    payment, event = Payment.create(
        provider="mpesa",
        amount=Money(25000, "KES"),
        msisdn="254712345678",
        now=NOW,
        external_id="ORDER-77",
    )
    repo.save_new(payment, event)
    for status in (S.SUBMITTING, S.PENDING, S.SUCCESSFUL):
        repo.transition(payment.reference_id, status, NOW)
    repo.add_receipt(payment.reference_id, "NLJ7RT61SV", NOW)
    shop = ShopConfig(name="Mama Rose", country="KE", till="Counter 2")
    paid = repo.get(payment.reference_id)
    lines = dict(receipt_lines(paid, shop, UTC))
    assert lines["Amount"] == "Ksh250.00" and lines["Paid with"] == "M-Pesa"
    assert lines["Receipt no."] == "NLJ7RT61SV (from SMS)" and lines["Phone"] == "254712***678"
    assert lines["Reference"] == "ORDER-77" and lines["Status"] == "PAID"
    dialog = ReceiptDetail(paid, repo, shop, UTC)
    qtbot.addWidget(dialog)
    target = tmp_path / "receipt.pdf"
    dialog.save_pdf(target)
    data = target.read_bytes()
    assert data.startswith(b"%PDF")
    # 80 mm is 226.8 points: the page is a thermal roll, not A4 (595 points wide).
    box = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", data)
    assert box is not None
    width_mm, height_mm = (float(v) / 72 * 25.4 for v in box.groups())
    assert abs(width_mm - 80) < 0.5 and abs(height_mm - 160) < 0.5
    # Qt's PDF writer fails without a word: the dialog says why the file is not there.
    nowhere = tmp_path / "no such folder" / "receipt.pdf"
    dialog.save_pdf(nowhere)
    assert dialog.problem is not None and dialog.problem.isVisible()
    assert dialog.problem.text() == f"Could not save {nowhere}: No such file or directory"
    assert not nowhere.parent.exists()
