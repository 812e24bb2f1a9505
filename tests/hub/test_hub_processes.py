"""The hub as the owner runs it: real `pos-app hub …` processes on the test session's real
PostgreSQL, killed, restarted and run side by side, reached over real HTTP."""

from __future__ import annotations

import concurrent.futures
import copy
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import httpx
import psycopg
import pytest

from pos_app.hub.routes import hub_routes
from tests.hub.conftest import PUBLIC_URL, Hub, TillClient
from tests.hub.test_callbacks import MOMO_SUCCESS, STK_SUCCESS

DATABASE_ENV = "POS_APP_HUB_DATABASE_URL"
# Daraja refuses a callback URL with one of these in it, in any case (callbacks.md §3).
DARAJA_REFUSED = re.compile(r"mpesa|m-pesa|safaricom|exe|exec|cmd|sql|query", re.IGNORECASE)
CALLBACK_URL = re.compile(
    re.escape(PUBLIC_URL) + r"/callbacks/(?P<path>[a-z0-9_/-]+)/(?P<secret>[0-9a-f]{64})"
)
ENROLMENT_CODE = re.compile(r"[A-Z2-9]{4}(?:-[A-Z2-9]{4}){3}")
WAIT = 10  # seconds a till's long-poll is held
HELD_WAIT = 25  # the longest the hub allows: a woken poll is told well before
EXIT_USAGE, EXIT_CONFIG = 2, 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def hub_env(tmp_path: Path, database_url: str | None = None) -> dict[str, str]:
    """The caller's environment without any pos-app setting, with folders of the test's own
    (as tests/conftest.py isolates every test's), and the database only when given."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("POS_APP_")}
    env |= {
        "POS_APP_DATA_DIR": str(tmp_path / "data"),
        "POS_APP_LOG_DIR": str(tmp_path / "logs"),  # where `pos-app` writes its log file
        "POS_APP_CONFIG": str(tmp_path / "config.toml"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        "PYTHONUNBUFFERED": "1",  # a SIGKILLed process loses nothing it wrote
    }
    if database_url:
        env[DATABASE_ENV] = database_url
    return env


def pos_app_hub(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pos_app", "hub", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def pos_app_hub_at_once(
    env: dict[str, str], *steps: list[str]
) -> list[subprocess.CompletedProcess[str]]:
    """Independent commands, run side by side to keep the tests short."""
    with concurrent.futures.ThreadPoolExecutor(len(steps)) as pool:
        return list(pool.map(lambda step: pos_app_hub(env, *step), steps))


def init(env: dict[str, str], database_url: str) -> dict[str, str]:
    """`hub init` on the database; the callback URLs it printed, by route path."""
    result = pos_app_hub(env, "--database-url", database_url, "init", "--public-url", PUBLIC_URL)
    assert result.returncode == 0, result.stderr
    urls = {}
    for line in result.stdout.splitlines():
        match = CALLBACK_URL.fullmatch(line)
        assert match, f"not a callback URL: {line!r}"
        urls[match["path"]] = line
    return urls


def sql(database_url: str, query: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        cursor = conn.execute(query.encode(), params or None)
        return cursor.fetchall() if cursor.description else []


def log_files(tmp_path: Path) -> str:
    """What the processes wrote to pos-app's log folder."""
    return "".join(path.read_text(errors="replace") for path in (tmp_path / "logs").glob("*"))


def one_clear_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    return stderr.strip()


@dataclass
class HubProcess:
    """`pos-app hub serve`, its stdout and stderr going to one file."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path
    sink: BinaryIO

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        self.sink.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_healthy(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"hub serve exited {self.process.returncode}: {self.output()}")
            try:
                answer = httpx.get(f"{self.url}/health", timeout=2)
                if answer.status_code == 200 and answer.json()["listening"]:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        pytest.fail(f"hub serve never answered /health: {self.output()}")


Serve = Callable[..., HubProcess]


@pytest.fixture
def serve(database_url: str, tmp_path: Path) -> Iterator[Serve]:
    """Start `pos-app hub serve` processes (database from the environment); killed after."""
    started: list[HubProcess] = []

    def start(port: int | None = None, *, wait: bool = True) -> HubProcess:
        port = port or free_port()
        log = tmp_path / f"serve-{len(started)}.log"
        sink = log.open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "pos_app", "hub", "serve", "--port", str(port)],
            env=hub_env(tmp_path, database_url),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        hub = HubProcess(process, f"http://127.0.0.1:{port}", log, sink)
        started.append(hub)
        if wait:
            hub.wait_until_healthy()
        return hub

    yield start
    for hub in started:
        hub.kill()


class Poller(threading.Thread):
    """A till's loop of long-polls: on a lost connection it asks again, after the same cursor."""

    def __init__(self, till: TillClient) -> None:
        super().__init__(daemon=True)
        self.till = till
        self.events: list[dict[str, Any]] = []
        self.refusals: list[str] = []
        self.lost_connections = 0
        self.stop = threading.Event()

    def run(self) -> None:
        cursor = 0
        with httpx.Client(headers=self.till.headers, timeout=WAIT + 10) as client:
            while not self.stop.is_set():
                try:
                    answer = client.get(
                        f"{self.till.hub_url}/v1/events", params={"after": cursor, "wait": WAIT}
                    )
                except httpx.TransportError:
                    self.lost_connections += 1
                    time.sleep(0.1)
                    continue
                if answer.status_code != 200:
                    self.refusals.append(f"{answer.status_code} {answer.text}")
                    time.sleep(0.1)
                    continue
                self.events.extend(answer.json()["events"])
                cursor = answer.json()["cursor"]

    def payment_ids(self) -> list[str]:
        return [event["body"]["payment_id"] for event in list(self.events)]


class HeldPoll(threading.Thread):
    """One long-poll, started in the background and checked to be held before going on."""

    def __init__(self, hub_url: str, till: TillClient, after: int = 0) -> None:
        super().__init__(daemon=True)
        self.url = f"{hub_url}/v1/events"
        self.params = {"after": after, "wait": HELD_WAIT}
        self.headers = till.headers
        self.answer: httpx.Response | None = None
        self.took = 0.0
        self.start()
        time.sleep(0.5)
        assert self.is_alive()  # held: nothing is there for it yet

    def run(self) -> None:
        started = time.monotonic()
        self.answer = httpx.get(
            self.url, params=self.params, headers=self.headers, timeout=HELD_WAIT + 10
        )
        self.took = time.monotonic() - started

    def result(self) -> httpx.Response:
        self.join(HELD_WAIT + 10)
        assert self.answer is not None
        assert self.took < HELD_WAIT - 5  # woken, not answered at the end of its wait
        return self.answer


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def stk_callback(checkout: str, receipt: str, merchant: str = "29115-34620561-1") -> Any:
    body = copy.deepcopy(STK_SUCCESS)
    callback = body["Body"]["stkCallback"]
    callback["CheckoutRequestID"] = checkout
    callback["MerchantRequestID"] = merchant
    for item in callback["CallbackMetadata"]["Item"]:
        if item["Name"] == "MpesaReceiptNumber":
            item["Value"] = receipt
    return body


def forged(url: str) -> str:
    """The callback URL with its secret's last digit changed."""
    return url[:-1] + ("1" if url.endswith("0") else "0")


def assert_nothing_secret_in(output: str, secrets: list[str]) -> None:
    lines = output.splitlines()
    for secret in secrets:
        assert not [line for line in lines if secret in line]
    # Not even a near miss (a secret one digit off is as telling): no long hex run at all.
    assert not [line for line in lines if re.search(r"[0-9a-f]{32}", line)]


# --- init --------------------------------------------------------------------------------------


def test_init_prints_the_callback_urls_and_a_second_run_changes_nothing(
    database_url: str, tmp_path: Path
) -> None:
    env = hub_env(tmp_path)

    def tables() -> list[Any]:
        return [
            sql(database_url, "SELECT path, secret, created_at FROM callback_routes ORDER BY 1"),
            sql(database_url, "SELECT key, value FROM hub_settings ORDER BY 1"),
            sql(database_url, "SELECT version, name, applied_at FROM hub_schema ORDER BY 1"),
        ]

    first = pos_app_hub(env, "--database-url", database_url, "init", "--public-url", PUBLIC_URL)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    paths = []
    for line in lines:  # every stdout line is a URL, nothing else
        assert line.startswith(PUBLIC_URL + "/")
        assert re.search(r"/[0-9a-f]{64}$", line), line
        assert not DARAJA_REFUSED.search(line), line
        match = CALLBACK_URL.fullmatch(line)
        assert match, line
        paths.append(match["path"])
    assert sorted(paths) == sorted(hub_routes())  # MTN's per-request routes too
    assert {"momo/payment", "momo/refund", "daraja/stk"} <= set(paths)
    secrets = [line.rsplit("/", 1)[1] for line in lines]
    assert len(set(secrets)) == len(secrets)
    stored = tables()
    assert [(path, secret) for path, secret, _ in stored[0]] == sorted(
        zip(paths, secrets, strict=True)
    )

    again = pos_app_hub(env, "--database-url", database_url, "init", "--public-url", PUBLIC_URL)
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout
    assert tables() == stored


def test_init_refuses_http_unless_allowed(database_url: str, tmp_path: Path) -> None:
    env = hub_env(tmp_path, database_url)  # the database from the environment this time
    refused = pos_app_hub(env, "init", "--public-url", "http://hub.example.com")
    assert refused.returncode == EXIT_USAGE
    assert "https://" in one_clear_line(refused.stderr)
    assert refused.stdout == ""
    assert sql(database_url, "SELECT to_regclass('hub_schema')") == [(None,)]

    allowed = pos_app_hub(env, "init", "--public-url", "http://hub.example.com", "--allow-http")
    assert allowed.returncode == 0, allowed.stderr
    lines = allowed.stdout.splitlines()
    assert len(lines) == len(hub_routes())
    assert all(
        re.fullmatch(r"http://hub\.example\.com/callbacks/\S+/[0-9a-f]{64}", u) for u in lines
    )


def test_without_a_reachable_database_the_hub_says_so_in_one_line(tmp_path: Path) -> None:
    env = hub_env(tmp_path)
    assert DATABASE_ENV not in env
    closed = f"postgresql://postgres@127.0.0.1:{free_port()}/hub"
    *missing, init_unreachable, tills_unreachable = pos_app_hub_at_once(
        env,
        ["init", "--public-url", PUBLIC_URL],
        ["add-till", "Duka", "Till 1"],
        ["--database-url", closed, "init", "--public-url", PUBLIC_URL],
        ["--database-url", closed, "tills"],
    )
    for result in missing:
        assert result.returncode == EXIT_CONFIG
        assert DATABASE_ENV in one_clear_line(result.stderr)
    for unreachable in (init_unreachable, tills_unreachable):
        assert unreachable.returncode == EXIT_CONFIG
        assert "cannot reach the database" in one_clear_line(unreachable.stderr)
        assert unreachable.stdout == ""


# --- tills -------------------------------------------------------------------------------------


def test_the_owner_sets_the_web_password_from_the_command_line(
    database_url: str, tmp_path: Path, serve: Serve
) -> None:
    env = hub_env(tmp_path, database_url)
    init(env, database_url)

    def owner_password(line: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pos_app", "hub", "owner-password", "--password-stdin"],
            env=env,
            input=line + "\n",
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    short = owner_password("short")
    assert short.returncode == EXIT_USAGE and "10" in one_clear_line(short.stderr)
    assert sql(database_url, "SELECT count(*) FROM owner_account") == [(0,)]
    assert owner_password("a long owner passphrase").returncode == 0
    ((stored,),) = sql(database_url, "SELECT password_hash FROM owner_account")
    assert "passphrase" not in stored and "scrypt" in stored
    hub = serve()
    login = httpx.get(f"{hub.url}/", follow_redirects=False)
    assert login.status_code == 303 and "/login" in login.headers["location"]


def test_add_link_list_and_revoke_a_till(database_url: str, tmp_path: Path, serve: Serve) -> None:
    env = hub_env(tmp_path, database_url)
    early = pos_app_hub(env, "add-till", "Duka", "Till 1")
    assert early.returncode == EXIT_CONFIG
    assert "run `pos-app hub init`" in one_clear_line(early.stderr)
    assert sql(database_url, "SELECT to_regclass('tills')") == [(None,)]
    init(env, database_url)

    added = pos_app_hub(env, "add-till", "Duka", "Till 1")
    assert added.returncode == 0, added.stderr
    code = added.stdout.splitlines()[-1]
    assert ENROLMENT_CODE.fullmatch(code), added.stdout
    assert code not in added.stderr

    def row() -> str:
        listing = pos_app_hub(env, "tills")
        assert listing.returncode == 0, listing.stderr
        (line,) = [line for line in listing.stdout.splitlines() if "  Duka  Till 1  " in line]
        return line

    waiting = row()
    till_id = waiting.split()[0]
    assert str(uuid.UUID(till_id)) == till_id
    assert "waiting for its code" in waiting and waiting.endswith(
        "last seen never  0 event(s) here"
    )

    hub = serve()
    linked = httpx.post(f"{hub.url}/v1/link", json={"code": code}, timeout=10)
    assert linked.status_code == 200, linked.text
    assert linked.json()["till_id"] == till_id
    till = TillClient(hub.url, linked.json()["key"], till_id)
    assert till.get("/v1/till").status_code == 200
    now_linked = row()
    assert "  linked  " in now_linked and "last seen never" not in now_linked
    # Its history as it arrives, and a history the hub refused, with where it broke.
    sql(database_url, "UPDATE tills SET synced_seq = 7, till_head = 9 WHERE id = %s", till_id)
    assert row().endswith("7 event(s) here, 2 not yet here")
    sql(
        database_url,
        "UPDATE tills SET broken_seq = 5, broken_problem = 'event 5 does not match' WHERE id = %s",
        till_id,
    )
    assert row().endswith("HISTORY CHANGED at event 5: event 5 does not match")

    # Revoked while its long-poll is held: that poll is refused at once, and so is the key.
    poll = HeldPoll(hub.url, till)
    revoked = pos_app_hub(env, "tills", "--revoke", till_id)
    assert revoked.returncode == 0, revoked.stderr
    assert till_id in revoked.stdout and "Revoked" in revoked.stdout
    assert poll.result().status_code == 401
    assert till.get("/v1/till").status_code == 401
    assert till.awaits(request_id="ws_CO_1", payment_id="pay-1", amount="1.00").status_code == 401
    # In the owner's log, chained (the log is append-only).
    ((actor, action, detail),) = sql(database_url, "SELECT actor, action, detail FROM owner_log")
    assert (actor, action, detail["till"]) == ("owner (command line)", "revoke till", till_id)

    bad_ids = ["not-an-id", str(uuid.uuid4())]
    *refusals, listing = pos_app_hub_at_once(
        env, *(["tills", "--revoke", bad] for bad in bad_ids), ["tills"]
    )
    for bad, refused in zip(bad_ids, refusals, strict=True):
        assert refused.returncode == EXIT_USAGE
        assert bad in one_clear_line(refused.stderr)
    assert f"{till_id}  Duka  Till 1  revoked  " in listing.stdout


# --- serving -----------------------------------------------------------------------------------


def test_a_hub_killed_and_restarted_loses_and_repeats_nothing(
    database_url: str, tmp_path: Path, serve: Serve
) -> None:
    urls = init(hub_env(tmp_path), database_url)
    port = free_port()
    first = serve(port)
    hub = Hub(first.url, database_url, urls)
    tills = [hub.add_till("Duka", "Till 1"), hub.add_till("Duka", "Till 2")]
    payments: dict[int, list[str]] = {0: [], 1: []}
    first_half: dict[int, int] = {0: 0, 1: 0}
    callbacks = []
    for number in range(30):
        owner = number % 2
        checkout = f"ws_CO_restart_{number:03d}"
        payment_id = f"pay-{number:03d}"
        answer = tills[owner].awaits(request_id=checkout, payment_id=payment_id, amount="1.00")
        assert answer.status_code == 201, answer.text
        payments[owner].append(payment_id)
        first_half[owner] += number < 15
        callbacks.append(stk_callback(checkout, f"RCPT{number:06d}"))
    pollers = [Poller(till) for till in tills]
    for poller in pollers:
        poller.start()

    def post(body: Any, to: HubProcess) -> None:
        answer = Hub(to.url, database_url, urls).callback("daraja/stk", body)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"ResultCode": 0, "ResultDesc": "Accepted"}

    for body in callbacks[:15]:
        post(body, first)
    # Both tills are held in a long-poll, after what they already have, when the hub dies.
    wait_for(
        lambda: all(len(p.events) >= first_half[n] for n, p in enumerate(pollers)),
        "the first half",
    )
    first.kill()
    second = serve(port)
    post(callbacks[0], second)  # the very same callback again
    for body in callbacks[15:]:
        post(body, second)
    resent = copy.deepcopy(callbacks[1])
    resent["Body"]["stkCallback"]["MerchantRequestID"] = "29115-34620561-2"
    post(resent, second)  # the same outcome, told again in other words
    post(callbacks[29], second)

    wait_for(
        lambda: all(len(p.events) >= len(payments[n]) for n, p in enumerate(pollers)), "the rest"
    )
    for owner, (till, poller) in enumerate(zip(tills, pollers, strict=True)):
        assert poller.payment_ids() == payments[owner]  # each once, in order, only its own
        ids = [event["id"] for event in poller.events]
        assert ids == sorted(set(ids))
        assert {event["kind"] for event in poller.events} == {"outcome"}
        assert all(event["body"]["outcome"] == "succeeded" for event in poller.events)
        assert all(event["body"]["problems"] == [] for event in poller.events)
        assert poller.lost_connections >= 1  # the restart did cut its long-poll
        assert poller.refusals == []
        # Asked afresh, the hub has nothing more for it either.
        everything = [e["body"]["payment_id"] for e in till.get("/v1/events").json()["events"]]
        assert everything == payments[owner]
    assert sql(database_url, "SELECT verdict, count(*) FROM inbox GROUP BY 1 ORDER BY 1") == [
        ("duplicate", 1),
        ("relayed", 30),
    ]
    assert sql(database_url, "SELECT count(*) FROM awaits WHERE outcome = 'succeeded'") == [(30,)]

    # What the hub processes wrote holds no path secret and no till key, even after a callback
    # to a wrong secret (logged as refused).
    wrong = forged(urls["daraja/stk"]).replace(PUBLIC_URL, second.url)
    answer = httpx.post(wrong, json=callbacks[2], timeout=10)
    assert answer.status_code == 403
    for poller in pollers:
        poller.stop.set()
    second.kill()  # ends the held long-polls
    for poller in pollers:
        poller.join(10)
        assert not poller.is_alive()
    # Their stdout and stderr, and pos-app's log file (where `hub serve` logs today).
    output = first.output() + second.output() + log_files(tmp_path)
    assert "wrong path secret" in output  # the output was captured: the refusal is there
    assert "from unlisted 127.0.0.1" in output  # and the good callbacks' notes
    secrets = [url.rsplit("/", 1)[1] for url in urls.values()]
    assert_nothing_secret_in(output, [*secrets, *(till.key for till in tills)])


def test_a_till_polling_one_hub_process_hears_of_a_callback_to_another(
    database_url: str, tmp_path: Path, serve: Serve
) -> None:
    urls = init(hub_env(tmp_path), database_url)
    one, other = serve(wait=False), serve(wait=False)
    one.wait_until_healthy()
    other.wait_until_healthy()
    till = Hub(one.url, database_url, urls).add_till()
    reference = str(uuid.uuid4())
    rounds = [
        # (the process the till polls, the one the provider posts to, the callback)
        (other, one, "daraja/stk", "ws_CO_scale_1", stk_callback("ws_CO_scale_1", "RCPT000001")),
        (one, other, "momo/payment", reference, MOMO_SUCCESS),
    ]
    awaited = [
        {"request_id": "ws_CO_scale_1", "payment_id": "pay-1", "amount": "1.00"},
        {
            "provider": "mtn",
            "request_id": reference,
            "payment_id": reference,
            "amount": "100.00",
            "currency": "UGX",
            "phone": "256772123456",
        },
    ]
    cursor = 0
    for (polled, posted, path, request_id, body), awaits in zip(rounds, awaited, strict=True):
        assert till.awaits(**awaits).status_code == 201
        poll = HeldPoll(polled.url, till, after=cursor)
        per_request = request_id if path.startswith("momo/") else ""
        reply = Hub(posted.url, database_url, urls).callback(path, body, request_id=per_request)
        assert reply.status_code == 200, reply.text
        answer = poll.result()
        assert answer.status_code == 200, answer.text
        (event,) = answer.json()["events"]
        assert event["body"]["request_id"] == request_id
        assert event["body"]["outcome"] == "succeeded"
        cursor = answer.json()["cursor"]

    # A forged path secret and a key that is not a till's are refused, and logged without them.
    wrong = forged(urls["momo/payment"]).replace(PUBLIC_URL, other.url) + f"/{uuid.uuid4()}"
    answer = httpx.put(wrong, json=MOMO_SUCCESS, timeout=10)
    assert answer.status_code == 403
    stranger = TillClient(one.url, "till_" + "x" * 43, str(uuid.uuid4()))
    assert stranger.get("/v1/till").status_code == 401
    one.kill()
    other.kill()
    output = one.output() + other.output() + log_files(tmp_path)
    assert "wrong path secret" in output and "refused a till key" in output
    secrets = [url.rsplit("/", 1)[1] for url in urls.values()]
    assert_nothing_secret_in(output, [*secrets, till.key, stranger.key])
