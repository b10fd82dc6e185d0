"""Writes to boards.

Every batch of element changes is validated, checked against the writer's permission, reconciled
per element with Excalidraw's rule, given the board's next sequence number, appended to the op
log and applied to the current state, in one transaction. `board_apply_batch` does that for many
batches (of many boards) at once, in one transaction with a fixed number of queries, which is how
the realtime path commits everything that arrived while the previous commit ran.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, connection, transaction

from .access import BoardPermission, board_permissions
from .errors import BoardError
from .lanes import lane_frame_element, lane_of
from .models import Board, BoardElement, BoardOp
from .validation import max_elements, validate_batch


@dataclass(frozen=True)
class OpRequest:
    board_id: int
    op_id: str
    elements: Any
    user_id: int | None = None
    check_permission: bool = True


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
        board = Board.objects.create(title=title, lanes=lane_specs, element_count=len(lane_specs))
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


def board_apply_ops(*, board_id: int, op_id: str, elements: Any, author=None) -> ApplyResult:
    """Apply one batch; raise BoardError when it is refused. The author's permission is the caller's
    to check (the board socket goes through `board_apply_batch`, which checks it)."""
    request = OpRequest(
        board_id=board_id, op_id=op_id, elements=elements, user_id=getattr(author, "pk", None), check_permission=False
    )
    [result] = board_apply_batch(requests=[request])
    if isinstance(result, Exception):
        raise result
    return result


def board_apply_batch(*, requests: list[OpRequest]) -> list[ApplyResult | BoardError]:
    """Apply batches in order, in one transaction; one result (or refusal) per request.

    If the shared transaction fails at the database, each request is retried in a transaction of
    its own, so one failure never takes the others down with it.
    """
    try:
        with transaction.atomic():
            return _apply(requests)
    except DatabaseError:
        if len(requests) == 1:
            raise
    results: list[ApplyResult | BoardError] = []
    for request in requests:
        try:
            with transaction.atomic():
                results.extend(_apply([request]))
        except DatabaseError as exc:
            results.append(
                BoardError(f"The change could not be saved ({type(exc).__name__}); resend it.", code="retry")
            )
    return results


def _apply(requests: list[OpRequest]) -> list[ApplyResult | BoardError]:
    results: list[ApplyResult | BoardError | None] = [None] * len(requests)
    batches: dict[int, list[dict[str, Any]]] = {}

    # 1. Shape and size, without touching the database.
    boards = {board.pk: board for board in _lock_boards({r.board_id for r in requests})}
    for index, request in enumerate(requests):
        board = boards.get(request.board_id)
        if board is None:
            results[index] = BoardError("This board does not exist.", code="not_found")
            continue
        if not isinstance(request.op_id, str) or not 1 <= len(request.op_id) <= 64:
            results[index] = BoardError("op_id must be a string of 1-64 characters.", code="invalid")
            continue
        try:
            batches[index] = validate_batch(request.elements, protected_ids=board.protected_ids)
        except BoardError as exc:
            results[index] = exc

    # 2. Permission, for every op, with one query.
    pending = [i for i in batches if requests[i].check_permission]
    permissions = board_permissions(pairs={(requests[i].user_id, requests[i].board_id) for i in pending})
    for index in pending:
        if permissions.get((requests[index].user_id, requests[index].board_id)) != BoardPermission.EDIT:
            results[index] = BoardError("You can no longer edit this board.", code="forbidden")
            del batches[index]

    # 3. Retries: an op id seen before is acked again, not applied again.
    seen = {
        (board_id, op_id): (seq, elements)
        for board_id, op_id, seq, elements in BoardOp.objects.filter(
            board_id__in={requests[i].board_id for i in batches}, op_id__in={requests[i].op_id for i in batches}
        ).values_list("board_id", "op_id", "seq", "elements")
    }

    # 4. The current version of every element any batch touches.
    touched = {element["id"] for elements in batches.values() for element in elements}
    current: dict[tuple[int, str], tuple[int, int, bool]] = {
        (board_id, element_id): (version, nonce, True)
        for board_id, element_id, version, nonce in BoardElement.objects.filter(
            board_id__in={requests[i].board_id for i in batches}, element_id__in=touched
        ).values_list("board_id", "element_id", "version", "version_nonce")
    }

    # 5. Reconcile in arrival order; later batches see earlier winners.
    winners: dict[tuple[int, str], BoardElement] = {}
    new_ops: list[BoardOp] = []
    losers: dict[int, list[tuple[int, str]]] = {}
    for index, elements in batches.items():
        request = requests[index]
        board = boards[request.board_id]
        key = (board.pk, request.op_id)
        if key in seen:
            seq, accepted = seen[key]
            results[index] = ApplyResult(board.pk, request.op_id, seq, accepted=accepted, duplicate=True)
            continue
        new_ids = {e["id"] for e in elements if (board.pk, e["id"]) not in current}
        if new_ids and board.element_count + len(new_ids) > max_elements():
            results[index] = BoardError(
                f"This board is full ({max_elements()} elements). Delete something before adding more.",
                code="board_full",
            )
            continue
        accepted = []
        for element in elements:
            known = current.get((board.pk, element["id"]))
            if known is None or element_wins(element, version=known[0], version_nonce=known[1]):
                accepted.append(element)
                current[(board.pk, element["id"])] = (element["version"], element["versionNonce"], True)
            else:
                losers.setdefault(index, []).append((board.pk, element["id"]))
        if not accepted:
            results[index] = ApplyResult(board.pk, request.op_id, None)
            continue
        board.seq += 1
        board.element_count += len(new_ids)
        for element in accepted:
            winners[(board.pk, element["id"])] = BoardElement(
                board_id=board.pk,
                element_id=element["id"],
                type=element["type"],
                version=element["version"],
                version_nonce=element["versionNonce"],
                is_deleted=element.get("isDeleted", False),
                lane=lane_of(element, board.lanes),
                data=element,
                updated_seq=board.seq,
            )
        new_ops.append(
            BoardOp(board_id=board.pk, seq=board.seq, op_id=request.op_id, author_id=request.user_id, elements=accepted)
        )
        seen[key] = (board.seq, accepted)
        results[index] = ApplyResult(board.pk, request.op_id, board.seq, accepted=accepted)

    # 6. Write: one upsert for the elements, one insert for the ops, one update for the boards.
    if winners:
        BoardElement.objects.bulk_create(
            winners.values(),
            update_conflicts=True,
            unique_fields=["board", "element_id"],
            update_fields=["type", "version", "version_nonce", "is_deleted", "lane", "data", "updated_seq"],
        )
        BoardOp.objects.bulk_create(new_ops)
        changed = {op.board_id for op in new_ops}
        table = connection.ops.quote_name(Board._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET seq = %s, element_count = %s WHERE id = %s",  # noqa: S608 - table name from the model
                [(boards[b].seq, boards[b].element_count, b) for b in sorted(changed)],
            )

    # 7. The server's copy of every element that lost, so its sender converges at once.
    if losers:
        wanted = {pair for pairs in losers.values() for pair in pairs}
        copies = {
            (board_id, element_id): data
            for board_id, element_id, data in BoardElement.objects.filter(
                board_id__in={b for b, _ in wanted}, element_id__in={e for _, e in wanted}
            ).values_list("board_id", "element_id", "data")
        }
        for index, pairs in losers.items():
            result = results[index]
            if isinstance(result, ApplyResult):
                result.rejected = [winners[p].data if p in winners else copies[p] for p in pairs]
    return results  # type: ignore[return-value]


def _lock_boards(board_ids: set[int]) -> list[Board]:
    # Row locks in id order: batches on one board apply one at a time (seq has no gaps and no
    # repeats), and two processes locking several boards can never deadlock.
    return list(
        Board.objects.select_for_update().filter(pk__in=board_ids).order_by("pk").only("seq", "lanes", "element_count")
    )
