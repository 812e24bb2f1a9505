"""One vocabulary for people (paid, refused, waiting, expired, unknown, refunded) in the window,
the CSV, the reports and the command line; JSON keeps the machine values. DEMO marks on what is
made in the demo world."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from pos_app.cli.common import describe
from pos_app.cli.main import main
from pos_app.cli.payment_commands import write_receipts
from pos_app.domain.payment import STATUS_WORDS, WORDS, PaymentStatus, status_word, statuses_of
from pos_app.platform import paths
from pos_app.platform.config import ShopConfig
from pos_app.reports.day_report import load, render_html, render_text, sections
from pos_app.reports.records import JSON_FIELDS, payment_json, write_csv
from pos_app.store import PaymentRepository
from pos_app.store.repository import PaymentFilter
from tests.seeded_day import DAY, EAT, SHOP_CONFIG

S = PaymentStatus


def test_every_status_has_one_of_the_six_words() -> None:
    assert set(STATUS_WORDS) == set(PaymentStatus)
    assert set(STATUS_WORDS.values()) == set(WORDS)
    assert WORDS == ("paid", "refused", "waiting", "expired", "unknown", "refunded")
    assert status_word(S.SUCCESSFUL) == "paid" and status_word(S.FAILED) == "refused"


@pytest.mark.parametrize(
    ("text", "statuses"),
    [
        ("paid", {S.SUCCESSFUL}),
        ("successful", {S.SUCCESSFUL}),
        ("PAID", {S.SUCCESSFUL}),
        ("refused", {S.FAILED}),
        ("failed", {S.FAILED}),
        ("waiting", {S.CREATED, S.SUBMITTING, S.PENDING}),
        ("pending", {S.PENDING}),
        ("expired", {S.EXPIRED}),
        ("unknown", {S.UNKNOWN}),
        ("refunded", {S.REFUNDED}),
    ],
)
def test_a_word_or_a_machine_value_names_statuses(text: str, statuses: set[S]) -> None:
    assert statuses_of(text) == statuses


def test_anything_else_is_refused_with_the_words() -> None:
    with pytest.raises(ValueError, match="use one of paid, refused, waiting") as caught:
        statuses_of("done")
    assert "successful" in str(caught.value) and "'done'" in str(caught.value)


def test_the_window_says_the_same_words() -> None:
    from pos_app.ui.texts import WORD_NAMES, status_choices, status_name

    assert set(WORD_NAMES) == set(WORDS)
    # No translator installed: English, the people's word.
    assert {status: status_name(status) for status in S} == STATUS_WORDS
    assert dict(status_choices())["waiting"] == {S.CREATED, S.SUBMITTING, S.PENDING}
    assert [word for word, _ in status_choices()] == list(WORDS)


@pytest.mark.parametrize("platform", ["linux", "darwin", "win32"])
def test_the_keyring_advice_says_what_to_do_on_each_system(platform: str) -> None:
    from pos_app.ui.texts import keyring_advice

    advice = keyring_advice(platform)
    assert advice.startswith("No secure keyring: ") and "environment variables" in advice
    assert {"linux": "GNOME Keyring", "darwin": "keychain", "win32": "Credential Manager"}[
        platform
    ] in advice


def test_csv_says_the_words_json_keeps_the_machine_values(
    seeded: tuple[PaymentRepository, dict[str, str]],
) -> None:
    repo, ids = seeded
    paid, pending = repo.get(ids["a"]), repo.get(ids["g"])
    out = io.StringIO()
    write_csv([paid, pending], out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == JSON_FIELDS  # live: the documented columns, no mode column
    assert [r["status"] for r in rows] == ["paid", "waiting"]
    assert "DEMO" not in out.getvalue()
    assert payment_json(paid)["status"] == "successful"
    assert payment_json(pending)["status"] == "pending"


def test_a_demo_csv_says_demo_on_every_row(
    seeded: tuple[PaymentRepository, dict[str, str]],
) -> None:
    repo, ids = seeded
    paths.enter_demo_world(True)
    out = io.StringIO()
    write_csv([repo.get(ids["a"]), repo.get(ids["c"])], out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == ["mode", *JSON_FIELDS]
    assert [(r["mode"], r["status"]) for r in rows] == [("DEMO", "paid"), ("DEMO", "refused")]
    assert out.getvalue().startswith("mode,reference_id,status")


def test_the_receipts_table_says_the_words_and_demo_in_its_heading(
    seeded: tuple[PaymentRepository, dict[str, str]],
) -> None:
    repo, ids = seeded
    assert describe(repo.get(ids["a"]), "en_KE").startswith("PAID ")
    assert describe(repo.get(ids["c"]), "en_KE").startswith("REFUSED ")
    assert describe(repo.get(ids["g"]), "en_KE").startswith("WAITING ")
    live = io.StringIO()
    write_receipts(repo, PaymentFilter(), "table", live, "en_KE")
    assert "DEMO" not in live.getvalue() and "SUCCESSFUL" not in live.getvalue()
    paths.enter_demo_world(True)
    demo = io.StringIO()
    write_receipts(repo, PaymentFilter(), "table", demo, "en_KE")
    assert demo.getvalue().splitlines()[0].startswith("DEMO")


def test_the_day_report_says_the_words_and_demo_in_its_title(
    seeded: tuple[PaymentRepository, dict[str, str]],
) -> None:
    repo, _ = seeded
    report = load(repo, DAY, EAT, None)
    live = sections(report, ShopConfig(locale="en_KE"), EAT)
    text = render_text(live)
    assert "MTN MoMo · paid" in text and "MTN MoMo · refused" in text
    assert "successful" not in text and "failed" not in text
    assert "DEMO" not in text and "DEMO" not in render_html(live)
    paths.enter_demo_world(True)
    demo = sections(report, ShopConfig(locale="en_KE"), EAT)
    assert render_text(demo).startswith("DEMO")
    page = render_html(demo)
    assert "<title>DEMO" in page and "<h2>DEMO" in page


def test_the_pdf_report_html_says_demo(
    seeded: tuple[PaymentRepository, dict[str, str]],
) -> None:
    from pos_app.ui.report_view import report_html

    repo, _ = seeded
    report = load(repo, DAY, EAT, None)
    assert "DEMO" not in report_html(report, ShopConfig(), EAT)
    assert "paid" in report_html(report, ShopConfig(), EAT)
    paths.enter_demo_world(True)
    assert "<title>DEMO" in report_html(report, ShopConfig(), EAT)


def _receipts(
    config: Path, capsys: pytest.CaptureFixture[str], *statuses: str
) -> list[dict[str, str]]:
    args = ["--config", str(config), "receipts", "--from", DAY.isoformat(), "--format", "json"]
    for status in statuses:
        args += ["--status", status]
    assert main(args) == 0
    listed: list[dict[str, str]] = json.loads(capsys.readouterr().out)
    return listed


def test_receipts_status_takes_the_words_and_the_machine_values(
    seeded: tuple[PaymentRepository, dict[str, str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, ids = seeded
    config = tmp_path / "c.toml"
    config.write_text(SHOP_CONFIG)
    paid = _receipts(config, capsys, "paid")
    assert paid == _receipts(config, capsys, "successful")
    assert {p["status"] for p in paid} == {"successful"}  # JSON: the machine value
    assert ids["a"] in {p["reference_id"] for p in paid}
    waiting = _receipts(config, capsys, "waiting")
    assert {p["reference_id"] for p in waiting} == {ids["g"], ids["e waiting"]}
    assert {p["status"] for p in waiting} == {"pending"}
    both = _receipts(config, capsys, "refused", "unknown")
    assert {p["status"] for p in both} == {"failed", "unknown"}


def test_receipts_status_refuses_anything_else(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["receipts", "--status", "done"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "'done' is not a status" in err and "paid, refused, waiting" in err
