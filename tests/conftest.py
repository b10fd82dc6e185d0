"""Shared fixtures: three people (interviewer, candidate, outsider), the content, and interviews."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from interview.models import Interview
from interview.services import interview_accept, interview_schedule, profile_update
from rubrics.models import Problem
from rubrics.selectors import rubric_active
from rubrics.services import content_load

from .factories import PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_channel_layer(settings):
    """Keep broadcasts away from any server sharing the Redis: its board and interview ids overlap ours."""
    layer = settings.CHANNEL_LAYERS["default"]
    if "CONFIG" in layer:
        config = {**layer["CONFIG"], "prefix": f"test-{uuid.uuid4().hex[:12]}"}
        settings.CHANNEL_LAYERS = {"default": {**layer, "CONFIG": config}}


@pytest.fixture(autouse=True)
def _private_cache(settings):
    """A cache of each test's own: the sign-in limits and API throttles one test counts must not
    refuse the next test's requests (with REDIS_URL the cache is shared and outlives the test)."""
    cache = settings.CACHES["default"]
    settings.CACHES = {"default": {**cache, "KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}"}}
    yield
    from django.core.cache import cache as current

    if "LocMemCache" in current.__class__.__name__:
        current.clear()


@pytest.fixture(scope="session", autouse=True)
def _no_persistent_connections(django_db_setup, django_db_blocker):
    """Socket handlers run ORM calls in worker threads; connections left open there would keep
    the PostgreSQL test database busy and stop it being dropped at the end."""
    from django.db import connection, connections

    connections.settings["default"]["CONN_MAX_AGE"] = 0
    yield
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture(autouse=True)
def _celery_eager():
    """Unit tests run tasks inline; tests/interview/test_tasks.py runs a real worker on the broker."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def content(db):
    """The real rubric and problem bank, as `make run` loads them."""
    content_load()
    return rubric_active()


@pytest.fixture
def problem(content):
    return Problem.objects.get(slug="video-recommendation")


@pytest.fixture
def interviewer(db):
    user = UserFactory(username="ivy", email="ivy@example.com")
    profile_update(user=user, display_name="Ivy Interviewer", time_zone="Europe/Paris")
    return user


@pytest.fixture
def candidate(db):
    user = UserFactory(username="cal", email="cal@example.com")
    profile_update(user=user, display_name="Cal Candidate", time_zone="America/New_York")
    return user


@pytest.fixture
def outsider(db):
    user = UserFactory(username="otto", email="otto@example.com")
    profile_update(user=user, display_name="Otto Outsider", time_zone="UTC")
    return user


@pytest.fixture
def invited_interview(problem, interviewer, candidate) -> Interview:
    """Scheduled by the interviewer to start in five minutes; the candidate has not answered yet."""
    return interview_schedule(
        created_by=interviewer,
        problem_id=problem.pk,
        scheduled_at=timezone.now() + dt.timedelta(minutes=5),
        peer=candidate.username,
        my_role="interviewer",
    )


@pytest.fixture
def interview(invited_interview, candidate) -> Interview:
    """Accepted, starting in five minutes: the room is open."""
    return interview_accept(interview=invited_interview, user=candidate)


@pytest.fixture
def api_for():
    """api_for(user) -> a DRF API client authenticated as user (or anonymous for None)."""
    from rest_framework.test import APIClient

    def make(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client logged in as user (or anonymous for None)."""
    from django.test import Client

    def make(user):
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return make
