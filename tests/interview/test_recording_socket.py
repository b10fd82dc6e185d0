"""Recording consent over the room socket: both see the state change; a bad action is refused."""

import pytest

from interview.models import Recording

from ..ws import open_socket, receive_type, send

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def joined(interview, user):
    socket = await open_socket(f"/ws/interviews/{interview.pk}/", user)
    return socket, await receive_type(socket, "room_state")


async def test_both_consent_over_the_socket_and_either_stops(interview, interviewer, candidate):
    a, state = await joined(interview, interviewer)
    assert state["recording"] == {
        "state": "off",
        "interviewer_consented": False,
        "candidate_consented": False,
        "on_since": None,
        "next_seq": 0,
    }
    b, _ = await joined(interview, candidate)
    await send(b, {"type": "recording", "action": "consent"})
    for socket in (a, b):
        frame = await receive_type(socket, "recording")
        assert frame["state"] == "asked" and frame["candidate_consented"] and not frame["interviewer_consented"]
    await send(a, {"type": "recording", "action": "consent"})
    for socket in (a, b):
        assert (await receive_type(socket, "recording"))["state"] == "on"
    await send(a, {"type": "recording", "action": "stop"})
    for socket in (a, b):
        assert (await receive_type(socket, "recording"))["state"] == "off"
    recording = await Recording.objects.aget(interview=interview)
    assert recording.stopped_by_id == interviewer.pk and not recording.is_on
    await a.disconnect()
    await b.disconnect()


async def test_an_unknown_action_is_invalid_and_changes_nothing(interview, candidate):
    socket, _ = await joined(interview, candidate)
    await send(socket, {"type": "recording", "action": "start"})
    error = await receive_type(socket, "error")
    assert error["code"] == "invalid"
    assert not await Recording.objects.filter(interview=interview).aexists()
    await socket.disconnect()
