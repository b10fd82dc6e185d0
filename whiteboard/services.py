"""Writes to boards. One transaction per batch: validate, reconcile, append to the op log, commit."""

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from .errors import BoardError
from .lanes import lane_frame_element, lane_of
from .models import Board, BoardElement, BoardOp
from .validation import max_elements, validate_batch


@dataclass
class ApplyResult:
    board_id: int
    op_id: str
    seq: int | None  # None when nothing in the batch won
    accepted: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)  # the server's winning copies
    duplicate: bool = False


def element_wins(incoming: dict[str, Any], *, version: int, version_nonce: int) -> bool:
    """Excalidraw's rule: the higher version wins; on a tie, the lower versionNonce wins."""
    if incoming["version"] != version:
        return incoming["version"] > version
    return incoming["versionNonce"] < version_nonce


def board_create(*, title: str = "", lanes: list[dict[str, Any]] | None = None) -> Board:
    """Create a board whose lanes are locked frames.

    `lanes`: [{"key", "name", "x", "y", "width", "height"}]; the frame's element id is
    `lane-<key>`.
    """
    lane_specs = [{**lane, "element_id": f"lane-{lane['key']}"} for lane in (lanes or [])]
    with transaction.atomic():
        board = Board.objects.create(title=title, lanes=lane_specs)
        BoardElement.objects.bulk_create(
            BoardElement(
                board=board,
                element_id=lane["element_id"],
                type="frame",
                version=1,
                version_nonce=0,
                lane=lane["key"],
                data=lane_frame_element(lane, index=index),
                updated_seq=0,
            )
            for index, lane in enumerate(lane_specs)
        )
    return board


@transaction.atomic
def board_apply_ops(*, board_id: int, op_id: str, elements: Any, author: AbstractBaseUser | None = None) -> ApplyResult:
    if not isinstance(op_id, str) or not 1 <= len(op_id) <= 64:
        raise BoardError("op_id must be a string of 1-64 characters.", code="invalid")
    # Row lock: batches on one board apply one at a time, so seq has no gaps and no repeats.
    board = Board.objects.select_for_update().get(pk=board_id)

    previous = BoardOp.objects.filter(board=board, op_id=op_id).only("seq", "elements").first()
    if previous is not None:
        return ApplyResult(board_id=board.pk, op_id=op_id, seq=previous.seq, accepted=previous.elements, duplicate=True)

    batch = validate_batch(elements, protected_ids=board.protected_ids)
    ids = [element["id"] for element in batch]
    current = {row.element_id: row for row in BoardElement.objects.filter(board=board, element_id__in=ids)}

    new_ids = [element_id for element_id in ids if element_id not in current]
    if new_ids and BoardElement.objects.filter(board=board).count() + len(new_ids) > max_elements():
        raise BoardError(
            f"This board is full ({max_elements()} elements). Delete something before adding more.",
            code="board_full",
        )

    accepted, rejected = [], []
    for element in batch:
        row = current.get(element["id"])
        if row is None or element_wins(element, version=row.version, version_nonce=row.version_nonce):
            accepted.append(element)
        else:
            rejected.append(row.data)
    if not accepted:
        return ApplyResult(board_id=board.pk, op_id=op_id, seq=None, rejected=rejected)

    board.seq += 1
    to_create, to_update = [], []
    for element in accepted:
        row = current.get(element["id"]) or BoardElement(board=board, element_id=element["id"])
        row.type = element["type"]
        row.version = element["version"]
        row.version_nonce = element["versionNonce"]
        row.is_deleted = element.get("isDeleted", False)
        row.lane = lane_of(element, board.lanes)
        row.data = element
        row.updated_seq = board.seq
        (to_update if row.pk else to_create).append(row)
    BoardElement.objects.bulk_create(to_create)
    BoardElement.objects.bulk_update(
        to_update, ["type", "version", "version_nonce", "is_deleted", "lane", "data", "updated_seq"]
    )
    BoardOp.objects.create(board=board, seq=board.seq, op_id=op_id, author=author, elements=accepted)
    board.save(update_fields=["seq", "updated_at"])
    return ApplyResult(board_id=board.pk, op_id=op_id, seq=board.seq, accepted=accepted, rejected=rejected)
