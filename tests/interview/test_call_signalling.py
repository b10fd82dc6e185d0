"""The call's signalling over the room socket: who is in the call, relaying, limits, and the end."""

import json

import pytest
from channels.db import database_sync_to_async

from interview import consumers
from interview.models import Interview, TranscriptEvent

from ..ws import closed_with, open_socket, receive, receive_type, send

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

OFFER = {"kind": "offer", "sdp": "v=0\r\no=- 46117 2 IN IP4 127.0.0.1\r\ns=-\r\n"}
ANSWER = {"kind": "answer", "sdp": "v=0\r\no=- 58230 2 IN IP4 127.0.0.1\r\ns=-\r\n"}
CANDIDATE = {
    "kind": "candidate",
    "candidate": {
        "candidate": "candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 0.0.0.0 rport 0",
        "sdpMid": "0",
        "sdpMLineIndex": 0,
        "usernameFragment": "EsZ4",
    },
}


def room_path(interview) -> str:
    return f"/ws/interviews/{interview.pk}/"


NAMES = {"interviewer": "Ivy Interviewer", "candidate": "Cal Candidate"}


def public(user, role) -> dict:
    return {"id": user.pk, "name": NAMES[role], "role": role}


async def connected(interview, user):
    socket = await open_socket(room_path(interview), user)
    await receive_type(socket, "room_state")
    return socket


async def call_frame(socket, action: str | None = None) -> dict:
    """The next call frame (of `action`, when given), skipping presence and chat."""
    while True:
        frame = await receive_type(socket, "call")
        if action is None or frame["action"] == action:
            return frame


async def join_call(socket) -> None:
    await send(socket, {"type": "call", "action": "join"})
    assert await call_frame(socket) == {"type": "call", "action": "joined"}


async def in_call(interview, interviewer, candidate):
    """Both participants connected and in the call, each having heard of the other."""
    a = await connected(interview, interviewer)
    b = await connected(interview, candidate)
    await join_call(a)
    await join_call(b)
    assert (await call_frame(a))["action"] == "peer_joined"
    assert (await call_frame(b))["action"] == "peer_here"
    return a, b


async def frames_until_chat(socket, text: str, timeout: float = 3) -> list[dict]:
    """Every frame before the chat `text`: a chat sent after some signals arrives after them."""
    frames = []
    while True:
        frame = await receive(socket, timeout)
        if frame["type"] == "chat" and frame["event"]["text"] == text:
            return frames
        frames.append(frame)


async def chat_barrier(sender, text: str, *sockets, timeout: float = 3) -> list[list[dict]]:
    await send(sender, {"type": "chat", "text": text, "client_msg_id": text})
    return [await frames_until_chat(socket, text, timeout) for socket in (sender, *sockets)]


def signals(frames) -> list[dict]:
    return [f for f in frames if f["type"] == "signal"]


async def error(socket) -> dict:
    frame = await receive_type(socket, "error")
    assert frame["ref"] is None
    return frame


# -- who is in the call -------------------------------------------------------------------------


@pytest.mark.parametrize("first", ["interviewer", "candidate"])
async def test_both_learn_the_other_is_in_the_call_whoever_joins_first(interview, interviewer, candidate, first):
    sockets = {
        "interviewer": await connected(interview, interviewer),
        "candidate": await connected(interview, candidate),
    }
    users = {"interviewer": public(interviewer, "interviewer"), "candidate": public(candidate, "candidate")}
    second = "candidate" if first == "interviewer" else "interviewer"

    await join_call(sockets[first])
    await join_call(sockets[second])
    assert await call_frame(sockets[first]) == {"type": "call", "action": "peer_joined", "user": users[second]}
    assert await call_frame(sockets[second]) == {"type": "call", "action": "peer_here", "user": users[first]}
    for socket in sockets.values():
        await socket.disconnect()


async def test_joining_alone_hears_of_nobody(interview, interviewer, candidate):
    a = await connected(interview, interviewer)
    b = await connected(interview, candidate)  # in the room, not in the call
    await join_call(a)
    [before_a, before_b] = await chat_barrier(a, "anyone?", b)
    assert [f for f in before_a + before_b if f["type"] == "call"] == []
    await a.disconnect()
    await b.disconnect()


async def test_an_outsider_cannot_open_the_room_socket(interview, outsider):
    socket = await open_socket(room_path(interview), outsider)
    assert await closed_with(socket) == 4404  # as for an id that does not exist


# -- relaying -----------------------------------------------------------------------------------


async def test_offer_answer_and_candidates_reach_the_peer_only_with_from(interview, interviewer, candidate):
    a, b = await in_call(interview, interviewer, candidate)
    b2 = await connected(interview, candidate)  # a second tab of the candidate, not in the call
    ivy = {"id": interviewer.pk, "name": "Ivy Interviewer"}
    cal = {"id": candidate.pk, "name": "Cal Candidate"}

    await send(a, {"type": "signal", "signal": OFFER})
    assert await receive_type(b, "signal") == {"type": "signal", "from": ivy, "signal": OFFER}
    await send(b, {"type": "signal", "signal": ANSWER})
    assert await receive_type(a, "signal") == {"type": "signal", "from": cal, "signal": ANSWER}

    # a candidate's missing optional fields come through as null
    trickle = [
        CANDIDATE,
        {"kind": "candidate", "candidate": {"candidate": "candidate:1 1 udp 2122260223 192.0.2.4 54400 typ host"}},
        {"kind": "candidate", "candidate": None},
        {"kind": "restart"},
        {"kind": "hangup"},
    ]
    for signal in trickle:
        await send(a, {"type": "signal", "signal": signal})
    relayed = [await receive_type(b, "signal") for _ in trickle]
    assert all(frame["from"] == ivy for frame in relayed)
    assert [frame["signal"] for frame in relayed] == [
        CANDIDATE,
        {
            "kind": "candidate",
            "candidate": {
                "candidate": "candidate:1 1 udp 2122260223 192.0.2.4 54400 typ host",
                "sdpMid": None,
                "sdpMLineIndex": None,
                "usernameFragment": None,
            },
        },
        {"kind": "candidate", "candidate": None},
        {"kind": "restart"},
        {"kind": "hangup"},
    ]

    # nothing went back to the sender or to the other tab
    [to_a, to_b, to_b2] = await chat_barrier(a, "barrier", b, b2)
    assert signals(to_a) == signals(to_b) == signals(to_b2) == []
    await b.disconnect()
    [to_b2] = await chat_barrier(b2, "after")
    assert signals(to_b2) == []
    for socket in (a, b2):
        await socket.disconnect()


async def test_a_socket_that_did_not_join_gets_not_in_call_and_hears_no_signals(interview, interviewer, candidate):
    a, b = await in_call(interview, interviewer, candidate)
    b2 = await connected(interview, candidate)

    await send(b2, {"type": "signal", "signal": OFFER})
    assert await error(b2) == {"type": "error", "code": "not_in_call", "message": "Join the call first.", "ref": None}
    await send(a, {"type": "signal", "signal": OFFER})
    assert (await receive_type(b, "signal"))["signal"] == OFFER
    [to_b2, to_a, to_b] = await chat_barrier(b2, "tab two", a, b)
    assert signals(to_b2) == signals(to_a) == signals(to_b) == []
    for socket in (a, b, b2):
        await socket.disconnect()


async def test_joining_from_a_second_socket_replaces_the_first(interview, interviewer, candidate):
    a, b1 = await in_call(interview, interviewer, candidate)
    b2 = await connected(interview, candidate)

    await join_call(b2)
    assert await call_frame(b1) == {"type": "call", "action": "replaced"}
    assert await call_frame(a) == {"type": "call", "action": "peer_joined", "user": public(candidate, "candidate")}
    assert await call_frame(b2) == {"type": "call", "action": "peer_here", "user": public(interviewer, "interviewer")}

    await send(a, {"type": "signal", "signal": OFFER})
    assert (await receive_type(b2, "signal"))["signal"] == OFFER
    await send(b1, {"type": "signal", "signal": ANSWER})
    assert (await error(b1))["code"] == "not_in_call"

    # the replaced socket stays up for chat, hears no signals, and the peer heard no peer_left
    [to_b1, to_a, to_b2] = await chat_barrier(b1, "still here", a, b2)
    assert signals(to_b1) == signals(to_a) == signals(to_b2) == []
    assert [f for f in to_a if f["type"] == "call"] == []
    await b1.disconnect()  # it left the call already: its disconnect tells the peer nothing
    [to_a] = await chat_barrier(a, "b1 gone")
    assert [f for f in to_a if f["type"] == "call"] == []
    for socket in (a, b2):
        await socket.disconnect()


async def test_an_sdp_of_16000_characters_with_line_breaks_fits_a_frame(interview, interviewer, candidate):
    a, b = await in_call(interview, interviewer, candidate)
    sdp = "a=x\r\n" * 3200  # 16,000 characters; over 16 KiB once JSON escapes the line breaks
    frame = json.dumps({"type": "signal", "signal": {"kind": "offer", "sdp": sdp}})
    assert 16 * 1024 < len(frame.encode()) < 32 * 1024
    await send(a, frame)
    assert (await receive_type(b, "signal"))["signal"] == {"kind": "offer", "sdp": sdp}
    await a.disconnect()
    await b.disconnect()


BAD_SIGNALS = [
    ({"type": "signal", "signal": {"kind": "offer", "sdp": "x" * 16_001}}, "signal.sdp"),
    ({"type": "signal", "signal": {"kind": "offer", "sdp": ""}}, "signal.sdp"),
    ({"type": "signal", "signal": {"kind": "offer"}}, "signal.sdp"),
    ({"type": "signal", "signal": {"kind": "answer", "sdp": 42}}, "signal.sdp"),
    ({"type": "signal", "signal": {"kind": "offer", "sdp": "v=0\x00"}}, "signal.sdp"),
    ({"type": "signal", "signal": {"kind": "pranswer", "sdp": "v=0"}}, "signal.kind"),
    ({"type": "signal", "signal": {"sdp": "v=0"}}, "signal.kind"),
    ({"type": "signal", "signal": "offer"}, "signal"),
    ({"type": "signal"}, "signal"),
    ({"type": "signal", "signal": {"kind": "offer", "sdp": "v=0", "type": "offer"}}, "unknown fields: type"),
    ({"type": "signal", "signal": OFFER, "to": 5}, "unknown fields: to"),
    ({"type": "signal", "signal": {"kind": "hangup", "reason": "bye"}}, "unknown fields: reason"),
    ({"type": "signal", "signal": {"kind": "restart", "sdp": "v=0"}}, "unknown fields: sdp"),
    ({"type": "signal", "signal": {"kind": "candidate"}}, "signal.candidate"),
    ({"type": "signal", "signal": {"kind": "candidate", "candidate": "candidate:1"}}, "signal.candidate"),
    ({"type": "signal", "signal": {"kind": "candidate", "candidate": {"sdpMid": "0"}}}, "signal.candidate.candidate"),
    ({"type": "signal", "signal": {"kind": "candidate", "candidate": {"candidate": 7}}}, "signal.candidate.candidate"),
    (
        {"type": "signal", "signal": {"kind": "candidate", "candidate": {"candidate": "c" * 1001}}},
        "signal.candidate.candidate",
    ),
    (
        {"type": "signal", "signal": {"kind": "candidate", "candidate": {"candidate": "candidate:\x00"}}},
        "signal.candidate.candidate",
    ),
    (
        {"type": "signal", "signal": {"kind": "candidate", "candidate": {**CANDIDATE["candidate"], "sdpMid": 0}}},
        "signal.candidate.sdpMid",
    ),
    (
        {
            "type": "signal",
            "signal": {"kind": "candidate", "candidate": {**CANDIDATE["candidate"], "sdpMid": "m" * 65}},
        },
        "signal.candidate.sdpMid",
    ),
    *[
        (
            {"type": "signal", "signal": {"kind": "candidate", "candidate": {"candidate": "", "sdpMLineIndex": index}}},
            "signal.candidate.sdpMLineIndex",
        )
        for index in ("0", True, 65, -1, 1.5)
    ],
    (
        {
            "type": "signal",
            "signal": {"kind": "candidate", "candidate": {**CANDIDATE["candidate"], "usernameFragment": "u" * 257}},
        },
        "signal.candidate.usernameFragment",
    ),
    (
        {"type": "signal", "signal": {"kind": "candidate", "candidate": {**CANDIDATE["candidate"], "port": 9}}},
        "unknown fields: port",
    ),
    ({"type": "call", "action": "dance"}, "action"),
    ({"type": "call"}, "action"),
    ({"type": "call", "action": "join", "video": True}, "unknown fields: video"),
]


async def test_bad_signals_are_invalid_and_the_socket_stays_open(interview, interviewer, candidate):
    a, b = await in_call(interview, interviewer, candidate)
    for payload, field in BAD_SIGNALS:
        await send(a, payload)
        frame = await error(a)
        assert frame["code"] == "invalid", payload
        assert field in frame["message"], (payload, frame["message"])
    await send(a, {"type": "signal", "signal": {"kind": "offer", "sdp": "x" * 40_000}})
    assert (await error(a))["code"] == "too_large"

    [to_a, to_b] = await chat_barrier(a, "still up", b)
    assert signals(to_b) == [] and [f for f in to_a if f["type"] == "error"] == []
    await send(a, {"type": "signal", "signal": OFFER})
    assert (await receive_type(b, "signal"))["signal"] == OFFER
    await a.disconnect()
    await b.disconnect()


async def test_a_flood_of_signals_is_rate_limited_apart_from_chat(interview, interviewer, candidate, monkeypatch):
    assert (consumers.SIGNAL_RATE, consumers.SIGNAL_BURST) == (50, 200)
    # No refill while the flood is handled, so the counts are exact; a smaller burst keeps it quick.
    monkeypatch.setattr(consumers, "SIGNAL_RATE", 0)
    monkeypatch.setattr(consumers, "SIGNAL_BURST", 40)
    a, b = await in_call(interview, interviewer, candidate)
    for _ in range(60):
        await send(a, {"type": "signal", "signal": CANDIDATE})
    # chat has a bucket of its own: the barrier gets through
    [to_a, to_b] = await chat_barrier(a, "after the flood", b, timeout=30)
    # (presence frames of the room, e.g. `participant`, may arrive in between: only errors count)
    assert [f["code"] for f in to_a if f["type"] == "error"] == ["rate_limited"] * 20
    assert signals(to_a) == []
    assert len(signals(to_b)) == 40
    await a.disconnect()
    await b.disconnect()


# -- leaving ------------------------------------------------------------------------------------


async def test_leave_and_disconnect_tell_the_peer(interview, interviewer, candidate):
    a, b = await in_call(interview, interviewer, candidate)

    await send(b, {"type": "call", "action": "leave"})
    assert await call_frame(a) == {"type": "call", "action": "peer_left"}
    await send(b, {"type": "signal", "signal": OFFER})
    assert (await error(b))["code"] == "not_in_call"
    await send(a, {"type": "signal", "signal": OFFER})
    [_, to_b] = await chat_barrier(a, "you left", b)
    assert signals(to_b) == []

    await join_call(b)
    assert (await call_frame(a))["action"] == "peer_joined"
    assert (await call_frame(b))["action"] == "peer_here"
    await b.disconnect()
    assert await call_frame(a) == {"type": "call", "action": "peer_left"}
    await a.disconnect()


# -- the end ------------------------------------------------------------------------------------


async def test_ending_the_interview_closes_the_call_and_nothing_is_relayed(interview, interviewer, candidate):
    from interview.services import interview_end

    a, b = await in_call(interview, interviewer, candidate)
    await database_sync_to_async(interview_end)(interview=interview, user=interviewer)
    for socket in (a, b):
        assert await receive_type(socket, "ended") == {"type": "ended"}
        assert await closed_with(socket) == 4000
    await send(a, {"type": "signal", "signal": OFFER})
    assert await b.receive_nothing(timeout=0.3)
    again = await open_socket(room_path(interview), candidate)
    assert await closed_with(again) == 4403


async def test_signals_are_checked_against_the_interview_every_time(interview, interviewer, candidate):
    a, b = await in_call(interview, interviewer, candidate)
    # over without the broadcast: only the access check on the signal can notice
    await Interview.objects.filter(pk=interview.pk).aupdate(status=Interview.Status.COMPLETED)
    await send(a, {"type": "signal", "signal": OFFER})
    assert (await error(a))["code"] == "forbidden"
    await send(b, {"type": "call", "action": "join"})
    assert (await error(b))["code"] == "forbidden"
    assert await b.receive_nothing(timeout=0.3)
    await a.disconnect()
    await b.disconnect()


async def test_signalling_writes_nothing_to_the_database(interview, interviewer, candidate):
    before = await TranscriptEvent.objects.acount()
    updated_at = (await Interview.objects.aget(pk=interview.pk)).updated_at

    a, b = await in_call(interview, interviewer, candidate)
    for signal in (OFFER, CANDIDATE, {"kind": "candidate", "candidate": None}, {"kind": "restart"}):
        await send(a, {"type": "signal", "signal": signal})
    await send(b, {"type": "signal", "signal": ANSWER})
    await send(b, {"type": "signal", "signal": {"kind": "hangup"}})
    assert [(await receive_type(b, "signal"))["signal"]["kind"] for _ in range(4)] == [
        "offer",
        "candidate",
        "candidate",
        "restart",
    ]
    assert [(await receive_type(a, "signal"))["signal"]["kind"] for _ in range(2)] == ["answer", "hangup"]
    await send(b, {"type": "call", "action": "leave"})
    assert (await call_frame(a))["action"] == "peer_left"

    assert await TranscriptEvent.objects.acount() == before
    assert (await Interview.objects.aget(pk=interview.pk)).updated_at == updated_at
    await a.disconnect()
    await b.disconnect()
