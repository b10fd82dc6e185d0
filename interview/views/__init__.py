"""HTML pages: one interview (interviews.py) and scheduling (schedule.py)."""

from .interviews import (
    dashboard,
    home,
    interview_answer,
    interview_detail,
    interview_end,
    interview_new,
    interview_room,
)
from .recording import interview_audio
from .schedule import (
    availability,
    availability_delete,
    booking_cancel,
    booking_detail,
    booking_reschedule,
    peer_profile,
    profile_calendar_link,
    profile_edit,
    queue,
    queue_leave,
    slot_book,
    slot_list,
)

__all__ = [
    "availability",
    "availability_delete",
    "booking_cancel",
    "booking_detail",
    "booking_reschedule",
    "dashboard",
    "home",
    "interview_answer",
    "interview_audio",
    "interview_detail",
    "interview_end",
    "interview_new",
    "interview_room",
    "peer_profile",
    "profile_calendar_link",
    "profile_edit",
    "queue",
    "queue_leave",
    "slot_book",
    "slot_list",
]
