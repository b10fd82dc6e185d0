"""Who may read or edit a board. The board's owner app answers through a registered policy.

A policy answers for many (user id, board id) pairs at once, so the write path can check every
op of a batch with one query, and still check every op.
"""

from collections.abc import Callable, Iterable
from enum import IntEnum

from django.core.exceptions import PermissionDenied

from .models import Board


class BoardPermission(IntEnum):
    NONE = 0
    VIEW = 1
    EDIT = 2


Pair = tuple[int, int]  # (user id, board id)
Policy = Callable[..., dict[Pair, BoardPermission]]
_policies: list[Policy] = []


def register_board_policy(policy: Policy) -> None:
    """`policy(*, pairs) -> {(user_id, board_id): BoardPermission}`; the highest answer counts."""
    if policy not in _policies:
        _policies.append(policy)


def board_permissions(*, pairs: Iterable[Pair]) -> dict[Pair, BoardPermission]:
    pairs = {(user_id, board_id) for user_id, board_id in pairs if user_id is not None}
    result = dict.fromkeys(pairs, BoardPermission.NONE)
    if not pairs:
        return result
    for policy in _policies:
        for pair, permission in policy(pairs=pairs).items():
            if pair in result and permission > result[pair]:
                result[pair] = permission
    return result


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
