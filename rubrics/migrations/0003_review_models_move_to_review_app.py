"""The scorecards, evidence, self-assessments and share links moved to the `review` app.

Only Django's idea of which app owns them changes: the tables stay where they are (the review
models keep their `rubrics_*` table names), so no row moves. review.0001 adds them to `review`'s
state; this removes them from `rubrics`' state. The content types follow, so admin history and
permissions keep pointing at the same models."""

from django.db import migrations

MOVED = [
    "scorecard",
    "stepscore",
    "criterioncheck",
    "interviewernote",
    "evidencereport",
    "stepsuggestion",
    "evidence",
    "selfassessment",
    "selfstepscore",
    "reviewshare",
]


def content_types_to_review(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        # A fresh database may already hold review's (created by the post-migrate signal); keep one.
        if not ContentType.objects.filter(app_label="review", model=model).exists():
            ContentType.objects.filter(app_label="rubrics", model=model).update(app_label="review")


def content_types_to_rubrics(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="rubrics", model=model).exists():
            ContentType.objects.filter(app_label="review", model=model).update(app_label="rubrics")


class Migration(migrations.Migration):
    dependencies = [
        ("rubrics", "0002_review_evidence_notes_sharing"),
        ("review", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="evidence",
                    name="criterion",
                ),
                migrations.RemoveField(
                    model_name="evidence",
                    name="report",
                ),
                migrations.RemoveField(
                    model_name="evidence",
                    name="step",
                ),
                migrations.RemoveField(
                    model_name="evidencereport",
                    name="interview",
                ),
                migrations.RemoveField(
                    model_name="evidencereport",
                    name="rubric",
                ),
                migrations.RemoveField(
                    model_name="stepsuggestion",
                    name="report",
                ),
                migrations.RemoveField(
                    model_name="interviewernote",
                    name="author",
                ),
                migrations.RemoveField(
                    model_name="interviewernote",
                    name="scorecard",
                ),
                migrations.RemoveField(
                    model_name="interviewernote",
                    name="step",
                ),
                migrations.RemoveField(
                    model_name="reviewshare",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="reviewshare",
                    name="interview",
                ),
                migrations.RemoveField(
                    model_name="scorecard",
                    name="interview",
                ),
                migrations.RemoveField(
                    model_name="scorecard",
                    name="rubric",
                ),
                migrations.RemoveField(
                    model_name="scorecard",
                    name="scorer",
                ),
                migrations.RemoveField(
                    model_name="stepscore",
                    name="scorecard",
                ),
                migrations.RemoveField(
                    model_name="selfassessment",
                    name="author",
                ),
                migrations.RemoveField(
                    model_name="selfassessment",
                    name="interview",
                ),
                migrations.RemoveField(
                    model_name="selfassessment",
                    name="rubric",
                ),
                migrations.RemoveField(
                    model_name="selfstepscore",
                    name="assessment",
                ),
                migrations.RemoveField(
                    model_name="selfstepscore",
                    name="step",
                ),
                migrations.RemoveField(
                    model_name="stepscore",
                    name="step",
                ),
                migrations.RemoveField(
                    model_name="stepsuggestion",
                    name="step",
                ),
                migrations.DeleteModel(
                    name="CriterionCheck",
                ),
                migrations.DeleteModel(
                    name="Evidence",
                ),
                migrations.DeleteModel(
                    name="EvidenceReport",
                ),
                migrations.DeleteModel(
                    name="InterviewerNote",
                ),
                migrations.DeleteModel(
                    name="ReviewShare",
                ),
                migrations.DeleteModel(
                    name="Scorecard",
                ),
                migrations.DeleteModel(
                    name="SelfAssessment",
                ),
                migrations.DeleteModel(
                    name="SelfStepScore",
                ),
                migrations.DeleteModel(
                    name="StepScore",
                ),
                migrations.DeleteModel(
                    name="StepSuggestion",
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_review, content_types_to_rubrics),
    ]
