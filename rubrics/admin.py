from django.contrib import admin

from .models import Criterion, Problem, Rubric, RubricStep, Scorecard, StepScore


class RubricStepInline(admin.TabularInline):
    model = RubricStep
    extra = 0
    fields = ("number", "key", "title", "time_budget_minutes")
    show_change_link = True


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "version", "is_active", "created_at")
    list_filter = ("is_active",)
    inlines = [RubricStepInline]


class CriterionInline(admin.StackedInline):
    model = Criterion
    extra = 0


@admin.register(RubricStep)
class RubricStepAdmin(admin.ModelAdmin):
    list_display = ("rubric", "number", "title", "time_budget_minutes")
    list_filter = ("rubric",)
    inlines = [CriterionInline]


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "difficulty", "domain", "is_active")
    list_filter = ("difficulty", "domain", "is_active")
    search_fields = ("title", "summary", "prompt")
    prepopulated_fields = {"slug": ("title",)}


class StepScoreInline(admin.TabularInline):
    model = StepScore
    extra = 0


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    list_display = ("interview", "scorer", "status", "recommendation", "submitted_at")
    list_filter = ("status", "recommendation")
    raw_id_fields = ("interview", "scorer")
    inlines = [StepScoreInline]
