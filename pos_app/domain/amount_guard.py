"""The guard against a slip of the finger: the largest charge a till sends, and the amount above
which the cashier must confirm it a second time."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pos_app.domain.errors import ValidationError
from pos_app.domain.money import Money

# Largest charge by currency when the owner has set none. KES's is the Kenyan provider's
# published per-transaction maximum; the others publish none, so these are conservative
# (about USD 650-1,650), listed in the README. One extra zero typed on a sale stays above them.
DEFAULT_LARGEST: dict[str, Decimal] = {
    "UGX": Decimal(5_000_000),
    "GHS": Decimal(10_000),
    "RWF": Decimal(2_000_000),
    "ZMW": Decimal(25_000),
    "NGN": Decimal(1_000_000),
    "XOF": Decimal(1_000_000),
    "XAF": Decimal(1_000_000),
    "GNF": Decimal(10_000_000),
    "KES": Decimal(250_000),
    "TZS": Decimal(5_000_000),
    "MWK": Decimal(3_000_000),
    "CDF": Decimal(5_000_000),
    "MGA": Decimal(10_000_000),
    "SCR": Decimal(30_000),
    "EUR": Decimal(1_000),  # a provider sandbox's test currency
}
FALLBACK_LARGEST = Decimal(1_000)
# Without a setting, a charge above a tenth of the largest asks for a second confirmation.
DEFAULT_CONFIRM_SHARE = Decimal("0.1")


class AmountTooLarge(ValidationError):
    """More than the till may charge at once."""


@dataclass(frozen=True)
class AmountGuard:
    largest: Money
    confirm_above: Money

    @classmethod
    def for_currency(
        cls, currency: str, largest: Decimal | None = None, confirm_above: Decimal | None = None
    ) -> AmountGuard:
        """The owner's settings where given (None: the default for the currency)."""
        most = largest if largest is not None else DEFAULT_LARGEST.get(currency, FALLBACK_LARGEST)
        confirm = confirm_above if confirm_above is not None else most * DEFAULT_CONFIRM_SHARE
        return cls(
            Money.from_decimal(most, currency), Money.from_decimal(min(confirm, most), currency)
        )

    def check(self, amount: Money, locale: str) -> None:
        """Raises AmountTooLarge above the largest charge."""
        if amount.minor_units > self.largest.minor_units:
            raise AmountTooLarge(
                "{amount} is more than this till's largest charge ({largest}): check the "
                "amount (the owner can change the limit in the settings)",
                amount=amount.format(locale),
                largest=self.largest.format(locale),
            )

    def needs_confirmation(self, amount: Money) -> bool:
        return amount.minor_units > self.confirm_above.minor_units
