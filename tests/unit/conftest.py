from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pos_app.store import PaymentRepository, open_database


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "pos.sqlite3"


@pytest.fixture
def repo(db_path: Path) -> Iterator[PaymentRepository]:
    repository = PaymentRepository(open_database(db_path))
    yield repository
    repository.close()
