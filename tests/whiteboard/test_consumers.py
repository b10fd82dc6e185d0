import json

import pytest

from interview.models import Interview
from whiteboard.models import BoardElement, BoardOp

from ..elements import rectangle
from ..ws import closed_with, open_socket, receive, receive_type, send

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def board_path(interview) -> str:
    return f"/ws/boards/{interview.board_id}/"


async def test_element_reaches_peer_and_is_persisted(interview, interviewer, candidate):
    a = await open_socket(board_path(interview), candidate)
    snapshot = await receive_type(a, "snapshot")
    assert snapshot["seq"] == 0 and {e["id"] for e in snapshot["elements"]} == {"lane-offline", "lane-online"}
    b = await open_socket(board_path(interview), interviewer)
    await receive_type(b, "snapshot")

    await send(a, {"type": "ops", "op_id": "op-1", "elements": [rectangle("r1")]})
    ack = await receive_type(a, "ack")
    assert ack == {"type": "ack", "op_id": "op-1", "seq": 1, "accepted": ["r1"], "rejected": []}
    ops = await receive_type(b, "ops")
    assert ops["seq"] == 1 and ops["elements"][0]["id"] == "r1" and ops["author"]["name"] == "Cal Candidate"

    row = await BoardElement.objects.aget(board_id=interview.board_id, element_id="r1")
    assert row.lane == "online" and row.version == 1
    await a.disconnect()
    await b.disconnect()


async def test_outsider_and_anonymous_are_refused(interview, outsider):
    for user in (outsider, None):
        socket = await open_socket(board_path(interview), user)
        assert await closed_with(socket) == 4403


async def test_stale_version_loses(interview, candidate):
    a = await open_socket(board_path(interview), candidate)
    await receive_type(a, "snapshot")
    await send(a, {"type": "ops", "op_id": "op-1", "elements": [rectangle("r1", version=3, nonce=50)]})
    await receive_type(a, "ack")
    await send(a, {"type": "ops", "op_id": "op-2", "elements": [rectangle("r1", version=2, x=0, nonce=1)]})
    ack = await receive_type(a, "ack")
    assert ack["seq"] is None and ack["accepted"] == []
    assert ack["rejected"][0]["version"] == 3
    row = await BoardElement.objects.aget(board_id=interview.board_id, element_id="r1")
    assert row.version == 3 and row.data["x"] == 1200.0
    assert await BoardOp.objects.filter(board_id=interview.board_id).acount() == 1
    await a.disconnect()


async def test_bad_input_is_refused_and_changes_nothing(interview, candidate):
    a = await open_socket(board_path(interview), candidate)
    await receive_type(a, "snapshot")
    await send(a, "{not json")
    assert (await receive(a))["code"] == "bad_json"
    await send(a, {"type": "teleport"})
    assert (await receive(a))["code"] == "unknown_type"
    await send(a, {"type": "ops", "op_id": "x", "elements": [rectangle("lane-online")]})
    assert (await receive(a))["code"] == "protected_element"
    await send(a, {"type": "ops", "op_id": "y", "elements": [rectangle("ok"), {**rectangle("bad"), "type": "image"}]})
    frame = await receive(a)
    assert frame["code"] == "invalid" and "image" in frame["message"]
    assert await BoardOp.objects.filter(board_id=interview.board_id).acount() == 0
    # still usable
    await send(a, {"type": "ops", "op_id": "z", "elements": [rectangle("ok")]})
    assert (await receive_type(a, "ack"))["seq"] == 1
    await a.disconnect()


# -- helpers for the tests below ----------------------------------------------------------------


async def joined(interview, user):
    """Open the board as `user`; return the socket and its snapshot."""
    socket = await open_socket(board_path(interview), user)
    return socket, await receive_type(socket, "snapshot")


async def submit(socket, op_id: str, *elements) -> dict:
    await send(socket, {"type": "ops", "op_id": op_id, "elements": list(elements)})
    return await receive_type(socket, "ack")


async def stored_ops(interview) -> dict[str, int]:
    return {op.op_id: op.seq async for op in BoardOp.objects.filter(board_id=interview.board_id)}


# -- connecting ---------------------------------------------------------------------------------


async def test_snapshot_describes_the_board_and_the_user(interview, candidate):
    a, snapshot = await joined(interview, candidate)
    assert snapshot["lanes"] == [
        {"key": "offline", "element_id": "lane-offline", "name": "Offline - training pipeline"},
        {"key": "online", "element_id": "lane-online", "name": "Online - inference path"},
    ]
    assert snapshot["can_edit"] is True
    assert snapshot["user"] == {"id": candidate.pk, "name": "Cal Candidate"}
    assert snapshot["client_id"].startswith("c-")
    assert {e["id"]: e["lane"] for e in snapshot["elements"]} == {"lane-offline": "offline", "lane-online": "online"}
    await a.disconnect()


async def test_snapshot_on_reconnect_includes_tombstones(interview, candidate):
    a, _ = await joined(interview, candidate)
    await submit(a, "op-1", rectangle("r1"), rectangle("r2"))
    await submit(a, "op-2", rectangle("r1", version=2, deleted=True))
    await a.disconnect()

    b, snapshot = await joined(interview, candidate)
    elements = {e["id"]: e for e in snapshot["elements"]}
    assert snapshot["seq"] == 2
    assert elements["r1"]["isDeleted"] is True and elements["r2"]["isDeleted"] is False
    await b.disconnect()


async def test_unknown_board_closes_with_4404(interview, candidate):
    socket = await open_socket("/ws/boards/987654/", candidate)
    assert await closed_with(socket) == 4404


@pytest.mark.parametrize("who", ["candidate", "interviewer"])
async def test_board_of_an_unaccepted_interview_is_refused(invited_interview, request, who):
    socket = await open_socket(board_path(invited_interview), request.getfixturevalue(who))
    assert await closed_with(socket) == 4403


async def test_board_of_a_completed_interview_is_read_only(interview, candidate):
    await Interview.objects.filter(pk=interview.pk).aupdate(status=Interview.Status.COMPLETED)
    a, snapshot = await joined(interview, candidate)
    assert snapshot["can_edit"] is False
    await send(a, {"type": "ops", "op_id": "op-1", "elements": [rectangle("r1")]})
    frame = await receive(a)
    assert (frame["type"], frame["code"], frame["ref"]) == ("error", "forbidden", "op-1")
    assert await stored_ops(interview) == {}
    await a.disconnect()


# -- peers and presence -------------------------------------------------------------------------


async def peers_until(socket, peers: dict, expected: dict) -> None:
    """Apply peer frames to `peers` (client_id -> user), as a client does, until it equals `expected`.

    Over Redis an announcement sent just before a client subscribed can still reach it, so a peer
    may be announced twice; the map makes that harmless, and the tests allow it.
    """
    while peers != expected:
        frame = await receive(socket)
        if frame["type"] == "peer_joined":
            peers[frame["client_id"]] = frame["user"]
        elif frame["type"] == "peer_left":
            peers.pop(frame["client_id"], None)


async def pair(interview, first, second):
    """Two clients on the board who know about each other."""
    a, a_snapshot = await joined(interview, first)
    b, b_snapshot = await joined(interview, second)
    await peers_until(a, {}, {b_snapshot["client_id"]: b_snapshot["user"]})
    await peers_until(b, {}, {a_snapshot["client_id"]: a_snapshot["user"]})
    return (a, a_snapshot), (b, b_snapshot)


async def cursor(socket, timeout: float = 3) -> dict:
    """The next cursor a socket is sent (presence frames carry each board's latest cursors)."""
    frame = await receive_type(socket, "presence", timeout)
    assert set(frame) == {"type", "peers"}, frame
    assert len(frame["peers"]) == 1, frame
    return frame["peers"][0]


async def presences_until(socket, client_id: str) -> list[dict]:
    """Cursors up to and including the first one from `client_id`."""
    cursors = []
    while not cursors or cursors[-1]["client_id"] != client_id:
        cursors.extend((await receive_type(socket, "presence"))["peers"])
    return cursors


async def test_peers_are_introduced_both_ways_and_told_when_one_leaves(interview, interviewer, candidate):
    a, a_snapshot = await joined(interview, candidate)
    b, b_snapshot = await joined(interview, interviewer)
    ids = {"a": a_snapshot["client_id"], "b": b_snapshot["client_id"]}
    users = {"a": {"id": candidate.pk, "name": "Cal Candidate"}, "b": {"id": interviewer.pk, "name": "Ivy Interviewer"}}
    assert (a_snapshot["user"], b_snapshot["user"]) == (users["a"], users["b"])

    # the newcomer hears about the peer already there, and that peer hears about the newcomer
    first = await receive_type(b, "peer_joined")
    assert first == {"type": "peer_joined", "client_id": ids["a"], "user": users["a"]}
    first = await receive_type(a, "peer_joined")
    assert first == {"type": "peer_joined", "client_id": ids["b"], "user": users["b"]}
    a_peers, b_peers = {ids["b"]: users["b"]}, {ids["a"]: users["a"]}

    # one person in two tabs is two clients
    c, c_snapshot = await joined(interview, candidate)
    ids["c"] = c_snapshot["client_id"]
    assert len(set(ids.values())) == 3
    c_peers = {}
    await peers_until(c, c_peers, {ids["a"]: users["a"], ids["b"]: users["b"]})
    await peers_until(a, a_peers, {ids["b"]: users["b"], ids["c"]: users["a"]})
    await peers_until(b, b_peers, {ids["a"]: users["a"], ids["c"]: users["a"]})

    await b.disconnect()
    await peers_until(a, a_peers, {ids["c"]: users["a"]})
    await peers_until(c, c_peers, {ids["a"]: users["a"]})
    await a.disconnect()
    await peers_until(c, c_peers, {})
    await c.disconnect()


async def test_presence_reaches_the_other_client_and_is_not_echoed(interview, interviewer, candidate):
    (a, a_snapshot), (b, b_snapshot) = await pair(interview, candidate, interviewer)

    await send(a, {"type": "presence", "pointer": {"x": 120.5, "y": 88}, "button": "down", "selected_ids": ["r1"]})
    assert await cursor(b) == {
        "client_id": a_snapshot["client_id"],
        "user": {"id": candidate.pk, "name": "Cal Candidate"},
        "pointer": {"x": 120.5, "y": 88.0},
        "button": "down",
        "selected_ids": ["r1"],
    }
    # anything but "down" is "up"; selection defaults to none
    await send(a, {"type": "presence", "pointer": {"x": 1, "y": 2}, "button": "sideways"})
    relayed = await cursor(b)
    assert (relayed["button"], relayed["selected_ids"]) == ("up", [])

    # b answers after a's presence reached it: an echo to a would have arrived before b's
    await send(b, {"type": "presence", "pointer": {"x": 5, "y": 5}})
    assert [p["client_id"] for p in await presences_until(a, b_snapshot["client_id"])] == [b_snapshot["client_id"]]
    await a.disconnect()
    await b.disconnect()


@pytest.mark.parametrize(
    "presence",
    [
        pytest.param({"type": "presence"}, id="pointer-missing"),
        pytest.param({"type": "presence", "pointer": [1, 2]}, id="pointer-list"),
        pytest.param({"type": "presence", "pointer": {"x": 1}}, id="y-missing"),
        pytest.param({"type": "presence", "pointer": {"x": "1", "y": 2}}, id="x-string"),
        pytest.param({"type": "presence", "pointer": {"x": True, "y": 2}}, id="x-bool"),
        pytest.param({"type": "presence", "pointer": {"x": 1, "y": 2}, "selected_ids": "r1"}, id="selection-string"),
        pytest.param({"type": "presence", "pointer": {"x": 1, "y": 2}, "selected_ids": [1]}, id="selection-numbers"),
        pytest.param(
            {"type": "presence", "pointer": {"x": 1, "y": 2}, "selected_ids": ["r"] * 501}, id="selection-too-long"
        ),
    ],
)
async def test_bad_presence_is_an_error_and_is_not_relayed(interview, interviewer, candidate, presence):
    (a, _), (b, _) = await pair(interview, candidate, interviewer)

    await send(a, presence)
    frame = await receive_type(a, "error")
    assert (frame["code"], frame["ref"]) == ("invalid", None)
    # the next good one is the first b sees
    await send(a, {"type": "presence", "pointer": {"x": 7, "y": 7}})
    assert (await cursor(b))["pointer"] == {"x": 7.0, "y": 7.0}
    await a.disconnect()
    await b.disconnect()


async def test_presence_over_the_rate_is_dropped_without_an_error(interview, interviewer, candidate):
    (a, _), (b, _) = await pair(interview, candidate, interviewer)

    for i in range(60):
        await send(a, {"type": "presence", "pointer": {"x": i, "y": 0}})
    # an op after the burst marks its end for both clients
    await send(a, {"type": "ops", "op_id": "marker", "elements": [rectangle("r1")]})
    while (frame := await receive(a))["type"] != "ack":
        assert frame["type"] != "error", frame

    relayed = []
    while not relayed or relayed[-1] != 29.0:
        relayed.extend(peer["pointer"]["x"] for peer in (await receive_type(b, "presence"))["peers"])
    # the first 30 passed the bucket and the rest were dropped; the ones in between were folded
    # into the latest cursor of their tick, so b got few frames, in order
    assert relayed == sorted(relayed) and len(relayed) < 30
    assert await b.receive_nothing(timeout=0.3)
    await a.disconnect()
    await b.disconnect()


async def test_cursors_of_one_tick_reach_each_peer_in_one_frame(interview, interviewer, candidate):
    a, a_snapshot = await joined(interview, candidate)
    b, b_snapshot = await joined(interview, interviewer)
    c, _ = await joined(interview, interviewer)
    for socket in (a, b, c):
        await send(socket, {"type": "presence", "pointer": {"x": 1, "y": 1}})
    # a cursor that arrives within the same tick is folded in; none is its own recipient's
    seen = {}
    while len(seen) < 2:
        frame = await receive_type(c, "presence")
        seen.update((peer["client_id"], peer["pointer"]) for peer in frame["peers"])
    assert set(seen) == {a_snapshot["client_id"], b_snapshot["client_id"]}
    for socket in (a, b, c):
        await socket.disconnect()


async def test_presence_with_a_non_finite_pointer_is_refused(interview, interviewer, candidate):
    (a, _), (b, _) = await pair(interview, candidate, interviewer)

    await send(a, '{"type": "presence", "pointer": {"x": NaN, "y": Infinity}}')
    await send(a, {"type": "presence", "pointer": {"x": 7, "y": 7}})
    assert (await cursor(b))["pointer"] == {"x": 7.0, "y": 7.0}
    assert (await receive_type(a, "error", timeout=1))["code"] == "bad_json"
    await a.disconnect()
    await b.disconnect()


# -- ops: catch-up, retries, limits, permissions ------------------------------------------------


async def test_sync_returns_the_missing_ops_in_order(interview, interviewer, candidate):
    a, _ = await joined(interview, candidate)
    await submit(a, "op-1", rectangle("r1"))
    await submit(a, "op-2", rectangle("r2"), rectangle("r1", version=2, x=10.0))
    await submit(a, "op-3", rectangle("r2", version=2, deleted=True))
    b, snapshot = await joined(interview, interviewer)
    assert snapshot["seq"] == 3

    await send(b, {"type": "sync", "since_seq": 1})
    catchup = await receive_type(b, "catchup")
    assert catchup["seq"] == 3
    assert [op["seq"] for op in catchup["ops"]] == [2, 3]
    assert [[(e["id"], e["version"]) for e in op["elements"]] for op in catchup["ops"]] == [
        [("r2", 1), ("r1", 2)],
        [("r2", 2)],
    ]
    assert catchup["ops"][1]["elements"][0]["isDeleted"] is True

    await send(b, {"type": "sync", "since_seq": 3})
    assert await receive_type(b, "catchup") == {"type": "catchup", "seq": 3, "more": False, "ops": []}
    await a.disconnect()
    await b.disconnect()


async def test_sync_far_behind_gets_a_fresh_snapshot(interview, candidate, settings):
    settings.BOARD_CATCHUP_MAX_OPS = 2
    a, _ = await joined(interview, candidate)
    for n in range(1, 4):
        await submit(a, f"op-{n}", rectangle(f"r{n}"))

    await send(a, {"type": "sync", "since_seq": 1})
    assert [op["seq"] for op in (await receive(a))["ops"]] == [2, 3]  # exactly at the limit: still a catch-up
    await send(a, {"type": "sync", "since_seq": 0})
    frame = await receive(a)
    assert frame["type"] == "snapshot" and frame["seq"] == 3 and frame["can_edit"] is True
    assert {e["id"] for e in frame["elements"]} == {"lane-offline", "lane-online", "r1", "r2", "r3"}
    await a.disconnect()


async def test_sync_with_a_bad_since_seq_is_invalid(interview, candidate):
    a, _ = await joined(interview, candidate)
    for since in (-1, "3", 1.5, True, None, [1]):
        await send(a, {"type": "sync", "since_seq": since})
        frame = await receive(a)
        assert (frame["type"], frame["code"]) == ("error", "invalid"), since
        assert "since_seq" in frame["message"]
    await a.disconnect()


async def test_a_retried_batch_is_acked_again_but_applied_and_broadcast_once(interview, interviewer, candidate):
    a, _ = await joined(interview, candidate)
    b, _ = await joined(interview, interviewer)

    first = await submit(a, "op-1", rectangle("r1"), rectangle("r2"))
    retry = await submit(a, "op-1", rectangle("r1"), rectangle("r2"))
    assert first["seq"] == retry["seq"] == 1
    assert first["accepted"] == retry["accepted"] == ["r1", "r2"]
    await submit(a, "op-2", rectangle("r3"))

    # the peer sees seq 1 once, then seq 2
    assert [(await receive_type(b, "ops"))["seq"] for _ in range(2)] == [1, 2]
    assert await stored_ops(interview) == {"op-1": 1, "op-2": 2}
    await a.disconnect()
    await b.disconnect()


async def test_a_frame_over_the_size_limit_is_refused(interview, candidate, settings):
    a, _ = await joined(interview, candidate)
    padding = "x" * (settings.BOARD_MAX_MESSAGE_BYTES + 1)
    await send(a, {"type": "ops", "op_id": "op-1", "elements": [rectangle("r1", type="text", text=padding)]})
    frame = await receive(a)
    assert (frame["type"], frame["code"]) == ("error", "too_large")
    assert await stored_ops(interview) == {}
    assert (await submit(a, "op-2", rectangle("r1")))["seq"] == 1
    await a.disconnect()


async def test_the_size_limit_counts_bytes(interview, candidate, settings):
    a, _ = await joined(interview, candidate)
    # 4 x 8,000 three-byte characters: under the limit in characters, well over it in bytes
    texts = [rectangle(f"t{i}", type="text", text="€" * 8000) for i in range(4)]
    payload = json.dumps({"type": "ops", "op_id": "op-1", "elements": texts}, ensure_ascii=False)
    assert len(payload) < settings.BOARD_MAX_MESSAGE_BYTES < len(payload.encode())
    await send(a, payload)
    frame = await receive(a)
    assert (frame["type"], frame.get("code")) == ("error", "too_large")
    await a.disconnect()


async def test_non_finite_numbers_anywhere_in_a_batch_are_refused(interview, candidate):
    a, _ = await joined(interview, candidate)
    element = json.dumps(rectangle("r1")).replace('"locked": false', '"locked": false, "seed": NaN')
    await send(a, f'{{"type": "ops", "op_id": "op-1", "elements": [{element}]}}')
    frame = await receive(a, timeout=1)
    assert frame["type"] == "error" and frame["code"] == "bad_json"
    assert await stored_ops(interview) == {}
    await a.disconnect()


@pytest.mark.parametrize("status", [Interview.Status.CANCELLED, Interview.Status.COMPLETED])
async def test_participant_is_cut_off_when_the_interview_stops_being_live(interview, candidate, status):
    a, _ = await joined(interview, candidate)
    assert (await submit(a, "op-1", rectangle("r1")))["seq"] == 1

    await Interview.objects.filter(pk=interview.pk).aupdate(status=status)
    await send(a, {"type": "ops", "op_id": "op-2", "elements": [rectangle("r2"), rectangle("r1", version=2)]})
    frame = await receive(a)
    assert (frame["type"], frame["code"], frame["ref"]) == ("error", "forbidden", "op-2")
    assert await stored_ops(interview) == {"op-1": 1}
    assert not await BoardElement.objects.filter(board_id=interview.board_id, element_id="r2").aexists()
    assert (await BoardElement.objects.aget(board_id=interview.board_id, element_id="r1")).version == 1
    await a.disconnect()


async def test_op_bucket_runs_dry_and_every_acked_op_is_stored(interview, candidate):
    a, _ = await joined(interview, candidate)
    acked: dict[str, int] = {}
    limited: list[str] = []
    sent = 0
    # Bursts without waiting, so the bucket (100, +20/s) drains faster than it refills.
    while not limited and sent < 1000:
        burst = [f"op-{n}" for n in range(sent, sent + 50)]
        for op_id in burst:
            await send(a, {"type": "ops", "op_id": op_id, "elements": [rectangle(op_id.replace("op", "r"))]})
        for _ in burst:
            frame = await receive(a, timeout=10)
            if frame["type"] == "ack":
                acked[frame["op_id"]] = frame["seq"]
            else:
                assert frame["code"] == "rate_limited", frame
                limited.append(frame["ref"])
        sent += len(burst)

    assert limited, "no op was rate limited"
    assert {f"op-{n}" for n in range(100)} <= set(acked)  # a full bucket lets 100 through at once
    assert sorted(acked.values()) == list(range(1, len(acked) + 1))
    assert await stored_ops(interview) == acked
    assert not set(limited) & set(acked)
    await a.disconnect()
