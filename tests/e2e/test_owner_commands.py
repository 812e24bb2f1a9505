"""The owner's commands as real processes: PIN set once, refunds (partial, over-refund refused,
full), the M-Pesa manual refund path confirmed by `resolve`, a reconciliation run, the owner
log and a verified database at the end."""

from __future__ import annotations

import json

from pos_app.sandbox import demo
from tests.e2e.conftest import Rig

PIN = "480213"


def charged(rig: Rig, provider: str, amount: str, phone: str) -> str:
    done = rig.run("charge", "--provider", provider, "--amount", amount, "--phone", phone, "--json")
    assert done.returncode == 0, done.stderr
    last = json.loads(done.stdout.splitlines()[-1])
    assert last["status"] == "successful"
    return str(last["reference_id"])


def status_of(rig: Rig, reference_id: str) -> str:
    listed = rig.run("receipts", "--format", "json")
    return next(p["status"] for p in json.loads(listed.stdout) if p["reference_id"] == reference_id)


def test_owner_pin_refunds_resolve_reconcile_and_log(rig: Rig) -> None:
    paid = charged(rig, "mtn", "90", "0772123456")
    refused = rig.run("refund", paid, "--amount", "30")
    assert refused.returncode == 5 and "no owner PIN is set yet" in refused.stderr

    rig.env["POS_APP_NEW_OWNER_PIN"] = PIN
    assert rig.run("owner", "set-pin").returncode == 0
    del rig.env["POS_APP_NEW_OWNER_PIN"]
    no_pin = rig.run("refund", paid, "--amount", "30")
    assert no_pin.returncode == 5 and "POS_APP_OWNER_PIN" in no_pin.stderr  # no terminal here

    rig.env["POS_APP_OWNER_PIN"] = PIN
    no_key = rig.run("refund", paid, "--amount", "30")
    assert no_key.returncode == 4, no_key.stderr
    assert "no MTN disbursement subscription key" in no_key.stderr
    assert [p for p in rig.rows() if p[1] != "successful"] == []  # no refund saved
    rig.env["MTN_MOMO_DISBURSEMENT_SUBSCRIPTION_KEY"] = demo.MTN_SUBSCRIPTION_KEYS["disbursement"]
    part = rig.run("refund", paid, "--amount", "30")
    assert part.returncode == 0, part.stderr
    assert "PAID" in part.stdout
    assert status_of(rig, paid) == "successful"  # partly refunded
    too_much = rig.run("refund", paid)  # all 90 again: only 60 is left
    assert too_much.returncode == 2 and "At most 60.00 can still be refunded" in too_much.stderr
    rest = rig.run("refund", paid, "--amount", "60")
    assert rest.returncode == 0, rest.stderr
    assert status_of(rig, paid) == "refunded"
    assert rig.mtn.requests["POST refund"] == 2  # the refund without a key never left

    # M-Pesa without an initiator: the manual path, confirmed with the reversal's code.
    kes = charged(rig, "mpesa", "100", "0708374149")
    manual = rig.run("refund", kes)
    assert manual.returncode == 3, manual.stderr
    assert "pos-app resolve" in manual.stdout
    refund_id = manual.stdout.split()[1].rstrip(":")
    assert rig.mpesa.requests["TransactionReversal"] == 0
    confirmed = rig.run("resolve", refund_id, "--receipt", "QKJ1XYZ123")
    assert confirmed.returncode == 0, confirmed.stderr
    assert status_of(rig, kes) == "refunded"

    reconciled = rig.run("reconcile")
    assert reconciled.returncode == 0, reconciled.stderr
    assert "0 payment(s) not final or closed by expiry checked" in reconciled.stdout

    log = rig.run("owner", "log")
    # Three refunds made (the one refused as too much and the one without a key, found
    # before anything was saved, never started); the PIN's hash and the PIN itself never shown.
    assert "reconcile day" in log.stdout and log.stdout.count("  refund  ") == 3
    assert "resolve" in log.stdout and "pin set" in log.stdout and PIN not in log.stdout
    assert "scrypt" not in log.stdout
    verified = rig.run("verify")
    assert verified.returncode == 0 and "owner action(s) chained" in verified.stdout
