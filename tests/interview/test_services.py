import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from core.errors import ApplicationError
from interview.models import Interview, TranscriptEvent
from interview.services import (
    interview_accept,
    interview_decline,
    interview_end,
    interview_post_message,
    interview_schedule,
    interview_set_step,
    profile_update,
)
from whiteboard.models import BoardElement

pytestmark = pytest.mark.django_db


def schedule(user, peer, problem, **overrides):
    kwargs = {
        "created_by": user,
        "problem_id": problem.pk,
        "scheduled_at": timezone.now() + dt.timedelta(days=1),
        "peer": peer,
        "my_role": "candidate",
    }
    kwargs.update(overrides)
    return interview_schedule(**kwargs)


class TestSchedule:
    def test_creates_invitation_with_two_lane_board_and_emails_the_peer(
        self, problem, interviewer, candidate, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            interview = schedule(candidate, "IVY@example.com", problem)
        assert interview.status == Interview.Status.INVITED
        assert (interview.interviewer, interview.candidate, interview.created_by) == (interviewer, candidate, candidate)
        assert interview.invitee_id == interviewer.pk
        assert interview.rubric.steps.count() == 7
        lanes = BoardElement.objects.filter(board=interview.board).order_by("element_id")
        assert [(e.element_id, e.lane, e.data["locked"], e.data["name"]) for e in lanes] == [
            ("lane-offline", "offline", True, "Offline - training pipeline"),
            ("lane-online", "online", True, "Online - inference path"),
        ]
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["ivy@example.com"]
        assert "Cal Candidate invited you" in message.subject
        assert "interviewer" in message.body and problem.title in message.body

    @pytest.mark.parametrize(
        ("overrides", "code"),
        [
            ({"peer": "nobody-here"}, "peer_not_found"),
            ({"peer": "  "}, "peer_required"),
            ({"peer": "cal"}, "self_invite"),
            ({"scheduled_at": timezone.now() - dt.timedelta(hours=1)}, "in_past"),
            ({"my_role": "observer"}, "invalid"),
            ({"duration_minutes": 5}, "invalid"),
            ({"problem_id": 999_999}, "invalid"),
        ],
    )
    def test_bad_input_is_refused_and_changes_nothing(self, problem, interviewer, candidate, overrides, code):
        with pytest.raises(ApplicationError) as info:
            schedule(candidate, overrides.pop("peer", "ivy"), problem, **overrides)
        assert info.value.code == code
        assert Interview.objects.count() == 0

    def test_naive_datetime_refused(self, problem, interviewer, candidate):
        with pytest.raises(ApplicationError):
            schedule(candidate, "ivy", problem, scheduled_at=dt.datetime(2030, 1, 1, 12, 0))


class TestAnswer:
    def test_invitee_accepts_once(self, invited_interview, candidate):
        interview = interview_accept(interview=invited_interview, user=candidate)
        assert interview.status == Interview.Status.ACCEPTED
        with pytest.raises(ApplicationError) as info:
            interview_decline(interview=interview, user=candidate)
        assert info.value.code == "already_answered"
        interview.refresh_from_db()
        assert interview.status == Interview.Status.ACCEPTED

    def test_inviter_cannot_answer_own_invitation(self, invited_interview, interviewer, outsider):
        for user in (interviewer, outsider):
            with pytest.raises(ApplicationError) as info:
                interview_accept(interview=invited_interview, user=user)
            assert info.value.code == "forbidden"
        invited_interview.refresh_from_db()
        assert invited_interview.status == Interview.Status.INVITED


class TestLiveRoom:
    def test_interviewer_moves_steps_and_chat_is_tagged(self, interview, interviewer, candidate):
        first = interview_post_message(interview=interview, user=candidate, text=" Hello ", client_msg_id="m1")
        assert (first.text, first.step) == ("Hello", 1)
        interview, event = interview_set_step(interview=interview, user=interviewer, step=3)
        assert interview.current_step == 3 and interview.step_started_at is not None
        assert event.kind == TranscriptEvent.Kind.STEP and event.text == "Step 3: Data pipeline and features"
        later = interview_post_message(interview=interview, user=interviewer, text="Features?")
        assert later.step == 3

    def test_repeated_client_message_id_is_stored_once(self, interview, candidate):
        a = interview_post_message(interview=interview, user=candidate, text="hi", client_msg_id="same")
        b = interview_post_message(interview=interview, user=candidate, text="hi", client_msg_id="same")
        assert a.pk == b.pk and TranscriptEvent.objects.filter(kind="chat").count() == 1

    @pytest.mark.parametrize("step", [0, 8, "3", None, True])
    def test_bad_step_refused(self, interview, interviewer, step):
        with pytest.raises(ApplicationError):
            interview_set_step(interview=interview, user=interviewer, step=step)
        interview.refresh_from_db()
        assert interview.current_step == 1

    def test_candidate_and_outsider_cannot_move_steps_or_end(self, interview, candidate, outsider):
        for user in (candidate, outsider):
            with pytest.raises(ApplicationError):
                interview_set_step(interview=interview, user=user, step=2)
            with pytest.raises(ApplicationError):
                interview_end(interview=interview, user=user)
        interview.refresh_from_db()
        assert (interview.current_step, interview.status) == (1, Interview.Status.ACCEPTED)

    @pytest.mark.parametrize("text", ["", "   ", "x" * 2001, None, 42])
    def test_bad_chat_refused(self, interview, candidate, text):
        with pytest.raises(ApplicationError):
            interview_post_message(interview=interview, user=candidate, text=text)
        assert not TranscriptEvent.objects.exists()

    @pytest.mark.parametrize(
        ("text", "client_msg_id", "named"),
        [
            pytest.param("a\x00b", None, "U+0000", id="nul-in-text"),
            pytest.param("half \ud83d of an emoji", None, "U+D83D", id="lone-surrogate-in-text"),
            pytest.param("hi", "m-\x00", "U+0000", id="nul-in-client-msg-id"),
            pytest.param("hi", "m-\udc00", "U+DC00", id="lone-surrogate-in-client-msg-id"),
        ],
    )
    def test_text_the_database_cannot_store_is_refused(self, interview, candidate, text, client_msg_id, named):
        # PostgreSQL text holds no U+0000, and a lone surrogate is not encodable UTF-8 anywhere.
        with pytest.raises(ApplicationError) as info:
            interview_post_message(interview=interview, user=candidate, text=text, client_msg_id=client_msg_id)
        assert info.value.code == "invalid" and named in info.value.message
        assert not TranscriptEvent.objects.exists()
        accented_and_emoji = "a\u00e9b \U0001f600"
        assert (
            interview_post_message(interview=interview, user=candidate, text=accented_and_emoji).text
            == accented_and_emoji
        )

    def test_outsider_cannot_chat(self, interview, outsider):
        with pytest.raises(ApplicationError):
            interview_post_message(interview=interview, user=outsider, text="let me in")
        assert not TranscriptEvent.objects.exists()

    def test_end_closes_the_room(self, interview, interviewer, candidate):
        interview = interview_end(interview=interview, user=interviewer)
        assert interview.status == Interview.Status.COMPLETED and interview.ended_at
        with pytest.raises(ApplicationError) as info:
            interview_post_message(interview=interview, user=candidate, text="one more thing")
        assert info.value.code == "not_live"


def test_profile_rejects_unknown_time_zone(interviewer):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        profile_update(user=interviewer, display_name="x", time_zone="Mars/Olympus")
    interviewer.profile.refresh_from_db()
    assert interviewer.profile.time_zone == "Europe/Paris"
