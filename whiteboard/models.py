"""A collaborative board: current elements, and the op log that produced them.

The board knows nothing about interviews. Lanes are locked frame elements that the board's
owner asks for when it creates the board; the board keeps their geometry so it can say which
lane any element sits in.
"""

from django.conf import settings
from django.db import models


class Board(models.Model):
    title = models.CharField(max_length=200, blank=True)
    # Sequence number of the last accepted batch; every accepted batch increments it by one.
    seq = models.BigIntegerField(default=0)
    # Elements stored, tombstones included: what BOARD_MAX_ELEMENTS limits.
    element_count = models.IntegerField(default=0)
    # Bytes of the stored JSON of those elements: what BOARD_MAX_BYTES limits.
    byte_count = models.BigIntegerField(default=0)
    # [{"key": "offline", "element_id": "lane-offline", "name": "...", "x":, "y":, "width":, "height":}]
    lanes = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(seq__gte=0), name="board_seq_non_negative")]

    def __str__(self) -> str:
        return self.title or f"Board {self.pk}"

    @property
    def protected_ids(self) -> frozenset[str]:
        return frozenset(lane["element_id"] for lane in self.lanes)


class BoardElement(models.Model):
    """The current winning copy of one element (tombstones included)."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="elements")
    element_id = models.CharField(max_length=64)
    type = models.CharField(max_length=32)
    version = models.IntegerField()
    version_nonce = models.BigIntegerField()
    is_deleted = models.BooleanField(default=False)
    lane = models.CharField(max_length=32, null=True, blank=True)
    data = models.JSONField()
    # Bytes of `data` as the server serialised it (counted towards the board's byte_count).
    size = models.IntegerField(default=0)
    updated_seq = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["board", "element_id"], name="board_element_unique_id"),
        ]
        indexes = [models.Index(fields=["board", "updated_seq"], name="board_element_seq_idx")]

    def __str__(self) -> str:
        return f"{self.type} {self.element_id} v{self.version}"


class BoardOp(models.Model):
    """One accepted batch: the elements that won, in the order the server applied them."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="ops")
    seq = models.BigIntegerField()
    op_id = models.CharField(max_length=64)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    elements = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["board", "seq"], name="board_op_unique_seq"),
            models.UniqueConstraint(fields=["board", "op_id"], name="board_op_unique_op_id"),
        ]
        ordering = ["board", "seq"]

    def __str__(self) -> str:
        return f"board {self.board_id} op {self.seq}"
