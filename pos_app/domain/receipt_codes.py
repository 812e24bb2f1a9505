"""Receipt codes a cashier types from the customer's confirmation SMS, in a provider's shape."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pos_app.domain.errors import ValidationError


@dataclass(frozen=True)
class ReceiptCode:
    name: str  # what the customer's SMS calls it, e.g. "<brand> code"
    pattern: re.Pattern[str]  # of the code in upper case
    shape: str  # the pattern in words, e.g. "10 letters and digits"
    example: str
    # Digits alone are refused where a code always has letters (a phone number typed by
    # mistake looks so); some providers' codes are digits only.
    letters_required: bool = True

    def parse(self, text: str) -> str:
        """The code in its stored form (upper case); raises ValidationError."""
        code = text.strip().upper()
        if not self.pattern.fullmatch(code) or (self.letters_required and code.isdigit()):
            raise ValidationError(
                "{text!r} is not a valid {name} ({shape}, like {example})",
                text=text.strip(),
                name=self.name,
                shape=self.shape,
                example=self.example,
            )
        return code
