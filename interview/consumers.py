"""The room socket: chat, the step tracker, who is here and the call's signalling. Protocol: docs/protocol.md."""

import logging
import secrets

from channels.db import database_sync_to_async
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError

from core.errors import ApplicationError
from core.ratelimit import TokenBucket
from core.sockets import CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, JsonFrameConsumer, frame_size

from . import services
from .access import interview_access
from .call import call_action_from, signal_from
from .lifecycle import room_is_open
from .models import Interview
from .pacing import steps_payload
from .realtime import call_group, room_group
from .selectors import event_payload, room_state_for
from .services.recording import recording_consent, recording_stop

logger = logging.getLogger(__name__)

# The room could not be loaded (the database failed): the client reconnects after a pause.
CLOSE_UNAVAILABLE = 1011

# An SDP offer with audio and video can exceed 16 KiB of JSON; frames other than signals keep the old cap.
MAX_MESSAGE_BYTES = 32 * 1024
MAX_OTHER_MESSAGE_BYTES = 16 * 1024
# ICE candidates come in bursts: signals have a bucket of their own, apart from chat's.
SIGNAL_RATE = 50
SIGNAL_BURST = 200


class RoomConsumer(JsonFrameConsumer):
    forbidden_message = "You are no longer part of this live interview."
    # Whether this socket is its user's one socket in the call (the member of its call group).
    in_call = False
    frame_bytes = 0

    async def connect(self):
        self.interview_id = int(self.scope["url_route"]["kwargs"]["interview_id"])
        self.user = self.scope["user"]
        self.client_id = f"c-{secrets.token_hex(6)}"
        self.group = room_group(self.interview_id)
        self.joined = False
        await self.accept()
        try:
            state = await self._load_state()
        except Interview.DoesNotExist:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        except PermissionDenied:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        except DatabaseError:
            logger.exception("Room socket for interview %s: the database failed on connect", self.interview_id)
            await self.send_error("retry", "The server could not load the room just now; reconnect in a moment.")
            await self.close(code=CLOSE_UNAVAILABLE)
            return
        if not await self.join_user_group():
            return
        self.me = {**state["you"]}
        self.bucket = TokenBucket(rate=5, capacity=20)
        self.signal_bucket = TokenBucket(rate=SIGNAL_RATE, capacity=SIGNAL_BURST)
        self.call_group = call_group(self.interview_id, self.user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.joined = True
        await self.send_json_frame({**state, "client_id": self.client_id})
        await self._broadcast({"kind": "joined", "reply_to": self.channel_name})

    async def disconnect(self, code):
        await self.leave_user_group()
        await self._leave_call()
        if self.joined:
            await self._broadcast({"kind": "left"})
            await self.channel_layer.group_discard(self.group, self.channel_name)

    @database_sync_to_async
    def _load_state(self):
        interview = self._access()
        return room_state_for(interview=interview, user=self.user)

    def _access(self) -> Interview:
        interview = interview_access(user=self.user, interview_id=self.interview_id)
        if not room_is_open(interview):
            raise PermissionDenied("This interview is not live.")
        return interview

    def max_message_bytes(self) -> int:
        return MAX_MESSAGE_BYTES

    def error_ref(self, content: dict):
        return content.get("client_msg_id")

    async def receive(self, text_data=None, bytes_data=None):
        raw = text_data if text_data is not None else bytes_data
        self.frame_bytes = frame_size(raw) if raw is not None else 0
        await super().receive(text_data=text_data, bytes_data=bytes_data)

    async def dispatch_frame(self, handler, content):
        if content["type"] == "signal":
            if not self.signal_bucket.take():
                raise ApplicationError("Too many call signals; wait a moment.", code="rate_limited")
        else:
            if self.frame_bytes > MAX_OTHER_MESSAGE_BYTES:
                raise ApplicationError(f"Messages are limited to {MAX_OTHER_MESSAGE_BYTES} bytes.", code="too_large")
            if not self.bucket.take():
                raise ApplicationError("Too many messages; wait a moment.", code="rate_limited")
        await handler(self, content)

    async def on_chat(self, content):
        event = await self._post(content.get("text"), content.get("client_msg_id"))
        await self._broadcast({"kind": "chat", "event": event}, include_self=True)

    @database_sync_to_async
    def _post(self, text, client_msg_id):
        interview = self._access()
        return event_payload(
            services.interview_post_message(interview=interview, user=self.user, text=text, client_msg_id=client_msg_id)
        )

    async def on_step(self, content):
        result = await self._set_step(content.get("step"))
        if result is not None:
            await self._broadcast({"kind": "step", **result}, include_self=True)

    @database_sync_to_async
    def _set_step(self, step):
        interview = self._access()
        interview, event = services.interview_set_step(interview=interview, user=self.user, step=step)
        if event is None:
            return None
        return {
            "current_step": interview.current_step,
            "step_started_at": interview.step_started_at.isoformat(),
            "steps": steps_payload(interview=interview),  # the step just left now shows its time
            "event": event_payload(event),
        }

    # -- recording: consent and stop; the state reaches both through room_broadcast ------------

    async def on_recording(self, content):
        action = content.get("action")
        if action not in ("consent", "stop"):
            raise ApplicationError('action must be "consent" or "stop".', code="invalid")
        await self._recording(action)

    @database_sync_to_async
    def _recording(self, action):
        interview = self._access()
        if action == "consent":
            recording_consent(interview=interview, user=self.user)
        else:
            recording_stop(interview=interview, user=self.user)

    # -- the call: signalling between the two participants, relayed and never stored ------------

    async def on_call(self, content):
        if call_action_from(content) == "leave":
            await self._leave_call()
            return
        interview = await database_sync_to_async(self._access)()
        peer_group = self._peer_call_group(interview)
        # At most one socket per user in the call, across server processes: the others in this
        # user's call group step out when they hear of the newcomer, before it steps in.
        await self.channel_layer.group_send(self.call_group, {"type": "call.takeover", "channel": self.channel_name})
        await self.channel_layer.group_add(self.call_group, self.channel_name)
        self.in_call = True
        self.peer_call_group = peer_group
        await self.send_json_frame({"type": "call", "action": "joined"})
        await self.channel_layer.group_send(
            peer_group, {"type": "call.peer", "action": "joined", "user": self.me, "reply_to": self.channel_name}
        )

    async def on_signal(self, content):
        signal = signal_from(content)
        if not self.in_call:
            raise ApplicationError("Join the call first.", code="not_in_call")
        interview = await database_sync_to_async(self._access)()
        await self.channel_layer.group_send(
            self._peer_call_group(interview),
            {"type": "call.signal", "from": {"id": self.me["id"], "name": self.me["name"]}, "signal": signal},
        )

    def _peer_call_group(self, interview: Interview) -> str:
        peer_id = interview.candidate_id if self.user.pk == interview.interviewer_id else interview.interviewer_id
        return call_group(self.interview_id, peer_id)

    async def _leave_call(self) -> None:
        if not self.in_call:
            return
        self.in_call = False
        await self.channel_layer.group_discard(self.call_group, self.channel_name)
        await self.channel_layer.group_send(self.peer_call_group, {"type": "call.peer", "action": "left"})

    async def call_takeover(self, event):
        if event["channel"] == self.channel_name or not self.in_call:
            return
        # Replaced by another socket of the same user: it tells the peer it joined, so no peer_left.
        self.in_call = False
        await self.channel_layer.group_discard(self.call_group, self.channel_name)
        await self.send_json_frame({"type": "call", "action": "replaced"})

    async def call_peer(self, event):
        if not self.in_call:
            return
        action = event["action"]
        if action == "joined":
            await self.send_json_frame({"type": "call", "action": "peer_joined", "user": event["user"]})
            await self.channel_layer.send(event["reply_to"], {"type": "call.peer", "action": "here", "user": self.me})
        elif action == "here":
            await self.send_json_frame({"type": "call", "action": "peer_here", "user": event["user"]})
        elif action == "left":
            await self.send_json_frame({"type": "call", "action": "peer_left"})

    async def call_signal(self, event):
        if self.in_call:
            await self.send_json_frame({"type": "signal", "from": event["from"], "signal": event["signal"]})

    handlers = {"chat": on_chat, "step": on_step, "call": on_call, "signal": on_signal, "recording": on_recording}

    async def _broadcast(self, event: dict, include_self: bool = False) -> None:
        await self.channel_layer.group_send(
            self.group,
            {
                "type": "room.event",
                "sender": None if include_self else self.channel_name,
                "client_id": self.client_id,
                "user": self.me,
                **event,
            },
        )

    async def room_ended(self, event):
        await self.send_json_frame({"type": "ended"})
        await self.close(code=4000)

    async def room_event(self, event):
        if event["sender"] == self.channel_name:
            return
        kind = event["kind"]
        if kind == "joined":
            await self.channel_layer.send(
                event["reply_to"],
                {
                    "type": "room.event",
                    "sender": None,
                    "kind": "here",
                    "client_id": self.client_id,
                    "user": self.me,
                },
            )
            await self.send_json_frame(
                {"type": "participant", "status": "joined", "client_id": event["client_id"], "user": event["user"]}
            )
        elif kind == "here":
            await self.send_json_frame(
                {"type": "participant", "status": "here", "client_id": event["client_id"], "user": event["user"]}
            )
        elif kind == "left":
            await self.send_json_frame({"type": "participant", "status": "left", "client_id": event["client_id"]})
        elif kind == "chat":
            await self.send_json_frame({"type": "chat", "event": event["event"]})
        elif kind == "speech":
            await self.send_json_frame({"type": "speech", "event": event["event"]})
        elif kind == "recording":
            await self.send_json_frame({"type": "recording", **event["recording"]})
        elif kind == "step":
            await self.send_json_frame(
                {
                    "type": "step",
                    "current_step": event["current_step"],
                    "step_started_at": event["step_started_at"],
                    "event": event["event"],
                }
            )
