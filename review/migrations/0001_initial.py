"""The review's models, taken over from `rubrics` without touching the database: their tables
(`rubrics_scorecard` and the rest) already exist, made by rubrics.0001 and 0002, and keep their
names, so this only tells Django's state that `review` owns them. rubrics.0003 does the other half."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("interview", "0007_interview_problem_picked_by"),
        ("rubrics", "0002_review_evidence_notes_sharing"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="EvidenceReport",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Queued"),
                                    ("running", "Running"),
                                    ("done", "Done"),
                                    ("failed", "Failed"),
                                ],
                                default="pending",
                                max_length=10,
                            ),
                        ),
                        ("finder_version", models.PositiveSmallIntegerField(default=1)),
                        ("error", models.TextField(blank=True)),
                        ("requested_at", models.DateTimeField(auto_now_add=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "interview",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="evidence_report",
                                to="interview.interview",
                            ),
                        ),
                        (
                            "rubric",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="rubrics.rubric"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "rubrics_evidencereport",
                    },
                ),
                migrations.CreateModel(
                    name="Evidence",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "source",
                            models.CharField(choices=[("transcript", "Transcript"), ("board", "Board")], max_length=10),
                        ),
                        (
                            "verdict",
                            models.CharField(
                                choices=[
                                    ("found", "Found"),
                                    ("negated", "Mentioned only in negation"),
                                    ("missing", "Missing"),
                                    ("wrong_lane", "In the wrong lane"),
                                ],
                                default="found",
                                max_length=12,
                            ),
                        ),
                        ("concept", models.CharField(blank=True, max_length=120)),
                        ("text", models.TextField()),
                        ("at", models.DateTimeField(blank=True, null=True)),
                        ("transcript_event_id", models.BigIntegerField(blank=True, null=True)),
                        ("board_seq", models.BigIntegerField(blank=True, null=True)),
                        ("order", models.PositiveIntegerField(default=0)),
                        (
                            "criterion",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="rubrics.criterion",
                            ),
                        ),
                        (
                            "step",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="rubrics.rubricstep"
                            ),
                        ),
                        (
                            "report",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="items",
                                to="review.evidencereport",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "evidence",
                        "db_table": "rubrics_evidence",
                        "ordering": ["report", "step__number", "order", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="ReviewShare",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("token", models.CharField(max_length=64, unique=True)),
                        ("label", models.CharField(blank=True, max_length=80)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "interview",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="review_shares",
                                to="interview.interview",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "rubrics_reviewshare",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="Scorecard",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[("draft", "Draft"), ("submitted", "Submitted")], default="draft", max_length=10
                            ),
                        ),
                        (
                            "recommendation",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("strong_no", "Strong no"),
                                    ("no", "No"),
                                    ("yes", "Yes"),
                                    ("strong_yes", "Strong yes"),
                                ],
                                max_length=12,
                            ),
                        ),
                        ("summary", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("submitted_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "interview",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="scorecard",
                                to="interview.interview",
                            ),
                        ),
                        (
                            "rubric",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="scorecards",
                                to="rubrics.rubric",
                            ),
                        ),
                        (
                            "scorer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="scorecards",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "rubrics_scorecard",
                    },
                ),
                migrations.CreateModel(
                    name="InterviewerNote",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("text", models.TextField(max_length=2000)),
                        ("client_id", models.CharField(blank=True, max_length=64, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        (
                            "author",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "step",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="rubrics.rubricstep"
                            ),
                        ),
                        (
                            "scorecard",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="notes", to="review.scorecard"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "rubrics_interviewernote",
                        "ordering": ["created_at", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="CriterionCheck",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("met", models.BooleanField(default=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "criterion",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="rubrics.criterion"
                            ),
                        ),
                        (
                            "scorecard",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="checks",
                                to="review.scorecard",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "rubrics_criterioncheck",
                    },
                ),
                migrations.CreateModel(
                    name="SelfAssessment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("summary", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "author",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "interview",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="self_assessment",
                                to="interview.interview",
                            ),
                        ),
                        (
                            "rubric",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="rubrics.rubric"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "rubrics_selfassessment",
                    },
                ),
                migrations.CreateModel(
                    name="SelfStepScore",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("level", models.PositiveSmallIntegerField(blank=True, null=True)),
                        ("notes", models.TextField(blank=True)),
                        (
                            "assessment",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="step_scores",
                                to="review.selfassessment",
                            ),
                        ),
                        (
                            "step",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="rubrics.rubricstep"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "rubrics_selfstepscore",
                        "ordering": ["assessment", "step__number"],
                    },
                ),
                migrations.CreateModel(
                    name="StepScore",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("level", models.PositiveSmallIntegerField(blank=True, null=True)),
                        ("notes", models.TextField(blank=True)),
                        (
                            "scorecard",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="step_scores",
                                to="review.scorecard",
                            ),
                        ),
                        (
                            "step",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="rubrics.rubricstep"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "rubrics_stepscore",
                        "ordering": ["scorecard", "step__number"],
                    },
                ),
                migrations.CreateModel(
                    name="StepSuggestion",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("level", models.PositiveSmallIntegerField()),
                        ("summary", models.TextField(blank=True)),
                        (
                            "report",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="suggestions",
                                to="review.evidencereport",
                            ),
                        ),
                        (
                            "step",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="rubrics.rubricstep"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "rubrics_stepsuggestion",
                        "ordering": ["report", "step__number"],
                    },
                ),
                migrations.AddConstraint(
                    model_name="scorecard",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("status", "draft"),
                            models.Q(("submitted_at__isnull", False), models.Q(("recommendation", ""), _negated=True)),
                            _connector="OR",
                        ),
                        name="scorecard_submitted_complete",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="interviewernote",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("client_id__isnull", False)),
                        fields=("scorecard", "client_id"),
                        name="note_unique_client_id",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="criterioncheck",
                    constraint=models.UniqueConstraint(
                        fields=("scorecard", "criterion"), name="check_once_per_criterion"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="selfstepscore",
                    constraint=models.UniqueConstraint(fields=("assessment", "step"), name="self_score_unique_step"),
                ),
                migrations.AddConstraint(
                    model_name="selfstepscore",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("level__isnull", True), models.Q(("level__gte", 1), ("level__lte", 4)), _connector="OR"
                        ),
                        name="self_score_level_range",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="stepscore",
                    constraint=models.UniqueConstraint(fields=("scorecard", "step"), name="step_score_unique_step"),
                ),
                migrations.AddConstraint(
                    model_name="stepscore",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("level__isnull", True), models.Q(("level__gte", 1), ("level__lte", 4)), _connector="OR"
                        ),
                        name="step_score_level_range",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="stepsuggestion",
                    constraint=models.UniqueConstraint(fields=("report", "step"), name="suggestion_once_per_step"),
                ),
                migrations.AddConstraint(
                    model_name="stepsuggestion",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("level__gte", 1), ("level__lte", 4)), name="suggestion_level_range"
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
