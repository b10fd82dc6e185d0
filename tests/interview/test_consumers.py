import datetime as dt

import pytest

from interview.models import Interview, TranscriptEvent

from ..ws import closed_with, open_socket, receive, receive_type, send

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def room_path(interview) -> str:
    return f"/ws/interviews/{interview.pk}/"


async def joined(interview, user):
    """Open the room as `user`; return the socket and its room_state."""
    socket = await open_socket(room_path(interview), user)
    return socket, await receive_type(socket, "room_state")


async def chats(interview) -> list[TranscriptEvent]:
    return [e async for e in TranscriptEvent.objects.filter(interview=interview, kind="chat").order_by("id")]


async def refreshed(interview) -> Interview:
    return await Interview.objects.aget(pk=interview.pk)


# -- connecting ---------------------------------------------------------------------------------


async def test_room_state_on_connect(interview, candidate):
    socket, state = await joined(interview, candidate)
    assert state["interview"] == {"id": interview.pk, "status": "accepted"}
    assert state["you"] == {"id": candidate.pk, "name": "Cal Candidate", "role": "candidate"}
    assert [s["number"] for s in state["steps"]] == [1, 2, 3, 4, 5, 6, 7]
    assert state["steps"][0]["key"] == "clarify" and state["steps"][0]["time_budget_minutes"] > 0
    assert state["current_step"] == 1 and state["transcript"] == []
    assert state["client_id"].startswith("c-")
    now = dt.datetime.fromisoformat(state["now"])
    assert abs(now - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    await socket.disconnect()


async def test_room_state_names_the_interviewer_role(interview, interviewer):
    socket, state = await joined(interview, interviewer)
    assert state["you"] == {"id": interviewer.pk, "name": "Ivy Interviewer", "role": "interviewer"}
    await socket.disconnect()


async def test_room_state_replays_the_transcript(interview, interviewer, candidate):
    a, _ = await joined(interview, interviewer)
    await send(a, {"type": "step", "step": 2})
    await receive_type(a, "step")
    await send(a, {"type": "chat", "text": "Let's frame it.", "client_msg_id": "m-1"})
    await receive_type(a, "chat")

    b, state = await joined(interview, candidate)
    assert state["current_step"] == 2 and state["step_started_at"] is not None
    assert [(e["kind"], e["step"], e["text"]) for e in state["transcript"]] == [
        ("step", 2, "Step 2: " + state["steps"][1]["title"]),
        ("chat", 2, "Let's frame it."),
    ]
    assert state["transcript"][1]["author"] == {"id": interviewer.pk, "name": "Ivy Interviewer"}
    await a.disconnect()
    await b.disconnect()


async def test_outsider_and_anonymous_are_refused(interview, outsider):
    for user, code in ((outsider, 4404), (None, 4403)):  # a stranger is told what a missing id is told
        socket = await open_socket(room_path(interview), user)
        assert await closed_with(socket) == code


async def test_unknown_interview_closes_with_4404(interview, candidate):
    socket = await open_socket("/ws/interviews/987654/", candidate)
    assert await closed_with(socket) == 4404


@pytest.mark.parametrize("who", ["candidate", "interviewer"])
async def test_an_interview_not_yet_accepted_is_refused(invited_interview, request, who):
    socket = await open_socket(room_path(invited_interview), request.getfixturevalue(who))
    assert await closed_with(socket) == 4403


@pytest.mark.parametrize("status", [Interview.Status.COMPLETED, Interview.Status.CANCELLED])
async def test_a_room_that_is_over_is_refused(interview, candidate, status):
    await Interview.objects.filter(pk=interview.pk).aupdate(status=status)
    socket = await open_socket(room_path(interview), candidate)
    assert await closed_with(socket) == 4403


# -- who is here --------------------------------------------------------------------------------


async def test_participants_joined_here_and_left(interview, interviewer, candidate):
    a, a_state = await joined(interview, interviewer)
    b, b_state = await joined(interview, candidate)
    a_user = {"id": interviewer.pk, "name": "Ivy Interviewer", "role": "interviewer"}
    b_user = {"id": candidate.pk, "name": "Cal Candidate", "role": "candidate"}

    # those already in the room hear the newcomer join ...
    assert await receive_type(a, "participant") == {
        "type": "participant",
        "status": "joined",
        "client_id": b_state["client_id"],
        "user": b_user,
    }
    # ... and answer it alone with "here". Over Redis, a's own announcement, sent just before b
    # subscribed, may reach b as well; "who is online" is a set, so that repeat is harmless.
    frames = []
    while not frames or frames[-1]["status"] != "here":
        frames.append(await receive_type(b, "participant"))
    assert frames[-1] == {"type": "participant", "status": "here", "client_id": a_state["client_id"], "user": a_user}
    assert all(f["client_id"] == a_state["client_id"] and f["status"] == "joined" for f in frames[:-1])

    await b.disconnect()
    while (frame := await receive_type(a, "participant"))["status"] != "left":
        assert frame["client_id"] == b_state["client_id"]  # nobody hears about themselves
    assert frame == {"type": "participant", "status": "left", "client_id": b_state["client_id"]}
    await a.disconnect()


# -- chat ---------------------------------------------------------------------------------------


async def test_chat_reaches_both_and_is_stored_with_the_current_step(interview, interviewer, candidate):
    a, _ = await joined(interview, interviewer)
    b, _ = await joined(interview, candidate)

    await send(b, {"type": "chat", "text": "  What is the business goal?  ", "client_msg_id": "m-1"})
    frames = [await receive_type(socket, "chat") for socket in (a, b)]
    assert frames[0] == frames[1]
    event = frames[0]["event"]
    assert event["kind"] == "chat" and event["text"] == "What is the business goal?"
    assert event["author"] == {"id": candidate.pk, "name": "Cal Candidate"}
    assert (event["step"], event["client_msg_id"]) == (1, "m-1")

    [row] = await chats(interview)
    assert (row.pk, row.text, row.step, row.author_id, row.client_msg_id) == (
        event["id"],
        "What is the business goal?",
        1,
        candidate.pk,
        "m-1",
    )
    await a.disconnect()
    await b.disconnect()


async def test_a_repeated_client_msg_id_is_stored_once(interview, candidate):
    a, _ = await joined(interview, candidate)
    for _ in range(2):
        await send(a, {"type": "chat", "text": "hello", "client_msg_id": "m-1"})
    first, second = [(await receive_type(a, "chat"))["event"] for _ in range(2)]
    assert first["id"] == second["id"]
    await send(a, {"type": "chat", "text": "hello", "client_msg_id": "m-2"})
    assert (await receive_type(a, "chat"))["event"]["id"] != first["id"]
    assert [e.client_msg_id for e in await chats(interview)] == ["m-1", "m-2"]
    await a.disconnect()


async def test_chat_without_client_msg_id_is_stored_each_time(interview, candidate):
    a, _ = await joined(interview, candidate)
    for _ in range(2):
        await send(a, {"type": "chat", "text": "again"})
        await receive_type(a, "chat")
    assert len(await chats(interview)) == 2
    await a.disconnect()


async def test_chat_of_exactly_2000_characters_is_accepted(interview, candidate):
    a, _ = await joined(interview, candidate)
    await send(a, {"type": "chat", "text": " " + "a" * 2000 + "\n", "client_msg_id": "m-1"})
    assert len((await receive_type(a, "chat"))["event"]["text"]) == 2000
    await a.disconnect()


@pytest.mark.parametrize(
    ("chat", "message"),
    [
        pytest.param({"text": ""}, "empty", id="empty"),
        pytest.param({"text": "   \n\t"}, "empty", id="blank"),
        pytest.param({}, "empty", id="missing"),
        pytest.param({"text": 42}, "empty", id="not-text"),
        pytest.param({"text": "a" * 2001}, "2000 characters", id="too-long"),
        pytest.param({"text": "hi", "client_msg_id": "m" * 65}, "client_msg_id", id="msg-id-too-long"),
        pytest.param({"text": "hi", "client_msg_id": 7}, "client_msg_id", id="msg-id-number"),
        pytest.param({"text": "before\u0000after"}, "U+0000", id="nul"),
        pytest.param({"text": "\u0000"}, "U+0000", id="only-nul"),
        pytest.param({"text": "hi", "client_msg_id": "m-\u0000"}, "U+0000", id="nul-in-msg-id"),
    ],
)
async def test_bad_chat_is_invalid_and_stores_nothing(interview, interviewer, candidate, chat, message):
    a, _ = await joined(interview, candidate)
    b, _ = await joined(interview, interviewer)

    await send(a, {"type": "chat", **chat})
    frame = await receive_type(a, "error")
    assert frame["code"] == "invalid" and message in frame["message"]
    assert await chats(interview) == []
    # the next good message is the first b sees
    await send(a, {"type": "chat", "text": "ok", "client_msg_id": "m-ok"})
    assert (await receive_type(b, "chat"))["event"]["client_msg_id"] == "m-ok"
    await a.disconnect()
    await b.disconnect()


async def test_chat_after_the_interview_ends_is_forbidden(interview, candidate):
    a, _ = await joined(interview, candidate)
    await Interview.objects.filter(pk=interview.pk).aupdate(status=Interview.Status.COMPLETED)
    await send(a, {"type": "chat", "text": "still there?", "client_msg_id": "m-1"})
    frame = await receive(a)
    assert (frame["type"], frame["code"]) == ("error", "forbidden")
    assert await chats(interview) == []
    await a.disconnect()


# -- steps --------------------------------------------------------------------------------------


async def test_candidate_cannot_move_steps(interview, candidate):
    a, _ = await joined(interview, candidate)
    await send(a, {"type": "step", "step": 3})
    frame = await receive(a)
    assert (frame["type"], frame["code"]) == ("error", "forbidden")
    assert (await refreshed(interview)).current_step == 1
    assert not await TranscriptEvent.objects.filter(interview=interview, kind="step").aexists()
    await a.disconnect()


async def test_interviewer_moves_to_step_3_for_everyone(interview, interviewer, candidate):
    a, _ = await joined(interview, interviewer)
    b, state = await joined(interview, candidate)

    await send(a, {"type": "step", "step": 3})
    frames = [await receive_type(socket, "step") for socket in (a, b)]
    assert frames[0] == frames[1]
    step = frames[0]
    assert step["current_step"] == 3 and step["step_started_at"]
    assert step["event"]["kind"] == "step" and step["event"]["step"] == 3
    assert step["event"]["text"] == f"Step 3: {state['steps'][2]['title']}"
    assert step["event"]["author"] == {"id": interviewer.pk, "name": "Ivy Interviewer"}

    stored = await refreshed(interview)
    assert stored.current_step == 3
    assert stored.step_started_at == dt.datetime.fromisoformat(step["step_started_at"])

    await send(b, {"type": "chat", "text": "On to the data.", "client_msg_id": "m-1"})
    assert (await receive_type(b, "chat"))["event"]["step"] == 3
    assert [e.step for e in await chats(interview)] == [3]
    await a.disconnect()
    await b.disconnect()


async def test_choosing_the_current_step_again_changes_nothing(interview, interviewer):
    a, _ = await joined(interview, interviewer)
    await send(a, {"type": "step", "step": 4})
    await receive_type(a, "step")
    await send(a, {"type": "step", "step": 4})
    await send(a, {"type": "step", "step": 5})
    # the repeat of step 4 is silent: the next frame is step 5
    assert (await receive(a))["current_step"] == 5
    assert await TranscriptEvent.objects.filter(interview=interview, kind="step").acount() == 2
    await a.disconnect()


@pytest.mark.parametrize("step", [0, 8, -1, "3", 3.0, True, None])
async def test_step_out_of_range_is_invalid(interview, interviewer, step):
    a, _ = await joined(interview, interviewer)
    await send(a, {"type": "step", "step": step})
    frame = await receive(a)
    assert (frame["type"], frame["code"]) == ("error", "invalid") and "1 to 7" in frame["message"]
    assert (await refreshed(interview)).current_step == 1
    await a.disconnect()


# -- malformed input and flooding ---------------------------------------------------------------


async def test_malformed_frames_are_errors_and_the_socket_stays_open(interview, candidate):
    a, _ = await joined(interview, candidate)
    for payload, code in [
        ("{nope", "bad_json"),
        ("[1, 2]", "bad_json"),
        ({"type": "dance"}, "unknown_type"),
        ({"text": "no type"}, "unknown_type"),
        ({"type": "chat", "text": "x" * 20_000}, "too_large"),
        ('{"type": "chat", "text": "half \\ud83d of an emoji"}', "bad_json"),  # a lone surrogate
    ]:
        await send(a, payload)
        frame = await receive(a)
        assert (frame["type"], frame["code"]) == ("error", code), payload
    await send(a, {"type": "chat", "text": "still here", "client_msg_id": "m-1"})
    assert (await receive_type(a, "chat"))["event"]["text"] == "still here"
    assert len(await chats(interview)) == 1
    await a.disconnect()


async def test_a_flood_of_messages_is_rate_limited(interview, candidate):
    a, _ = await joined(interview, candidate)
    for n in range(30):
        await send(a, {"type": "chat", "text": f"spam {n}", "client_msg_id": f"m-{n}"})
    codes = []
    for _ in range(30):
        frame = await receive(a)
        codes.append("chat" if frame["type"] == "chat" else frame["code"])
    # a full bucket lets 20 through; chats come back through the group, so order may vary
    assert 20 <= codes.count("chat") < 30
    assert set(codes) == {"chat", "rate_limited"}
    assert len(await chats(interview)) == codes.count("chat")
    await a.disconnect()


async def test_ending_the_interview_closes_the_room_for_everyone(interview, interviewer, candidate):
    from channels.db import database_sync_to_async

    from interview.services import interview_end

    socket = await open_socket(room_path(interview), candidate)
    await receive_type(socket, "room_state")
    await database_sync_to_async(interview_end)(interview=interview, user=interviewer)
    assert (await receive_type(socket, "ended")) == {"type": "ended"}
    assert await closed_with(socket) == 4000
    again = await open_socket(room_path(interview), candidate)
    assert await closed_with(again) == 4403
