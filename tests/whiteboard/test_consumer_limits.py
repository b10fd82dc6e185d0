"""The board socket's limits, against the full ASGI app: what one client sends fails only its own
request, answers stay under the frame limit, and floods are rate-limited (docs/protocol.md)."""

import json

import pytest

from whiteboard.models import Board, BoardOp

from ..elements import rectangle
from ..ws import open_socket, receive, receive_type, send
from .test_consumers import board_path, joined, submit
from .test_isolation import nested

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def error_for(socket, ref) -> dict:
    while True:
        frame = await receive(socket)
        if frame["type"] == "error" and frame["ref"] == ref:
            return frame
        assert frame["type"] != "ack" or frame["op_id"] != ref, frame


@pytest.mark.parametrize(
    "element",
    [
        pytest.param(rectangle("p", customData=nested(300)), id="nested-300-deep"),
        pytest.param(rectangle("p", type="text", text="a\u0000b"), id="nul-in-text"),
    ],
)
async def test_a_poison_op_is_invalid_and_the_socket_stays_up(interview, candidate, element):
    a, _ = await joined(interview, candidate)
    await send(a, {"type": "ops", "op_id": "poison", "elements": [element]})
    frame = await error_for(a, "poison")
    assert frame["code"] == "invalid"
    # the same socket goes on: its next op is acked and stored
    assert (await submit(a, "after", rectangle("r1")))["seq"] == 1
    assert [op.op_id async for op in BoardOp.objects.filter(board_id=interview.board_id)] == ["after"]
    await a.disconnect()


async def test_a_nul_in_the_op_id_is_invalid(interview, candidate):
    a, _ = await joined(interview, candidate)
    await send(a, {"type": "ops", "op_id": "op\u0000", "elements": [rectangle("r1")]})
    frame = await receive_type(a, "error")
    assert frame["code"] == "invalid" and "op_id" in frame["message"]
    assert (await submit(a, "op-1", rectangle("r1")))["seq"] == 1
    await a.disconnect()


async def test_the_board_byte_budget_is_refused_with_board_full(interview, candidate, settings):
    board = await Board.objects.aget(pk=interview.board_id)
    settings.BOARD_MAX_BYTES = board.byte_count + 4000
    a, _ = await joined(interview, candidate)
    assert (await submit(a, "op-1", rectangle("r1", type="text", text="x" * 2500)))["seq"] == 1
    await send(a, {"type": "ops", "op_id": "op-2", "elements": [rectangle("r2", type="text", text="x" * 2500)]})
    frame = await error_for(a, "op-2")
    assert frame["code"] == "board_full"
    assert (await Board.objects.aget(pk=interview.board_id)).seq == 1
    await a.disconnect()


async def test_a_large_board_is_sent_in_frames_under_the_frame_limit(interview, candidate, settings):
    settings.BOARD_MAX_MESSAGE_BYTES = 8 * 1024
    a, _ = await joined(interview, candidate)
    for i in range(12):
        await submit(a, f"op-{i}", rectangle(f"r{i}", type="text", text="x" * 2000))
    b = await open_socket(board_path(interview), candidate)
    frames = [json.loads(await b.receive_from(timeout=3))]
    while frames[-1]["more"]:
        frames.append(json.loads(await b.receive_from(timeout=3)))
    assert frames[0]["type"] == "snapshot" and {f["type"] for f in frames[1:]} == {"snapshot_part"}
    assert len(frames) > 3
    assert all(len(json.dumps(f, separators=(",", ":")).encode()) <= 8 * 1024 for f in frames)
    ids = [e["id"] for f in frames for e in f["elements"]]
    assert sorted(ids) == sorted(["lane-offline", "lane-online", *(f"r{i}" for i in range(12))])
    assert {f["seq"] for f in frames} == {12}
    await a.disconnect()
    await b.disconnect()


async def test_a_catchup_is_paged_under_the_frame_limit(interview, candidate, settings):
    settings.BOARD_MAX_MESSAGE_BYTES = 8 * 1024
    a, _ = await joined(interview, candidate)
    for i in range(8):
        await submit(a, f"op-{i}", rectangle(f"r{i}", type="text", text="x" * 2000))
    seq, seen = 0, []
    while True:
        await send(a, {"type": "sync", "since_seq": seq})
        page = await receive_type(a, "catchup")
        seen += [op["seq"] for op in page["ops"]]
        seq = page["seq"]
        if not page["more"]:
            break
    assert seen == list(range(1, 9))
    await a.disconnect()


async def test_a_sync_flood_is_rate_limited_and_others_are_served(interview, interviewer, candidate):
    a, _ = await joined(interview, candidate)
    b, _ = await joined(interview, interviewer)
    for _ in range(100):
        await send(a, {"type": "sync", "since_seq": 0})
    answers = {"catchup": 0, "rate_limited": 0}
    while sum(answers.values()) < 100:
        frame = await receive(a)
        if frame["type"] == "catchup":
            answers["catchup"] += 1
        elif frame["type"] == "error":
            assert frame["code"] == "rate_limited"
            answers["rate_limited"] += 1
    assert answers["catchup"] <= 25 and answers["rate_limited"] >= 75
    # the other participant is not held up, and the flooder keeps its socket
    assert (await submit(b, "op-1", rectangle("r1")))["seq"] == 1
    assert (await submit(a, "op-2", rectangle("r2")))["seq"] == 2
    await a.disconnect()
    await b.disconnect()
