"""The one kind of refusal the domain layer raises."""


class DomainError(Exception):
    """An action refused (bad input, a step not allowed now). ``field`` names the input at fault, if any;
    ``code`` and ``status`` are what the API answers (``jiceng.api.errors``), pages put ``message`` next
    to the field."""

    code = "invalid"
    status = 400

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = str(message)
        self.field = field
