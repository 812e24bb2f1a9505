"""What goes on a slip of paper, before anything knows how it will be printed.

A `Slip` is a list of blocks; the ESC/POS renderer turns it into printer commands, the HTML
renderer into what Qt prints and saves as PDF. Neither decides what a receipt says.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Title:
    """Large, bold and centred: the shop's name, or a slip's kind."""

    text: str


@dataclass(frozen=True)
class Centered:
    text: str
    bold: bool = False


@dataclass(frozen=True)
class Row:
    """A label on the left and its value on the right (below it, if the line is too short)."""

    label: str
    value: str
    bold: bool = False


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Rule:
    pass


@dataclass(frozen=True)
class Qr:
    data: str


Block = Title | Centered | Row | Heading | Rule | Qr


@dataclass(frozen=True)
class Slip:
    kind: str  # receipt | refund | report | test
    blocks: tuple[Block, ...]

    def rows(self) -> dict[str, str]:
        """The values by label (the last one wins), for tests and for reading back."""
        return {b.label: b.value for b in self.blocks if isinstance(b, Row)}
