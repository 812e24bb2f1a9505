"""The receipt store: SQLite through sqlite-utils. All of the app's SQL lives in this package."""

from pos_app.store.db import (
    DatabaseBusy,
    DatabaseDamaged,
    DatabaseTooNew,
    StoreError,
    open_database,
    open_reader,
)
from pos_app.store.repository import PaymentNotFound, PaymentRepository

__all__ = [
    "DatabaseBusy",
    "DatabaseDamaged",
    "DatabaseTooNew",
    "PaymentNotFound",
    "PaymentRepository",
    "StoreError",
    "open_database",
    "open_reader",
]
