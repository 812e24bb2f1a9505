"""The whole path on one machine, as real processes: `pos-app hub serve` on PostgreSQL, and a
demo till (its built-in simulators call back like the providers) linked to it. An M-Pesa
charge ends paid with the M-Pesa code from the callback on the receipt and in the CSV, with no
code typed."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import httpx

from tests.hub.test_hub_processes import (
    Serve,
    free_port,
    hub_env,
    pos_app_hub,
    serve,  # noqa: F401 - the fixture
    sql,
)


def test_an_mpesa_charge_ends_paid_with_the_code_from_the_callback(
    database_url: str,
    tmp_path: Path,
    serve: Serve,  # noqa: F811
) -> None:
    env = hub_env(tmp_path, database_url)
    port = free_port()
    public = f"http://localhost:{port}"
    assert pos_app_hub(env, "init", "--public-url", public, "--allow-http").returncode == 0
    hub = serve(port)
    code = pos_app_hub(env, "add-till", "Duka", "Till 1").stdout.splitlines()[-1]
    linked = httpx.post(f"{hub.url}/v1/link", json={"code": code}).json()
    key = linked["key"]
    urls = httpx.get(f"{hub.url}/v1/till", headers={"authorization": f"Bearer {key}"}).json()
    (tmp_path / "config.toml").write_text(
        f'[shop]\nname = "Duka"\ncountry = "KE"\n[hub]\nurl = "{public}"\n'
    )
    # The keyring's documented overrides for a headless till.
    till_env = env | {
        "POS_APP_HUB_TILL_KEY": key,
        "POS_APP_HUB_CALLBACK_URLS": json.dumps(urls["callbacks"]),
    }

    def pos_app(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pos_app", "--demo", *args],
            env=till_env,
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )

    charged = pos_app(
        "charge",
        "--provider",
        "mpesa",
        "--amount",
        "250",
        "--phone",
        "0708374149",
        "--timeout",
        "60",
    )
    assert charged.returncode == 0, charged.stderr
    receipts = pos_app("receipts", "--format", "csv")
    (row,) = csv.DictReader(io.StringIO(receipts.stdout))
    assert row["receipt_source"] == "callback"
    mpesa_code = row["receipt"]
    assert len(mpesa_code) == 10 and mpesa_code.isalnum()
    assert mpesa_code in charged.stdout  # on the receipt the charge printed
    # The code came through the hub: its callback stored and relayed once.
    assert sql(database_url, "SELECT route, verdict FROM inbox") == [("daraja/stk", "relayed")]
