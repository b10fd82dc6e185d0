"""What both sockets share (core/sockets.py): the end of a session closes them, and a handler
that fails unexpectedly answers with an error frame instead of dropping the connection.

Each test runs on the board socket and on the room socket, through the full ASGI application.
A `Browser` keeps one session cookie for its HTTP requests and its sockets, so logging out or
changing the password goes through the real views and ends exactly that browser's session.
"""

import asyncio
import logging

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.urls import reverse

from config.asgi import application
from core.sockets import user_group
from interview import services as interview_services
from interview.models import TranscriptEvent
from whiteboard.models import BoardOp

from .elements import rectangle
from .ws import ORIGIN, receive_type, send

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

SESSION_ENDED = 4401
FORBIDDEN = 4403
NEW_PASSWORD = "a-brand-new-passphrase-42"


class Browser:
    """One person's browser: its page requests and its sockets send the same session cookie."""

    def __init__(self, user):
        self.client = Client()
        self.client.force_login(user)

    @property
    def cookie(self) -> str:
        return self.client.cookies[settings.SESSION_COOKIE_NAME].value

    async def post(self, url: str, data: dict | None = None):
        return await database_sync_to_async(self.client.post)(url, data or {})

    async def open(self, path: str, *, cookie: str | None = None) -> WebsocketCommunicator:
        headers = [
            (b"origin", ORIGIN),
            (b"host", b"localhost"),
            (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie or self.cookie}".encode()),
        ]
        socket = WebsocketCommunicator(application, path, headers=headers)
        connected, _ = await socket.connect()
        assert connected, f"handshake refused for {path}"
        return socket


async def browser_for(user) -> Browser:
    return await database_sync_to_async(Browser)(user)


@pytest.fixture(params=["board", "room"])
def kind(request) -> str:
    return request.param


def path_of(kind: str, interview) -> str:
    return f"/ws/boards/{interview.board_id}/" if kind == "board" else f"/ws/interviews/{interview.pk}/"


async def opened(browser: Browser, kind: str, interview) -> WebsocketCommunicator:
    """A socket past its first frame (the board's snapshot, the room's state)."""
    socket = await browser.open(path_of(kind, interview))
    await receive_type(socket, "snapshot" if kind == "board" else "room_state")
    return socket


def change(kind: str, ref: str) -> dict:
    """A frame that stores something: a batch of one rectangle, or a chat message."""
    if kind == "board":
        return {"type": "ops", "op_id": ref, "elements": [rectangle(f"r-{ref}")]}
    return {"type": "chat", "text": f"hello from {ref}", "client_msg_id": ref}


async def stored(kind: str, interview, ref: str) -> bool:
    if kind == "board":
        return await BoardOp.objects.filter(board_id=interview.board_id, op_id=ref).aexists()
    return await TranscriptEvent.objects.filter(interview=interview, client_msg_id=ref).aexists()


async def write(socket: WebsocketCommunicator, kind: str, interview, ref: str) -> None:
    """Send a change, wait for its answer, and check it was stored: the socket works."""
    await send(socket, change(kind, ref))
    if kind == "board":
        while (await receive_type(socket, "ack"))["op_id"] != ref:
            pass
    else:  # other people's chat reaches this socket too
        while (await receive_type(socket, "chat"))["event"]["client_msg_id"] != ref:
            pass
    assert await stored(kind, interview, ref)


async def close_code(socket: WebsocketCommunicator, timeout: float = 3) -> int | None:
    """The code of the server's close, skipping any frames sent before it."""
    while True:
        message = await socket.receive_output(timeout)
        if message["type"] == "websocket.close":
            return message.get("code")


async def refused_with(browser: Browser, kind: str, interview, *, cookie: str | None = None) -> int | None:
    socket = await browser.open(path_of(kind, interview), cookie=cookie)
    return await close_code(socket)


# -- the end of a session closes the user's sockets ---------------------------------------------


async def test_logout_closes_the_socket_and_nothing_sent_after_is_stored(interview, candidate, kind):
    browser = await browser_for(candidate)
    socket = await opened(browser, kind, interview)
    await write(socket, kind, interview, "before")
    cookie = browser.cookie

    response = await browser.post(reverse("account_logout"))
    assert response.status_code == 302
    assert await close_code(socket) == SESSION_ENDED

    await send(socket, change(kind, "after"))
    assert await socket.receive_nothing(timeout=0.3)
    assert not await stored(kind, interview, "after")
    # the cookie of the ended session opens nothing any more
    assert await refused_with(browser, kind, interview, cookie=cookie) == FORBIDDEN
    await socket.disconnect()


async def test_logout_leaves_other_peoples_sockets_open(interview, interviewer, candidate, kind):
    theirs = await opened(await browser_for(interviewer), kind, interview)
    browser = await browser_for(candidate)
    mine = await opened(browser, kind, interview)

    await browser.post(reverse("account_logout"))
    assert await close_code(mine) == SESSION_ENDED
    await write(theirs, kind, interview, "still-here")
    await mine.disconnect()
    await theirs.disconnect()


async def test_logout_closes_the_same_users_other_browser_which_reconnects(interview, candidate, kind):
    laptop, phone = await browser_for(candidate), await browser_for(candidate)
    on_laptop, on_phone = await opened(laptop, kind, interview), await opened(phone, kind, interview)

    await laptop.post(reverse("account_logout"))
    assert await close_code(on_laptop) == SESSION_ENDED
    assert await close_code(on_phone) == SESSION_ENDED
    # the phone's session is still valid: its reconnect is let in and works
    again = await opened(phone, kind, interview)
    await write(again, kind, interview, "from-phone")
    for socket in (on_laptop, on_phone, again):
        await socket.disconnect()


async def test_password_change_closes_the_users_sockets(interview, interviewer, candidate, kind, password):
    here, elsewhere = await browser_for(candidate), await browser_for(candidate)
    theirs = await opened(await browser_for(interviewer), kind, interview)
    socket_here, socket_elsewhere = await opened(here, kind, interview), await opened(elsewhere, kind, interview)

    response = await here.post(
        reverse("account_change_password"),
        {"oldpassword": password, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert await close_code(socket_here) == SESSION_ENDED
    assert await close_code(socket_elsewhere) == SESSION_ENDED

    # Django keeps the session that changed the password (update_session_auth_hash) ...
    again = await opened(here, kind, interview)
    await write(again, kind, interview, "after-change")
    # ... and ends every other one
    assert await refused_with(elsewhere, kind, interview) == FORBIDDEN
    await write(theirs, kind, interview, "peer-unaffected")
    for socket in (socket_here, socket_elsewhere, again, theirs):
        await socket.disconnect()


async def test_deactivation_closes_the_users_sockets(interview, interviewer, candidate, kind):
    browser = await browser_for(candidate)
    socket = await opened(browser, kind, interview)
    theirs = await opened(await browser_for(interviewer), kind, interview)

    candidate.is_active = False
    await candidate.asave(update_fields=["is_active"])
    assert await close_code(socket) == SESSION_ENDED
    await send(socket, change(kind, "after"))
    assert await socket.receive_nothing(timeout=0.3)
    assert not await stored(kind, interview, "after")
    assert await refused_with(browser, kind, interview) == FORBIDDEN
    await write(theirs, kind, interview, "peer-unaffected")
    await socket.disconnect()
    await theirs.disconnect()


async def test_deleting_the_user_closes_their_sockets(interview, candidate, kind):
    socket = await opened(await browser_for(candidate), kind, interview)
    await candidate.adelete()
    assert await close_code(socket) == SESSION_ENDED
    await socket.disconnect()


async def test_saving_the_user_otherwise_leaves_the_sockets_open(interview, candidate, kind):
    socket = await opened(await browser_for(candidate), kind, interview)
    candidate.first_name = "Cal"
    await candidate.asave()
    await browser_for(candidate)  # logging in elsewhere records last_login
    await write(socket, kind, interview, "still-open")
    await socket.disconnect()


async def test_a_session_that_ends_while_the_socket_connects_closes_it(interview, candidate, kind, monkeypatch):
    browser = await browser_for(candidate)
    layer = get_channel_layer()
    group_add = layer.group_add

    async def log_out_first(group, channel):
        if group == user_group(candidate.pk):
            # the logout is announced before this socket listens for it
            await browser.post(reverse("account_logout"))
        await group_add(group, channel)

    monkeypatch.setattr(layer, "group_add", log_out_first)
    socket = await browser.open(path_of(kind, interview))
    assert await close_code(socket) == SESSION_ENDED
    await socket.disconnect()


@pytest.mark.parametrize("failure", ["down", "hangs"])
async def test_logout_and_password_change_succeed_when_the_channel_layer_fails(
    candidate, password, monkeypatch, caplog, failure
):
    async def broken_group_send(group, message):
        if failure == "hangs":
            await asyncio.sleep(60)
        raise ConnectionError("the channel layer is unreachable")

    monkeypatch.setattr("core.sockets.SESSION_END_TIMEOUT", 0.2)
    monkeypatch.setattr(get_channel_layer(), "group_send", broken_group_send)
    browser = await browser_for(candidate)

    with caplog.at_level(logging.ERROR, logger="core.sockets"):
        response = await browser.post(
            reverse("account_change_password"),
            {"oldpassword": password, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
        assert response.status_code == 302
        assert (await database_sync_to_async(browser.client.get)(reverse("account_change_password"))).status_code == 200
        response = await browser.post(reverse("account_logout"))
        assert response.status_code == 302

    await candidate.arefresh_from_db()
    assert candidate.check_password(NEW_PASSWORD)
    logged_out = await database_sync_to_async(browser.client.get)(reverse("account_change_password"))
    assert logged_out.status_code == 302 and reverse("account_login") in logged_out["Location"]
    records = [r for r in caplog.records if r.name == "core.sockets"]
    assert len(records) == 2 and all(r.exc_info for r in records)
    assert all(f"user {candidate.pk}" in r.getMessage() for r in records)


# -- a handler that fails unexpectedly ----------------------------------------------------------


async def test_an_unexpected_error_in_a_room_handler_is_a_server_error_frame(interview, candidate, monkeypatch, caplog):
    post_message = interview_services.interview_post_message
    calls = []

    def fails_once(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise RuntimeError("the disk is on fire")
        return post_message(**kwargs)

    monkeypatch.setattr(interview_services, "interview_post_message", fails_once)
    browser = await browser_for(candidate)
    socket = await opened(browser, "room", interview)

    with caplog.at_level(logging.ERROR):
        await send(socket, change("room", "m-1"))
        frame = await receive_type(socket, "error")
    assert (frame["code"], frame["ref"]) == ("server_error", "m-1")
    assert frame["message"].endswith(".") and "fire" not in frame["message"]
    [record] = [r for r in caplog.records if r.exc_info]
    assert isinstance(record.exc_info[1], RuntimeError) and "chat" in record.getMessage()

    # the socket is still up, and the resent message is stored once
    await write(socket, "room", interview, "m-1")
    assert await TranscriptEvent.objects.filter(interview=interview, kind="chat").acount() == 1
    await socket.disconnect()


async def test_an_unexpected_error_in_a_board_handler_is_a_server_error_frame(
    interview, candidate, monkeypatch, caplog
):
    def broken(**kwargs):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr("whiteboard.consumers.board_ops_since", broken)
    browser = await browser_for(candidate)
    socket = await opened(browser, "board", interview)

    with caplog.at_level(logging.ERROR):
        await send(socket, {"type": "sync", "since_seq": 0})
        frame = await receive_type(socket, "error")
    assert (frame["code"], frame["ref"]) == ("server_error", None)
    assert frame["message"].endswith(".") and "fire" not in frame["message"]
    [record] = [r for r in caplog.records if r.exc_info]
    assert isinstance(record.exc_info[1], RuntimeError) and "sync" in record.getMessage()

    await write(socket, "board", interview, "op-1")  # still up
    await socket.disconnect()
