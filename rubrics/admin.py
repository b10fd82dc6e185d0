"""Admin for rubric versions (steps, criteria) and the problem bank.

A rubric version that anything was scored with is history: its pages turn read-only, and the way
to change it is "Duplicate as new version". Structured JSON fields are checked with the same rules
as YAML imports, and errors name the place, e.g. "levels: needs descriptors for levels 1-4"."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from .models import Criterion, Problem, Rubric, RubricStep
from .selectors.content import problem_step_keys, rubric_is_scored
from .services.content import (
    ContentError,
    clarifying_facts_clean,
    concepts_clean,
    criterion_levels_clean,
    expectations_clean,
    per_step_clean,
    prompts_clean,
    reference_design_clean,
    rubric_activate,
    rubric_duplicate,
    rubric_levels_clean,
)

LOCKED_MESSAGE = (
    "{rubric} has been used to score interviews, so it is read-only: scores keep meaning what they "
    "meant. To change it, use the “Duplicate as new version” action on the rubric list."
)


class ReadableJSONField(forms.JSONField):
    """JSON shown indented in the form, so lists and levels can be edited by hand."""

    def prepare_value(self, value):
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2, cls=self.encoder)


def _checked(clean, value, field: str):
    try:
        return clean(value, field)
    except ContentError as exc:
        raise ValidationError(exc.message, code="bad_content") from exc


def _stored_levels(levels: dict) -> dict:
    return {str(level): value for level, value in levels.items()}


def _locked(rubric: Rubric | None) -> bool:
    return rubric is not None and rubric.pk is not None and rubric_is_scored(rubric_id=rubric.pk)


# -- rubrics -----------------------------------------------------------------------------------


class RubricForm(forms.ModelForm):
    levels = ReadableJSONField(
        help_text='Each level 1-4 with a name and a summary: {"1": {"name": "Not yet", "summary": "…"}, …}'
    )

    class Meta:
        model = Rubric
        fields = ["slug", "version", "title", "description", "levels", "is_active"]

    def clean_levels(self):
        return _stored_levels(_checked(rubric_levels_clean, self.cleaned_data["levels"], "levels"))

    def clean_is_active(self):
        active = self.cleaned_data["is_active"]
        if not active and self.instance.pk and self.instance.is_active:
            raise ValidationError(
                "New interviews need an active rubric: make another version active instead "
                "(the “Make active” action on the rubric list)."
            )
        return active


class RubricStepInline(admin.TabularInline):
    model = RubricStep
    extra = 0
    fields = ("number", "key", "title", "time_budget_minutes", "criteria_count")
    readonly_fields = ("criteria_count",)
    show_change_link = True

    @admin.display(description="criteria")
    def criteria_count(self, step: RubricStep) -> str:
        return str(step.criteria.count()) if step.pk else ""

    def has_add_permission(self, request, obj=None):
        return not _locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not _locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _locked(obj) and super().has_delete_permission(request, obj)


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin):
    form = RubricForm
    list_display = ("title", "slug", "version", "is_active", "scored", "created_at")
    list_filter = ("is_active", "slug")
    inlines = [RubricStepInline]
    actions = ["duplicate_as_new_version", "make_active"]

    @admin.display(boolean=True, description="scored with")
    def scored(self, rubric: Rubric) -> bool:
        return rubric_is_scored(rubric_id=rubric.pk)

    def has_change_permission(self, request, obj=None):
        return not _locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _locked(obj) and super().has_delete_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        rubric = self.get_object(request, object_id)
        if request.method == "GET" and _locked(rubric):
            messages.info(request, LOCKED_MESSAGE.format(rubric=rubric))
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.is_active:
            rubric_activate(rubric=obj)  # one rubric is used for new interviews

    @admin.action(description="Duplicate as new version", permissions=["add"])
    def duplicate_as_new_version(self, request, queryset):
        copies = [rubric_duplicate(rubric=rubric) for rubric in queryset.order_by("slug", "version")]
        links = format_html_join(
            ", ",
            '<a href="{}">{} v{}</a>',
            ((reverse("admin:rubrics_rubric_change", args=[copy.pk]), copy.slug, copy.version) for copy in copies),
        )
        messages.success(
            request,
            format_html("Created {} (not active yet: edit, then use “Make active”).", links),
        )

    @admin.action(description="Make active (used for new interviews)", permissions=["change"])
    def make_active(self, request, queryset):
        if queryset.count() != 1:
            messages.error(request, "Choose exactly one rubric version to make active.")
            return
        rubric = rubric_activate(rubric=queryset.get())
        messages.success(
            request, f"{rubric} is now used for new interviews. Interviews already scheduled keep their version."
        )


class RubricStepForm(forms.ModelForm):
    interviewer_prompts = ReadableJSONField(required=False, help_text='A list of questions, e.g. ["…", "…"].')

    class Meta:
        model = RubricStep
        fields = ["rubric", "number", "key", "title", "summary", "time_budget_minutes", "interviewer_prompts"]

    def clean_rubric(self):
        rubric = self.cleaned_data["rubric"]
        if _locked(rubric):
            raise ValidationError(LOCKED_MESSAGE.format(rubric=rubric))
        return rubric

    def clean_interviewer_prompts(self):
        return _checked(prompts_clean, self.cleaned_data["interviewer_prompts"], "interviewer_prompts")


class CriterionForm(forms.ModelForm):
    concepts = ReadableJSONField(
        required=False, help_text='Phrases (and their synonyms) whose mention is evidence, e.g. ["ndcg", "mrr"].'
    )
    levels = ReadableJSONField(help_text='A descriptor for each level: {"1": "…", "2": "…", "3": "…", "4": "…"}')

    class Meta:
        model = Criterion
        fields = ["order", "key", "title", "description", "weight", "concepts", "levels"]

    def clean_concepts(self):
        return _checked(concepts_clean, self.cleaned_data["concepts"], "concepts")

    def clean_levels(self):
        return _stored_levels(_checked(criterion_levels_clean, self.cleaned_data["levels"], "levels"))


class CriterionInline(admin.StackedInline):
    model = Criterion
    form = CriterionForm
    extra = 0

    def _step_locked(self, step: RubricStep | None) -> bool:
        return step is not None and _locked(step.rubric)

    def has_add_permission(self, request, obj=None):
        return not self._step_locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._step_locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._step_locked(obj) and super().has_delete_permission(request, obj)


@admin.register(RubricStep)
class RubricStepAdmin(admin.ModelAdmin):
    form = RubricStepForm
    list_display = ("rubric", "number", "title", "time_budget_minutes")
    list_filter = ("rubric",)
    list_select_related = ("rubric",)
    inlines = [CriterionInline]

    def has_change_permission(self, request, obj=None):
        return not (obj is not None and _locked(obj.rubric)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj is not None and _locked(obj.rubric)) and super().has_delete_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        step = self.get_object(request, object_id)
        if request.method == "GET" and step is not None and _locked(step.rubric):
            messages.info(request, LOCKED_MESSAGE.format(rubric=step.rubric))
        return super().change_view(request, object_id, form_url, extra_context)


# -- problems ----------------------------------------------------------------------------------


class ProblemForm(forms.ModelForm):
    clarifying_facts = ReadableJSONField(required=False, help_text="A list of facts to give when asked.")
    expectations = ReadableJSONField(
        required=False,
        help_text=format_html(
            "What a strong answer includes: {}, each a list of names; <code>connections</code> is a list of "
            "[from, to] pairs.",
            format_html_join(
                ", ",
                "<code>{}</code>",
                ((key,) for key in ("offline_components", "online_components", "offline_metrics", "online_metrics")),
            ),
        ),
    )

    follow_ups = ReadableJSONField(
        required=False,
        help_text='Questions to ask next, per step: <code>{"clarify": ["..."], "framing": [...]}</code>.',
    )
    hints = ReadableJSONField(
        required=False, help_text="Nudges for a stuck candidate, per step, in the same shape as the follow-ups."
    )
    reference_design = ReadableJSONField(
        required=False,
        help_text="Shown after the session: <code>offline</code> and <code>online</code> lists of components, and "
        "<code>arrows</code>, a list of [from, to] or [from, to, label] between them.",
    )

    class Meta:
        model = Problem
        fields = [
            "slug",
            "title",
            "difficulty",
            "domain",
            "summary",
            "prompt",
            "clarifying_facts",
            "expectations",
            "follow_ups",
            "hints",
            "reference_design",
            "is_active",
        ]

    def clean_clarifying_facts(self):
        return _checked(clarifying_facts_clean, self.cleaned_data["clarifying_facts"], "clarifying_facts")

    def clean_expectations(self):
        return _checked(expectations_clean, self.cleaned_data["expectations"], "expectations")

    def _per_step(self, field: str):
        step_keys = problem_step_keys()
        return _checked(
            lambda value, path: per_step_clean(value, path, step_keys=step_keys), self.cleaned_data[field], field
        )

    def clean_follow_ups(self):
        return self._per_step("follow_ups")

    def clean_hints(self):
        return self._per_step("hints")

    def clean_reference_design(self):
        return _checked(reference_design_clean, self.cleaned_data["reference_design"], "reference_design")


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    form = ProblemForm
    list_display = ("title", "slug", "difficulty", "domain", "is_active")
    list_filter = ("difficulty", "domain", "is_active")
    search_fields = ("title", "summary", "prompt")
    prepopulated_fields = {"slug": ("title",)}
