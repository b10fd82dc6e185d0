"""Who hears what in the live room: the channel-layer group names, and broadcasting after commit.

Services call `room_broadcast` instead of importing a consumer; it waits for the transaction to
commit, so nobody is told of a change that rolled back. Group names are ASCII and short."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def room_group(interview_id: int) -> str:
    """Every socket in this interview's room."""
    return f"interview.{int(interview_id)}"


def call_group(interview_id: int, user_id: int) -> str:
    """The one socket of this user that is in this interview's call (at most one)."""
    return f"call.{int(interview_id)}.{int(user_id)}"


def room_broadcast(interview_id: int, message: dict) -> None:
    """Send `message` (a channel-layer event with a "type") to the room once the current
    transaction commits; at once when there is none."""
    transaction.on_commit(lambda: async_to_sync(get_channel_layer().group_send)(room_group(interview_id), message))
