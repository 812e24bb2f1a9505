"""Demo mode is a world of its own, and the counter's guards hold on the command line
(issue 23): real `pos-app` processes, real SQLite files."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

from tests.e2e.conftest import Rig


def demo_rows(rig: Rig) -> list[tuple[str, str]]:
    path = rig.db.parent / "demo" / "pos-app.sqlite3"
    if not path.exists():
        return []
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT reference_id, status FROM payments").fetchall()
    finally:
        conn.close()


def demo_charge(
    rig: Rig, amount: str, *more: str, phone: str = "0772123456"
) -> subprocess.CompletedProcess[str]:
    """`pos-app charge --demo` with MTN."""
    return rig.run(
        "charge", "--demo", "--provider", "mtn", "--amount", amount, "--phone", phone, *more
    )


def listed(rig: Rig, *args: str) -> list[dict[str, object]]:
    result = rig.run(*args, "receipts", "--format", "json")
    assert result.returncode == 0, result.stderr
    payments: list[dict[str, object]] = json.loads(result.stdout)
    return payments


def test_a_demo_sale_never_reaches_the_live_records(rig: Rig) -> None:
    demo = demo_charge(rig, "700", "--json")
    assert demo.returncode == 0, demo.stderr
    live = rig.run("charge", "--provider", "mtn", "--amount", "90", "--phone", "0772123456")
    assert live.returncode == 0, live.stderr

    assert [row[1] for row in rig.rows()] == ["successful"]  # only the live sale
    assert [p["amount"] for p in listed(rig)] == ["90.00"]
    assert [p["amount"] for p in listed(rig, "--demo")] == ["700"]
    assert [status for _, status in demo_rows(rig)] == ["successful"]
    assert rig.mtn.charges() == 1  # the demo never called the live provider

    report = rig.run("report")
    assert report.returncode == 0, report.stderr
    assert "700" not in report.stdout
    assert "90" in report.stdout


def test_charge_above_the_largest_amount_is_refused_and_nothing_is_sent(rig: Rig) -> None:
    result = demo_charge(rig, "1000000000")
    assert result.returncode == 2
    assert "largest charge" in result.stderr
    assert demo_rows(rig) == []


def test_above_confirm_above_the_amount_must_be_repeated(rig: Rig) -> None:
    unconfirmed = demo_charge(rig, "600,000")
    assert unconfirmed.returncode == 2
    assert "--confirm-amount" in unconfirmed.stderr
    wrong = demo_charge(rig, "600,000", "--confirm-amount", "60000")
    assert wrong.returncode == 2
    assert demo_rows(rig) == []
    confirmed = demo_charge(rig, "600,000", "--confirm-amount", "600000")
    assert confirmed.returncode == 0, confirmed.stderr
    assert [status for _, status in demo_rows(rig)] == ["successful"]


def test_an_airtel_number_is_refused_for_mtn_naming_airtel(rig: Rig) -> None:
    result = demo_charge(rig, "500", phone="0701234567")
    assert result.returncode == 2
    assert "Airtel" in result.stderr
    assert demo_rows(rig) == []


def test_the_demo_provider_remembers_an_open_payment_across_a_restart(rig: Rig) -> None:
    # The simulated customer takes 6 s; this process stops waiting after 1 s.
    first = demo_charge(rig, "800", "--timeout", "1")
    assert first.returncode == 3, first.stderr
    assert [status for _, status in demo_rows(rig)] == ["pending"]
    assert (rig.db.parent / "demo" / "sandbox.json").is_file()
    # A new process, a new simulator: it still knows the payment, which then settles.
    finished = rig.run("sync", "--demo", "--timeout", "30")
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert [status for _, status in demo_rows(rig)] == ["successful"]


def test_demo_backups_stay_in_the_demo_folder(rig: Rig, tmp_path: Path) -> None:
    assert demo_charge(rig, "700").returncode == 0
    backup = rig.run("--demo", "backup")
    assert backup.returncode == 0, backup.stderr
    assert list((rig.db.parent / "demo" / "backups").glob("*.sqlite3"))
    assert not (rig.db.parent / "backups").exists()


def test_the_demo_has_the_live_till_s_owner(rig: Rig) -> None:
    """Starting the demo must not let anyone choose an owner PIN: its settings are the till's."""
    rig.env["POS_APP_NEW_OWNER_PIN"] = "482913"
    assert rig.run("owner", "set-pin").returncode == 0
    rig.env["POS_APP_NEW_OWNER_PIN"] = "111222"
    again = rig.run("--demo", "owner", "set-pin")
    assert again.returncode == 5, again.stderr  # the current PIN is needed, demo or not
    del rig.env["POS_APP_NEW_OWNER_PIN"]
    sale = demo_charge(rig, "700", "--json")
    reference = json.loads(sale.stdout.splitlines()[-1])["reference_id"]
    rig.env["POS_APP_OWNER_PIN"] = "111222"
    assert rig.run("--demo", "refund", reference).returncode == 5
    rig.env["POS_APP_OWNER_PIN"] = "482913"
    refunded = rig.run("--demo", "refund", reference)
    assert refunded.returncode == 0, refunded.stderr
    log = rig.run("owner", "log")
    assert "refund" in log.stdout
