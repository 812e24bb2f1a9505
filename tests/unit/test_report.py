"""The end-of-day report against a seeded day whose every figure is computed by hand below."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from pos_app.cli.common import EXIT_FAILED
from pos_app.cli.main import main
from pos_app.domain.money import Money
from pos_app.domain.payment import PaymentStatus
from pos_app.engine.owner import OwnerGate
from pos_app.platform.config import ShopConfig
from pos_app.reports.day_report import load, render_text, sections
from pos_app.reports.records import JSON_FIELDS
from pos_app.store import PaymentRepository
from tests.seeded_day import DAY, EAT, SHOP_CONFIG, local

S = PaymentStatus


def test_every_figure_of_the_day(seeded: tuple[PaymentRepository, dict[str, str]]) -> None:
    repo, ids = seeded
    assert repo.get(ids["d"]).status == S.REFUNDED and repo.get(ids["a"]).status == S.SUCCESSFUL
    report = load(repo, DAY, EAT, None)
    assert report.count == 9  # a–h and the other till; not yesterday's, not tomorrow's
    # Sales: a 1500 + b 2500 + d 4000 (refunded later, still sold) + other till 5000; e.
    assert report.sales == [Money(10000, "KES"), Money(13000, "UGX")]
    # Refunds made today that succeeded: d's 4000, a's 500, yesterday's 999 (not b's: failed;
    # not e's: still waiting).
    assert (report.refund_count, report.refunds) == (3, [Money(5499, "UGX")])
    assert report.takings == [Money(10000, "KES"), Money(13000 - 5499, "UGX")]
    # paid: a, b, d, e, other till = 5; with an answer: + failed c, expired f = 7
    assert report.success_rate == Decimal(5) / Decimal(7)
    assert [p.reference_id for p in report.follow_up] == [ids["e waiting"], ids["g"], ids["h"]]
    assert (report.first, report.last) == (local(9, 10), local(18))
    assert report.per_hour == {
        9: [Money(4000, "UGX")],
        10: [Money(10000, "KES")],
        11: [Money(4000, "UGX")],
        13: [Money(5000, "UGX")],
    }
    # Refunds in the hour they were made: yesterday's 999 at 08:00, d's 4000 at 11:30, a's 500
    # at 15:00; takings per hour subtract them from that hour's sales.
    assert report.refunds_per_hour == {
        8: [Money(999, "UGX")],
        11: [Money(4000, "UGX")],
        15: [Money(500, "UGX")],
    }
    assert report.takings_per_hour() == {
        8: [Money(-999, "UGX")],
        9: [Money(4000, "UGX")],
        10: [Money(10000, "KES")],
        11: [Money(0, "UGX")],
        13: [Money(5000, "UGX")],
        15: [Money(-500, "UGX")],
    }
    assert [(x.kind, x.provider, x.status, x.count, x.amount) for x in report.lines] == [
        ("collection", "mpesa", S.EXPIRED, 1, Money(5000, "KES")),
        ("collection", "mpesa", S.SUCCESSFUL, 1, Money(10000, "KES")),
        ("collection", "mtn", S.FAILED, 1, Money(1000, "UGX")),
        ("collection", "mtn", S.PENDING, 1, Money(700, "UGX")),
        ("collection", "mtn", S.REFUNDED, 1, Money(4000, "UGX")),
        ("collection", "mtn", S.SUCCESSFUL, 3, Money(9000, "UGX")),
        ("collection", "mtn", S.UNKNOWN, 1, Money(300, "UGX")),
        ("refund", "mpesa", S.PENDING, 1, Money(2000, "KES")),
        ("refund", "mtn", S.FAILED, 1, Money(1000, "UGX")),
        ("refund", "mtn", S.SUCCESSFUL, 3, Money(5499, "UGX")),
    ]


def test_one_till(seeded: tuple[PaymentRepository, dict[str, str]]) -> None:
    repo, _ = seeded
    report = load(repo, DAY, EAT, "Till 1")
    assert report.count == 8 and report.till == "Till 1"
    assert report.sales == [Money(10000, "KES"), Money(8000, "UGX")]
    assert report.takings == [Money(10000, "KES"), Money(8000 - 5499, "UGX")]
    assert report.success_rate == Decimal(4) / Decimal(6)


def test_an_empty_day(seeded: tuple[PaymentRepository, dict[str, str]]) -> None:
    repo, _ = seeded
    report = load(repo, date(2026, 1, 1), EAT, None)
    assert (report.count, report.takings, report.success_rate, report.first) == (0, [], None, None)
    assert "no payments" in render_text(sections(report, ShopConfig(), EAT))


def test_text_report_says_the_figures(seeded: tuple[PaymentRepository, dict[str, str]]) -> None:
    repo, ids = seeded
    text = render_text(sections(load(repo, DAY, EAT, None), ShopConfig(locale="en_KE"), EAT))
    squashed = " ".join(text.split())  # column widths are layout, not figures
    for expected in (
        "Sales (paid) Ksh100.00, UGX13,000",
        "Refunds 3 · UGX5,499",
        "Takings (sales − refunds) Ksh100.00, UGX7,501",
        "MTN MoMo · refund paid 3 · UGX5,499",
        "12:30:00 refund waiting",
        "Success rate 71.4 %",
        "First payment 09:10:00",
        "Last payment 18:00:00",
        "MTN MoMo · paid 3 · UGX9,000",
        "09:00–09:59",
        "17:45:00 waiting",
        ids["h"],
    ):
        assert expected in squashed, expected
    assert "256772123456" not in text  # phones masked


def test_pos_app_report_text_csv_and_pdf(
    seeded: tuple[PaymentRepository, dict[str, str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    owner_pin: str,
    qapp: QApplication,  # the PDF needs a Qt application: the widgets' kind, for later tests
) -> None:
    _, ids = seeded
    config = tmp_path / "c.toml"
    config.write_text(SHOP_CONFIG)
    assert main(["--config", str(config), "report", "--date", "2026-11-23"]) == 0
    out = capsys.readouterr().out
    assert "Duka" in out and "Success rate 71.4 %" in " ".join(out.split())
    assert main(["--config", str(config), "report", "--date", "2026-11-23", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == JSON_FIELDS
    # Every payment and refund created that day (the refund of yesterday's payment too).
    assert {r["reference_id"] for r in rows} == set(ids.values()) - {
        ids["yesterday"],
        ids["tomorrow"],
    }
    refund_row = next(r for r in rows if r["reference_id"] == ids["d back"])
    assert (refund_row["kind"], refund_row["refund_of"]) == ("refund", ids["d"])
    paid_a = next(r for r in rows if r["reference_id"] == ids["a"])
    # The people's word in the CSV (the JSON keeps `successful`).
    assert (paid_a["status"], paid_a["amount"], paid_a["currency"]) == ("paid", "1500", "UGX")
    pdf = tmp_path / "z.pdf"
    args = ["--config", str(config), "report", "--date", "2026-11-23", "--format", "pdf"]
    assert main([*args, "--output", str(pdf)]) == 0
    data = pdf.read_bytes()
    assert (
        data.startswith(b"%PDF")
        and data.count(b"/Type /Page\n") + data.count(b"/Type /Page\r") >= 1
    )
    assert main(args) == 2  # pdf needs a file
    for fmt in ("pdf", "csv", "text"):  # a file that cannot be written is said, not claimed
        nowhere = tmp_path / "no such folder" / f"z.{fmt}"
        argv = ["--config", str(config), "report", "--date", "2026-11-23", "--format", fmt]
        assert main([*argv, "--output", str(nowhere)]) == EXIT_FAILED
        err = capsys.readouterr().err
        assert f"cannot write {nowhere}: No such file or directory" in err, err
    with pytest.raises(SystemExit) as bad_date:
        main(["--config", str(config), "report", "--date", "23/11/2026"])
    assert bad_date.value.code == 2
    assert "'23/11/2026' is not a date (YYYY-MM-DD)" in capsys.readouterr().err


def test_exports_are_the_owners(
    seeded: tuple[PaymentRepository, dict[str, str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo, _ = seeded
    args = ["report", "--date", "2026-11-23", "--format", "csv"]
    assert main(args) == 5
    assert "no owner PIN is set yet" in capsys.readouterr().err
    OwnerGate(repo.owner_log, "Till 1").set_pin("480213")
    monkeypatch.setenv("POS_APP_OWNER_PIN", "000999")
    assert main(args) == 5
    assert "Wrong PIN" in capsys.readouterr().err and not capsys.readouterr().out
    assert main(["report", "--date", "2026-11-23"]) == 0  # reading the report on screen is not
    monkeypatch.setenv("POS_APP_OWNER_PIN", "480213")
    assert main(args) == 0
    assert [a.action for a in repo.owner_log.recent(3)] == ["export", "pin accepted", "pin refused"]
    assert repo.owner_log.recent(1)[0].detail == {
        "day": "2026-11-23",
        "format": "csv",
        "till": None,
    }
