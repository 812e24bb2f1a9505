"""Each till's own hash chain (what it uploads to the hub): events numbered 1, 2, 3... per
till, checked link by link; a file from before the split gets its chains by migration, and
`pos-app verify` still reads old files as they are."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from pos_app.cli.main import main
from pos_app.domain.chain import GENESIS
from pos_app.domain.payment import PaymentStatus
from pos_app.store import PaymentRepository, audit, open_database
from pos_app.store.migrations import MIGRATIONS, migrate
from tests.unit.test_audit import raw
from tests.unit.test_repository import add, settle

S = PaymentStatus


def two_tills(repo: PaymentRepository) -> None:
    for till in ("Till 1", "Till 2", "Till 1"):
        settle(repo, add(repo, till=till), S.SUCCESSFUL)
    add(repo, till="Till 2")


def chains(path: Path) -> dict[str, list[int]]:
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute(
            "SELECT min(n.name), e.seq FROM payment_events e"
            " JOIN till_names n ON n.till_id = e.till_id GROUP BY e.id ORDER BY e.id"
        ).fetchall()
    found: dict[str, list[int]] = {}
    for name, seq in rows:
        found.setdefault(name, []).append(seq)
    return found


def test_each_till_numbers_its_own_events(db_path: Path, repo: PaymentRepository) -> None:
    two_tills(repo)
    assert chains(db_path) == {"Till 1": list(range(1, 9)), "Till 2": list(range(1, 6))}
    verdict = repo.verify()
    assert verdict.intact and verdict.tills == 2
    first = repo.outbox.till_id("Till 1")
    assert first == repo.outbox.till_id("Till 1") != repo.outbox.till_id("Till 2")
    assert repo.outbox.head(first) == 8


def test_a_till_id_is_never_changed_or_given_again(db_path: Path, repo: PaymentRepository) -> None:
    repo.outbox.till_id("Till 1")
    for sql in ("UPDATE tills SET id = 'x'", "DELETE FROM tills"):
        with pytest.raises(sqlite3.IntegrityError, match="till"):
            raw(db_path, sql)


def test_a_renamed_till_keeps_its_history_at_its_hub(
    db_path: Path, repo: PaymentRepository
) -> None:
    settle(repo, add(repo, till="Till 1"), S.SUCCESSFUL)
    before = repo.outbox.till_id("Till 1", chain_key="hub-till-7")
    late = add(repo, till="Till 1")  # a payment of the old name, still open
    renamed = repo.outbox.till_id("Counter A", chain_key="hub-till-7")  # the owner renamed it
    assert renamed == before
    settle(repo, add(repo, till="Counter A"), S.SUCCESSFUL)
    settle(repo, late, S.SUCCESSFUL)  # its events go on in the same history
    assert chains(db_path) == {"Counter A": list(range(1, 13))}
    assert repo.outbox.head(before) == 12 and repo.verify().intact
    # Another link (another key) starts a history of its own for a name not seen before.
    assert repo.outbox.till_id("Till 2", chain_key="hub-till-8") != before


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (
            "UPDATE payment_events SET till_hash = '{}' WHERE seq = 3 AND till_id = '{}'",
            "event 3 (payment",
        ),
        ("DELETE FROM payment_events WHERE seq = 3 AND till_id = '{1}'", "event 3 of the till's"),
    ],
)
def test_a_broken_till_chain_is_named(
    db_path: Path, repo: PaymentRepository, edit: str, problem: str
) -> None:
    two_tills(repo)
    till = repo.outbox.till_id("Till 2")
    raw(
        db_path,
        "DROP TRIGGER payment_events_no_update",
        "DROP TRIGGER payment_events_no_delete",
        edit.format("ab" * 32, till),
    )
    checked = repo.outbox.check_page(till, 0, None, 100)
    assert checked.problem is not None and checked.problem.startswith(problem)
    assert checked.seq == 3
    verdict = repo.verify()
    assert not verdict.intact and verdict.problem is not None


def test_checking_page_by_page_ends_where_a_whole_check_does(repo: PaymentRepository) -> None:
    two_tills(repo)
    till = repo.outbox.till_id("Till 1")
    whole = repo.outbox.check_page(till, 0, None, -1)
    after, link = 0, GENESIS
    while True:
        page = repo.outbox.check_page(till, after, link, 3)
        if page.seq == after:
            break
        after, link = page.seq, page.hash
    assert (after, link, whole.problem) == (whole.seq, whole.hash, None) and after == 8


def sealed_as_before(db: Any, event: Mapping[str, Any]) -> dict[str, Any]:
    """How events were sealed before the split: in the file's chain only."""
    state = audit.state_hash(audit.payment_row(db, event["reference_id"]))
    return {"state_hash": state, "hash": audit.event_hash(audit.last_hash(db), event, state)}


def test_old_files_are_split_by_till_and_old_copies_still_verify(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.sqlite3"
    old = open_database(path, migrate=False)
    migrate(old, MIGRATIONS[:6])  # a till that ran the version before the split
    old_repo = PaymentRepository(old)
    with monkeypatch.context() as patched:
        patched.setattr(audit, "seal", sealed_as_before)
        two_tills(old_repo)
    with closing(sqlite3.connect(path)) as conn:
        file_chain = conn.execute("SELECT id, hash FROM payment_events ORDER BY id").fetchall()
    old_repo.close()
    kept = tmp_path / "kept.sqlite3"
    shutil.copy(path, kept)

    assert main(["verify", str(kept)]) == 0  # read as it is, not migrated
    with closing(sqlite3.connect(kept)) as conn:
        assert schema_version_of(conn) == 6

    repository = PaymentRepository(open_database(path))  # migrates
    try:
        assert repository.schema_version() == len(MIGRATIONS)
        assert chains(path) == {"Till 1": list(range(1, 9)), "Till 2": list(range(1, 6))}
        with closing(sqlite3.connect(path)) as conn:
            assert (
                conn.execute("SELECT id, hash FROM payment_events ORDER BY id").fetchall()
                == file_chain
            )  # the file's own chain is left as it was
        add(repository, till="Till 2")  # and chains on
        verdict = repository.verify()
        assert verdict.intact and verdict.tills == 2
        assert chains(path)["Till 2"] == list(range(1, 7))
    finally:
        repository.close()


def schema_version_of(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT max(version) FROM schema_migrations").fetchone()[0])


def test_the_outbox_reads_only_rows_its_events_sealed(repo: PaymentRepository) -> None:
    payment = add(repo)
    settle(repo, payment, S.SUCCESSFUL)
    till = repo.outbox.till_id("Till 1")
    early = repo.outbox.batch(till, 0, 2)  # created, submitting: the row has moved on since
    assert [e["seq"] for e in early.events] == [1, 2] and early.payments == []
    assert early.previous == GENESIS and early.head == 4
    rest = repo.outbox.batch(till, 2, 10)
    assert [row["reference_id"] for row in rest.payments] == [payment.reference_id]
    assert rest.previous == early.events[-1]["hash"]
    assert repo.outbox.batch(till, 4, 10).events == []
