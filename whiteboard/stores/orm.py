"""The board's store on Django's ORM: works on every database Django supports (SQLite in the tests
and in development); on PostgreSQL the write path uses `whiteboard.stores.postgres` instead."""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..models import Board, BoardElement, BoardOp
from .rows import BoardRow, Loaded, NewOp, Winner


class OrmStore:
    def transaction(self):
        return transaction.atomic()

    def load(
        self, *, board_ids: set[int], op_ids: set[str], element_ids: set[str], policy_queries: list[QuerySet]
    ) -> Loaded:
        # Row locks in id order: batches on one board apply one at a time (seq has no gaps and no
        # repeats), and two processes locking several boards can never deadlock.
        boards = {
            b.pk: BoardRow(b.pk, b.seq, b.lanes, b.element_count, b.byte_count)
            for b in Board.objects.select_for_update().filter(pk__in=board_ids).order_by("pk")
        }
        seen = {
            (board_id, op_id): (seq, elements)
            for board_id, op_id, seq, elements in BoardOp.objects.filter(
                board_id__in=board_ids, op_id__in=op_ids
            ).values_list("board_id", "op_id", "seq", "elements")
        }
        current = {
            (board_id, element_id): (version, nonce, size)
            for board_id, element_id, version, nonce, size in BoardElement.objects.filter(
                board_id__in=board_ids, element_id__in=element_ids
            ).values_list("board_id", "element_id", "version", "version_nonce", "size")
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
                    size=w.size,
                    updated_seq=w.seq,
                )
                for w in winners
            ],
            update_conflicts=True,
            unique_fields=["board", "element_id"],
            update_fields=["type", "version", "version_nonce", "is_deleted", "lane", "data", "size", "updated_seq"],
        )
        BoardOp.objects.bulk_create(
            BoardOp(board_id=o.board_id, seq=o.seq, op_id=o.op_id, author_id=o.author_id, elements=o.elements)
            for o in ops
        )
        now = timezone.now()
        for board in boards:
            Board.objects.filter(pk=board.pk).update(
                seq=board.seq, element_count=board.element_count, byte_count=board.byte_count, updated_at=now
            )

    def copies(self, pairs: set[tuple[int, str]]) -> dict[tuple[int, str], dict[str, Any]]:
        return {
            (board_id, element_id): data
            for board_id, element_id, data in BoardElement.objects.filter(
                board_id__in={b for b, _ in pairs}, element_id__in={e for _, e in pairs}
            ).values_list("board_id", "element_id", "data")
        }
