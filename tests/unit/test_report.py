"""The end-of-day report against a seeded day whose every figure is computed by hand below."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from pos_app import paths
from pos_app.cli import main
from pos_app.config import ShopConfig
from pos_app.domain.money import Money
from pos_app.domain.payment import PaymentStatus
from pos_app.headless import JSON_FIELDS
from pos_app.report_output import load, render_text, sections
from pos_app.store import PaymentRepository, open_database
from tests.unit.test_repository import add, settle

S = PaymentStatus
EAT = timezone(timedelta(hours=3), "EAT")  # the shop's zone (Africa/Nairobi: no DST)
DAY = date(2026, 11, 23)
CONFIG = "[shop]\nname = 'Duka'\ntimezone = 'Africa/Nairobi'\nlocale = 'en_KE'\n"


def local(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=EAT)


@pytest.fixture
def seeded() -> Iterator[tuple[PaymentRepository, dict[str, str]]]:
    repo = PaymentRepository(open_database(paths.database_path()))
    ids: dict[str, str] = {}

    def pay(name: str, when: datetime, minor: int, final: S | None, **kw: str) -> None:
        p = add(repo, at=when, minor=minor, **kw)  # type: ignore[arg-type]
        ids[name] = p.reference_id
        if final in (S.SUCCESSFUL, S.FAILED, S.EXPIRED):
            settle(repo, p, final)
        elif final == S.REFUNDED:
            settle(repo, p, S.SUCCESSFUL)
            repo.transition(p.reference_id, S.REFUNDED, when)
        elif final == S.PENDING:
            repo.transition(p.reference_id, S.SUBMITTING, when)
            repo.transition(p.reference_id, S.PENDING, when)
        elif final == S.UNKNOWN:
            repo.transition(p.reference_id, S.SUBMITTING, when)
            repo.transition(p.reference_id, S.UNKNOWN, when)

    pay("a", local(9, 10), 1500, S.SUCCESSFUL)
    pay("b", local(9, 40), 2500, S.SUCCESSFUL)
    pay("c", local(10, 5), 1000, S.FAILED)
    pay("d", local(11, 20), 4000, S.REFUNDED)
    pay("e", local(10, 30), 10000, S.SUCCESSFUL, provider="mpesa", currency="KES")
    pay("f", local(12), 5000, S.EXPIRED, provider="mpesa", currency="KES")
    pay("g", local(17, 45), 700, S.PENDING)
    pay("h", local(18), 300, S.UNKNOWN)
    pay("yesterday", local(23, 59, date(2026, 11, 22)), 9999, S.SUCCESSFUL)
    pay("tomorrow", local(0, 0, date(2026, 11, 24)), 8888, S.SUCCESSFUL)
    pay("other till", local(13), 5000, S.SUCCESSFUL, till="Till 2")
    yield repo, ids
    repo.close()


def test_every_figure_of_the_day(seeded: tuple[PaymentRepository, dict[str, str]]) -> None:
    repo, ids = seeded
    report = load(repo, DAY, EAT, None)
    assert report.count == 9  # a–h and the other till; not yesterday's, not tomorrow's
    assert report.takings == [Money(10000, "KES"), Money(1500 + 2500 + 5000, "UGX")]
    assert (report.refunded_count, report.refunded) == (1, [Money(4000, "UGX")])
    # paid: a, b, e, other till + refunded d = 5; with an answer: + failed c, expired f = 7
    assert report.success_rate == Decimal(5) / Decimal(7)
    assert [p.reference_id for p in report.follow_up] == [ids["g"], ids["h"]]
    assert (report.first, report.last) == (local(9, 10), local(18))
    assert report.per_hour == {
        9: [Money(4000, "UGX")],
        10: [Money(10000, "KES")],
        13: [Money(5000, "UGX")],
    }
    assert [(x.provider, x.status, x.count, x.amount) for x in report.lines] == [
        ("mpesa", S.EXPIRED, 1, Money(5000, "KES")),
        ("mpesa", S.SUCCESSFUL, 1, Money(10000, "KES")),
        ("mtn", S.FAILED, 1, Money(1000, "UGX")),
        ("mtn", S.PENDING, 1, Money(700, "UGX")),
        ("mtn", S.REFUNDED, 1, Money(4000, "UGX")),
        ("mtn", S.SUCCESSFUL, 3, Money(9000, "UGX")),
        ("mtn", S.UNKNOWN, 1, Money(300, "UGX")),
    ]


def test_one_till(seeded: tuple[PaymentRepository, dict[str, str]]) -> None:
    repo, _ = seeded
    report = load(repo, DAY, EAT, "Till 1")
    assert report.count == 8 and report.till == "Till 1"
    assert report.takings == [Money(10000, "KES"), Money(4000, "UGX")]
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
        "Takings (successful) Ksh100.00, UGX9,000",
        "Refunded 1 · UGX4,000",
        "Success rate 71.4 %",
        "First payment 09:10:00",
        "Last payment 18:00:00",
        "MTN MoMo · successful 3 · UGX9,000",
        "09:00–09:59",
        "17:45:00 pending",
        ids["h"],
    ):
        assert expected in squashed, expected
    assert "256772123456" not in text  # phones masked


def test_pos_app_report_text_csv_and_pdf(
    seeded: tuple[PaymentRepository, dict[str, str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, ids = seeded
    config = tmp_path / "c.toml"
    config.write_text(CONFIG)
    assert main(["--config", str(config), "report", "--date", "2026-11-23"]) == 0
    out = capsys.readouterr().out
    assert "Duka" in out and "Success rate 71.4 %" in " ".join(out.split())
    assert main(["--config", str(config), "report", "--date", "2026-11-23", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == JSON_FIELDS
    assert {r["reference_id"] for r in rows} == {
        ids[n] for n in ("a", "b", "c", "d", "e", "f", "g", "h", "other till")
    }
    paid_a = next(r for r in rows if r["reference_id"] == ids["a"])
    assert (paid_a["status"], paid_a["amount"], paid_a["currency"]) == ("successful", "1500", "UGX")
    pdf = tmp_path / "z.pdf"
    args = ["--config", str(config), "report", "--date", "2026-11-23", "--format", "pdf"]
    assert main([*args, "--output", str(pdf)]) == 0
    data = pdf.read_bytes()
    assert (
        data.startswith(b"%PDF")
        and data.count(b"/Type /Page\n") + data.count(b"/Type /Page\r") >= 1
    )
    assert main(args) == 2  # pdf needs a file
    with pytest.raises(SystemExit) as bad_date:
        main(["--config", str(config), "report", "--date", "23/11/2026"])
    assert bad_date.value.code == 2
    assert "'23/11/2026' is not a date (YYYY-MM-DD)" in capsys.readouterr().err
