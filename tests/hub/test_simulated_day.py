"""A simulated day of three tills as real processes, each linked to a real `pos-app hub serve`
through a proxy that loses answers to uploads, while the hub is killed and started again and
the tills are SIGKILLed and restarted. Afterwards the hub holds every till's history exactly
once, every chain verifies, and the hub's figures for each till are the till's own."""

from __future__ import annotations

import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest

from pos_app.domain.report import DayReport
from pos_app.hub import business
from pos_app.platform.config import ShopConfig
from pos_app.reports.day_report import load, render_text, sections
from pos_app.store import PaymentRepository
from pos_app.store.db import open_reader
from pos_app.store.queries import PaymentFilter
from tests.hub.conftest import run
from tests.hub.dropping_proxy import DroppingProxy
from tests.hub.test_hub_processes import (
    HubProcess,
    Serve,
    free_port,
    hub_env,
    pos_app_hub,
    serve,  # noqa: F401 - the fixture
    sql,
)

PAYMENTS = 1000  # per till, refunds included
TILLS = 3
ZONE = "Africa/Nairobi"
pytestmark = [pytest.mark.slow, pytest.mark.alone]


@dataclass
class Till:
    name: str
    folder: Path
    env: dict[str, str]
    hub_id: str
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def start(self, seed: int) -> None:
        self.starts += 1
        log = (self.folder / f"run-{self.starts}.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.hub.day_till", str(PAYMENTS), str(seed)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def pos_app(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pos_app", "--demo", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def logs(self) -> str:
        return "".join(p.read_text(errors="replace") for p in sorted(self.folder.glob("run-*")))


def link_tills(database_url: str, tmp_path: Path, hub: HubProcess, proxy_url: str) -> list[Till]:
    env = hub_env(tmp_path, database_url)
    tills = []
    for number in range(1, TILLS + 1):
        name = f"Till {number}"
        code = pos_app_hub(env, "add-till", "Duka", name).stdout.splitlines()[-1]
        linked = httpx.post(f"{hub.url}/v1/link", json={"code": code}).json()
        folder = tmp_path / f"till-{number}"
        folder.mkdir()
        (folder / "config.toml").write_text(
            f'[shop]\nname = "Duka"\ncountry = "KE"\ntill = "{name}"\ntimezone = "{ZONE}"\n'
            f'[hub]\nurl = "{proxy_url}"\n'
        )
        till_env = hub_env(folder) | {
            "POS_APP_HUB_TILL_KEY": linked["key"],
            "POS_APP_HUB_CALLBACK_URLS": json.dumps({}),
        }
        tills.append(Till(name, folder, till_env, linked["till_id"]))
    return tills


@pytest.fixture
def till_folders(tmp_path: Path) -> Iterator[Path]:
    """The tills' folders in memory where the system has it: 3,000 payments are some 20,000
    durable commits, and what is tested here is the sync, not the disk."""
    if not Path("/dev/shm").is_dir():
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(prefix="pos-app-day-", dir="/dev/shm"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_three_tills_a_thousand_payments_each_through_outages_and_kills(
    database_url: str,
    tmp_path: Path,
    till_folders: Path,
    serve: Serve,  # noqa: F811
) -> None:
    env = hub_env(tmp_path, database_url)
    port = free_port()
    initialised = pos_app_hub(
        env, "init", "--public-url", f"http://localhost:{port}", "--allow-http"
    )
    assert initialised.returncode == 0, initialised.stderr
    hub = serve(port)
    proxy = DroppingProxy(port, drop=0.15).start()
    try:
        tills = link_tills(database_url, till_folders, hub, f"http://localhost:{proxy.port}")
        hub, kills, outages = live_through_the_day(tills, hub, serve, port)
        for till in tills:
            assert till.process is not None
            assert till.process.returncode == 0, why_behind(till, hub, database_url)
    finally:
        proxy.stop()
    assert kills >= TILLS and outages >= 2 and proxy.dropped > 0
    for till in tills:
        check_till_against_the_hub(till, database_url)


def live_through_the_day(
    tills: list[Till], hub: HubProcess, start_hub: Serve, port: int
) -> tuple[HubProcess, int, int]:
    """Until every till has made its payments and the hub holds them: a till killed now and
    then, the hub killed and started again."""
    rng = random.Random(2026)
    for number, till in enumerate(tills):
        till.start(number)
    kills = outages = 0
    deadline = time.monotonic() + 420
    while any(till.process and till.process.poll() is None for till in tills):
        assert time.monotonic() < deadline, "the day did not end: " + tills[0].logs()[-3000:]
        time.sleep(rng.uniform(1.0, 3.0))
        running = [t for t in tills if t.process and t.process.poll() is None]
        if running and kills < 2 * TILLS:
            victim = rng.choice(running)
            victim.kill()
            kills += 1
            victim.start(rng.randrange(1000))
        if outages < 4 and rng.random() < 0.5:
            hub.kill()
            outages += 1
            time.sleep(rng.uniform(0.5, 2.0))
            hub = start_hub(port)
    return hub, kills, outages


def why_behind(till: Till, hub: HubProcess, database_url: str) -> str:
    """A till's sync log, the hub's log and what the hub's database is doing (a lock held?)."""
    busy = sql(
        database_url,
        "SELECT pid, state, wait_event_type, wait_event, now() - xact_start, left(query, 120)"
        " FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    doing = "\n".join(map(str, busy))
    return f"{till.logs()[-6000:]}\nhub: {hub.output()[-3000:]}\ndatabase:\n{doing}"


def check_till_against_the_hub(till: Till, database_url: str) -> None:
    verified = till.pos_app("verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    path = till.folder / "data" / "demo" / "pos-app.sqlite3"  # the demo world's database
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        events = conn.execute("SELECT seq, till_hash FROM payment_events ORDER BY seq").fetchall()
    held = sql(
        database_url,
        "SELECT seq, hash FROM till_events WHERE till_id = %s ORDER BY seq",
        till.hub_id,
    )
    assert held == events and len(events) > 3 * PAYMENTS  # none missing or doubled
    zone = ZoneInfo(ZONE)
    reader = PaymentRepository(open_reader(path))
    try:
        days = {p.created_at.astimezone(zone).date() for p in reader.each(PaymentFilter())}
        for day in sorted(days):
            at_hub = run(hub_report(database_url, day, zone, till.hub_id))
            assert at_hub == load(reader, day, zone, None), f"{till.name} {day}"
            printed = till.pos_app("report", "--date", day.isoformat())
            assert printed.returncode == 0, printed.stderr
            shop = ShopConfig(name="Duka", country="KE", till=till.name, timezone=ZONE)
            text = render_text(sections(at_hub, shop, zone))
            # The same report but for its title and underline (the till ran in demo mode).
            assert printed.stdout.splitlines()[2:] == text.splitlines()[2:]
    finally:
        reader.close()


async def hub_report(database_url: str, day: date, zone: ZoneInfo, till_id: str) -> DayReport:
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        return await business.report(conn, day, zone, till_id=uuid.UUID(till_id))
