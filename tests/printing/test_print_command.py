"""`pos-app print`, `pos-app report --print` and doctor's printer line, as a shop runs them:
real processes, a real database file, a real TCP printer."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pos_app.domain.money import Money
from pos_app.domain.payment import Payment, PaymentStatus
from pos_app.platform import paths
from pos_app.store import PaymentRepository, open_database
from tests.printing.escpos_decode import decode
from tests.printing.fake_printer import FakePrinter, refused_url
from tests.unit.test_cli import run

S = PaymentStatus


@pytest.fixture
def reference(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A paid payment of today in this till's live records, and a French shop's config."""
    config = tmp_path / "config.toml"
    config.write_text(
        '[shop]\nname = "Boutique Hélène"\ncountry = "CI"\ntill = "Caisse 1"\n', encoding="utf-8"
    )
    monkeypatch.setenv("POS_APP_CONFIG", str(config))
    repo = PaymentRepository(open_database(paths.database_path()))
    now = datetime.now(UTC)
    payment, event = Payment.create(
        provider="mtn", amount=Money(7500, "XOF"), msisdn="2250551234567", now=now
    )
    repo.save_new(payment, event)
    for status in (S.SUBMITTING, S.PENDING):
        repo.transition(payment.reference_id, status, now)
    repo.transition(payment.reference_id, S.SUCCESSFUL, now, provider_transaction_id="99887766")
    repo.close()
    return payment.reference_id


def test_print_a_receipt_by_its_reference(reference: str) -> None:
    with FakePrinter("ok") as fake:
        result = run("print", reference[:8], "--printer", fake.url, "--copies", "2")
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"receipt printed on {fake.url}"
        (job,) = fake.wait_for_jobs(1)
    decoded = decode(job)
    assert decoded.qr_codes == [f"{reference} 99887766"] * 2
    assert "Boutique Hélène" in decoded.texts()
    assert any(t.startswith("Montant") and t.endswith("7 500 F CFA") for t in decoded.texts())


def test_pos_app_printer_names_the_printer(reference: str) -> None:
    with FakePrinter("ok") as fake:
        result = run("print", reference, env={"POS_APP_PRINTER": fake.url})
        assert result.returncode == 0, result.stderr
        assert len(fake.wait_for_jobs(1)) == 1


def test_a_printer_not_answering_fails_the_command(reference: str) -> None:
    result = run("print", reference[:8], "--printer", refused_url())
    assert result.returncode == 1
    assert "pos-app print: not printed: printer not answering" in result.stderr


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["print", "deadbeef", "--printer", "tcp://127.0.0.1:9"], 2, "no payment with reference"),
        (["print", "5f0c", "--printer", "tcp://127.0.0.1:9"], 2, "at least the first 8"),
        (["print", "{ref}", "--printer", "lpt://1"], 2, "is not a printer"),
        (["print", "{ref}", "--printer", "tcp://127.0.0.1:9", "--copies", "9"], 2, "--copies"),
        (["print", "{ref}", "--printer", "none"], 4, "no printer"),
        (["report", "--print", "--printer", "usb://nope"], 2, "expected usb://VID:PID"),
    ],
)
def test_bad_input_is_refused_before_anything_is_sent(
    reference: str, args: list[str], code: int, says: str
) -> None:
    result = run(*[a.replace("{ref}", reference) for a in args])
    assert result.returncode == code, result.stderr
    assert says in result.stderr


def test_the_z_report_on_the_printer_in_the_shops_language(reference: str) -> None:
    with FakePrinter("ok") as fake:
        result = run("report", "--print", "--printer", fake.url)
        assert result.returncode == 0, result.stderr
        (job,) = fake.wait_for_jobs(1)
    texts = decode(job).texts()
    assert "Rapport de fin de journée" in texts
    assert any(t.startswith("Paiements") and t.endswith(" 1") for t in texts)


def test_doctor_checks_the_printer(reference: str) -> None:
    with FakePrinter("ok") as fake:
        fine = run("--demo", "doctor", env={"POS_APP_PRINTER": fake.url})
        assert f"OK   printer {fake.url}: answers" in fine.stdout
        assert fake.wait_for_jobs(1) == [b"\x10\x04\x01\x10\x04\x04"]  # nothing printed
    with FakePrinter("no_paper") as empty:
        out = run("--demo", "doctor", env={"POS_APP_PRINTER": empty.url})
    assert out.returncode == 4
    assert f"FIX  printer {empty.url}: printer out of paper" in out.stdout
