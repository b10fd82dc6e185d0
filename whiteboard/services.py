"""Writes to boards: the use cases.

Every batch of element changes is validated, checked against the writer's permission, reconciled
per element with Excalidraw's rule (whiteboard/reconcile.py), given the board's next sequence
number, appended to the op log and applied to the current state, in one transaction.
`board_apply_batch` does that for many batches (of many boards) at once, in one transaction with a
fixed number of queries, which is how the realtime path commits everything that arrived while the
previous commit ran; `board_apply_batch_async` does the same in the event loop. How rows are read
and written is the stores' part (whiteboard/stores/). `board_write_unchecked` is the one write that
skips the permission check: for tests and benchmarks, never for a user's request.
"""

import logging
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.db import DatabaseError, transaction

from .access import BoardPermission, board_permissions_from, board_policy_queries
from .errors import BoardError
from .lanes import lane_frame_element, lane_of
from .models import Board, BoardElement
from .reconcile import element_wins
from .stores import sync_store
from .stores.rows import NewOp, Winner
from .validation import (
    check_protected,
    max_board_bytes,
    max_elements,
    validate_batch_encoded,
    validate_op_id,
)

logger = logging.getLogger(__name__)


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
    # `accepted` as JSON text, as it was stored: frames are built from it without encoding again.
    accepted_json: str | None = None

    def accepted_text(self) -> str:
        if self.accepted_json is None:
            self.accepted_json = orjson.dumps(self.accepted).decode()
        return self.accepted_json


def board_create(*, title: str = "", lanes: list[dict[str, Any]] | None = None) -> Board:
    """Create a board whose lanes are locked frames.

    `lanes`: [{"key", "name", "x", "y", "width", "height"}]; the frame's element id is
    `lane-<key>`.
    """
    lane_specs = [{**lane, "element_id": f"lane-{lane['key']}"} for lane in (lanes or [])]
    frames = [lane_frame_element(lane, index=index) for index, lane in enumerate(lane_specs)]
    sizes = [len(orjson.dumps(frame)) for frame in frames]
    with transaction.atomic():
        board = Board.objects.create(
            title=title, lanes=lane_specs, element_count=len(lane_specs), byte_count=sum(sizes)
        )
        BoardElement.objects.bulk_create(
            BoardElement(
                board=board,
                element_id=lane["element_id"],
                type="frame",
                version=1,
                version_nonce=0,
                lane=lane["key"],
                data=frame,
                size=size,
                updated_seq=0,
            )
            for lane, frame, size in zip(lane_specs, frames, sizes, strict=True)
        )
    return board


def board_write_unchecked(*, board_id: int, op_id: str, elements: Any, author=None) -> ApplyResult:
    """Apply one batch without asking whether `author` may edit the board; raise BoardError when it
    is refused (shape, size, budgets: everything but permission is checked as usual).

    For tests and benchmarks only: a user's change goes through `board_apply_batch` with
    the permission check, as the board socket sends it."""
    request = OpRequest(
        board_id=board_id, op_id=op_id, elements=elements, user_id=getattr(author, "pk", None), check_permission=False
    )
    [result] = board_apply_batch(requests=[request])
    if isinstance(result, Exception):
        raise result
    return result


def board_apply_batch(*, requests: list[OpRequest]) -> list[ApplyResult | BoardError]:
    """Apply batches in order, in one transaction; one result (or refusal) per request.

    If the shared transaction fails for any reason, each request is applied again in a transaction
    of its own, so one request's failure is that request's alone: a database error answers it with
    `retry` (it may succeed later), anything else with `invalid` (the same request would fail
    the same way again) and a log line with the traceback.
    """
    store = sync_store()
    if len(requests) > 1:
        try:
            with store.transaction():
                return _drive(_apply(requests), store)
        except Exception:
            logger.warning("board batch of %d requests failed together; applying each alone", len(requests))
    results: list[ApplyResult | BoardError] = []
    for request in requests:
        try:
            with store.transaction():
                results.extend(_drive(_apply([request]), store))
        except DatabaseError as exc:
            results.append(_retry_error(request, exc))
        except Exception:
            results.append(_failed_error(request))
    return results


async def board_apply_batch_async(*, requests: list[OpRequest], store) -> list[ApplyResult | BoardError]:
    """`board_apply_batch` on an asynchronous store (`AsyncPostgresStore`): the same steps and the
    same isolation, with the database's round trips awaited in the event loop instead of a thread."""
    if len(requests) > 1:
        try:
            async with store.transaction():
                return await _drive_async(_apply(requests), store)
        except Exception:
            logger.warning("board batch of %d requests failed together; applying each alone", len(requests))
    results: list[ApplyResult | BoardError] = []
    for request in requests:
        try:
            async with store.transaction():
                results.extend(await _drive_async(_apply([request]), store))
        except store.database_errors as exc:
            results.append(_retry_error(request, exc))
        except Exception:
            results.append(_failed_error(request))
    return results


def _retry_error(request: OpRequest, exc: Exception) -> BoardError:
    logger.warning("board %s op %r could not be saved", request.board_id, request.op_id, exc_info=True)
    return BoardError(f"The change could not be saved ({type(exc).__name__}); resend it.", code="retry")


def _failed_error(request: OpRequest) -> BoardError:
    logger.exception("board %s op %r could not be applied", request.board_id, request.op_id)
    return BoardError("This change cannot be applied to the board.", code="invalid")


# `_apply` is the reconciliation itself, written once: a generator that yields what it needs from
# the store ("load", "write", "copies") and is given the answer, so the same steps run on the
# ORM, on psycopg in a thread, or on async psycopg in the event loop.
def _drive(steps, store):
    try:
        kind, argument = next(steps)
        while True:
            kind, argument = steps.send(_step(store, kind, argument))
    except StopIteration as done:
        return done.value


def _step(store, kind: str, argument):
    if kind == "load":
        return store.load(**argument)
    if kind == "write":
        return store.write(*argument)
    return store.copies(argument)


async def _drive_async(steps, store):
    try:
        kind, argument = next(steps)
        while True:
            kind, argument = steps.send(await _step(store, kind, argument))
    except StopIteration as done:
        return done.value


def _apply(requests: list[OpRequest]):
    results: list[ApplyResult | BoardError | None] = [None] * len(requests)
    batches: dict[int, list[tuple[dict[str, Any], str, int]]] = {}  # (element, stored JSON, bytes)

    # 1. Shape and size, without touching the database; each element serialised once, here.
    for index, request in enumerate(requests):
        try:
            validate_op_id(request.op_id)
            batches[index] = validate_batch_encoded(request.elements, protected_ids=frozenset())
        except BoardError as exc:
            results[index] = exc

    # 2. One read: the boards (locked), op ids seen before, current versions of touched elements,
    #    and what the permission policy needs to answer for every op.
    board_ids = {requests[i].board_id for i in batches} or {r.board_id for r in requests}
    boards, seen, current, policy_rows = yield (
        "load",
        {
            "board_ids": board_ids,
            "op_ids": {requests[i].op_id for i in batches},
            "element_ids": {element["id"] for elements in batches.values() for element, _, _ in elements},
            "policy_queries": board_policy_queries(board_ids) if any(r.check_permission for r in requests) else [],
        },
    )
    for index in list(batches):
        board = boards.get(requests[index].board_id)
        try:
            if board is None:
                raise BoardError("This board does not exist.", code="not_found")
            check_protected([element for element, _, _ in batches[index]], protected_ids=board.protected_ids)
        except BoardError as exc:
            results[index] = exc
            del batches[index]

    # 3. Permission, for every op.
    pending = [i for i in batches if requests[i].check_permission]
    asking = {(user_id, requests[i].board_id) for i in pending if (user_id := requests[i].user_id) is not None}
    permissions = board_permissions_from(policy_rows, asking) if pending else {}
    for index in pending:
        user_id = requests[index].user_id  # an op without a user has no permission
        if user_id is None or permissions.get((user_id, requests[index].board_id)) != BoardPermission.EDIT:
            results[index] = BoardError("You can no longer edit this board.", code="forbidden")
            del batches[index]

    # 4. Reconcile in arrival order; later batches see earlier winners. A retried op id is acked
    #    again, not applied again.
    winners: dict[tuple[int, str], Winner] = {}
    new_ops: list[NewOp] = []
    losers: dict[int, list[tuple[int, str]]] = {}
    for index, elements in batches.items():
        request = requests[index]
        board = boards[request.board_id]
        key = (board.pk, request.op_id)
        if key in seen:
            seq, accepted_before = seen[key]
            results[index] = ApplyResult(board.pk, request.op_id, seq, accepted=accepted_before, duplicate=True)
            continue
        new_ids = {e["id"] for e, _, _ in elements if (board.pk, e["id"]) not in current}
        if new_ids and board.element_count + len(new_ids) > max_elements():
            results[index] = BoardError(
                f"This board is full ({max_elements()} elements). Delete something before adding more.",
                code="board_full",
            )
            continue
        accepted: list[tuple[dict[str, Any], str, int]] = []
        for element, text, size in elements:
            known = current.get((board.pk, element["id"]))
            if known is None or element_wins(element, version=known[0], version_nonce=known[1]):
                accepted.append((element, text, size))
            else:
                losers.setdefault(index, []).append((board.pk, element["id"]))
        if not accepted:
            results[index] = ApplyResult(board.pk, request.op_id, None)
            continue
        growth = sum(size - current.get((board.pk, e["id"]), (0, 0, 0))[2] for e, _, size in accepted)
        if growth > 0 and board.byte_count + growth > max_board_bytes():
            results[index] = BoardError(
                f"This board has reached its size limit ({max_board_bytes() // 1024:,} KiB of drawings); "
                "this change would take it over.",
                code="board_full",
            )
            losers.pop(index, None)
            continue
        for element, _, size in accepted:
            current[(board.pk, element["id"])] = (element["version"], element["versionNonce"], size)
        board.seq += 1
        board.element_count += len(new_ids)
        board.byte_count += growth
        for element, text, size in accepted:
            winners[(board.pk, element["id"])] = Winner(
                board.pk, element, lane_of(element, board.lanes), board.seq, text, size
            )
        accepted_json = "[" + ",".join(text for _, text, _ in accepted) + "]"
        elements_only = [element for element, _, _ in accepted]
        new_ops.append(NewOp(board.pk, board.seq, request.op_id, request.user_id, elements_only, accepted_json))
        seen[key] = (board.seq, elements_only)
        results[index] = ApplyResult(
            board.pk, request.op_id, board.seq, accepted=elements_only, accepted_json=accepted_json
        )

    # 5. The server's copy of every element that lost, so its sender converges at once. (Read
    #    before the write: none of these is written by this batch, and the write ends the
    #    transaction on stores that send COMMIT with it.)
    if losers:
        wanted = {pair for pairs in losers.values() for pair in pairs if pair not in winners}
        copies = (yield ("copies", wanted)) if wanted else {}
        for index, pairs in losers.items():
            result = results[index]
            if isinstance(result, ApplyResult):
                result.rejected = [winners[p].element if p in winners else copies[p] for p in pairs]

    # 6. One write: upsert the elements, append the ops, move the boards' seqs.
    if new_ops:
        changed = sorted({op.board_id for op in new_ops})
        yield ("write", (list(winners.values()), new_ops, [boards[b] for b in changed]))
    return results
