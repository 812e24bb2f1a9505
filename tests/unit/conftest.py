from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pos_app.platform import paths
from pos_app.store import PaymentRepository, open_database
from tests.seeded_day import seed_day


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "pos.sqlite3"


@pytest.fixture
def repo(db_path: Path) -> Iterator[PaymentRepository]:
    repository = PaymentRepository(open_database(db_path))
    yield repository
    repository.close()


@pytest.fixture
def seeded() -> Iterator[tuple[PaymentRepository, dict[str, str]]]:
    """This world's database holding the seeded shop day (tests/seeded_day.py), by name."""
    repo = PaymentRepository(open_database(paths.database_path()))
    yield repo, seed_day(repo)
    repo.close()
