"""Real `pos-app` processes against the simulator over HTTP, with a real SQLite file:
killed at every stage of a payment, interrupted, and run side by side."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pos_app.sandbox import demo
from tests.e2e.conftest import Rig


def wait_for(process: subprocess.Popen[str], marker: str, timeout: float = 30) -> None:
    assert process.stderr is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if marker in line:
            return
        if not line and process.poll() is not None:
            break
    process.kill()
    pytest.fail(f"never reached {marker!r}: {process.communicate()}")


CHARGES = {
    "mtn": ["--provider", "mtn", "--amount", "12.50", "--phone", "0772 123 456"],
    "mpesa": ["--provider", "mpesa", "--amount", "100", "--phone", "0722 000 555"],
    "airtel": ["--provider", "airtel", "--amount", "1500", "--phone", "0752 123 456"],
}
AIRTEL_PUSH = "POST /merchant/v1/payments"  # a fault target: the push, v1


def airtel_id(reference: str) -> str:
    """Airtel's transaction id: our reference id without its hyphens (providers/airtel)."""
    return reference.replace("-", "")


@pytest.mark.parametrize("provider", ["mtn", "mpesa", "airtel"])
@pytest.mark.parametrize("stage", ["saved", "submitting", "sent", "polling"])
def test_killed_at_any_stage_sync_finishes_without_double_charge(
    rig: Rig, provider: str, stage: str
) -> None:
    charge = rig.start("charge", *CHARGES[provider], "--json", pause=stage)
    wait_for(charge, f"checkpoint {stage}")
    charge.send_signal(signal.SIGKILL)
    charge.wait(10)
    [(reference, status_after_crash, _, msisdn)] = rig.rows()
    assert status_after_crash in ("created", "submitting", "pending")  # nothing was lost

    result = rig.run("sync", "--timeout", "20", "--json")
    [(_, final, request_id, _)] = rig.rows()
    if stage == "saved":
        # Saved, never sent: only the process that made it sends it, so it is closed.
        assert (final, result.returncode) == ("failed", 0), result.stderr
        assert rig.mtn.requests["POST requesttopay"] == 0 and rig.mpesa.pushes_to(msisdn) == 0
        assert rig.airtel.requests["push"] == 0
    elif provider == "airtel":
        # Airtel is asked by our own transaction id, and knows a resent one (ESB000041):
        # whatever the crash, one prompt, one charge.
        assert (final, result.returncode) == ("successful", 0), result.stderr
        assert rig.airtel.accepted[airtel_id(reference)] == 1
        assert rig.airtel.charges() == 1
    elif provider == "mtn":
        assert (final, result.returncode) == ("successful", 0), result.stderr
        assert rig.mtn.accepted[reference] == 1  # charged once, whatever the crash
        assert rig.mtn.charges() == 1
    elif stage == "polling":
        assert (final, result.returncode) == ("successful", 0), result.stderr
        assert rig.mpesa.pushes_to(msisdn) == 1 and rig.mpesa.charges() == 1
    else:
        # The push's answer (its CheckoutRequestID) died with the process: nobody can ask about
        # it, so it waits for a person instead of being pushed again.
        assert (final, request_id, result.returncode) == ("unknown", None, 3), result.stderr
        assert rig.mpesa.pushes_to(msisdn) == (1 if stage == "sent" else 0)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines and lines[-1]["status"] == final and lines[-1]["reference_id"] == reference


@pytest.mark.parametrize("provider", ["mtn", "mpesa", "airtel"])
def test_killed_while_the_request_is_in_flight(rig: Rig, provider: str) -> None:
    charge = rig.start("charge", *CHARGES[provider], pause="submitting")
    wait_for(charge, "checkpoint submitting")
    charge.send_signal(signal.SIGKILL)
    charge.wait(10)
    [(reference, _, _, msisdn)] = rig.rows()
    result = rig.run("sync", "--timeout", "20")
    [(_, final, _, _)] = rig.rows()
    if provider == "mtn":
        assert final == "successful" and rig.mtn.accepted[reference] == 1, result.stdout
    elif provider == "airtel":
        assert final == "successful", result.stdout + result.stderr
        assert rig.airtel.accepted[airtel_id(reference)] == 1 and rig.airtel.charges() == 1
    else:
        assert final == "unknown" and rig.mpesa.pushes_to(msisdn) == 0


@pytest.mark.parametrize("provider", ["mtn", "airtel"])
def test_killed_after_the_provider_processed_but_before_the_answer(rig: Rig, provider: str) -> None:
    """The push is processed (the customer prompted), its answer hangs, the till dies: `sync`
    asks by the id it kept and finds the one payment."""
    if provider == "mtn":
        faults, target = rig.mtn.faults, "POST /collection/v1_0/requesttopay"

        def pushes() -> int:
            return rig.mtn.requests["POST requesttopay"]
    else:
        faults, target = rig.airtel.faults, AIRTEL_PUSH

        def pushes() -> int:
            return rig.airtel.requests["push"]

    # Long enough to kill it mid-hang; short enough not to hold up the server's stop.
    faults.target, faults.hang_next, faults.hang_seconds = target, 1, 5
    charge = rig.start("charge", *CHARGES[provider])  # its POST is processed, the answer hangs
    deadline = time.monotonic() + 20
    while pushes() == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    charge.send_signal(signal.SIGKILL)
    charge.wait(10)
    [(reference, status, _, _)] = rig.rows()
    assert status == "submitting"
    result = rig.run("sync", "--timeout", "20")
    assert result.returncode == 0, result.stdout + result.stderr
    assert rig.rows()[0][1] == "successful"
    if provider == "mtn":
        assert rig.mtn.accepted[reference] == 1 and pushes() == 1
    else:
        # Asked about by its transaction id (or sent again with it): never a second prompt.
        assert rig.airtel.accepted[airtel_id(reference)] == 1 and rig.airtel.charges() == 1


def test_airtel_push_answer_lost_resent_with_the_same_id_then_killed(rig: Rig) -> None:
    """The connection drops after Airtel took the push: the till sends it again with the same
    transaction id (Airtel answers ESB000041, no second prompt), is killed before saving that,
    and `sync` finishes the one payment."""
    faults = rig.airtel.faults
    faults.target, faults.drop_next = AIRTEL_PUSH, 1
    charge = rig.start("charge", *CHARGES["airtel"], "--json", pause="sent")
    wait_for(charge, "checkpoint sent")
    charge.send_signal(signal.SIGKILL)
    charge.wait(10)
    [(reference, status, _, _)] = rig.rows()
    assert status == "submitting"
    assert rig.airtel.requests["push"] == 2  # the lost answer's push, sent again
    result = rig.run("sync", "--timeout", "20", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert [row[1] for row in rig.rows()] == ["successful"]
    assert rig.airtel.accepted[airtel_id(reference)] == 1 and rig.airtel.charges() == 1
    assert json.loads(result.stdout.splitlines()[-1])["receipt"]


def test_ctrl_c_leaves_the_payment_durable_and_resumable(rig: Rig) -> None:
    rig.mtn.settings.approval_delay = 2.0
    charge = rig.start("charge", *CHARGES["mtn"], "--json")
    assert charge.stdout is not None
    while '"status": "pending"' not in (line := charge.stdout.readline()):
        assert line, charge.communicate()
    charge.send_signal(signal.SIGINT)  # the cashier gives up waiting
    _, err = charge.communicate(timeout=20)
    assert charge.returncode == 130
    assert "is saved" in err and "pos-app sync" in err
    assert rig.rows()[0][1] == "pending"
    assert rig.run("sync", "--timeout", "20").returncode == 0
    assert rig.rows()[0][1] == "successful"
    assert rig.mtn.requests["POST requesttopay"] == 1


def test_two_charges_at_once_share_the_database_safely(rig: Rig) -> None:
    first = rig.start("charge", *CHARGES["mtn"], "--json")
    second = rig.start(
        "charge", "--provider", "mtn", "--amount", "3", "--phone", "+256772123457", "--json"
    )
    for process in (first, second):
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, out + err
    statuses = sorted(status for _, status, _, _ in rig.rows())
    assert statuses == ["successful", "successful"]
    conn = sqlite3.connect(rig.db)
    assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    events = conn.execute("SELECT count(*) FROM payment_events").fetchone()[0]
    conn.close()
    assert events == 8


def test_exit_codes_and_output(rig: Rig) -> None:
    ok = rig.run("charge", *CHARGES["mtn"])
    assert ok.returncode == 0 and "PAID" in ok.stdout and "256772***456" in ok.stdout
    failed = rig.run("charge", "--provider", "mtn", "--amount", "5", "--phone", "46733123451")
    assert failed.returncode == 1 and "rejected the payment" in failed.stdout
    bad = rig.run("charge", "--provider", "mtn", "--amount", "-5", "--phone", "0772123456")
    assert bad.returncode == 2 and "negative" in bad.stderr
    bad_phone = rig.run(
        "charge", "--provider", "mpesa", "--amount", "5", "--phone", "+256772123456"
    )
    assert bad_phone.returncode == 2 and "Kenya numbers only" in bad_phone.stderr
    pending = rig.run(
        "charge", "--provider", "mtn", "--amount", "5", "--phone", "46733123453", "--timeout", "1"
    )
    assert pending.returncode == 3
    assert len(rig.rows()) == 3  # bad input saved nothing
    receipts = rig.run("receipts", "--format", "json")
    listed = json.loads(receipts.stdout)
    assert {p["status"] for p in listed} == {"successful", "failed", "pending"}
    csv_out = rig.run("receipts", "--format", "csv", "--status", "successful")
    assert csv_out.stdout.splitlines()[0].startswith("reference_id,status,reason")
    assert len(csv_out.stdout.splitlines()) == 2
    doctor = rig.run("doctor")
    assert "OK   mtn: reachable, token accepted" in doctor.stdout
    assert "OK   mpesa: reachable, token accepted" in doctor.stdout
    assert "OK   airtel: reachable, token accepted" in doctor.stdout
    assert demo.MTN_API_KEY not in doctor.stdout + doctor.stderr
    log = (Path(rig.env["POS_APP_LOG_DIR"]) / "pos-app.log").read_text()
    assert "successful: mtn 12.50 EUR 256772***456" in log  # the sandbox's currency
    assert "failed: mtn 5.00 EUR 46733***451 (" in log
    assert "POST /collection/v1_0/requesttopay" in log  # DEBUG: one line per request
    assert "256772123456" not in log and "46733123451" not in log
    for secret in (
        demo.MTN_API_KEY,
        demo.MTN_SUBSCRIPTION_KEYS["collection"],
        demo.MPESA_CONSUMER_SECRET,
        demo.MPESA_PASSKEY,
        demo.AIRTEL_CLIENT_SECRET,
    ):
        assert secret not in log


def test_airtel_exit_codes_and_output(rig: Rig) -> None:
    """Airtel's outcomes end `charge` as the other providers' do: 0 paid, 1 refused, 2 bad
    input, 3 still waiting, 4 the owner's settings."""

    def charge(phone: str, *extra: str, amount: str = "1500") -> subprocess.CompletedProcess[str]:
        return rig.run(
            "charge", "--provider", "airtel", "--amount", amount, "--phone", phone, *extra
        )

    ok = charge("0706218827")
    assert ok.returncode == 0 and "PAID" in ok.stdout and "256706***827" in ok.stdout, ok.stderr
    assert " - receipt MP" in ok.stdout  # Airtel's airtel_money_id
    as_json = charge("0752 123 456", "--json")
    assert as_json.returncode == 0, as_json.stdout + as_json.stderr
    final = [json.loads(line) for line in as_json.stdout.splitlines()][-1]
    assert final["status"] == "successful"
    paid = rig.airtel.payments[airtel_id(final["reference_id"])]
    assert final["receipt"] == paid.airtel_money_id  # the enquiry's airtel_money_id

    wrong_pin = charge("0700000002")
    assert wrong_pin.returncode == 1, wrong_pin.stdout + wrong_pin.stderr
    assert "The customer typed a wrong Airtel Money PIN" in wrong_pin.stdout
    refused = charge("0700000010")  # not on Airtel Money: refused at the push
    assert refused.returncode == 1, refused.stdout + refused.stderr
    pending = charge("0700000001", "--timeout", "1")  # never answers
    assert pending.returncode == 3, pending.stdout + pending.stderr
    assert "still waiting for the customer" in pending.stderr
    assert len(rig.rows()) == 5 and rig.airtel.requests["push"] == 5

    negative = charge("0752123456", amount="-1500")
    assert negative.returncode == 2 and "negative" in negative.stderr, negative.stderr
    wrong = subprocess.run(
        [sys.executable, "-m", "pos_app", "charge", *CHARGES["airtel"]],
        env={**rig.env, "AIRTEL_CLIENT_SECRET": "wrong"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert wrong.returncode == 4, wrong.stdout + wrong.stderr
    assert "nothing was sent" in wrong.stderr
    assert "airtel.client_secret" in wrong.stderr and "AIRTEL_CLIENT_SECRET" in wrong.stderr
    # Neither saved anything nor reached Airtel's push.
    assert len(rig.rows()) == 5 and rig.airtel.requests["push"] == 5
    log = (Path(rig.env["POS_APP_LOG_DIR"]) / "pos-app.log").read_text()
    assert "successful: airtel 1500 UGX 256752***456" in log
    assert "failed: airtel 1500 UGX 256700***002 (airtel:DP00800001002)" in log
    assert "POST /merchant/v1/payments/" in log  # DEBUG: one line per request
    assert "752123456" not in log and "706218827" not in log
    assert demo.AIRTEL_CLIENT_SECRET not in log


def test_configuration_problems_exit_4(rig: Rig, tmp_path: Path) -> None:
    env = dict(rig.env)
    env["MTN_MOMO_API_KEY"] = "wrong"
    wrong = subprocess.run(
        [sys.executable, "-m", "pos_app", "charge", *CHARGES["mtn"]],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert wrong.returncode == 4, wrong.stdout + wrong.stderr
    # A refused key is the owner's to fix: no payment saved (none marked failed), none sent.
    assert "nothing was sent" in wrong.stderr and "mtn.api_key" in wrong.stderr
    assert rig.rows() == [] and rig.mtn.requests["POST requesttopay"] == 0
    doctor = subprocess.run(
        [sys.executable, "-m", "pos_app", "doctor"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert doctor.returncode == 4
    assert any(
        line.startswith("FIX") and "API user or API key" in line and "mtn.api_key" in line
        for line in doctor.stdout.splitlines()
    ), doctor.stdout
    no_callback = tmp_path / "nocb.toml"
    no_callback.write_text('[shop]\ncountry = "KE"\n')
    missing = rig.run("--config", str(no_callback), "charge", *CHARGES["mpesa"])
    assert missing.returncode == 4 and "callback_url" in missing.stderr
    doctor = rig.run("--config", str(no_callback), "doctor")
    assert doctor.returncode == 4 and "FIX" in doctor.stdout
