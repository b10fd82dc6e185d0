from django.contrib import admin

from .models import Interview, Profile, TranscriptEvent


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "display_name", "time_zone")
    search_fields = ("user__username", "display_name")


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
    raw_id_fields = ("interviewer", "candidate", "created_by", "board")
    inlines = [TranscriptInline]
