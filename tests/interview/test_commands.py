import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from interview.models import Interview

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_prints_the_room(content, capsys):
    call_command("seed_demo")
    call_command("seed_demo", "--port", "9000")
    out = capsys.readouterr().out
    interview = Interview.objects.get()
    assert interview.status == Interview.Status.ACCEPTED
    assert (interview.interviewer.username, interview.candidate.username) == ("demo-interviewer", "demo-candidate")
    assert f"http://127.0.0.1:9000/interviews/{interview.pk}/room/" in out
    assert authenticate(username="demo-candidate", password="mocklane-demo") is not None


def test_seed_demo_needs_content(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="load_content"):
        call_command("seed_demo")
    assert not Interview.objects.exists()
