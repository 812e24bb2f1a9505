"""A receipt's QR code scanned into the receipts' search finds that payment, and only it."""

from __future__ import annotations

from pathlib import Path

from pos_app.domain.money import Money
from pos_app.domain.payment import Payment
from pos_app.domain.receipt_qr import qr_text, scanned_reference
from pos_app.store import PaymentRepository, open_database
from pos_app.store.queries import PaymentFilter
from tests.printing.conftest import NOW


def test_a_scanned_qr_code_finds_its_payment(tmp_path: Path) -> None:
    repo = PaymentRepository(open_database(tmp_path / "pos.sqlite3"))
    ids = [
        "5f0c2a9e-7d41-4b8a-9c3e-2b6d1f4a8e07",
        "5f0c2a9e-0000-4b8a-9c3e-2b6d1f4a8e07",  # the same first 8: a prefix search finds both
        "11111111-2222-4333-8444-555555555555",
    ]
    for reference in ids:
        repo.save_new(
            *Payment.create(
                provider="mtn",
                amount=Money(1500, "UGX"),
                msisdn="256772123456",
                now=NOW,
                reference_id=reference,
            )
        )
    scanned = qr_text(ids[0], "8e07")
    found = [p.reference_id for p in repo.each(PaymentFilter(search=scanned))]
    assert found == [ids[0]]
    assert [p.reference_id for p in repo.each(PaymentFilter(search=ids[0].upper()))] == [ids[0]]
    repo.close()


def test_what_is_not_a_scanned_receipt() -> None:
    assert scanned_reference("0772 123 456") is None
    assert scanned_reference("5f0c2a9e") is None  # a reference's start: the usual search
    assert scanned_reference(" 5F0C2A9E-7D41-4B8A-9C3E-2B6D1F4A8E07 X") == (
        "5f0c2a9e-7d41-4b8a-9c3e-2b6d1f4a8e07"
    )
