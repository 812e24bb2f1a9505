"""The records this process works on: the real till's, or the demo's (paths.enter_demo_world).
Either way the owner is the real till's: a PIN cannot be chosen afresh by starting the demo,
whose settings are the live till's settings."""

from __future__ import annotations

from pos_app import paths
from pos_app.store import PaymentRepository, open_database


def open_repository() -> PaymentRepository:
    """This world's database (created and migrated when new); raises StoreError."""
    db = open_database(paths.database_path())
    if not paths.in_demo_world():
        return PaymentRepository(db)
    try:
        owner_db = open_database(paths.live_database_path())
    except BaseException:
        db.close()
        raise
    return PaymentRepository(db, owner_db=owner_db)
