"""A connection and the few things the store asks of it (it used sqlite-utils' Database for
them, whose import and plug-in search cost every start about 0.15 s)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

Parameters = Sequence[Any] | Mapping[str, Any]

# Statements that open or close a transaction themselves: never committed behind them.
TRANSACTION_CONTROL = frozenset({"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"})
READS = frozenset({"SELECT", "WITH", "VALUES"})
_LEADING = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?(?:\*/|$))*", re.DOTALL)
_WORD = re.compile(r"[A-Za-z]+")


def first_keyword(sql: str) -> str:
    """The statement's first word, in capitals, after blanks and comments."""
    found = _WORD.match(sql, _LEADING.match(sql).end())  # type: ignore[union-attr]
    return found.group(0).upper() if found else ""


class Database:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        # A trigger's own writes fire triggers too (the search index and the day's tallies
        # follow every payment write, whichever statement made it).
        self.execute("PRAGMA recursive_triggers = on")

    def execute(self, sql: str, parameters: Parameters | None = None) -> sqlite3.Cursor:
        """Run one statement. Outside a transaction a write is committed at once; inside one
        (write_transaction) it is part of it. A statement that fails leaves no transaction
        of its own open behind it."""
        was_in_transaction = self.conn.in_transaction
        try:
            cursor = self.conn.execute(sql, () if parameters is None else parameters)
        except Exception:
            if not was_in_transaction and self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        if (
            not was_in_transaction
            and self.conn.in_transaction
            and cursor.description is None
            and first_keyword(sql) not in TRANSACTION_CONTROL
        ):
            self.conn.execute("COMMIT")  # Python's sqlite3 opened it before the write
        return cursor

    def query(self, sql: str, parameters: Parameters | None = None) -> Iterator[dict[str, Any]]:
        """The rows of a SELECT, as column → value, read as they are taken."""
        if first_keyword(sql) not in READS:  # refused before it could change anything
            raise ValueError("query() is for statements that return rows: use execute()")
        cursor = self.conn.execute(sql, () if parameters is None else parameters)
        keys = [column[0] for column in cursor.description]
        return (dict(zip(keys, row, strict=True)) for row in cursor)

    def has_table(self, name: str) -> bool:
        found = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name]
        ).fetchone()
        return found is not None

    def columns(self, table: str) -> list[str]:
        return [row[1] for row in self.conn.execute("SELECT * FROM pragma_table_info(?)", [table])]

    def close(self) -> None:
        self.conn.close()
