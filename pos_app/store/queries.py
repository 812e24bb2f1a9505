"""What is asked of the payments (a filter, a page, totals) and the SQL a filter becomes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from pos_app.domain.countries import Provider
from pos_app.domain.money import Money
from pos_app.domain.payment import Payment, PaymentStatus
from pos_app.domain.phone import PhoneError, parse_phone
from pos_app.domain.receipt_qr import scanned_reference
from pos_app.store.timestamps import to_db_time


def local_day(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The [start, end) instants of a calendar day in the shop's time zone."""
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


@dataclass(frozen=True)
class PaymentFilter:
    start: datetime | None = None  # created at or after
    end: datetime | None = None  # created before
    statuses: frozenset[PaymentStatus] = frozenset()
    provider: Provider | None = None
    search: str | None = None  # phone digits, order reference, reference id or receipt number
    till: str | None = None
    # The shop's country: a search that is a whole phone number of it ("0772 123 456") finds
    # that customer's payments through the phone index instead of scanning every row.
    region: str | None = None


@dataclass(frozen=True)
class PageCursor:
    created_at: str
    reference_id: str


@dataclass(frozen=True)
class Page:
    payments: list[Payment]
    next_cursor: PageCursor | None  # None on the last page


@dataclass(frozen=True)
class Total:
    status: PaymentStatus
    count: int
    amount: Money
    refund: bool = False  # a total of refunds, not of customers' payments

    @property
    def received(self) -> bool:
        """Money the shop received (a paid payment; a refunded one is counted as refunds)."""
        return self.status == PaymentStatus.SUCCESSFUL and not self.refund


def where(flt: PaymentFilter, *, indexed: bool = False) -> tuple[list[str], list[Any]]:
    """The conditions a filter puts on payments, and their parameters. `indexed`: the file
    has the search index (`payments_search`, migration 8)."""
    conditions: list[str] = []
    params: list[Any] = []
    if flt.start is not None:
        conditions.append("created_at >= ?")
        params.append(to_db_time(flt.start))
    if flt.end is not None:
        conditions.append("created_at < ?")
        params.append(to_db_time(flt.end))
    if flt.statuses:
        conditions.append(f"status IN ({', '.join('?' for _ in flt.statuses)})")
        params += sorted(s.value for s in flt.statuses)
    if flt.provider is not None:
        conditions.append("provider = ?")
        params.append(flt.provider)
    if flt.till is not None:
        conditions.append("till = ?")
        params.append(flt.till)
    term = (flt.search or "").strip()
    phone = _whole_phone(term, flt.region)
    if (scanned := scanned_reference(term)) is not None:
        conditions.append("reference_id = ?")  # a receipt's QR code, scanned
        params.append(scanned)
    elif phone is not None:
        conditions.append("msisdn = ?")
        params.append(phone)
    elif term:
        condition, values = _text_search(term, indexed)
        conditions.append(condition)
        params += values
    return conditions, params


def _needles(term: str) -> tuple[str, str | None]:
    """What a typed search looks for: the text itself (in order references and receipt codes),
    and, when it is mostly a phone number, its digits without leading zeros (in numbers,
    which are stored without them: "0772 12" is in 256772123456)."""
    digits = "".join(ch for ch in term if ch.isdigit())
    if len(digits) >= 3 and len(digits) >= len(term.replace(" ", "")) - 1:
        return term, digits.lstrip("0")
    return term, None


def _text_search(term: str, indexed: bool) -> tuple[str, list[Any]]:
    """Part of a receipt code or order reference, the start of our reference, or part of a
    phone number, as SQL's LIKE means it. With the index, the rows are first narrowed to the
    candidates the index finds (a phrase of trigrams: a superset of what LIKE matches, since
    the index folds case at least as widely), and the start of a reference through the
    primary key; LIKE then keeps exactly what it always kept."""
    text, digits = _needles(term)
    like = "%" + _escape_like(text) + "%"
    alternatives = [
        "external_id LIKE ? ESCAPE '\\'",
        "provider_transaction_id LIKE ? ESCAPE '\\'",
        "reference_id LIKE ? ESCAPE '\\'",
    ]
    values: list[Any] = [like, like, _escape_like(text) + "%"]
    if digits is not None:
        alternatives.append("msisdn LIKE ? ESCAPE '\\'")
        values.append("%" + _escape_like(digits) + "%")
    exact = "(" + " OR ".join(alternatives) + ")"
    # The trigram index finds only what is 3 characters or longer (SQLite FTS5), and its
    # query ends at a NUL: such a term is looked for in every row.
    searchable = len(text) >= 3 and (digits is None or len(digits) >= 3) and "\0" not in text
    if not (indexed and searchable):
        return exact, values
    phrases = dict.fromkeys(p for p in (text, digits) if p is not None)
    match = " OR ".join('"' + phrase.replace('"', '""') + '"' for phrase in phrases)
    # References are stored as written (lower-case UUIDs); LIKE finds them in either case.
    starts = [
        bound for start in (text.lower(), text.upper()) for bound in (start, start + "\U0010ffff")
    ]
    candidates = (
        "rowid IN (SELECT rowid FROM payments_search WHERE payments_search MATCH ?"
        " UNION ALL SELECT rowid FROM payments WHERE reference_id >= ? AND reference_id < ?"
        " UNION ALL SELECT rowid FROM payments WHERE reference_id >= ? AND reference_id < ?)"
    )
    return f"{candidates} AND {exact}", [match, *starts, *values]


def _whole_phone(term: str, region: str | None) -> str | None:
    if not term or region is None or not any(ch.isdigit() for ch in term):
        return None
    try:
        return parse_phone(term, region).msisdn
    except PhoneError:
        return None


def clause(conditions: Iterable[str]) -> str:
    """The WHERE clause of `conditions` (all must hold), or nothing."""
    parts = list(conditions)
    return ("WHERE " + " AND ".join(parts)) if parts else ""


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
