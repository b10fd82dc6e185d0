"""The one domain error type. Services raise it; views, the API handler and consumers map it."""


class ApplicationError(Exception):
    """A request the domain refuses. `code` is stable for clients; `message` tells the user what to fix."""

    status = 400

    def __init__(self, message: str, *, code: str = "invalid", status: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        if status is not None:
            self.status = status
