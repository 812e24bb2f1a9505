from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from pytestqt.qtbot import QtBot

from pos_app.store import PaymentRepository
from pos_app.store.database import Database
from pos_app.store.migrations import migrate
from pos_app.ui.background_reads import BackgroundReads


def test_reads_run_on_a_worker_and_answer_on_the_gui_thread(
    qtbot: QtBot, repo: PaymentRepository
) -> None:
    reads = BackgroundReads(repo)
    answers: list[tuple[int, str, int]] = []

    def query(reader: PaymentRepository) -> tuple[int, str]:
        assert reader is not repo  # its own connection
        return threading.get_ident(), str(reader.file())

    reads.submit(query, lambda result: answers.append((*result, threading.get_ident())))
    assert answers == []  # not answered in the caller's stack
    qtbot.waitUntil(lambda: len(answers) == 1)
    worker, file, delivered_on = answers[0]
    assert worker != threading.get_ident() and delivered_on == threading.get_ident()
    assert Path(file) == repo.file()
    reads.close()
    reads.submit(query, lambda result: answers.append((0, "", 0)))  # after close: ignored
    qtbot.wait(50)
    assert len(answers) == 1


def test_a_failed_read_is_logged_and_not_answered(qtbot: QtBot, repo: PaymentRepository) -> None:
    reads = BackgroundReads(repo)
    answers: list[object] = []

    def broken(reader: PaymentRepository) -> None:
        raise RuntimeError("boom")

    reads.submit(broken, answers.append)
    reads.submit(lambda reader: reader.schema_version(), answers.append)
    qtbot.waitUntil(lambda: len(answers) == 1)
    assert isinstance(answers[0], int) and answers[0] >= 2
    reads.close()


def test_a_database_in_memory_is_read_in_place() -> None:
    db = Database(sqlite3.connect(":memory:"))
    migrate(db)
    repo = PaymentRepository(db)
    assert repo.file() is None
    answers: list[int] = []
    BackgroundReads(repo).submit(lambda reader: reader.schema_version(), answers.append)
    assert answers == [repo.schema_version()]


class Finalised:
    """Records the thread that lets go of it last."""

    def __init__(self, seen: list[str]) -> None:
        self._seen = seen

    def __del__(self) -> None:
        self._seen.append(threading.current_thread().name)


def test_closures_are_let_go_of_on_the_gui_thread(qtbot: QtBot, repo: PaymentRepository) -> None:
    """A query's or callback's closure is often the last reference to a window: a worker
    thread that dropped it would destroy the window's Qt objects there, and crash."""
    reads = BackgroundReads(repo)
    seen: list[str] = []
    answers: list[int] = []
    for _ in range(20):
        in_query, in_callback = Finalised(seen), Finalised(seen)
        reads.submit(
            lambda reader, held=in_query: reader.schema_version(),
            lambda result, held=in_callback: answers.append(result),
        )
        del in_query, in_callback
    qtbot.waitUntil(lambda: len(answers) == 20 and len(seen) == 40)
    assert set(seen) == {threading.main_thread().name}
    # Closing with reads still queued lets go of theirs here too.
    for _ in range(5):
        queued = Finalised(seen)
        reads.submit(lambda reader, held=queued: reader.schema_version(), answers.append)
        del queued
    reads.close()
    assert len(seen) == 45 and set(seen) == {threading.main_thread().name}
