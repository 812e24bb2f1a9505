from __future__ import annotations

from typing import Any


class Text(str):
    """A message for a person, kept as its English template and values so that a user
    interface can show it in its own language (translate `template`, then format it with
    `params`); it is also the English text itself, usable wherever a str is."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Text:
        text = super().__new__(cls, template.format(**params))
        text.template = template
        text.params = params
        return text


def message_of(error: BaseException) -> str:
    """What the error says: its Text when it carries one (a user interface can translate it),
    else its plain text."""
    first = error.args[0] if error.args else None
    return first if isinstance(first, Text) else str(error)


class ValidationError(ValueError):
    """Input a person typed is not acceptable; the message is written for a cashier.

    The message is a template with named fields, so that a user interface can show it in the
    cashier's language: translate `template`, then format it with `params`.
    """

    def __init__(self, template: str, **params: Any) -> None:
        self.template = template
        self.params = params
        super().__init__(template.format(**params))
