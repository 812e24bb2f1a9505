"""The records this process works on: the real till's, or the demo's (paths.enter_demo_world).
Either way the owner is the real till's: a PIN cannot be chosen afresh by starting the demo,
whose settings are the live till's settings."""

from __future__ import annotations

from pos_app.platform import paths
from pos_app.store import PaymentRepository, open_database


def open_repository(*, read_only_ok: bool = False) -> PaymentRepository:
    """This world's database (created and migrated when new); raises StoreError.
    `read_only_ok`: for reading only, a file that cannot be written is opened all the same."""
    db = open_database(paths.database_path(), read_only_ok=read_only_ok)
    if not paths.in_demo_world():
        return PaymentRepository(db)
    try:
        owner_db = open_database(paths.live_database_path(), read_only_ok=read_only_ok)
    except BaseException:
        db.close()
        raise
    return PaymentRepository(db, owner_db=owner_db)
