"""The review models moved from `rubrics` without moving data: the two migrations of the move run
no SQL at all, the tables keep their names, and the content types belong to `review`."""

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

MOVED = [
    "Scorecard",
    "StepScore",
    "CriterionCheck",
    "InterviewerNote",
    "EvidenceReport",
    "StepSuggestion",
    "Evidence",
    "SelfAssessment",
    "SelfStepScore",
    "ReviewShare",
]


@pytest.mark.django_db(transaction=True)  # SQLite builds schema SQL only outside a transaction
@pytest.mark.parametrize(("app", "migration"), [("review", "0001"), ("rubrics", "0003")])
def test_the_move_runs_no_sql(capsys, app, migration):
    for backwards in (False, True):
        call_command("sqlmigrate", app, migration, backwards=backwards)
        statements = [
            line
            for line in capsys.readouterr().out.splitlines()
            if line.strip() and not line.startswith("--") and line.strip() not in ("BEGIN;", "COMMIT;")
        ]
        assert statements == [], (app, migration, backwards)


@pytest.mark.parametrize("name", MOVED)
def test_tables_keep_their_names(name):
    model = apps.get_model("review", name)
    assert model._meta.db_table == f"rubrics_{name.lower()}"
    with pytest.raises(LookupError):
        apps.get_model("rubrics", name)


@pytest.mark.django_db
def test_content_types_belong_to_review():
    labels = set(ContentType.objects.filter(model__in=[n.lower() for n in MOVED]).values_list("app_label", flat=True))
    assert labels == {"review"}
