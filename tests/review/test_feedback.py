"""The candidate's feedback on their interviewer: who may give it and when, who reads it and when
(blind both ways), what bad input is refused with, and the record it adds up to."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import ApplicationError
from interview import services
from interview.models import Booking
from interview.services import interview_end
from review.models import InterviewerFeedback
from review.selectors.feedback import interviewer_record_for
from review.services import scorecard_get_or_create, scorecard_submit, scorecard_update
from review.services.feedback import interviewer_feedback_save
from tests.factories import UserFactory

GOOD = {"preparation": 5, "clarity": 4, "hints": 4, "fairness": 5, "would_practise_again": True}
NOTE = "Clear prompt and the hint about the feature store came at the right moment"


@pytest.fixture
def ended(interview, interviewer):
    return interview_end(interview=interview, user=interviewer)


def submit_scores(interview, interviewer):
    scorecard = scorecard_get_or_create(interview=interview, rubric=interview.rubric, scorer=interviewer)
    steps = {step.number: {"level": 3, "notes": ""} for step in interview.rubric.steps.all()}
    scorecard_update(scorecard=scorecard, steps=steps, recommendation="yes", summary="Solid")
    scorecard_submit(scorecard=scorecard)


def url(name, interview):
    return reverse(name, args=[interview.pk])


class TestService:
    def test_the_candidate_rates_after_the_end(self, ended, candidate, interviewer):
        feedback = interviewer_feedback_save(interview=ended, user=candidate, answers={**GOOD, "note": NOTE})
        assert (feedback.author, feedback.interviewer) == (candidate, interviewer)
        assert (feedback.preparation, feedback.fairness, feedback.note) == (5, 5, NOTE)

    def test_not_before_the_end(self, interview, candidate):
        with pytest.raises(ApplicationError) as refused:
            interviewer_feedback_save(interview=interview, user=candidate, answers=GOOD)
        assert refused.value.code == "not_ended" and not InterviewerFeedback.objects.exists()

    @pytest.mark.parametrize("who", ["interviewer", "outsider"])
    def test_only_the_candidate(self, request, ended, who):
        with pytest.raises(ApplicationError) as refused:
            interviewer_feedback_save(interview=ended, user=request.getfixturevalue(who), answers=GOOD)
        assert refused.value.status == 403 and not InterviewerFeedback.objects.exists()

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"clarity": 0}, "Clarity of the prompt: pick a rating from 1 to 5."),
            ({"hints": 6}, "Quality of hints: pick a rating from 1 to 5."),
            ({"fairness": "great"}, "Fairness of scoring: pick a rating from 1 to 5."),
            ({"preparation": True}, "Preparation: pick a rating from 1 to 5."),
            ({"would_practise_again": None}, "Would you practise with this interviewer again? Answer yes or no."),
            ({"would_practise_again": "maybe"}, "Would practise again: answer yes or no."),
            ({"note": "x" * 2001}, "The note can be at most 2000 characters (it has 2001)."),
            ({"note": ["a list"]}, "The note must be text."),
        ],
    )
    def test_bad_input_is_refused_and_changes_nothing(self, ended, candidate, change, message):
        interviewer_feedback_save(interview=ended, user=candidate, answers={**GOOD, "note": NOTE})
        before = InterviewerFeedback.objects.values().get()
        with pytest.raises(ApplicationError) as refused:
            interviewer_feedback_save(interview=ended, user=candidate, answers={**GOOD, "clarity": 1, **change})
        assert refused.value.message == message and refused.value.code == "invalid"
        assert InterviewerFeedback.objects.values().get() == before

    def test_a_note_shows_only_if_there_is_one(self, ended, candidate):
        feedback = interviewer_feedback_save(interview=ended, user=candidate, answers={**GOOD, "show_note": True})
        assert feedback.show_note is False

    def test_changes_until_the_scores_are_in_then_stays(self, ended, candidate, interviewer):
        interviewer_feedback_save(interview=ended, user=candidate, answers=GOOD)
        interviewer_feedback_save(interview=ended, user=candidate, answers={**GOOD, "hints": 2})
        assert InterviewerFeedback.objects.get().hints == 2
        submit_scores(ended, interviewer)
        with pytest.raises(ApplicationError) as refused:
            interviewer_feedback_save(interview=ended, user=candidate, answers={**GOOD, "fairness": 1})
        assert refused.value.code == "locked"
        assert InterviewerFeedback.objects.get().fairness == 5

    def test_rating_after_the_scores_is_allowed_once(self, ended, candidate, interviewer):
        submit_scores(ended, interviewer)
        interviewer_feedback_save(interview=ended, user=candidate, answers=GOOD)
        with pytest.raises(ApplicationError, match="can no longer change"):
            interviewer_feedback_save(interview=ended, user=candidate, answers={**GOOD, "clarity": 1})


class TestPages:
    def test_the_candidate_fills_in_the_form(self, client_for, ended, candidate):
        page = client_for(candidate).get(url("interviewer_feedback", ended))
        assert page.status_code == 200 and 'name="preparation"' in page.content.decode()
        response = client_for(candidate).post(
            url("interviewer_feedback", ended),
            {
                "preparation": "4",
                "clarity": "4",
                "hints": "3",
                "fairness": "5",
                "would_practise_again": "yes",
                "note": NOTE,
                "show_note": "yes",
            },
        )
        assert response.status_code == 302
        feedback = InterviewerFeedback.objects.get()
        assert (feedback.hints, feedback.would_practise_again, feedback.show_note) == (3, True, True)

    def test_a_refused_form_keeps_what_was_typed(self, client_for, ended, candidate):
        response = client_for(candidate).post(url("interviewer_feedback", ended), {"preparation": "9", "note": NOTE})
        page = response.content.decode()
        assert response.status_code == 200 and "Preparation: pick a rating from 1 to 5." in page and NOTE in page
        assert not InterviewerFeedback.objects.exists()

    @pytest.mark.parametrize(("who", "status"), [("interviewer", 403), ("outsider", 404)])
    def test_nobody_else_opens_it(self, request, client_for, ended, who, status):
        client = client_for(request.getfixturevalue(who))
        assert client.get(url("interviewer_feedback", ended)).status_code == status
        assert client.post(url("interviewer_feedback", ended), {**GOOD}).status_code == status
        assert not InterviewerFeedback.objects.exists()

    def test_the_interviewer_reads_it_on_the_review_only_after_scoring(self, client_for, ended, candidate, interviewer):
        interviewer_feedback_save(interview=ended, user=candidate, answers={**GOOD, "note": NOTE})
        assert NOTE not in client_for(interviewer).get(url("interview_review", ended)).content.decode()
        assert NOTE in client_for(candidate).get(url("interview_review", ended)).content.decode()
        submit_scores(ended, interviewer)
        assert NOTE in client_for(interviewer).get(url("interview_review", ended)).content.decode()


class TestApi:
    def test_put_and_get(self, api_for, ended, candidate, interviewer):
        path = url("api_interviewer_feedback", ended)
        assert api_for(candidate).get(path).status_code == 404
        response = api_for(candidate).put(path, {**GOOD, "note": NOTE}, format="json")
        assert response.status_code == 200 and response.json()["note"] == NOTE
        assert api_for(candidate).get(path).json()["clarity"] == 4
        hidden = api_for(interviewer).get(path)
        assert hidden.status_code == 404 and "once you submit" in hidden.json()["message"]
        submit_scores(ended, interviewer)
        assert api_for(interviewer).get(path).json()["preparation"] == 5

    def test_bad_body_is_refused(self, api_for, ended, candidate):
        response = api_for(candidate).put(url("api_interviewer_feedback", ended), {**GOOD, "hints": 9}, format="json")
        assert response.status_code == 400 and response.json()["code"] == "invalid"
        assert "hints" in response.json()["message"]
        assert not InterviewerFeedback.objects.exists()

    @pytest.mark.parametrize(("who", "status"), [("interviewer", 403), ("outsider", 404), (None, 403)])
    def test_others_cannot_write(self, request, api_for, ended, who, status):
        user = request.getfixturevalue(who) if who else None
        response = api_for(user).put(url("api_interviewer_feedback", ended), GOOD, format="json")
        assert response.status_code == status and not InterviewerFeedback.objects.exists()

    def test_record(self, api_for, ended, candidate, interviewer, outsider):
        interviewer_feedback_save(interview=ended, user=candidate, answers={**GOOD, "note": NOTE, "show_note": True})
        path = reverse("api_interviewer_record", args=[interviewer.pk])
        assert api_for(outsider).get(path).json()["sessions"] == 0  # not counted before the scores are in
        submit_scores(ended, interviewer)
        body = api_for(outsider).get(path).json()
        assert body["sessions"] == 1 and body["overall"] == 4.5 and body["would_practise_again"] == 1.0
        assert body["averages"] == {"preparation": 5.0, "clarity": 4.0, "hints": 4.0, "fairness": 5.0}
        assert [n["text"] for n in body["notes"]] == [NOTE]
        assert api_for(outsider).get(reverse("api_interviewer_record", args=[99999])).status_code == 404
        assert api_for(None).get(path).status_code == 403


class TestRecord:
    def test_notes_show_only_when_allowed(self, ended, candidate, interviewer):
        interviewer_feedback_save(interview=ended, user=candidate, answers={**GOOD, "note": NOTE, "show_note": False})
        submit_scores(ended, interviewer)
        record = interviewer_record_for(user_id=interviewer.pk)
        assert record.sessions == 1 and record.notes == []

    def test_profile_pages_show_it(self, client_for, ended, candidate, interviewer, outsider):
        interviewer_feedback_save(interview=ended, user=candidate, answers={**GOOD, "note": NOTE, "show_note": True})
        submit_scores(ended, interviewer)
        peer = client_for(outsider).get(reverse("peer_profile", args=[interviewer.pk])).content.decode()
        assert 'id="interviewer-record"' in peer and "4.5" in peer and NOTE in peer
        own = client_for(interviewer).get(reverse("profile")).content.decode()
        assert "Your record as an interviewer" in own and NOTE in own


def test_the_queue_prefers_the_better_rated_interviewer(problem, interviewer, candidate, outsider):
    """Two interviewers free at the same time, same level and focus: the better-rated one is matched,
    even though the other has waited longer."""
    rated = UserFactory(username="rita")
    for user in (interviewer, rated, candidate, outsider):
        services.profile_update(user=user, display_name=user.username, time_zone="UTC", level="mid")
    # Rita's record: one earlier session, rated 5 everywhere, scores submitted.
    earlier = services.interview_schedule(
        created_by=rated,
        problem_id=problem.pk,
        scheduled_at=timezone.now() + dt.timedelta(minutes=5),
        peer=outsider.username,
        my_role="interviewer",
    )
    earlier = services.interview_accept(interview=earlier, user=outsider)
    earlier = interview_end(interview=earlier, user=rated)
    interviewer_feedback_save(
        interview=earlier,
        user=outsider,
        answers={**dict.fromkeys(InterviewerFeedback.RATINGS, 5), "would_practise_again": True},
    )
    submit_scores(earlier, rated)

    start = (timezone.now() + dt.timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    window = [(start, start + dt.timedelta(hours=2))]
    services.match_request_create(user=interviewer, mode="interviewer", duration_minutes=60, windows=window)
    services.match_request_create(user=rated, mode="interviewer", duration_minutes=60, windows=window)
    services.match_request_create(user=candidate, mode="candidate", duration_minutes=60, windows=window)
    services.match_queue_run()
    booking = Booking.objects.get(source="match")
    assert booking.interviews.get().interviewer == rated
