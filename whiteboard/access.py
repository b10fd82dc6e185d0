"""Who may read or edit a board. The board's owner app answers through a registered policy."""

from collections.abc import Callable
from enum import IntEnum

from django.core.exceptions import PermissionDenied

from .models import Board


class BoardPermission(IntEnum):
    NONE = 0
    VIEW = 1
    EDIT = 2


Policy = Callable[..., BoardPermission]
_policies: list[Policy] = []


def register_board_policy(policy: Policy) -> None:
    """`policy(*, user, board) -> BoardPermission`; the highest answer of all policies counts."""
    if policy not in _policies:
        _policies.append(policy)


def board_permission(*, user, board: Board) -> BoardPermission:
    if not user.is_authenticated:
        return BoardPermission.NONE
    return max((policy(user=user, board=board) for policy in _policies), default=BoardPermission.NONE)


def board_access(*, user, board_id: int, need: BoardPermission = BoardPermission.VIEW) -> tuple[Board, BoardPermission]:
    """Return the board and the user's permission, or raise Board.DoesNotExist / PermissionDenied."""
    board = Board.objects.only("id", "seq", "lanes", "title").get(pk=board_id)
    permission = board_permission(user=user, board=board)
    if permission < need:
        raise PermissionDenied("You do not have access to this board.")
    return board, permission
