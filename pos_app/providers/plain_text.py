"""Text a provider shows the customer, in the few characters it accepts."""

from __future__ import annotations

import re
import unicodedata


def plain(text: str | None, not_allowed: re.Pattern[str], length: int) -> str:
    """Accents folded to plain letters, every other character `not_allowed` made a space,
    spaces collapsed, cut to `length`."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", not_allowed.sub(" ", folded)).strip()[:length].strip()
