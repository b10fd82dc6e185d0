"""Writes for the interview app, one module per concern:
profiles, availability, bookings (booking slots, cancel, reschedule, no-shows), matching (the queue),
interviews (invitations, the live room)."""

from ..board_layout import LANES
from .availability import (
    availability_window_add,
    availability_window_delete,
    weekly_availability_add,
    weekly_availability_delete,
)
from .bookings import (
    booking_book_slot,
    booking_cancel,
    booking_mark_joined,
    booking_reschedule,
    bookings_record_no_shows,
)
from .interviews import (
    interview_accept,
    interview_decline,
    interview_end,
    interview_post_message,
    interview_schedule,
    interview_set_step,
    interview_start_clock,
)
from .matching import match_queue_run, match_request_cancel, match_request_create, match_request_now
from .profiles import profile_ensure, profile_rotate_calendar_token, profile_update
from .recording import (
    recording_chunk_upload,
    recording_consent,
    recording_delete,
    recording_stop,
    recordings_purge,
)

__all__ = [
    "LANES",
    "availability_window_add",
    "availability_window_delete",
    "booking_book_slot",
    "booking_cancel",
    "booking_mark_joined",
    "booking_reschedule",
    "bookings_record_no_shows",
    "interview_accept",
    "interview_decline",
    "interview_end",
    "interview_post_message",
    "interview_schedule",
    "interview_set_step",
    "interview_start_clock",
    "match_queue_run",
    "match_request_cancel",
    "match_request_create",
    "match_request_now",
    "profile_ensure",
    "profile_rotate_calendar_token",
    "profile_update",
    "recording_chunk_upload",
    "recording_consent",
    "recording_delete",
    "recording_stop",
    "recordings_purge",
    "weekly_availability_add",
    "weekly_availability_delete",
]
