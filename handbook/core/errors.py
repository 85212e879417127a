"""Errors that services raise when input breaks a rule; views and the API show their message."""


class RuleViolation(Exception):
    """A business rule refused the change. Nothing was written (the transaction rolled back)."""

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None, errors: dict | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.field = field
        #: Every problem by field, when the input had several (forms show each next to its field).
        self.errors = errors or ({field: str(message)} if field else {})

    def __str__(self) -> str:
        return str(self.message)
