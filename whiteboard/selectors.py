"""Reads of boards: the current state, what changed since a seq, and the board as it was."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .lanes import lane_of
from .models import Board, BoardElement, BoardOp
from .reconcile import merge_into, z_order


@dataclass
class BoardState:
    board_id: int
    seq: int
    lanes: list[dict[str, Any]]
    elements: list[dict[str, Any]]  # each carries a "lane" key ("offline", "online" or None)


def _with_lane(data: dict[str, Any], lane: str | None) -> dict[str, Any]:
    return {**data, "lane": lane}


def board_get_state(*, board_id: int, include_deleted: bool = True) -> BoardState:
    board = Board.objects.only("seq", "lanes").get(pk=board_id)
    rows = BoardElement.objects.filter(board_id=board_id).order_by("id")
    if not include_deleted:
        rows = rows.filter(is_deleted=False)
    elements = z_order([_with_lane(row.data, row.lane) for row in rows.only("data", "lane")])
    return BoardState(board_id=board.pk, seq=board.seq, lanes=board.lanes, elements=elements)


def board_ops_since(*, board_id: int, since_seq: int, limit: int) -> list[BoardOp] | None:
    """The ops after `since_seq` in order, or None when there are more than `limit` of them."""
    ops = list(
        BoardOp.objects.filter(board_id=board_id, seq__gt=since_seq)
        .order_by("seq")
        .only("seq", "elements")[: limit + 1]
    )
    return None if len(ops) > limit else ops


def board_state_at(*, board_id: int, seq: int) -> BoardState:
    """Rebuild the board as it was right after op `seq`, by replaying the op log."""
    board = Board.objects.only("seq", "lanes").get(pk=board_id)
    initial = BoardElement.objects.filter(board_id=board_id, updated_seq=0, element_id__in=board.protected_ids)
    state: dict[str, dict[str, Any]] = {row.element_id: row.data for row in initial}
    for elements in (
        BoardOp.objects.filter(board_id=board_id, seq__lte=seq)
        .order_by("seq")
        .values_list("elements", flat=True)
        .iterator(chunk_size=2000)
    ):
        merge_into(state, elements)
    elements = z_order([_with_lane(data, lane_of(data, board.lanes)) for data in state.values()])
    return BoardState(board_id=board.pk, seq=min(seq, board.seq), lanes=board.lanes, elements=elements)


def board_initial_elements(*, board_id: int) -> list[dict[str, Any]]:
    """The board as it was created, before op 1: its locked lane frames."""
    board = Board.objects.only("lanes").get(pk=board_id)
    rows = BoardElement.objects.filter(board_id=board_id, updated_seq=0, element_id__in=board.protected_ids)
    return z_order([row.data for row in rows.only("data")])


def board_ops_page(*, board_id: int, after_seq: int, limit: int) -> list[BoardOp]:
    """Up to `limit` ops after `after_seq`, in order: the op log read a page at a time."""
    return list(
        BoardOp.objects.filter(board_id=board_id, seq__gt=after_seq)
        .order_by("seq")
        .only("seq", "created_at", "author", "elements")[:limit]
    )


def board_op_rows(*, board_id: int, after_seq: int, limit: int) -> list[tuple[int, dt.datetime, int | None, list]]:
    """Like `board_ops_page`, as (seq, created_at, author_id, elements) rows: for reading the whole
    log, where building a model instance per op would cost more than the read itself."""
    return list(
        BoardOp.objects.filter(board_id=board_id, seq__gt=after_seq)
        .order_by("seq")
        .values_list("seq", "created_at", "author_id", "elements")[:limit]
    )


def board_op_times(*, board_id: int) -> list[tuple[int, dt.datetime]]:
    """(seq, created_at) of every op in order, without the elements: for placing moments on the log."""
    return list(BoardOp.objects.filter(board_id=board_id).order_by("seq").values_list("seq", "created_at"))
