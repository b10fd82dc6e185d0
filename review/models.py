"""What happens after an interview: the interviewer's scorecard (step scores, criterion ticks,
private notes), the evidence finder's report, the candidate's self-assessment and share links.

The tables keep the names they had when these models lived in `rubrics` (`db_table`), so moving
them here moved no data (see migrations/0001_initial.py)."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Scorecard(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    class Recommendation(models.TextChoices):
        STRONG_NO = "strong_no", "Strong no"
        NO = "no", "No"
        YES = "yes", "Yes"
        STRONG_YES = "strong_yes", "Strong yes"

    interview = models.OneToOneField("interview.Interview", on_delete=models.CASCADE, related_name="scorecard")
    rubric = models.ForeignKey("rubrics.Rubric", on_delete=models.PROTECT, related_name="scorecards")
    scorer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="scorecards")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    recommendation = models.CharField(max_length=12, choices=Recommendation.choices, blank=True)
    summary = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "rubrics_scorecard"
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(submitted_at__isnull=False) & ~Q(recommendation="")),
                name="scorecard_submitted_complete",
            )
        ]

    def __str__(self) -> str:
        return f"Scorecard for interview {self.interview_id}"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class StepScore(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="step_scores")
    step = models.ForeignKey("rubrics.RubricStep", on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        db_table = "rubrics_stepscore"
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "step"], name="step_score_unique_step"),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=4), name="step_score_level_range"
            ),
        ]
        ordering = ["scorecard", "step__number"]

    def __str__(self) -> str:
        return f"{self.step}: {self.level}"


class CriterionCheck(models.Model):
    """The interviewer's tick in the room: this criterion was met (or explicitly not met)."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="checks")
    criterion = models.ForeignKey("rubrics.Criterion", on_delete=models.PROTECT, related_name="+")
    met = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "rubrics_criterioncheck"
        constraints = [models.UniqueConstraint(fields=["scorecard", "criterion"], name="check_once_per_criterion")]

    def __str__(self) -> str:
        return f"{self.criterion}: {'met' if self.met else 'not met'}"


class InterviewerNote(models.Model):
    """A private, timestamped note the interviewer takes during the interview. Never shown to the
    candidate, nor to anyone the candidate shares the review with."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="notes")
    step = models.ForeignKey("rubrics.RubricStep", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(max_length=2000)
    client_id = models.CharField(max_length=64, null=True, blank=True)  # makes a retried save idempotent
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "rubrics_interviewernote"
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard", "client_id"], condition=Q(client_id__isnull=False), name="note_unique_client_id"
            )
        ]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class EvidenceReport(models.Model):
    """What the evidence finder read in one interview's transcript and board."""

    class Status(models.TextChoices):
        PENDING = "pending", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    interview = models.OneToOneField("interview.Interview", on_delete=models.CASCADE, related_name="evidence_report")
    rubric = models.ForeignKey("rubrics.Rubric", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    finder_version = models.PositiveSmallIntegerField(default=1)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "rubrics_evidencereport"

    def __str__(self) -> str:
        return f"Evidence for interview {self.interview_id} ({self.status})"


class StepSuggestion(models.Model):
    """The finder's suggested level for one step. Shown beside the human score, never instead of it."""

    report = models.ForeignKey(EvidenceReport, on_delete=models.CASCADE, related_name="suggestions")
    step = models.ForeignKey("rubrics.RubricStep", on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField()
    summary = models.TextField(blank=True)
    # Why this level: [{"kind", "label", "quote", "at", "transcript_event_id"}], in the order they happened.
    signals = models.JSONField(default=list, blank=True)

    class Meta:
        db_table = "rubrics_stepsuggestion"
        constraints = [
            models.UniqueConstraint(fields=["report", "step"], name="suggestion_once_per_step"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=4), name="suggestion_level_range"),
        ]
        ordering = ["report", "step__number"]

    def __str__(self) -> str:
        return f"{self.step}: {self.level}"


class Evidence(models.Model):
    """One finding: a quote from the transcript or a fact about the board, with the moment it happened."""

    class Source(models.TextChoices):
        TRANSCRIPT = "transcript", "Transcript"
        BOARD = "board", "Board"

    class Verdict(models.TextChoices):
        FOUND = "found", "Found"
        NEGATED = "negated", "Mentioned only in negation"
        MISSING = "missing", "Missing"
        WRONG_LANE = "wrong_lane", "In the wrong lane"

    report = models.ForeignKey(EvidenceReport, on_delete=models.CASCADE, related_name="items")
    step = models.ForeignKey("rubrics.RubricStep", on_delete=models.PROTECT, related_name="+")
    criterion = models.ForeignKey(
        "rubrics.Criterion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    verdict = models.CharField(max_length=12, choices=Verdict.choices, default=Verdict.FOUND)
    concept = models.CharField(max_length=120, blank=True)  # the concept or expectation it is about
    text = models.TextField()  # the quote, or what the board shows
    at = models.DateTimeField(null=True, blank=True)  # when it happened
    transcript_event_id = models.BigIntegerField(null=True, blank=True)
    board_seq = models.BigIntegerField(null=True, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "rubrics_evidence"
        ordering = ["report", "step__number", "order", "id"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return f"[{self.source}/{self.verdict}] {self.text[:40]}"


class SelfAssessment(models.Model):
    """The candidate's own scores for the same steps, shown beside the interviewer's."""

    interview = models.OneToOneField("interview.Interview", on_delete=models.CASCADE, related_name="self_assessment")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rubric = models.ForeignKey("rubrics.Rubric", on_delete=models.PROTECT, related_name="+")
    summary = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "rubrics_selfassessment"

    def __str__(self) -> str:
        return f"Self-assessment for interview {self.interview_id}"


class SelfStepScore(models.Model):
    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="step_scores")
    step = models.ForeignKey("rubrics.RubricStep", on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        db_table = "rubrics_selfstepscore"
        constraints = [
            models.UniqueConstraint(fields=["assessment", "step"], name="self_score_unique_step"),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=4), name="self_score_level_range"
            ),
        ]
        ordering = ["assessment", "step__number"]

    def __str__(self) -> str:
        return f"{self.step}: {self.level}"


class ReviewShare(models.Model):
    """A read-only link to a review, made and revoked by the candidate."""

    interview = models.ForeignKey("interview.Interview", on_delete=models.CASCADE, related_name="review_shares")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=80, blank=True)  # e.g. "for my mentor"
    share_audio = models.BooleanField(default=False)  # the candidate chose to let the holder hear the recording
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "rubrics_reviewshare"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Share of interview {self.interview_id}{' (revoked)' if self.revoked_at else ''}"


class InterviewerFeedback(models.Model):
    """The candidate's rating of their interviewer, after the interview. The interviewer reads it
    only once their own scorecard is submitted, so neither can answer the other's judgement."""

    RATINGS = ("preparation", "clarity", "hints", "fairness")

    interview = models.OneToOneField(
        "interview.Interview", on_delete=models.CASCADE, related_name="interviewer_feedback"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback_received"
    )
    preparation = models.PositiveSmallIntegerField()  # knew the problem and the rubric
    clarity = models.PositiveSmallIntegerField()  # the prompt and the questions were clear
    hints = models.PositiveSmallIntegerField()  # hints helped without giving the answer away
    fairness = models.PositiveSmallIntegerField()  # the scores matched what was said and drawn
    would_practise_again = models.BooleanField()
    note = models.TextField(max_length=2000, blank=True)
    show_note = models.BooleanField(default=False)  # the candidate lets the note show on the interviewer's profile
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(preparation__gte=1, preparation__lte=5)
                & Q(clarity__gte=1, clarity__lte=5)
                & Q(hints__gte=1, hints__lte=5)
                & Q(fairness__gte=1, fairness__lte=5),
                name="feedback_ratings_range",
            )
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Feedback on the interviewer of interview {self.interview_id}"


class GuideMark(models.Model):
    """The interviewer's mark on an item of their guide in the room: a clarifying fact given to the
    candidate (when they asked for it), or an expected component, connection or metric covered."""

    class Kind(models.TextChoices):
        FACT = "fact", "Clarifying fact given"
        COMPONENT = "component", "Component covered"
        CONNECTION = "connection", "Connection covered"
        METRIC = "metric", "Metric covered"

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="guide_marks")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    item = models.CharField(max_length=200)  # a fact's index, a component or metric name, "a -> b"
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scorecard", "kind", "item"], name="guide_mark_once")]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.item}"
