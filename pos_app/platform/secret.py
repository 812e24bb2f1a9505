"""A secret value that cannot leak by accident: hidden in reprs, messages and the log."""

from __future__ import annotations

from pos_app.platform import logs


class Secret:
    """A secret value that prints as *** everywhere; `reveal()` only where it is sent."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        logs.hide(value)  # even a value quoted by a library's error message stays out of the log

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("a Secret cannot be pickled")
