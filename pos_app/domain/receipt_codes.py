"""Receipt numbers a cashier types from the customer's confirmation SMS."""

from __future__ import annotations

import re

from pos_app.domain.errors import ValidationError

_MPESA_CODE = re.compile(r"[A-Z0-9]{10}")


def mpesa_code(text: str) -> str:
    """The M-Pesa transaction code, e.g. NLJ7RT61SV (10 letters and digits)."""
    code = text.strip().upper()
    if not _MPESA_CODE.fullmatch(code) or code.isdigit():
        raise ValidationError(
            "{text!r} is not an M-Pesa code (10 letters and digits, like NLJ7RT61SV)",
            text=text.strip(),
        )
    return code
