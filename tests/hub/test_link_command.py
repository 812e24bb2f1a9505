"""`pos-app link HUB_URL CODE`: the till's key goes to the keyring, the hub's address to the
config; a refused code changes nothing."""

from __future__ import annotations

import json
import tomllib

import pytest

from pos_app.cli.main import main
from pos_app.platform.config import config_path
from pos_app.platform.credentials import HUB_CALLBACKS, HUB_KEY, SERVICE
from tests.conftest import MemoryKeyring
from tests.hub.conftest import Hub, run


def _code(hub: Hub, till: str = "Till 7") -> str:
    import psycopg

    from pos_app.hub import owner

    async def add() -> str:
        async with await psycopg.AsyncConnection.connect(hub.database_url, autocommit=True) as c:
            return (await owner.add_till(c, "Duka", till))[1]

    code: str = run(add())
    return code


def test_link_keeps_the_key_in_the_keyring_and_the_hub_in_the_config(
    hub: Hub, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["link", hub.url, _code(hub)]) == 0
    out = capsys.readouterr()
    key = memory_keyring.store[(SERVICE, HUB_KEY.value)]
    assert key.startswith("till_")
    assert key not in out.out + out.err  # never shown
    assert "Till 7" in out.out
    assert json.loads(memory_keyring.store[(SERVICE, HUB_CALLBACKS.value)]) == hub.callback_urls
    path, _ = config_path(None)
    written = tomllib.loads(path.read_text())
    assert written["hub"]["url"] == hub.url
    assert key not in path.read_text()
    (till_id,) = hub.sql("SELECT id FROM tills WHERE linked_at IS NOT NULL")[0]
    assert written["hub"]["till_id"] == str(till_id)


@pytest.mark.parametrize("how", ["mistyped", "used", "expired"])
def test_a_refused_code_changes_nothing(
    hub: Hub, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    code = _code(hub)
    if how == "mistyped":
        code = "AAAA-BBBB-CCCC-DDDD"
    elif how == "used":
        assert main(["link", hub.url, code]) == 0
        memory_keyring.store.clear()
        config_path(None)[0].unlink()
    else:
        hub.sql("UPDATE enrolments SET expires_at = now() - interval '1 second'")
    capsys.readouterr()
    assert main(["link", hub.url, code]) == 4
    err = capsys.readouterr().err
    assert "refused" in err
    assert ("expired" in err) == (how == "expired")
    assert memory_keyring.store == {}
    assert not config_path(None)[0].exists()


def test_an_unreachable_hub_or_a_bad_address_changes_nothing(
    memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["link", "ftp://hub", "AAAA-BBBB-CCCC-DDDD"]) == 2
    # The till's key goes with every request: plain http only to this machine.
    assert main(["link", "http://hub.example.com", "AAAA-BBBB-CCCC-DDDD"]) == 4
    assert "https" in capsys.readouterr().err
    assert main(["link", "http://127.0.0.1:9", "AAAA-BBBB-CCCC-DDDD"]) == 4
    assert "cannot reach the hub" in capsys.readouterr().err
    assert memory_keyring.store == {}


def test_doctor_says_whether_the_hub_answers_this_till(
    hub: Hub, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--demo", "doctor"]) == 0
    assert "hub: not set up" in capsys.readouterr().out
    assert main(["link", hub.url, _code(hub)]) == 0
    capsys.readouterr()
    assert main(["--demo", "doctor"]) == 0
    assert "OK   hub: " + hub.url + ", linked as till 'Till 7' of 'Duka'" in capsys.readouterr().out
    hub.sql("UPDATE tills SET revoked_at = now()")
    assert main(["--demo", "doctor"]) == 4
    assert "FIX  hub: " in capsys.readouterr().out
