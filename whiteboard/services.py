"""Writes to boards.

Every batch of element changes is validated, checked against the writer's permission, reconciled
per element with Excalidraw's rule, given the board's next sequence number, appended to the op
log and applied to the current state, in one transaction. `board_apply_batch` does that for many
batches (of many boards) at once, in one transaction with a fixed number of queries, which is how
the realtime path commits everything that arrived while the previous commit ran.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
import psycopg
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from .access import BoardPermission, board_permissions_from, board_policy_queries
from .errors import BoardError
from .lanes import lane_frame_element, lane_of
from .models import Board, BoardElement, BoardOp
from .validation import check_protected, max_elements, validate_batch


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
    store = PostgresStore() if connection.vendor == "postgresql" else OrmStore()
    try:
        with store.transaction():
            return _apply(requests, store)
    except DatabaseError:
        if len(requests) == 1:
            raise
    results: list[ApplyResult | BoardError] = []
    for request in requests:
        try:
            with store.transaction():
                results.extend(_apply([request], store))
        except DatabaseError as exc:
            results.append(
                BoardError(f"The change could not be saved ({type(exc).__name__}); resend it.", code="retry")
            )
    return results


def _apply(requests: list[OpRequest], store: "OrmStore | PostgresStore") -> list[ApplyResult | BoardError]:
    results: list[ApplyResult | BoardError | None] = [None] * len(requests)
    batches: dict[int, list[dict[str, Any]]] = {}

    # 1. Shape and size, without touching the database.
    for index, request in enumerate(requests):
        if not isinstance(request.op_id, str) or not 1 <= len(request.op_id) <= 64:
            results[index] = BoardError("op_id must be a string of 1-64 characters.", code="invalid")
            continue
        try:
            batches[index] = validate_batch(request.elements, protected_ids=frozenset())
        except BoardError as exc:
            results[index] = exc

    # 2. One read: the boards (locked), op ids seen before, current versions of touched elements,
    #    and what the permission policy needs to answer for every op.
    board_ids = {requests[i].board_id for i in batches} or {r.board_id for r in requests}
    boards, seen, current, policy_rows = store.load(
        board_ids=board_ids,
        op_ids={requests[i].op_id for i in batches},
        element_ids={element["id"] for elements in batches.values() for element in elements},
        policy_queries=board_policy_queries(board_ids) if any(r.check_permission for r in requests) else [],
    )
    for index in list(batches):
        board = boards.get(requests[index].board_id)
        try:
            if board is None:
                raise BoardError("This board does not exist.", code="not_found")
            check_protected(batches[index], protected_ids=board.protected_ids)
        except BoardError as exc:
            results[index] = exc
            del batches[index]

    # 3. Permission, for every op.
    pending = [i for i in batches if requests[i].check_permission]
    permissions = (
        board_permissions_from(policy_rows, {(requests[i].user_id, requests[i].board_id) for i in pending})
        if pending
        else {}
    )
    for index in pending:
        if permissions.get((requests[index].user_id, requests[index].board_id)) != BoardPermission.EDIT:
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
                current[(board.pk, element["id"])] = (element["version"], element["versionNonce"])
            else:
                losers.setdefault(index, []).append((board.pk, element["id"]))
        if not accepted:
            results[index] = ApplyResult(board.pk, request.op_id, None)
            continue
        board.seq += 1
        board.element_count += len(new_ids)
        for element in accepted:
            winners[(board.pk, element["id"])] = Winner(board.pk, element, lane_of(element, board.lanes), board.seq)
        new_ops.append(NewOp(board.pk, board.seq, request.op_id, request.user_id, accepted))
        seen[key] = (board.seq, accepted)
        results[index] = ApplyResult(board.pk, request.op_id, board.seq, accepted=accepted)

    # 5. One write: upsert the elements, append the ops, move the boards' seqs.
    if new_ops:
        changed = sorted({op.board_id for op in new_ops})
        store.write(list(winners.values()), new_ops, [boards[b] for b in changed])

    # 6. The server's copy of every element that lost, so its sender converges at once.
    if losers:
        wanted = {pair for pairs in losers.values() for pair in pairs if pair not in winners}
        copies = store.copies(wanted) if wanted else {}
        for index, pairs in losers.items():
            result = results[index]
            if isinstance(result, ApplyResult):
                result.rejected = [winners[p].element if p in winners else copies[p] for p in pairs]
    return results  # type: ignore[return-value]


# -- storage ------------------------------------------------------------------------------------
# The reconciliation above is the same everywhere; how rows are read and written is not. The ORM
# store works on any database Django supports; on PostgreSQL the store sends its statements raw
# and pipelined, one round trip for the reads and one for the writes, which is most of the cost
# of a commit on the realtime path (docs/performance.md).


@dataclass
class BoardRow:
    pk: int
    seq: int
    lanes: list[dict[str, Any]]
    element_count: int

    @property
    def protected_ids(self) -> frozenset[str]:
        return frozenset(lane["element_id"] for lane in self.lanes)


@dataclass(frozen=True)
class Winner:
    board_id: int
    element: dict[str, Any]
    lane: str | None
    seq: int


@dataclass(frozen=True)
class NewOp:
    board_id: int
    seq: int
    op_id: str
    author_id: int | None
    elements: list[dict[str, Any]]


Loaded = tuple[
    dict[int, BoardRow],
    dict[tuple[int, str], tuple[int, list[dict[str, Any]]]],  # (board, op id) -> (seq, elements)
    dict[tuple[int, str], tuple[int, int]],  # (board, element id) -> (version, nonce)
    list[list[tuple]],  # the permission policies' rows
]


class OrmStore:
    def transaction(self):
        return transaction.atomic()

    def load(
        self, *, board_ids: set[int], op_ids: set[str], element_ids: set[str], policy_queries: list[QuerySet]
    ) -> Loaded:
        # Row locks in id order: batches on one board apply one at a time (seq has no gaps and no
        # repeats), and two processes locking several boards can never deadlock.
        boards = {
            b.pk: BoardRow(b.pk, b.seq, b.lanes, b.element_count)
            for b in Board.objects.select_for_update().filter(pk__in=board_ids).order_by("pk")
        }
        seen = {
            (board_id, op_id): (seq, elements)
            for board_id, op_id, seq, elements in BoardOp.objects.filter(
                board_id__in=board_ids, op_id__in=op_ids
            ).values_list("board_id", "op_id", "seq", "elements")
        }
        current = {
            (board_id, element_id): (version, nonce)
            for board_id, element_id, version, nonce in BoardElement.objects.filter(
                board_id__in=board_ids, element_id__in=element_ids
            ).values_list("board_id", "element_id", "version", "version_nonce")
        }
        return boards, seen, current, [list(query) for query in policy_queries]

    def write(self, winners: list[Winner], ops: list[NewOp], boards: list[BoardRow]) -> None:
        BoardElement.objects.bulk_create(
            [
                BoardElement(
                    board_id=w.board_id,
                    element_id=w.element["id"],
                    type=w.element["type"],
                    version=w.element["version"],
                    version_nonce=w.element["versionNonce"],
                    is_deleted=w.element.get("isDeleted", False),
                    lane=w.lane,
                    data=w.element,
                    updated_seq=w.seq,
                )
                for w in winners
            ],
            update_conflicts=True,
            unique_fields=["board", "element_id"],
            update_fields=["type", "version", "version_nonce", "is_deleted", "lane", "data", "updated_seq"],
        )
        BoardOp.objects.bulk_create(
            BoardOp(board_id=o.board_id, seq=o.seq, op_id=o.op_id, author_id=o.author_id, elements=o.elements)
            for o in ops
        )
        now = timezone.now()
        for board in boards:
            Board.objects.filter(pk=board.pk).update(seq=board.seq, element_count=board.element_count, updated_at=now)

    def copies(self, pairs: set[tuple[int, str]]) -> dict[tuple[int, str], dict[str, Any]]:
        return {
            (board_id, element_id): data
            for board_id, element_id, data in BoardElement.objects.filter(
                board_id__in={b for b, _ in pairs}, element_id__in={e for _, e in pairs}
            ).values_list("board_id", "element_id", "data")
        }


class PostgresStore:
    BOARD = Board._meta.db_table
    ELEMENT = BoardElement._meta.db_table
    OP = BoardOp._meta.db_table

    def _raw(self):
        connection.ensure_connection()
        return connection.connection  # the psycopg connection under Django's

    @contextmanager
    def transaction(self):
        """BEGIN and the reads go in one round trip; the writes and COMMIT in the next.

        psycopg's own transaction (a savepoint inside an outer Django atomic block) in pipeline
        mode, with its errors mapped to Django's, so callers see the usual DatabaseError.
        """
        with connection.wrap_database_errors:
            raw = self._raw()
            with raw.pipeline(), raw.transaction():
                yield

    @staticmethod
    def _cursor(raw):
        # Server-side parameter binding: Django's default cursor quotes every parameter in
        # Python, which for arrays of element JSON was most of the cost of a batch.
        return psycopg.Cursor(raw)

    def load(
        self, *, board_ids: set[int], op_ids: set[str], element_ids: set[str], policy_queries: list[QuerySet]
    ) -> Loaded:
        raw = self._raw()
        boards_ids, ops_ids, el_ids = sorted(board_ids), sorted(op_ids), sorted(element_ids)
        # All of these go out together, in one round trip: the first fetch below sends them.
        boards_cur = self._cursor(raw)
        boards_cur.execute(
            f"SELECT id, seq, lanes::text, element_count FROM {self.BOARD} "  # noqa: S608 - table names from the models
            "WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
            [boards_ids],
        )
        ops_cur = self._cursor(raw)
        ops_cur.execute(
            f"SELECT board_id, op_id, seq, elements::text FROM {self.OP} "  # noqa: S608
            "WHERE board_id = ANY(%s) AND op_id = ANY(%s)",
            [boards_ids, ops_ids],
        )
        elements_cur = self._cursor(raw)
        elements_cur.execute(
            f"SELECT board_id, element_id, version, version_nonce FROM {self.ELEMENT} "  # noqa: S608
            "WHERE board_id = ANY(%s) AND element_id = ANY(%s)",
            [boards_ids, el_ids],
        )
        policy_curs = []
        for query in policy_queries:
            sql, params = query.query.sql_with_params()
            cur = self._cursor(raw)
            cur.execute(sql, params)
            policy_curs.append(cur)
        boards = {pk: BoardRow(pk, seq, orjson.loads(lanes), count) for pk, seq, lanes, count in boards_cur.fetchall()}
        seen = {(b, o): (seq, orjson.loads(elements)) for b, o, seq, elements in ops_cur.fetchall()}
        current = {(b, e): (version, nonce) for b, e, version, nonce in elements_cur.fetchall()}
        return boards, seen, current, [cur.fetchall() for cur in policy_curs]

    def write(self, winners: list[Winner], ops: list[NewOp], boards: list[BoardRow]) -> None:
        raw = self._raw()
        with self._cursor(raw) as cur:  # queued: sent with the COMMIT at the end of the transaction
            cur.execute(
                f"INSERT INTO {self.ELEMENT} "  # noqa: S608
                "(board_id, element_id, type, version, version_nonce, is_deleted, lane, data, updated_seq) "
                "SELECT b, e, t, v, n, d, l, j::jsonb, s FROM unnest("
                "%s::bigint[], %s::text[], %s::text[], %s::int[], %s::bigint[], %s::bool[], %s::text[], "
                "%s::text[], %s::bigint[]) AS u(b, e, t, v, n, d, l, j, s) "
                "ON CONFLICT (board_id, element_id) DO UPDATE SET type = EXCLUDED.type, version = EXCLUDED.version, "
                "version_nonce = EXCLUDED.version_nonce, is_deleted = EXCLUDED.is_deleted, lane = EXCLUDED.lane, "
                "data = EXCLUDED.data, updated_seq = EXCLUDED.updated_seq",
                [
                    [w.board_id for w in winners],
                    [w.element["id"] for w in winners],
                    [w.element["type"] for w in winners],
                    [w.element["version"] for w in winners],
                    [w.element["versionNonce"] for w in winners],
                    [bool(w.element.get("isDeleted", False)) for w in winners],
                    [w.lane for w in winners],
                    [orjson.dumps(w.element).decode() for w in winners],
                    [w.seq for w in winners],
                ],
            )
            cur.execute(
                f"INSERT INTO {self.OP} (board_id, seq, op_id, author_id, elements, created_at) "  # noqa: S608
                "SELECT b, s, o, a, j::jsonb, now() FROM unnest("
                "%s::bigint[], %s::bigint[], %s::text[], %s::int[], %s::text[]) AS u(b, s, o, a, j)",
                [
                    [o.board_id for o in ops],
                    [o.seq for o in ops],
                    [o.op_id for o in ops],
                    [o.author_id for o in ops],
                    [orjson.dumps(o.elements).decode() for o in ops],
                ],
            )
            cur.execute(
                f"UPDATE {self.BOARD} AS b SET seq = u.s, element_count = u.c, updated_at = now() "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::bigint[], %s::int[]) AS u(i, s, c) WHERE b.id = u.i",
                [[b.pk for b in boards], [b.seq for b in boards], [b.element_count for b in boards]],
            )

    def copies(self, pairs: set[tuple[int, str]]) -> dict[tuple[int, str], dict[str, Any]]:
        with self._cursor(self._raw()) as cur:
            cur.execute(
                f"SELECT board_id, element_id, data::text FROM {self.ELEMENT} "  # noqa: S608
                "WHERE board_id = ANY(%s) AND element_id = ANY(%s)",
                [sorted({b for b, _ in pairs}), sorted({e for _, e in pairs})],
            )
            return {(b, e): orjson.loads(data) for b, e, data in cur.fetchall()}
