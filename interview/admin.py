"""Admin for profiles, scheduling and interviews."""

from django.contrib import admin

from .models import (
    AvailabilityWindow,
    Booking,
    BookingChange,
    Hold,
    Interview,
    MatchRequest,
    MatchWindow,
    Profile,
    ReliabilityEvent,
    Reminder,
    TranscriptEvent,
    WeeklyAvailability,
)


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "display_name", "time_zone", "target_role", "level")
    list_filter = ("level", "target_role")
    search_fields = ("user__username", "display_name")
    filter_horizontal = ("focus_problems",)
    readonly_fields = ("calendar_token",)


class TranscriptInline(admin.TabularInline):
    model = TranscriptEvent
    extra = 0
    fields = ("created_at", "kind", "author", "step", "text")
    readonly_fields = ("created_at",)


@admin.register(Interview)
class InterviewAdmin(admin.ModelAdmin):
    list_display = ("id", "problem", "interviewer", "candidate", "scheduled_at", "status", "current_step")
    list_filter = ("status",)
    search_fields = ("interviewer__username", "candidate__username", "problem__title")
    raw_id_fields = ("interviewer", "candidate", "created_by", "board", "booking")
    inlines = [TranscriptInline]


@admin.register(WeeklyAvailability)
class WeeklyAvailabilityAdmin(admin.ModelAdmin):
    list_display = ("user", "weekday", "start_time", "end_time", "time_zone")
    search_fields = ("user__username",)
    raw_id_fields = ("user",)


@admin.register(AvailabilityWindow)
class AvailabilityWindowAdmin(admin.ModelAdmin):
    list_display = ("user", "starts_at", "ends_at")
    search_fields = ("user__username",)
    raw_id_fields = ("user",)


class HoldInline(admin.TabularInline):
    model = Hold
    extra = 0
    raw_id_fields = ("user",)
    readonly_fields = ("joined_at",)


class BookingChangeInline(admin.TabularInline):
    model = BookingChange
    extra = 0
    readonly_fields = ("user", "kind", "reason", "old_starts_at", "new_starts_at", "late", "created_at")
    can_delete = False


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Read and follow bookings here; change them through the site so holds, history and
    notifications stay consistent."""

    list_display = ("id", "kind", "source", "status", "organizer", "peer", "starts_at", "sequence")
    list_filter = ("status", "kind", "source")
    search_fields = ("organizer__username", "peer__username", "uid")
    raw_id_fields = ("organizer", "peer", "cancelled_by")
    readonly_fields = ("uid", "sequence")
    inlines = [HoldInline, BookingChangeInline]


@admin.register(ReliabilityEvent)
class ReliabilityEventAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "booking", "created_at")
    list_filter = ("kind",)
    search_fields = ("user__username",)
    raw_id_fields = ("user", "booking")


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("booking", "user", "kind", "starts_at", "sent_at")
    list_filter = ("kind",)
    raw_id_fields = ("user", "booking")


class MatchWindowInline(admin.TabularInline):
    model = MatchWindow
    extra = 0


@admin.register(MatchRequest)
class MatchRequestAdmin(admin.ModelAdmin):
    list_display = ("user", "mode", "duration_minutes", "status", "created_at")
    list_filter = ("status", "mode")
    search_fields = ("user__username",)
    raw_id_fields = ("user", "booking")
    inlines = [MatchWindowInline]
