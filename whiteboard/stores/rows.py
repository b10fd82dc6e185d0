"""What the write path and its stores hand each other: plain rows, not model instances.

`whiteboard.services._apply` asks a store to load `Loaded`, reconciles, and gives it back the
`Winner`s, `NewOp`s and changed `BoardRow`s to write.
"""

from dataclasses import dataclass
from typing import Any


@dataclass
class BoardRow:
    pk: int
    seq: int
    lanes: list[dict[str, Any]]
    element_count: int
    byte_count: int

    @property
    def protected_ids(self) -> frozenset[str]:
        return frozenset(lane["element_id"] for lane in self.lanes)


@dataclass(frozen=True)
class Winner:
    board_id: int
    element: dict[str, Any]
    lane: str | None
    seq: int
    text: str  # the element's stored JSON
    size: int  # its bytes


@dataclass(frozen=True)
class NewOp:
    board_id: int
    seq: int
    op_id: str
    author_id: int | None
    elements: list[dict[str, Any]]
    text: str  # `elements` as stored JSON


Loaded = tuple[
    dict[int, BoardRow],
    dict[tuple[int, str], tuple[int, list[dict[str, Any]]]],  # (board, op id) -> (seq, elements)
    dict[tuple[int, str], tuple[int, int, int]],  # (board, element id) -> (version, nonce, size)
    list[list[tuple]],  # the permission policies' rows
]
