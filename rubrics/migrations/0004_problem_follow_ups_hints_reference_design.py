"""Interviewer material per problem: follow-up questions and hints per rubric step, and a
reference design (components per lane and the arrows between them) shown after the session."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rubrics", "0003_review_models_move_to_review_app"),
    ]

    operations = [
        migrations.AddField(
            model_name="problem",
            name="follow_ups",
            field=models.JSONField(blank=True, default=dict, help_text="Questions to ask next, per step."),
        ),
        migrations.AddField(
            model_name="problem",
            name="hints",
            field=models.JSONField(blank=True, default=dict, help_text="Nudges to give a stuck candidate, per step."),
        ),
        migrations.AddField(
            model_name="problem",
            name="reference_design",
            field=models.JSONField(blank=True, default=dict, help_text="Shown once the session is over."),
        ),
    ]
