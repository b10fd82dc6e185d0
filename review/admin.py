"""Admin for scorecards (read by staff when a review is disputed)."""

from django.contrib import admin

from .models import Scorecard, StepScore


class StepScoreInline(admin.TabularInline):
    model = StepScore
    extra = 0


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    list_display = ("interview", "scorer", "status", "recommendation", "submitted_at")
    list_filter = ("status", "recommendation")
    raw_id_fields = ("interview", "scorer")
    inlines = [StepScoreInline]
