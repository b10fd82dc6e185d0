"""Extension points between layers. An app low in the import order (core <- whiteboard <- rubrics <-
interview <- review) declares a `Hook`; an app above it registers an implementation in its
`AppConfig.ready`, so the lower app asks a question ("is this rubric version used?", "what goes on
this profile?") without importing the app that answers it."""

from collections.abc import Iterator
from typing import Generic, TypeVar

F = TypeVar("F")


class Hook(Generic[F]):
    """A named list of implementations, each registered once, called in registration order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._implementations: list[F] = []

    def register(self, implementation: F) -> F:
        """Add an implementation (again is a no-op, so a repeated `ready` changes nothing); returns
        it, so it can be used as a decorator."""
        if implementation not in self._implementations:
            self._implementations.append(implementation)
        return implementation

    def __iter__(self) -> Iterator[F]:
        return iter(tuple(self._implementations))

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._implementations)} registered>"
