class ValidationError(ValueError):
    """Input a person typed is not acceptable; the message is written for a cashier."""
