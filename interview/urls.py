"""Pages and API of scheduling and the live room."""

from django.urls import path

from . import apis, views
from .views import feeds

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("calendar/<str:token>.ics", feeds.calendar_feed, name="calendar_feed"),
    path("bookings/<int:pk>/invite.ics", feeds.booking_invite_ics, name="booking_invite_ics"),
    path("profile/", views.profile_edit, name="profile"),
    path("profile/calendar-link/", views.profile_calendar_link, name="profile_calendar_link"),
    path("peers/<int:user_id>/", views.peer_profile, name="peer_profile"),
    path("availability/", views.availability, name="availability"),
    path(
        "availability/weekly/<int:pk>/delete/",
        views.availability_delete,
        {"kind": "weekly"},
        name="availability_weekly_delete",
    ),
    path(
        "availability/windows/<int:pk>/delete/",
        views.availability_delete,
        {"kind": "window"},
        name="availability_window_delete",
    ),
    path("slots/", views.slot_list, name="slots"),
    path("slots/book/", views.slot_book, name="slot_book"),
    path("queue/", views.queue, name="queue"),
    path("queue/<int:pk>/leave/", views.queue_leave, name="queue_leave"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking_detail"),
    path("bookings/<int:pk>/reschedule/", views.booking_reschedule, name="booking_reschedule"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("interviews/new/", views.interview_new, name="interview_new"),
    path("interviews/<int:pk>/", views.interview_detail, name="interview_detail"),
    path("interviews/<int:pk>/accept/", views.interview_answer, {"answer": "accept"}, name="interview_accept"),
    path("interviews/<int:pk>/decline/", views.interview_answer, {"answer": "decline"}, name="interview_decline"),
    path("interviews/<int:pk>/room/", views.interview_room, name="interview_room"),
    path("interviews/<int:pk>/end/", views.interview_end, name="interview_end"),
    path("interviews/<int:pk>/audio/<int:chunk_id>.webm", views.interview_audio, name="interview_audio"),
]

api_urlpatterns = [
    path("interviews/", apis.InterviewListCreateApi.as_view(), name="api_interviews"),
    path("interviews/<int:pk>/", apis.InterviewDetailApi.as_view(), name="api_interview"),
    path("interviews/<int:pk>/accept/", apis.InterviewAnswerApi.as_view(answer="accept"), name="api_interview_accept"),
    path(
        "interviews/<int:pk>/decline/", apis.InterviewAnswerApi.as_view(answer="decline"), name="api_interview_decline"
    ),
    path("interviews/<int:pk>/board/", apis.InterviewBoardApi.as_view(), name="api_interview_board"),
    path("interviews/<int:pk>/ice-servers/", apis.InterviewIceServersApi.as_view(), name="api_interview_ice_servers"),
    path("interviews/<int:pk>/recording/", apis.InterviewRecordingApi.as_view(), name="api_interview_recording"),
    path(
        "interviews/<int:pk>/recording/stop/",
        apis.InterviewRecordingStopApi.as_view(),
        name="api_interview_recording_stop",
    ),
    path(
        "interviews/<int:pk>/recording/chunks/",
        apis.InterviewRecordingChunkApi.as_view(),
        name="api_interview_recording_chunks",
    ),
    path("profile/", apis.ProfileApi.as_view(), name="api_profile"),
    path("peers/<int:user_id>/", apis.PeerApi.as_view(), name="api_peer"),
    path("availability/weekly/", apis.WeeklyAvailabilityListApi.as_view(), name="api_weekly_availability"),
    path("availability/weekly/<int:pk>/", apis.WeeklyAvailabilityDetailApi.as_view(), name="api_weekly_rule"),
    path("availability/windows/", apis.AvailabilityWindowListApi.as_view(), name="api_availability_windows"),
    path("availability/windows/<int:pk>/", apis.AvailabilityWindowDetailApi.as_view(), name="api_availability_window"),
    path("slots/", apis.SlotListApi.as_view(), name="api_slots"),
    path("bookings/", apis.BookingListCreateApi.as_view(), name="api_bookings"),
    path("bookings/<int:pk>/", apis.BookingDetailApi.as_view(), name="api_booking"),
    path("bookings/<int:pk>/cancel/", apis.BookingCancelApi.as_view(), name="api_booking_cancel"),
    path("bookings/<int:pk>/reschedule/", apis.BookingRescheduleApi.as_view(), name="api_booking_reschedule"),
    path("queue/", apis.QueueApi.as_view(), name="api_queue"),
    path("queue/<int:pk>/", apis.QueueEntryApi.as_view(), name="api_queue_entry"),
    path("calendar/", apis.CalendarFeedApi.as_view(), name="api_calendar"),
    path("calendar/rotate/", apis.CalendarFeedRotateApi.as_view(), name="api_calendar_rotate"),
]
