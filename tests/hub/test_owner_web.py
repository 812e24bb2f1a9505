"""The owner's web view at the hub, over real HTTP against a real PostgreSQL: the login and its
lock-out, sessions and CSRF, the day's figures (equal to the till's own report), search,
the CSV export, revoking a till, the owner log and its chain, and French."""

from __future__ import annotations

import argparse
import base64
import concurrent.futures
import csv
import hashlib
import html
import io
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest
from psycopg.types.json import Jsonb

from pos_app.domain.money import Money
from pos_app.domain.payment import Payment, PaymentStatus
from pos_app.domain.report import day_report
from pos_app.hub import command, owner
from pos_app.hub.web import catalogue
from pos_app.store.payment_rows import COLUMN_NAMES, payment_row
from tests.hub.conftest import Hub, run

S = PaymentStatus
PASSWORD = "correct horse battery"
NAIROBI = ZoneInfo("Africa/Nairobi")
DAY = date(2026, 3, 10)
WEB = Path(__file__).resolve().parents[2] / "pos_app" / "hub" / "web"


# ---- seeding: tills made by the owner's own functions, payments as a till holds them


@dataclass
class Till:
    id: uuid.UUID
    shop: str
    name: str


def add_till(hub: Hub, shop: str, name: str, timezone: str | None = "Africa/Nairobi") -> Till:
    async def add() -> uuid.UUID:
        async with await psycopg.AsyncConnection.connect(hub.database_url, autocommit=True) as c:
            return (await owner.add_till(c, shop, name))[0]

    till_id = run(add())
    hub.sql("UPDATE tills SET timezone = %s WHERE id = %s", timezone, till_id)
    return Till(till_id, shop, name)


def payment(
    at: datetime,
    minor: int,
    status: S = S.SUCCESSFUL,
    *,
    provider: str = "mpesa",
    msisdn: str = "254712345678",
    code: str | None = None,
    refund_of: str | None = None,
    external_id: str | None = None,
    currency: str = "KES",
) -> Payment:
    final = status in (S.SUCCESSFUL, S.FAILED, S.EXPIRED, S.REFUNDED)
    return Payment(
        reference_id=str(uuid.uuid4()),
        provider=provider,
        amount=Money(minor, currency),
        msisdn=msisdn,
        created_at=at,
        product="refund" if refund_of else "collection",
        external_id=external_id,
        status=status,
        provider_transaction_id=code,
        updated_at=at,
        finalised_at=at if final else None,
        till="counter",
        refund_of=refund_of,
    )


def store(hub: Hub, till: Till, *payments: Payment) -> None:
    """Each payment as the till's sync leaves it at the hub: `row` is the till's own row."""
    for seq, p in enumerate(payments, 1):
        row = dict(zip(COLUMN_NAMES, payment_row(p), strict=True))
        hub.sql(
            "INSERT INTO till_payments (till_id, reference_id, shop, till_name, provider, product,"
            " status, amount_minor, currency, msisdn, provider_transaction_id, refund_of,"
            " created_at, seq, row) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
            " %s, %s)",
            till.id,
            p.reference_id,
            till.shop,
            till.name,
            p.provider,
            p.product,
            p.status.value,
            p.amount.minor_units,
            p.amount.currency,
            p.msisdn,
            p.provider_transaction_id,
            p.refund_of,
            p.created_at,
            seq,
            Jsonb(row),
        )


def local(hour: int, minute: int = 0, day: date = DAY, zone: tzinfo = NAIROBI) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def earlier_today(zone: tzinfo, fraction: float) -> datetime:
    """A moment of today in `zone` already past, whatever the time the test runs."""
    now = datetime.now(zone)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + (now - midnight) * fraction


# ---- the owner's side: the password command, logging in


def set_password(hub: Hub, password: str = PASSWORD) -> int:
    args = argparse.Namespace(
        hub_command="owner-password", database_url=hub.database_url, password_stdin=True
    )
    stdin = io.StringIO(password + "\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdin", stdin)
        # On a thread of its own: the command runs its own event loop, and Playwright's sync
        # API keeps one running on this thread.
        with concurrent.futures.ThreadPoolExecutor(1) as worker:
            return worker.submit(command.run, args).result()


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def try_login(client: httpx.Client, password: str) -> httpx.Response:
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"csrf": token, "password": password, "next": "/"})


def owner_client(hub: Hub, password: str = PASSWORD) -> httpx.Client:
    client = httpx.Client(base_url=hub.url, timeout=10)
    answer = try_login(client, password)
    assert answer.status_code == 303, answer.text
    return client


def figures(page: str) -> dict[str, str]:
    return {
        key: html.unescape(value).strip()
        for key, value in re.findall(r'data-figure="([^"]+)">([^<]*)<', page)
    }


@pytest.fixture
def owned(hub: Hub) -> Hub:
    assert set_password(hub) == 0
    return hub


# ---- logging in


def test_anonymous_visitors_are_sent_to_the_login(owned: Hub) -> None:
    for path in ("/", "/day", "/payments?q=1234", "/tills", "/log", "/export.csv"):
        answer = httpx.get(owned.url + path, timeout=10)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/login?next=")
    assert httpx.get(owned.url + "/", timeout=10).headers["location"] == "/login?next=/"


def test_the_password_command_keeps_only_a_scrypt_hash(hub: Hub) -> None:
    assert set_password(hub, "too short") == 2
    assert hub.sql("SELECT count(*) FROM owner_account") == [(0,)]
    assert set_password(hub) == 0
    [(stored,)] = hub.sql("SELECT password_hash FROM owner_account")
    scheme, n, r, p, salt, digest = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", str(2**14), "8", "1")
    assert PASSWORD not in stored
    assert (len(base64.b64decode(salt)), len(base64.b64decode(digest))) == (16, 32)
    assert ("owner (command line)", "password") in hub.sql("SELECT actor, action FROM owner_log")


def test_the_owner_logs_in_with_a_session_cookie_only_the_hub_can_use(owned: Hub) -> None:
    client = httpx.Client(base_url=owned.url, timeout=10)
    answer = try_login(client, PASSWORD)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/"
    [cookie] = [c for c in answer.headers.get_list("set-cookie") if c.startswith("pos_hub_session")]
    attributes = [part.strip() for part in cookie.split(";")]
    assert {"HttpOnly", "SameSite=Strict", "Path=/"} <= set(attributes)
    assert "Secure" not in attributes  # plain http to this very machine only
    token = attributes[0].split("=", 1)[1]
    stored = owned.sql("SELECT token_hash FROM owner_sessions")
    assert stored == [(hashlib.sha256(token.encode()).digest(),)]
    assert client.get("/").status_code == 200


def test_cookies_are_secure_unless_on_plain_http_to_this_machine(owned: Hub) -> None:
    page = httpx.get(owned.url + "/login", headers={"host": "hub.example.com"}, timeout=10)
    assert "Secure" in page.headers["set-cookie"].split("; ")
    assert "plain http" in page.text  # the owner is told why the login would not hold
    token = csrf_of(page.text)
    answer = httpx.post(
        owned.url + "/login",
        data={"csrf": token, "password": PASSWORD},
        headers={"host": "hub.example.com", "cookie": f"pos_hub_login={token}"},
        timeout=10,
    )
    assert answer.status_code == 303
    assert all("Secure" in c.split("; ") for c in answer.headers.get_list("set-cookie"))


def test_a_wrong_password_is_refused(owned: Hub) -> None:
    client = httpx.Client(base_url=owned.url, timeout=10)
    answer = try_login(client, "not the password")
    assert answer.status_code == 401
    assert "Wrong password." in answer.text
    assert "pos_hub_session" not in answer.headers.get("set-cookie", "")
    assert client.get("/").status_code == 303


def test_five_wrong_passwords_lock_the_login_for_every_hub_process(
    owned: Hub, hub_factory: Any
) -> None:
    client = httpx.Client(base_url=owned.url, timeout=10)
    codes = [try_login(client, f"wrong guess {n}").status_code for n in range(5)]
    assert codes == [401, 401, 401, 401, 429]
    locked = try_login(client, PASSWORD)
    assert locked.status_code == 429
    assert "locked" in locked.text
    other = hub_factory()  # another hub process on the same database
    elsewhere = try_login(httpx.Client(base_url=other.url, timeout=10), PASSWORD)
    assert elsewhere.status_code == 429
    assert ("owner (web)", "lockout") in owned.sql("SELECT actor, action FROM owner_log")
    owned.sql("UPDATE owner_account SET locked_until = now() - interval '1 second'")
    assert try_login(client, PASSWORD).status_code == 303  # 15 minutes later


def test_a_login_form_without_its_token_is_refused(owned: Hub) -> None:
    client = httpx.Client(base_url=owned.url, timeout=10)
    client.get("/login")
    answer = client.post("/login", data={"password": PASSWORD})
    assert answer.status_code == 403
    assert owned.sql("SELECT count(*) FROM owner_sessions") == [(0,)]


def test_logging_out_ends_the_session(owned: Hub) -> None:
    client = owner_client(owned)
    token = csrf_of(client.get("/").text)
    answer = client.post("/logout", data={"csrf": token})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login"
    assert owned.sql("SELECT count(*) FROM owner_sessions") == [(0,)]
    assert client.get("/").status_code == 303


def test_pages_tell_browsers_to_keep_them_to_themselves(owned: Hub) -> None:
    page = owner_client(owned).get("/")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert '<meta name="viewport"' in page.text


# ---- CSRF, revoking a till, the owner log


def test_a_post_without_the_right_csrf_token_changes_nothing(owned: Hub) -> None:
    till = add_till(owned, "Duka", "Till 1")
    client = owner_client(owned)
    confirm = client.get(f"/tills/{till.id}/revoke")
    assert confirm.status_code == 200
    token = csrf_of(confirm.text)
    url = f"/tills/{till.id}/revoke"
    assert client.post(url, data={}).status_code == 403
    assert client.post(url, data={"csrf": token[:-2] + "xx"}).status_code == 403
    foreign = client.post(url, data={"csrf": token}, headers={"sec-fetch-site": "cross-site"})
    assert foreign.status_code == 403
    assert owned.sql("SELECT revoked_at FROM tills WHERE id = %s", till.id) == [(None,)]
    done = client.post(url, data={"csrf": token})
    assert done.status_code == 303
    assert owned.sql("SELECT revoked_at IS NOT NULL FROM tills WHERE id = %s", till.id) == [(True,)]
    assert "is revoked" in client.get(done.headers["location"]).text


def test_export_and_revoke_are_in_the_owner_log_and_an_edit_shows(owned: Hub) -> None:
    till = add_till(owned, "Duka", "Till 1")
    client = owner_client(owned)
    assert client.get("/export.csv", params={"date": DAY.isoformat()}).status_code == 200
    token = csrf_of(client.get(f"/tills/{till.id}/revoke").text)
    client.post(f"/tills/{till.id}/revoke", data={"csrf": token})
    page = client.get("/log").text
    assert 'data-chain="intact"' in page
    assert "export" in page
    assert "till revoked" in page
    assert str(till.id) in page
    actions = owned.sql("SELECT actor, action FROM owner_log ORDER BY id")
    assert ("owner (web)", "export") in actions
    assert ("owner (web)", "revoke till") in actions
    assert ("owner (command line)", "revoke till") not in actions

    owned.sql("ALTER TABLE owner_log DISABLE TRIGGER ALL")
    owned.sql("UPDATE owner_log SET detail = '{\"rows\": 0}' WHERE action = 'export'")
    owned.sql("ALTER TABLE owner_log ENABLE TRIGGER ALL")
    page = client.get("/log").text
    assert 'data-chain="broken"' in page
    assert "(export," in html.unescape(page)


def test_the_tills_page_shows_each_tills_sync_state(owned: Hub) -> None:
    good = add_till(owned, "Duka", "Till 1")
    bad = add_till(owned, "Duka", "Till 2")
    owned.sql(
        "UPDATE tills SET synced_seq = 40, till_head = 45, last_seen_at = now() WHERE id = %s",
        good.id,
    )
    owned.sql(
        "UPDATE tills SET broken_seq = 17, broken_problem = 'the hash of event 17 does not"
        " follow event 16' WHERE id = %s",
        bad.id,
    )
    page = html.unescape(owner_client(owned).get("/tills").text)
    assert re.search(rf'data-till="{good.id}".*?>40<.*?>5<.*?data-chain="intact"', page, re.S)
    assert "history changed at till Till 2: first broken link 17" in page
    assert "does not follow event 16" in page


# ---- the figures


def seed_day(hub: Hub) -> tuple[Till, Till, list[Payment], list[Payment]]:
    """Two tills of one shop on DAY, with the payments either side of it; and a till of
    another shop. (The payments of till 1, of till 2.)"""
    one, two = add_till(hub, "Duka", "Till 1"), add_till(hub, "Duka", "Till 2")
    other = add_till(hub, "Soko", "Till 1", timezone="Africa/Kampala")
    a = payment(local(9, 10), 150000, code="SLA1B2C3D4")
    b = payment(local(9, 40), 250000, provider="mtn", msisdn="256772123456", currency="UGX")
    paid = [
        a,
        b,
        payment(local(10, 5), 100000, S.FAILED),
        payment(local(11, 0), 70000, S.PENDING),
        payment(local(11, 30), 30000, S.EXPIRED),
        payment(local(12, 15), 20000, S.REFUNDED, code="SLR9Z8Y7X6"),
        payment(local(13, 45), 50000, S.SUCCESSFUL, refund_of=a.reference_id),
        payment(local(14, 5), 10000, S.PENDING, refund_of=a.reference_id),
        payment(local(0, 5, DAY + timedelta(days=1)), 999900),  # the next day
        payment(local(23, 55, DAY - timedelta(days=1)), 888800),  # the day before
    ]
    second = [payment(local(16, 20), 45000, code="SLT5U6V7W8"), payment(local(8, 0), 5000)]
    store(hub, one, *paid)
    store(hub, two, *second)
    store(hub, other, payment(local(10, 0), 777700))
    return one, two, paid, second


def amounts(moneys: list[Money]) -> str:
    return ", ".join(m.format("en") for m in moneys) or "—"


def test_a_days_figures_are_the_tills_own_report(owned: Hub) -> None:
    one, _, paid, second = seed_day(owned)
    client = owner_client(owned)
    for till, payments, params in (
        (one, paid, {"till": str(one.id)}),
        (None, paid + second, {"shop": "Duka"}),
    ):
        expected = day_report(
            [p for p in payments if p.created_at.astimezone(NAIROBI).date() == DAY],
            DAY,
            NAIROBI,
            till.name if till else None,
        )
        page = client.get("/day", params={"date": DAY.isoformat(), **params})
        assert page.status_code == 200
        shown = figures(page.text)
        assert shown["takings"] == amounts(expected.takings)
        assert shown["sales"] == amounts(expected.sales)
        assert shown["refunds"] == f"{expected.refund_count} · {amounts(expected.refunds)}"
        assert shown["payments"] == str(expected.count)
        assert expected.success_rate is not None
        assert shown["success-rate"] == f"{expected.success_rate * 100:.1f} %"
        assert shown["first"] == f"{expected.first:%H:%M:%S}"
        assert shown["last"] == f"{expected.last:%H:%M:%S}"
        assert shown["till"] == (till.name if till else "all tills")
        for line in expected.lines:
            key = f"line-{line.kind}-{line.provider}-{line.status.value}-{line.amount.currency}"
            assert shown[key] == f"{line.count} · {line.amount.format('en')}"
        assert {k for k in shown if k.startswith("open-")} == {
            f"open-{p.reference_id}" for p in expected.follow_up
        }
        for hour, moneys in expected.per_hour.items():
            assert shown[f"hour-{hour:02d}"] == amounts(moneys)
        assert "<svg" in page.text  # the takings per hour, drawn
        assert "777" not in shown["takings"]  # the other shop's payment stays out


def test_today_shows_every_till_and_the_totals(owned: Hub) -> None:
    tills = [
        add_till(owned, "Duka", "Till 1"),
        add_till(owned, "Duka", "Till 2"),
        add_till(owned, "Soko", "Till 1", timezone=None),  # not synced yet: UTC
    ]
    zones = [NAIROBI, NAIROBI, UTC]
    for n, (till, zone) in enumerate(zip(tills, zones, strict=True)):
        store(
            owned,
            till,
            payment(earlier_today(zone, 0.2), 10000 * (n + 1)),
            payment(earlier_today(zone, 0.4), 500, S.PENDING),
            payment(earlier_today(zone, 0.5), 300, S.FAILED),
        )
    store(owned, tills[0], payment(earlier_today(NAIROBI, 0.1) - timedelta(days=1), 99999))
    page = owner_client(owned).get("/")
    assert page.status_code == 200
    shown = figures(page.text)
    assert shown["takings"] == Money(60000, "KES").format("en")
    assert shown["payments"] == "9"
    assert shown["open"] == "3"
    rows = re.findall(r'data-till="([^"]+)".*?data-figure="till-takings">([^<]*)<', page.text, re.S)
    assert [(uuid.UUID(i), html.unescape(v)) for i, v in rows] == [
        (till.id, Money(10000 * (n + 1), "KES").format("en")) for n, till in enumerate(tills)
    ]
    assert shown["line-collection-mpesa-pending-KES"] == f"3 · {Money(1500, 'KES').format('en')}"


# ---- finding payments, exporting them


def test_payments_are_found_by_the_end_of_the_number_by_code_and_by_reference(
    owned: Hub,
) -> None:
    _, _, paid, second = seed_day(owned)
    client = owner_client(owned)

    def found(term: str) -> set[str]:
        page = client.get("/payments", params={"q": term})
        assert page.status_code == 200
        return set(re.findall(r'data-reference="([^"]+)"', page.text))

    ugandan = {p.reference_id for p in paid if p.msisdn == "256772123456"}
    assert found("2123456") == ugandan
    assert found("3456") == ugandan
    assert found("0772 123 456") == ugandan
    assert found("SLT5U6V7W8") == {second[0].reference_id}
    assert found("slt5u6v7w8") == {second[0].reference_id}
    assert found(paid[3].reference_id) == {paid[3].reference_id}
    assert found("nothing like it") == set()
    assert "at least 4 digits" in client.get("/payments", params={"q": "56"}).text


def test_payments_come_a_page_at_a_time(owned: Hub) -> None:
    till = add_till(owned, "Duka", "Till 1")
    made = [payment(local(8) + timedelta(minutes=n), 100 + n) for n in range(60)]
    store(owned, till, *made)
    client = owner_client(owned)
    first = client.get("/payments")
    seen = re.findall(r'data-reference="([^"]+)"', first.text)
    older = re.search(r'href="/payments\?([^"]+)" rel="next"', first.text)
    assert older
    rest = client.get("/payments?" + html.unescape(older.group(1)))
    seen += re.findall(r'data-reference="([^"]+)"', rest.text)
    assert seen == [p.reference_id for p in reversed(made)]


def test_the_csv_export_holds_the_days_payments_safe_for_a_spreadsheet(owned: Hub) -> None:
    till = add_till(owned, "Duka", "Till 1")
    hostile = [
        payment(local(9), 1000, external_id='=HYPERLINK("http://evil","x")'),
        payment(local(10), 2000, external_id="+254700000000"),
        payment(local(11), 3000, external_id="-1+1"),
        payment(local(12), 4000, external_id="@SUM(A1)"),
        payment(local(13), 5000, external_id="order 17", code="SLA1B2C3D4"),
    ]
    store(owned, till, *hostile, payment(local(9, day=DAY + timedelta(days=1)), 7000))
    client = owner_client(owned)
    params = {"date": DAY.isoformat(), "till": str(till.id)}
    assert client.head("/export.csv", params=params).status_code == 200
    assert owned.sql("SELECT count(*) FROM owner_log WHERE action = 'export'") == [(0,)]
    answer = client.get("/export.csv", params=params)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert 'filename="payments-2026-03-10-duka-till-1.csv"' in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [r["reference_id"] for r in rows] == [p.reference_id for p in hostile]
    assert [r["order_reference"] for r in rows] == [
        '\'=HYPERLINK("http://evil","x")',
        "'+254700000000",
        "'-1+1",
        "'@SUM(A1)",
        "order 17",
    ]
    assert rows[4]["receipt"] == "SLA1B2C3D4"
    assert rows[4]["amount"] == "50.00"
    assert rows[4]["status"] == "paid"
    assert rows[4]["created_at"] == "2026-03-10T13:00:00+03:00"
    assert (rows[4]["shop"], rows[4]["till"]) == ("Duka", "Till 1")
    [(detail,)] = owned.sql("SELECT detail FROM owner_log WHERE action = 'export'")
    assert detail["rows"] == 5
    assert detail["till_id"] == str(till.id)


# ---- languages


def test_pages_are_in_french_when_the_owner_chooses_it(owned: Hub) -> None:
    seed_day(owned)
    client = owner_client(owned)
    switch = client.get("/lang", params={"to": "fr", "next": "/day?date=2026-03-10"})
    assert switch.status_code == 303
    assert switch.headers["location"] == "/day?date=2026-03-10"
    page = client.get("/day", params={"date": DAY.isoformat()}).text
    assert '<html lang="fr">' in page
    assert "Rapport de fin de journée" in page
    assert "Recette (ventes − remboursements)" in page
    assert ">English<" in page
    assert "End-of-day report" not in page
    assert (
        client.get("/lang", params={"to": "en", "next": "//evil.example"}).headers["location"]
        == "/"
    )


def test_the_browsers_language_is_followed_without_a_choice(owned: Hub) -> None:
    page = httpx.get(
        owned.url + "/login", headers={"accept-language": "fr-CI,fr;q=0.9,en;q=0.5"}, timeout=10
    )
    assert "Mot de passe du propriétaire" in page.text
    page = httpx.get(owned.url + "/login", headers={"accept-language": "sw, en;q=0.5"}, timeout=10)
    assert "Owner&#39;s password" in page.text


def _texts() -> set[str]:
    pattern = re.compile(r'(?<![\w.])(?:_|N_|words)\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)\)', re.S)
    found = set()
    for path in [*WEB.glob("*.py"), *(WEB / "templates").glob("*.html")]:
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            found.add("".join(re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1))))
    return found


def test_every_text_of_the_web_view_has_its_french() -> None:
    texts = _texts()
    assert len(texts) > 80  # the search finds the templates' and the modules' texts
    missing = sorted(t for t in texts if t not in catalogue.FRENCH)
    assert missing == []
    placeholders = re.compile(r"\{\w+\}")
    for english, french in catalogue.FRENCH.items():
        assert sorted(placeholders.findall(english)) == sorted(placeholders.findall(french))
