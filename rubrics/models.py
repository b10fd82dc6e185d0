"""Rubric definitions (versioned data) and the problem bank."""

from django.db import models
from django.db.models import Q

LEVELS = (1, 2, 3, 4)


class Rubric(models.Model):
    slug = models.SlugField(max_length=80)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # {"1": {"name": "Not yet", "summary": "..."}, ...}
    levels = models.JSONField(default=dict)
    is_active = models.BooleanField(default=True, help_text="Active rubrics are used for new interviews.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["slug", "version"], name="rubric_unique_version")]
        ordering = ["slug", "-version"]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def level_name(self, level: int | None) -> str:
        if level is None:
            return ""
        return self.levels.get(str(level), {}).get("name", str(level))


class RubricStep(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField()
    key = models.SlugField(max_length=40)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    time_budget_minutes = models.PositiveSmallIntegerField(default=6)
    interviewer_prompts = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rubric", "number"], name="rubric_step_unique_number"),
            models.UniqueConstraint(fields=["rubric", "key"], name="rubric_step_unique_key"),
            models.CheckConstraint(condition=Q(number__gte=1), name="rubric_step_number_positive"),
        ]
        ordering = ["rubric", "number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Criterion(models.Model):
    step = models.ForeignKey(RubricStep, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(default=1)
    key = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    weight = models.PositiveSmallIntegerField(default=1)
    concepts = models.JSONField(default=list, blank=True, help_text="Terms whose mention is evidence.")
    # {"1": "...", "2": "...", "3": "...", "4": "..."}
    levels = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["step", "key"], name="criterion_unique_key"),
            models.CheckConstraint(condition=Q(weight__gte=1, weight__lte=3), name="criterion_weight_range"),
        ]
        ordering = ["step", "order"]
        verbose_name_plural = "criteria"

    def __str__(self) -> str:
        return self.title

    def descriptor(self, level: int) -> str:
        return self.levels.get(str(level), "")


class Problem(models.Model):
    class Difficulty(models.TextChoices):
        EASY = "easy", "Easy"
        MEDIUM = "medium", "Medium"
        HARD = "hard", "Hard"

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    difficulty = models.CharField(max_length=10, choices=Difficulty.choices, default=Difficulty.MEDIUM)
    domain = models.CharField(max_length=40, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    prompt = models.TextField()
    clarifying_facts = models.JSONField(default=list, blank=True)
    # offline_components, online_components, connections, offline_metrics, online_metrics, pitfalls
    expectations = models.JSONField(default=dict, blank=True)
    # Interviewer material per rubric step key: {"clarify": ["...", ...], ...}
    follow_ups = models.JSONField(default=dict, blank=True, help_text="Questions to ask next, per step.")
    hints = models.JSONField(default=dict, blank=True, help_text="Nudges to give a stuck candidate, per step.")
    # {"offline": [component, ...], "online": [...], "arrows": [[from, to] or [from, to, label], ...]}
    reference_design = models.JSONField(default=dict, blank=True, help_text="Shown once the session is over.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
