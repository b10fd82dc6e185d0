"""One request's trouble is that request's alone: poison ops, unstorable text, byte budgets.

Each case goes through the write path the board socket uses (`board_apply_batch`, and on
PostgreSQL the event loop's store, `board_apply_batch_async`), with several boards in one batch.
"""

import asyncio

import orjson
import pytest
from django.db import connection

from whiteboard import services
from whiteboard.models import Board, BoardElement, BoardOp
from whiteboard.services import OpRequest, board_apply_batch, board_apply_batch_async, board_create
from whiteboard.validation import MAX_DEPTH, MAX_KEYS

from ..elements import rectangle
from .test_services import LANES

pytestmark = pytest.mark.django_db(transaction=True)


def nested(levels: int) -> dict:
    value: dict = {}
    for _ in range(levels):
        value = {"a": value}
    return value


POISON = [
    pytest.param(rectangle("p", customData=nested(300)), "nested more than", id="depth-300"),
    pytest.param(rectangle("p", customData=nested(MAX_DEPTH)), "nested more than", id="depth-just-over"),
    pytest.param(rectangle("p", customData={f"k{i}": i for i in range(MAX_KEYS + 1)}), "keys", id="too-many-keys"),
    pytest.param(rectangle("p", type="text", text="a\x00b"), "NUL", id="nul-in-text"),
    pytest.param(rectangle("p", customData={"note": "x\x00"}), "NUL", id="nul-in-custom-data"),
    pytest.param(rectangle("p", customData={"k\x00": 1}), "NUL", id="nul-in-a-key"),
    pytest.param(rectangle("p", customData={"s": "\ud800"}), "cannot be stored", id="lone-surrogate"),
    pytest.param(rectangle("p", customData={"n": 2**64}), "out of bounds", id="integer-too-big"),
    pytest.param(rectangle("p", customData={"s": {1, 2}}), "JSON values", id="a-set"),
]


@pytest.fixture
def boards() -> tuple[Board, Board]:
    return board_create(title="A", lanes=LANES), board_create(title="B", lanes=LANES)


def apply_all(requests: list[OpRequest]):
    """The write path the board socket takes on this database."""
    if connection.vendor != "postgresql":
        return board_apply_batch(requests=requests)
    from whiteboard.stores import AsyncPostgresStore

    async def run():
        store = AsyncPostgresStore()
        try:
            return await board_apply_batch_async(requests=requests, store=store)
        finally:
            await store.close()

    return asyncio.run(run())


def request(board, op_id, *elements) -> OpRequest:
    return OpRequest(board_id=board.pk, op_id=op_id, elements=list(elements), check_permission=False)


@pytest.mark.parametrize(("poison", "message"), POISON)
def test_a_poison_op_is_invalid_and_the_other_boards_ops_commit(boards, poison, message):
    a, b = boards
    results = apply_all(
        [
            request(b, "b-1", rectangle("r1")),
            request(a, "a-poison", poison),
            request(b, "b-2", rectangle("r2")),
            request(a, "a-1", rectangle("ok")),
        ]
    )
    refused = results[1]
    assert isinstance(refused, services.BoardError)
    assert refused.code == "invalid" and message in refused.message
    assert [(r.op_id, r.seq) for r in (results[0], results[2], results[3])] == [("b-1", 1), ("b-2", 2), ("a-1", 1)]
    assert sorted(BoardOp.objects.values_list("board_id", "op_id")) == sorted(
        [(b.pk, "b-1"), (b.pk, "b-2"), (a.pk, "a-1")]
    )
    assert not BoardElement.objects.filter(element_id="p").exists()
    # Resent, it is refused the same way: it can never succeed, so it is never `retry`.
    [again] = apply_all([request(a, "a-poison", poison)])
    assert isinstance(again, services.BoardError) and again.code == "invalid"


@pytest.mark.parametrize("op_id", ["op\x00", "op\n1", "\x7f"])
def test_control_characters_in_an_op_id_are_invalid(boards, op_id):
    a, b = boards
    results = apply_all([request(a, op_id, rectangle("r1")), request(b, "fine", rectangle("r1"))])
    assert isinstance(results[0], services.BoardError) and results[0].code == "invalid"
    assert results[1].seq == 1


def test_an_unexpected_exception_fails_only_its_own_request(boards, monkeypatch):
    a, b = boards
    real = services.lane_of

    def lane_of(element, lanes):
        if element["id"] == "boom":
            raise RuntimeError("a bug in the lane reader")
        return real(element, lanes)

    monkeypatch.setattr(services, "lane_of", lane_of)
    results = apply_all([request(b, "b-1", rectangle("r1")), request(a, "a-1", rectangle("boom"))])
    assert results[0].seq == 1
    assert isinstance(results[1], services.BoardError) and results[1].code == "invalid"
    assert list(BoardOp.objects.values_list("op_id", flat=True)) == ["b-1"]
    assert Board.objects.get(pk=a.pk).seq == 0


def test_an_element_over_the_byte_cap_is_too_large(boards, settings):
    settings.BOARD_MAX_ELEMENT_BYTES = 2048
    a, _ = boards
    [result] = apply_all([request(a, "big", rectangle("r1", type="text", text="x" * 3000))])
    assert isinstance(result, services.BoardError) and result.code == "too_large"
    assert "2,048" in result.message
    [fine] = apply_all([request(a, "small", rectangle("r1", type="text", text="x" * 1000))])
    assert fine.seq == 1


def test_the_board_byte_budget_refuses_growth_but_not_shrinking(boards, settings):
    a, b = boards
    lanes_bytes = Board.objects.get(pk=a.pk).byte_count
    element = rectangle("r1", type="text", text="x" * 5000)
    size = len(orjson.dumps(element))
    settings.BOARD_MAX_BYTES = lanes_bytes + 2 * size + 100
    assert apply_all([request(a, "1", element)])[0].seq == 1
    assert apply_all([request(a, "2", rectangle("r2", type="text", text="x" * 5000))])[0].seq == 2
    [full] = apply_all([request(a, "3", rectangle("r3", type="text", text="x" * 5000))])
    assert isinstance(full, services.BoardError) and full.code == "board_full" and "size limit" in full.message
    # replacing an element with a smaller copy frees bytes; the other board has its own budget
    [smaller] = apply_all([request(a, "4", rectangle("r1", type="text", text="x", version=2))])
    assert smaller.seq == 3
    assert apply_all([request(b, "1", element)])[0].seq == 1
    board = Board.objects.get(pk=a.pk)
    stored = sum(BoardElement.objects.filter(board=board).values_list("size", flat=True))
    assert (
        board.byte_count
        == stored
        == sum(
            len(orjson.dumps(data)) for data in BoardElement.objects.filter(board=board).values_list("data", flat=True)
        )
    )
