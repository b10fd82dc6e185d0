import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from interview.models import Interview
from review.models import Scorecard

pytestmark = pytest.mark.django_db


def url(name, interview):
    return reverse(name, args=[interview.pk])


# (page, who, expected status). Outsiders get 404, as for an id that does not exist; a participant
# without the role gets 403; anonymous visitors go to the login page.
ACCESS = [
    ("interview_detail", "interviewer", 200),
    ("interview_detail", "candidate", 200),
    ("interview_detail", "outsider", 404),
    ("interview_room", "interviewer", 200),
    ("interview_room", "candidate", 200),
    ("interview_room", "outsider", 404),
    ("interview_review", "interviewer", 200),
    ("interview_review", "candidate", 200),
    ("interview_review", "outsider", 404),
    ("interview_scorecard", "interviewer", 200),
    ("interview_scorecard", "candidate", 403),
    ("interview_scorecard", "outsider", 404),
]


@pytest.mark.parametrize(("page", "who", "status"), ACCESS)
def test_page_access(request, client_for, interview, page, who, status):
    response = client_for(request.getfixturevalue(who)).get(url(page, interview))
    assert response.status_code == status


@pytest.mark.parametrize("page", ["interview_detail", "interview_room", "interview_review", "interview_scorecard"])
def test_anonymous_is_sent_to_login(client, interview, page):
    response = client.get(url(page, interview))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_unknown_interview_is_404(client_for, interviewer):
    assert client_for(interviewer).get(reverse("interview_room", args=[424242])).status_code == 404


def test_room_page_carries_the_island_config(client_for, interview, candidate):
    response = client_for(candidate).get(url("interview_room", interview))
    body = response.content.decode()
    # Excalidraw's fonts and assets come from us: the asset path is handed over without inline script
    assert 'src="/static/js/excalidraw-assets.js" data-asset-path="/static/app/"' in body
    config = json.loads(body.split('id="mocklane-room-config" type="application/json">')[1].split("</script>")[0])
    assert config["mode"] == "room" and config["role"] == "candidate"
    assert config["ws"] == {"board": f"/ws/boards/{interview.board_id}/", "room": f"/ws/interviews/{interview.pk}/"}
    assert config["interview"]["problem"]["title"] == interview.problem.title
    assert "cal@example.com" not in body  # peers never see email addresses
    interview.refresh_from_db()
    assert interview.step_started_at is not None  # the clock starts when someone enters


def test_room_closed_until_accepted(client_for, invited_interview, interviewer):
    response = client_for(interviewer).get(url("interview_room", invited_interview))
    assert response.status_code == 302 and response["Location"] == url("interview_detail", invited_interview)


class TestSchedulePage:
    def test_schedule_in_own_time_zone_and_peer_sees_invitation(self, client_for, problem, interviewer, candidate):
        # Cal lives in New York: 09:00 there on 1 June 2031 is 13:00 UTC (daylight saving time).
        response = client_for(candidate).post(
            reverse("interview_new"),
            {
                "problem": problem.pk,
                "scheduled_at": "2031-06-01T09:00",
                "duration_minutes": 60,
                "peer": "ivy",
                "my_role": "candidate",
            },
        )
        interview = Interview.objects.get()
        assert response.status_code == 302 and response["Location"] == url("interview_detail", interview)
        assert interview.scheduled_at == dt.datetime(2031, 6, 1, 13, 0, tzinfo=dt.UTC)
        # Ivy lives in Paris: she sees 15:00 on her dashboard, with Accept and Decline.
        page = client_for(interviewer).get(reverse("dashboard")).content.decode()
        pending = page.split('id="pending"')[1].split("</section>")[0]
        assert problem.title in pending and "Sun 1 Jun 2031, 15:00" in pending
        assert url("interview_accept", interview) in pending

    def test_unknown_peer_is_a_form_error_and_nothing_is_created(self, client_for, problem, candidate):
        response = client_for(candidate).post(
            reverse("interview_new"),
            {
                "problem": problem.pk,
                "scheduled_at": "2031-06-01T09:00",
                "duration_minutes": 60,
                "peer": "ghost",
                "my_role": "candidate",
            },
        )
        assert response.status_code == 200
        assert "No Mocklane account matches" in response.content.decode()
        assert not Interview.objects.exists()

    def test_missing_fields_are_reported(self, client_for, content, candidate):
        response = client_for(candidate).post(reverse("interview_new"), {})
        assert response.status_code == 200
        assert response.content.decode().count("This field is required") >= 3
        assert not Interview.objects.exists()


class TestAnswerPages:
    def test_invitee_accepts(self, client_for, invited_interview, candidate):
        response = client_for(candidate).post(url("interview_accept", invited_interview))
        assert response.status_code == 302
        invited_interview.refresh_from_db()
        assert invited_interview.status == Interview.Status.ACCEPTED

    @pytest.mark.parametrize(("who", "status"), [("interviewer", 403), ("outsider", 404)])
    def test_others_cannot_answer(self, request, client_for, invited_interview, who, status):
        response = client_for(request.getfixturevalue(who)).post(url("interview_decline", invited_interview))
        assert response.status_code == status
        invited_interview.refresh_from_db()
        assert invited_interview.status == Interview.Status.INVITED

    def test_answer_needs_post(self, client_for, invited_interview, candidate):
        assert client_for(candidate).get(url("interview_accept", invited_interview)).status_code == 405


class TestScorecardPage:
    def fill(self, level="3", **extra):
        data = {f"level_{n}": level for n in range(1, 8)}
        data.update({f"notes_{n}": f"notes for step {n}" for n in range(1, 8)})
        data.update({"recommendation": "yes", "summary": "Solid design.", "action": "submit"})
        data.update(extra)
        return data

    def test_submit_locks_and_candidate_then_sees_scores(self, client_for, interview, interviewer, candidate):
        review = url("interview_review", interview)
        assert "scores-hidden" in client_for(candidate).get(review).content.decode()
        response = client_for(interviewer).post(url("interview_scorecard", interview), self.fill())
        assert response.status_code == 302 and response["Location"] == review
        scorecard = Scorecard.objects.get(interview=interview)
        assert scorecard.is_submitted and scorecard.recommendation == "yes"
        page = client_for(candidate).get(review).content.decode()
        assert "scores-hidden" not in page and "notes for step 4" in page and "Yes" in page
        # locked: a second post changes nothing
        client_for(interviewer).post(url("interview_scorecard", interview), self.fill(level="1"))
        assert set(scorecard.step_scores.values_list("level", flat=True)) == {3}

    def test_incomplete_submit_is_refused_and_keeps_the_draft_input(self, client_for, interview, interviewer):
        data = self.fill()
        del data["level_5"]
        response = client_for(interviewer).post(url("interview_scorecard", interview), data)
        assert response.status_code == 200
        body = response.content.decode()
        assert "missing: step 5" in body and "notes for step 2" in body
        scorecard = Scorecard.objects.get(interview=interview)
        assert not scorecard.is_submitted

    def test_draft_is_hidden_from_candidate(self, client_for, interview, interviewer, candidate):
        client_for(interviewer).post(url("interview_scorecard", interview), self.fill(action="save"))
        assert Scorecard.objects.get(interview=interview).status == "draft"
        page = client_for(candidate).get(url("interview_review", interview)).content.decode()
        assert "notes for step 4" not in page and "scores-hidden" in page

    def test_bad_level_is_refused(self, client_for, interview, interviewer):
        response = client_for(interviewer).post(url("interview_scorecard", interview), self.fill(level_2="9"))
        assert response.status_code == 200 and "pick a level from 1 to 4" in response.content.decode()
        assert not Scorecard.objects.get(interview=interview).is_submitted


def test_review_shows_transcript_by_step(client_for, interview, interviewer, candidate):
    from interview.services import interview_post_message, interview_set_step

    interview_post_message(interview=interview, user=candidate, text="What is the business goal?")
    interview_set_step(interview=interview, user=interviewer, step=5)
    interview_post_message(interview=interview, user=candidate, text="I would track nDCG offline.")
    page = client_for(candidate).get(url("interview_review", interview)).content.decode()
    step1 = page.split('id="step-1"')[1].split("</article>")[0]
    step5 = page.split('id="step-5"')[1].split("</article>")[0]
    assert "What is the business goal?" in step1 and "nDCG" not in step1
    assert "I would track nDCG offline." in step5 and "Step 5: Evaluation" in step5


def test_end_interview(client_for, interview, interviewer, candidate):
    assert client_for(candidate).post(url("interview_end", interview)).status_code == 403
    response = client_for(interviewer).post(url("interview_end", interview))
    assert response.status_code == 302 and response["Location"] == url("interview_scorecard", interview)
    interview.refresh_from_db()
    assert interview.status == Interview.Status.COMPLETED


def test_dashboard_lists_without_n_plus_one(client_for, problem, interviewer, candidate, django_assert_max_num_queries):
    from interview.services import interview_schedule

    for hours in range(1, 6):
        interview_schedule(
            created_by=interviewer,
            problem_id=problem.pk,
            peer="cal",
            my_role="interviewer",
            scheduled_at=timezone.now() + dt.timedelta(hours=hours),
        )
    c = client_for(interviewer)
    # session, user, profile, interviews; the week: bookings, their interviews, weekly and one-off
    # availability; the queue entry; the checklist's availability checks
    with django_assert_max_num_queries(11):
        response = c.get(reverse("dashboard"))
    assert response.content.decode().count(f"<strong>{problem.title}</strong>") == 5


def test_profile_time_zone(client_for, interviewer):
    c = client_for(interviewer)
    response = c.post(reverse("profile"), {"display_name": "Ivy I.", "time_zone": "Asia/Tokyo"})
    assert response.status_code == 302
    interviewer.profile.refresh_from_db()
    assert (interviewer.profile.display_name, interviewer.profile.time_zone) == ("Ivy I.", "Asia/Tokyo")
    response = c.post(reverse("profile"), {"display_name": "x", "time_zone": "Nowhere/Land"})
    assert response.status_code == 200
    interviewer.profile.refresh_from_db()
    assert interviewer.profile.time_zone == "Asia/Tokyo"


def test_signup_stores_detected_time_zone(client, content):
    response = client.post(
        reverse("account_signup"),
        {
            "username": "newbie",
            "email": "newbie@example.com",
            "password1": "a-long-passphrase-9",
            "password2": "a-long-passphrase-9",
            "display_name": "New Bee",
            "time_zone": "Asia/Kolkata",
        },
    )
    assert response.status_code == 302
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="newbie")
    assert (user.profile.time_zone, user.profile.display_name) == ("Asia/Kolkata", "New Bee")


def test_home_and_problem_pages(client, client_for, problem, outsider):
    assert "Practise ML system design" in client.get("/").content.decode()
    c = client_for(outsider)
    assert problem.title in c.get(reverse("problem_bank")).content.decode()
    page = c.get(reverse("problem_detail", args=[problem.slug])).content.decode()
    assert problem.prompt.split()[0] in page and "Clarifying facts" not in page  # no spoilers
    assert "Frame it as an ML task" in c.get(reverse("rubric")).content.decode()
