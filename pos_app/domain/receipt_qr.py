"""What a receipt's QR code holds: our reference, then the provider's receipt code.

A scanner types it into the receipts search like keys; the search finds the payment by the
reference at its start, so the owner finds a receipt by scanning it.
"""

from __future__ import annotations

import re

_SCANNED = re.compile(
    r"\s*([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\b"
)


def qr_text(reference_id: str, receipt_code: str | None) -> str:
    return f"{reference_id} {receipt_code}" if receipt_code else reference_id


def scanned_reference(text: str) -> str | None:
    """The reference at the start of a scanned receipt's text, else None."""
    found = _SCANNED.match(text)
    return found.group(1).lower() if found else None
