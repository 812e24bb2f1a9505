"""What MTN accepts in payerMessage and payeeNote: 1 to 160 plain characters."""

from __future__ import annotations

import re

from pos_app.providers.plain_text import plain

MAX_NOTE = 160
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9 .,\-]")


def sanitize_note(text: str | None, fallback: str = "Payment") -> str:
    """Keep letters, digits, space and . , - (an apostrophe or & makes MTN refuse the payment;
    an empty note makes production fail); accents are folded to plain letters."""
    return (
        plain(text, _NOT_ALLOWED, MAX_NOTE) or plain(fallback, _NOT_ALLOWED, MAX_NOTE) or "Payment"
    )
