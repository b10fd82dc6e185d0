"""Who may read or edit a board. The board's owner app answers through a registered policy.

A policy is two parts: `rows(board_ids)`, one query for any number of boards, and
`decide(rows, pairs)`, which turns those rows into a permission per (user id, board id). The
write path runs the query together with its own reads (on PostgreSQL, in the same round trip), so
every op of every batch is checked without a query of its own.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import IntEnum

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from core.hooks import Hook

from .models import Board


class BoardPermission(IntEnum):
    NONE = 0
    VIEW = 1
    EDIT = 2


Pair = tuple[int, int]  # (user id, board id)


@dataclass(frozen=True)
class BoardPolicy:
    rows: Callable[[set[int]], QuerySet]
    decide: Callable[[list[tuple], set[Pair]], dict[Pair, BoardPermission]]


# Apps that put boards to use register who may read or edit them; the highest answer of all
# registered policies counts.
board_policies: Hook[BoardPolicy] = Hook("board policies")


def board_policy_queries(board_ids: set[int]) -> list[QuerySet]:
    return [policy.rows(board_ids) for policy in board_policies]


def board_permissions_from(rows_per_policy: list[list[tuple]], pairs: Iterable[Pair]) -> dict[Pair, BoardPermission]:
    pairs = {(user_id, board_id) for user_id, board_id in pairs if user_id is not None}
    result = dict.fromkeys(pairs, BoardPermission.NONE)
    for policy, rows in zip(board_policies, rows_per_policy, strict=True):
        for pair, permission in policy.decide(rows, pairs).items():
            if pair in result and permission > result[pair]:
                result[pair] = permission
    return result


def board_permissions(*, pairs: Iterable[Pair]) -> dict[Pair, BoardPermission]:
    pairs = {(user_id, board_id) for user_id, board_id in pairs if user_id is not None}
    if not pairs:
        return {}
    queries = board_policy_queries({board_id for _, board_id in pairs})
    return board_permissions_from([list(query) for query in queries], pairs)


def board_permission(*, user, board: Board) -> BoardPermission:
    if not user.is_authenticated:
        return BoardPermission.NONE
    return board_permissions(pairs=[(user.pk, board.pk)])[(user.pk, board.pk)]


def board_access(*, user, board_id: int, need: BoardPermission = BoardPermission.VIEW) -> tuple[Board, BoardPermission]:
    """Return the board and the user's permission, or raise Board.DoesNotExist / PermissionDenied."""
    board = Board.objects.only("id", "seq", "lanes", "title").get(pk=board_id)
    permission = board_permission(user=user, board=board)
    if permission < need:
        raise PermissionDenied("You do not have access to this board.")
    return board, permission
