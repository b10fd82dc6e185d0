"""The board's refusals: a domain error whose code is one of the protocol's error codes."""

from core.errors import ApplicationError


class BoardError(ApplicationError):
    """A batch or message the board refuses; `code` is one of the protocol's error codes."""
