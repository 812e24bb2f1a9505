"""The receipt store: SQLite (Python's sqlite3). All of the app's SQL lives in this package."""

from pos_app.store.db import open_database, open_reader
from pos_app.store.faults import (
    CannotWrite,
    DatabaseBusy,
    DatabaseDamaged,
    DatabaseTooNew,
    DiskFailing,
    DiskFull,
    StorageFault,
    StoreError,
)
from pos_app.store.repository import PaymentNotFound, PaymentRepository

__all__ = [
    "CannotWrite",
    "DatabaseBusy",
    "DatabaseDamaged",
    "DatabaseTooNew",
    "DiskFailing",
    "DiskFull",
    "PaymentNotFound",
    "PaymentRepository",
    "StorageFault",
    "StoreError",
    "open_database",
    "open_reader",
]
