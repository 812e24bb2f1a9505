from typing import Any


class ValidationError(ValueError):
    """Input a person typed is not acceptable; the message is written for a cashier.

    The message is a template with named fields, so that a user interface can show it in the
    cashier's language: translate `template`, then format it with `params`.
    """

    def __init__(self, template: str, **params: Any) -> None:
        self.template = template
        self.params = params
        super().__init__(template.format(**params))
