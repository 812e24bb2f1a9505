"""What MTN accepts in payerMessage and payeeNote: 1 to 160 plain characters."""

from __future__ import annotations

import re
import unicodedata

MAX_NOTE = 160
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9 .,\-]")


def sanitize_note(text: str | None, fallback: str = "Payment") -> str:
    """Keep letters, digits, space and . , - (an apostrophe or & makes MTN refuse the payment;
    an empty note makes production fail); accents are folded to plain letters."""
    return _clean(text) or _clean(fallback) or "Payment"


def _clean(text: str | None) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", _NOT_ALLOWED.sub(" ", folded)).strip()[:MAX_NOTE].strip()
