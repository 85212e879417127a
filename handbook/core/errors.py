"""Errors that services raise when input breaks a rule; views and the API show their message."""


class RuleViolation(Exception):
    """A business rule refused the change. Nothing was written (the transaction rolled back)."""

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.field = field

    def __str__(self) -> str:
        return str(self.message)
