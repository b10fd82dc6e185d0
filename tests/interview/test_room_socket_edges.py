"""The room socket at its edges: the database failing under a handler or on connect, and a client
that leaves while a handler is still working (then nothing is sent, and the socket cleans up)."""

import json
import logging
import socket
import threading
import time

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import Client
from websockets.sync.client import connect

from core.errors import ApplicationError
from interview.models import TranscriptEvent

from ..ws import closed_with, open_socket, receive, receive_type, send


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_database_error_in_a_handler_answers_retry_and_the_socket_goes_on(interview, candidate, monkeypatch):
    import interview.services as services

    post = services.interview_post_message

    def unreachable(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "interview_post_message", unreachable)
    room = await open_socket(f"/ws/interviews/{interview.pk}/", candidate)
    await receive_type(room, "room_state")
    await send(room, {"type": "chat", "text": "hello", "client_msg_id": "m-1"})
    error = await receive_type(room, "error")
    assert (error["code"], error["ref"]) == ("retry", "m-1")
    assert "Send it again" in error["message"]
    assert not await TranscriptEvent.objects.filter(client_msg_id="m-1").aexists()

    monkeypatch.setattr(services, "interview_post_message", post)  # the database is back: the resend works
    await send(room, {"type": "chat", "text": "hello", "client_msg_id": "m-1"})
    assert (await receive_type(room, "chat"))["event"]["client_msg_id"] == "m-1"
    await room.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_database_error_on_connect_answers_an_error_frame_then_closes_1011(interview, candidate, monkeypatch):
    def unreachable(**kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("interview.consumers.room_state_for", unreachable)
    room = await open_socket(f"/ws/interviews/{interview.pk}/", candidate)
    frame = await receive(room)
    assert (frame["type"], frame["code"]) == ("error", "retry")
    assert await closed_with(room) == 1011


# -- a client that leaves while its frame is being handled, on a real uvicorn server -------------


@pytest.fixture
def uvicorn_server(transactional_db):
    """The whole app on uvicorn in a thread (as in tests/browser/conftest.py), its logs left to
    propagate so that caplog sees them."""
    import uvicorn

    from config.asgi import application

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    server = uvicorn.Server(uvicorn.Config(application, lifespan="off", log_config=None, access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield sock.getsockname()[1]
    server.should_exit = True
    thread.join(timeout=15)
    sock.close()


def connect_as(user, port: int, path: str):
    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return connect(
        f"ws://127.0.0.1:{port}{path}",
        additional_headers={"Cookie": cookie, "Origin": f"http://127.0.0.1:{port}"},
        open_timeout=10,
    )


def frames_until(ws, predicate, timeout: float = 10) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        frame = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
        if predicate(frame):
            return frame


def test_a_client_gone_mid_handler_is_sent_nothing_and_its_leaving_is_announced(
    uvicorn_server, interview, interviewer, candidate, monkeypatch, caplog
):
    entered, release = threading.Event(), threading.Event()

    def slow_refusal(**kwargs):
        entered.set()
        release.wait(10)
        raise ApplicationError("Nothing to say.", code="invalid")

    monkeypatch.setattr("interview.services.interview_post_message", slow_refusal)
    path = f"/ws/interviews/{interview.pk}/"
    caplog.set_level(logging.DEBUG)
    with connect_as(interviewer, uvicorn_server, path) as peer:
        frames_until(peer, lambda f: f["type"] == "room_state")
        with connect_as(candidate, uvicorn_server, path) as leaving:
            state = frames_until(leaving, lambda f: f["type"] == "room_state")
            frames_until(peer, lambda f: f["type"] == "participant" and f["status"] == "joined")
            leaving.send(json.dumps({"type": "chat", "text": "hi", "client_msg_id": "m-1"}))
            assert entered.wait(10)
        # Gone before the handler answers; the handler now answers an error frame to a closed socket.
        release.set()

        left = frames_until(peer, lambda f: f["type"] == "participant" and f["status"] == "left")
        assert left["client_id"] == state["client_id"]  # the disconnect ran: cleanup happened
    problems = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert problems == [], [r.getMessage() for r in problems]
    assert any("closed by the client before a send" in r.getMessage() for r in caplog.records)
