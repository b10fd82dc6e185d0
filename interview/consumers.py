"""The room socket: chat, the step tracker and who is here. Protocol: docs/protocol.md."""

import secrets

from channels.db import database_sync_to_async
from django.core.exceptions import PermissionDenied

from config.errors import ApplicationError
from config.sockets import CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, JsonFrameConsumer
from whiteboard.ratelimit import TokenBucket

from . import services
from .access import interview_access, room_is_open
from .models import Interview
from .selectors import event_payload, room_state_for

MAX_MESSAGE_BYTES = 16 * 1024


def room_group(interview_id: int) -> str:
    return f"interview.{int(interview_id)}"


class RoomConsumer(JsonFrameConsumer):
    forbidden_message = "You are no longer part of this live interview."

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
        if not await self.join_user_group():
            return
        self.me = {**state["you"]}
        self.bucket = TokenBucket(rate=5, capacity=20)
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.joined = True
        await self.send_json_frame({**state, "client_id": self.client_id})
        await self._broadcast({"kind": "joined", "reply_to": self.channel_name})

    async def disconnect(self, code):
        await self.leave_user_group()
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

    async def dispatch_frame(self, handler, content):
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
            "event": event_payload(event),
        }

    handlers = {"chat": on_chat, "step": on_step}

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
        elif kind == "step":
            await self.send_json_frame(
                {
                    "type": "step",
                    "current_step": event["current_step"],
                    "step_started_at": event["step_started_at"],
                    "event": event["event"],
                }
            )
