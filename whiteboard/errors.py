"""The board's domain error."""

from config.errors import ApplicationError


class BoardError(ApplicationError):
    """A batch or message the board refuses; `code` is one of the protocol's error codes."""
