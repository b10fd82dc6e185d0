"""The interviewer's side panel: criteria ticks and private notes (services, selectors, the API),
and the rule that the candidate never sees them: not in the page, not from the API, not on the
room socket."""

import datetime as dt

import pytest
from asgiref.sync import sync_to_async
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.errors import ApplicationError
from interview.models import Interview
from interview.services import interview_accept, interview_schedule
from review.models import CriterionCheck, InterviewerNote, Scorecard
from review.selectors.notes import PanelNote, panel_for, panel_for_interview
from review.services import scorecard_get_or_create, scorecard_submit, scorecard_update
from review.services.notes import criterion_check_set, interviewer_note_add, panel_access
from rubrics.models import Criterion
from rubrics.services.content import rubric_duplicate

from ..ws import open_socket, receive_type

NOTE = "Candidate skipped the latency budget — follow up in serving"


def criteria_of(interview, step_number: int) -> list[Criterion]:
    return list(Criterion.objects.filter(step__rubric=interview.rubric, step__number=step_number).order_by("order"))


def panel_url(interview) -> str:
    return reverse("api_interview_panel", args=[interview.pk])


def check_url(interview, criterion_id: int) -> str:
    return reverse("api_interview_check", args=[interview.pk, criterion_id])


def notes_url(interview) -> str:
    return reverse("api_interview_notes", args=[interview.pk])


def submit_scorecard(interview, interviewer) -> Scorecard:
    scorecard = scorecard_get_or_create(interview=interview, rubric=interview.rubric, scorer=interviewer)
    scorecard_update(
        scorecard=scorecard, steps={n: {"level": 3, "notes": ""} for n in range(1, 8)}, recommendation="yes"
    )
    return scorecard_submit(scorecard=scorecard)


# -- services ----------------------------------------------------------------------------------


@pytest.mark.django_db
class TestServices:
    def test_ticks_create_the_interviewers_scorecard_and_can_be_changed_or_cleared(self, interview, interviewer):
        first, second = criteria_of(interview, 5)[:2]
        criterion_check_set(interview=interview, user=interviewer, criterion_id=first.pk, met=True)
        scorecard = Scorecard.objects.get(interview=interview)
        assert scorecard.scorer == interviewer and scorecard.rubric == interview.rubric
        assert scorecard.step_scores.count() == 7
        criterion_check_set(interview=interview, user=interviewer, criterion_id=second.pk, met=False)
        criterion_check_set(interview=interview, user=interviewer, criterion_id=first.pk, met=True)  # same again
        assert dict(CriterionCheck.objects.values_list("criterion_id", "met")) == {first.pk: True, second.pk: False}
        criterion_check_set(interview=interview, user=interviewer, criterion_id=second.pk, met=None)
        assert dict(CriterionCheck.objects.values_list("criterion_id", "met")) == {first.pk: True}

    def test_a_criterion_of_another_rubric_version_is_refused_and_nothing_changes(self, interview, interviewer):
        other = rubric_duplicate(rubric=interview.rubric)
        foreign = Criterion.objects.filter(step__rubric=other).first()
        for criterion_id in (foreign.pk, 987654, "1", True, None):
            with pytest.raises(ApplicationError) as refused:
                criterion_check_set(interview=interview, user=interviewer, criterion_id=criterion_id, met=True)
            assert refused.value.status == 404
        assert not Scorecard.objects.exists() and not CriterionCheck.objects.exists()

    def test_notes_are_trimmed_limited_and_retry_safe(self, interview, interviewer):
        note, created = interviewer_note_add(
            interview=interview, user=interviewer, step=2, text=f"  {NOTE}\n", client_id="c-1"
        )
        assert created and note.text == NOTE and note.step.number == 2 and note.author == interviewer
        again, created = interviewer_note_add(interview=interview, user=interviewer, step=2, text=NOTE, client_id="c-1")
        assert not created and again == note
        interviewer_note_add(interview=interview, user=interviewer, step=2, text="no id, no dedupe")
        interviewer_note_add(interview=interview, user=interviewer, step=2, text="no id, no dedupe")
        assert InterviewerNote.objects.count() == 3

        for step, text, client_id in [
            (2, "   ", None),
            (2, "x" * 2001, None),
            (99, "fine", None),
            (0, "fine", None),
            (2, "fine", "c" * 65),
        ]:
            with pytest.raises(ApplicationError):
                interviewer_note_add(interview=interview, user=interviewer, step=step, text=text, client_id=client_id)
        assert InterviewerNote.objects.count() == 3
        note, _ = interviewer_note_add(interview=interview, user=interviewer, step=7, text="y" * 2000)
        assert len(note.text) == 2000

    def test_only_the_interviewer_and_only_while_accepted_or_completed(
        self, invited_interview, interviewer, candidate, outsider
    ):
        with pytest.raises(ApplicationError) as refused:
            panel_access(user=interviewer, interview_id=invited_interview.pk)
        assert refused.value.status == 409
        Interview.objects.filter(pk=invited_interview.pk).update(status=Interview.Status.ACCEPTED)
        assert panel_access(user=interviewer, interview_id=invited_interview.pk).pk == invited_interview.pk
        Interview.objects.filter(pk=invited_interview.pk).update(status=Interview.Status.COMPLETED)
        assert panel_access(user=interviewer, interview_id=invited_interview.pk).pk == invited_interview.pk
        with pytest.raises(PermissionDenied, match="Only the interviewer"):
            panel_access(user=candidate, interview_id=invited_interview.pk)
        with pytest.raises(Interview.DoesNotExist):  # a stranger learns nothing, not even that it exists
            panel_access(user=outsider, interview_id=invited_interview.pk)
        interview = Interview.objects.get(pk=invited_interview.pk)
        with pytest.raises(Exception, match="Only the interviewer"):
            interviewer_note_add(interview=interview, user=candidate, step=1, text="sneaky")
        assert not InterviewerNote.objects.exists()

    def test_a_submitted_scorecard_freezes_ticks_and_notes(self, interview, interviewer):
        criterion = criteria_of(interview, 1)[0]
        criterion_check_set(interview=interview, user=interviewer, criterion_id=criterion.pk, met=True)
        submit_scorecard(interview, interviewer)
        with pytest.raises(ApplicationError) as refused:
            criterion_check_set(interview=interview, user=interviewer, criterion_id=criterion.pk, met=False)
        assert refused.value.code == "locked"
        with pytest.raises(ApplicationError):
            interviewer_note_add(interview=interview, user=interviewer, step=1, text="late")
        assert CriterionCheck.objects.get().met is True and not InterviewerNote.objects.exists()


@pytest.mark.django_db
class TestSelectors:
    def test_panel_lists_every_step_with_ticks_and_timed_notes(self, interview, interviewer, django_assert_num_queries):
        empty = panel_for_interview(interview=interview, user=interviewer)
        assert [s.number for s in empty.steps] == [1, 2, 3, 4, 5, 6, 7]
        assert all(c.met is None for s in empty.steps for c in s.criteria) and not empty.locked

        first = criteria_of(interview, 3)[0]
        criterion_check_set(interview=interview, user=interviewer, criterion_id=first.pk, met=True)
        note, _ = interviewer_note_add(interview=interview, user=interviewer, step=3, text=NOTE)
        InterviewerNote.objects.filter(pk=note.pk).update(
            created_at=interview.scheduled_at + dt.timedelta(minutes=12, seconds=34)
        )
        with django_assert_num_queries(5):
            panel = panel_for_interview(interview=interview, user=interviewer)
        step = panel.steps[2]
        assert step.met_count == 1 and step.criteria[0].met is True and step.has_entries
        assert [(n.text, n.elapsed_seconds, n.elapsed_label) for n in step.notes] == [(NOTE, 754, "12:34 in")]
        assert not any(s.notes for s in panel.steps if s.number != 3)

        scorecard = Scorecard.objects.get(interview=interview)
        assert [s.notes for s in panel_for(scorecard)] == [s.notes for s in panel.steps]

    def test_elapsed_before_the_start(self):
        note = PanelNote(id=1, step=1, text="t", client_id=None, created_at=timezone.now(), elapsed_seconds=-5)
        assert note.elapsed_label == "before the start"
        assert PanelNote(**{**note.__dict__, "elapsed_seconds": 3725}).elapsed_label == "62:05 in"

    def test_scorecard_partial_shows_ticks_and_notes_per_step(self, interview, interviewer):
        first, second = criteria_of(interview, 4)[:2]
        criterion_check_set(interview=interview, user=interviewer, criterion_id=first.pk, met=True)
        criterion_check_set(interview=interview, user=interviewer, criterion_id=second.pk, met=False)
        interviewer_note_add(interview=interview, user=interviewer, step=4, text="<b>GBDT</b> first\nthen two-tower")
        scorecard = Scorecard.objects.get(interview=interview)
        panel = {step.number: step for step in panel_for(scorecard)}
        html = render_to_string("review/_room_notes.html", {"panel": panel[4]})
        assert "✓ met" in html and first.title in html and "✕ not met" in html and second.title in html
        assert "&lt;b&gt;GBDT&lt;/b&gt; first<br>then two-tower" in html
        assert "Nothing ticked or noted" in render_to_string("review/_room_notes.html", {"panel": panel[1]})


# -- the API -----------------------------------------------------------------------------------


def endpoints(interview) -> list[tuple[str, str, dict | None]]:
    criterion = criteria_of(interview, 1)[0]
    return [
        ("get", panel_url(interview), None),
        ("put", check_url(interview, criterion.pk), {"met": True}),
        ("post", notes_url(interview), {"step": 1, "text": NOTE, "client_id": "n-1"}),
    ]


@pytest.mark.django_db
class TestApi:
    def test_the_interviewer_uses_all_three(self, api_for, interview, interviewer):
        api = api_for(interviewer)
        panel = api.get(panel_url(interview))
        assert panel.status_code == 200
        body = panel.json()
        assert body["locked"] is False and body["notes_url"] == notes_url(interview)
        assert body["interview"]["id"] == interview.pk and body["interview"]["current_step"] == 1
        assert [s["number"] for s in body["steps"]] == [1, 2, 3, 4, 5, 6, 7]
        criterion = body["steps"][0]["criteria"][0]
        assert criterion["met"] is None and criterion["check_url"] == check_url(interview, criterion["id"])
        assert set(criterion) == {"id", "key", "title", "description", "weight", "met", "check_url"}

        ticked = api.put(criterion["check_url"], {"met": True}, format="json")
        assert ticked.status_code == 200
        assert ticked.json() == {"criterion": criterion["id"], "step": 1, "met": True}
        assert api.put(criterion["check_url"], {"met": False}, format="json").json()["met"] is False
        assert api.put(criterion["check_url"], {"met": None}, format="json").json()["met"] is None
        assert not CriterionCheck.objects.exists()
        api.put(criterion["check_url"], {"met": True}, format="json")

        created = api.post(notes_url(interview), {"step": 1, "text": NOTE, "client_id": "n-1"}, format="json")
        assert created.status_code == 201
        note = created.json()
        assert note["text"] == NOTE and note["step"] == 1 and note["client_id"] == "n-1"
        assert isinstance(note["elapsed_seconds"], int) and note["created_at"]
        retried = api.post(notes_url(interview), {"step": 1, "text": NOTE, "client_id": "n-1"}, format="json")
        assert retried.status_code == 200 and retried.json()["id"] == note["id"]
        assert InterviewerNote.objects.count() == 1

        again = api.get(panel_url(interview)).json()
        assert again["steps"][0]["criteria"][0]["met"] is True
        assert [n["id"] for n in again["steps"][0]["notes"]] == [note["id"]]

    def test_panel_query_count_is_fixed(self, api_for, interview, interviewer, django_assert_num_queries):
        api = api_for(interviewer)
        for number in (1, 2, 3):
            criterion = criteria_of(interview, number)[0]
            api.put(check_url(interview, criterion.pk), {"met": True}, format="json")
            api.post(notes_url(interview), {"step": number, "text": f"note {number}"}, format="json")
        with django_assert_num_queries(7):  # the guide's marks are the seventh
            assert api.get(panel_url(interview)).status_code == 200

    @pytest.mark.parametrize("who", ["candidate", "outsider", "anonymous"])
    def test_everyone_else_is_refused_and_nothing_changes(self, api_for, interview, request, who):
        user = None if who == "anonymous" else request.getfixturevalue(who)
        api = api_for(user)
        for method, url, body in endpoints(interview):
            response = getattr(api, method)(url, body, format="json")
            assert response.status_code == (404 if who == "outsider" else 403), (who, method, url)
            assert "message" in response.json() and NOTE not in response.content.decode()
        assert not Scorecard.objects.exists() and not InterviewerNote.objects.exists()

    def test_unknown_interview_is_404(self, api_for, interviewer):
        api = api_for(interviewer)
        assert api.get("/api/interviews/987654/panel/").status_code == 404
        assert api.put("/api/interviews/987654/checks/1/", {"met": True}, format="json").status_code == 404
        assert api.post("/api/interviews/987654/notes/", {"step": 1, "text": "x"}, format="json").status_code == 404

    def test_closed_until_accepted(self, api_for, invited_interview, interviewer):
        api = api_for(interviewer)
        for method, url, body in endpoints(invited_interview):
            response = getattr(api, method)(url, body, format="json")
            assert response.status_code == 409 and response.json()["code"] == "not_live"
        assert not Scorecard.objects.exists()

    def test_open_after_the_interview_ended(self, api_for, interview, interviewer):
        Interview.objects.filter(pk=interview.pk).update(status=Interview.Status.COMPLETED)
        api = api_for(interviewer)
        assert api.get(panel_url(interview)).status_code == 200
        assert api.post(notes_url(interview), {"step": 7, "text": "after"}, format="json").status_code == 201

    def test_tampered_ids_and_bad_bodies_change_nothing(self, api_for, interview, interviewer, candidate):
        api = api_for(interviewer)
        foreign = Criterion.objects.filter(step__rubric=rubric_duplicate(rubric=interview.rubric)).first()
        assert api.put(check_url(interview, foreign.pk), {"met": True}, format="json").status_code == 404
        assert api.put(check_url(interview, 987654), {"met": True}, format="json").status_code == 404
        mine = criteria_of(interview, 1)[0]
        assert api.put(check_url(interview, mine.pk), {"met": "maybe"}, format="json").status_code == 400
        assert api.put(check_url(interview, mine.pk), {}, format="json").status_code == 400
        for body in (
            {"step": 99, "text": "x"},
            {"step": 0, "text": "x"},
            {"step": "one", "text": "x"},
            {"step": 1, "text": ""},
            {"step": 1, "text": "   "},
            {"step": 1, "text": "x" * 2001},
            {"step": 1},
            {"step": 1, "text": "x", "client_id": "c" * 65},
        ):
            response = api.post(notes_url(interview), body, format="json")
            assert response.status_code == 400, body
            assert response.json()["message"]
        assert not Scorecard.objects.exists() and not CriterionCheck.objects.exists()

        # An interview where the same two people swapped roles: Ivy is the candidate there.
        swapped = interview_schedule(
            created_by=candidate,
            problem_id=interview.problem_id,
            scheduled_at=timezone.now() + dt.timedelta(days=3),
            peer=interviewer.username,
            my_role="interviewer",
        )
        interview_accept(interview=swapped, user=interviewer)
        for method, url, body in endpoints(swapped):
            assert getattr(api, method)(url, body, format="json").status_code == 403, url
        assert not Scorecard.objects.exists() and not InterviewerNote.objects.exists()

    def test_submitted_scorecard_is_locked(self, api_for, interview, interviewer):
        submit_scorecard(interview, interviewer)
        api = api_for(interviewer)
        assert api.get(panel_url(interview)).json()["locked"] is True
        criterion = criteria_of(interview, 1)[0]
        response = api.put(check_url(interview, criterion.pk), {"met": True}, format="json")
        assert response.status_code == 409 and response.json()["code"] == "locked"
        assert api.post(notes_url(interview), {"step": 1, "text": "late"}, format="json").status_code == 409

    def test_the_schema_documents_the_panel(self, admin_client):
        schema = admin_client.get("/api/schema/").content.decode()
        for path in ("/api/interviews/{id}/panel/", "/api/interviews/{id}/checks/{criterion_id}/"):
            assert path in schema
        assert "/api/interviews/{id}/notes/" in schema


# -- the candidate never sees notes ------------------------------------------------------------


def take_notes(interview, interviewer) -> Criterion:
    criterion = criteria_of(interview, 1)[0]
    criterion_check_set(interview=interview, user=interviewer, criterion_id=criterion.pk, met=True)
    interviewer_note_add(interview=interview, user=interviewer, step=1, text=NOTE, client_id="secret-1")
    return criterion


@pytest.mark.django_db
class TestCandidateNeverSees:
    def test_room_page_config(self, client_for, interview, interviewer, candidate):
        take_notes(interview, interviewer)
        room = reverse("interview_room", args=[interview.pk])
        theirs = client_for(candidate).get(room)
        assert theirs.status_code == 200
        assert "panel" not in theirs.context["room_config"]
        html = theirs.content.decode()
        assert NOTE not in html and "/panel/" not in html and "secret-1" not in html
        mine = client_for(interviewer).get(room)
        assert mine.context["room_config"]["panel"] == {"url": panel_url(interview)}
        assert NOTE not in mine.content.decode()  # loaded by the panel, never put in the page

    def test_candidate_apis_before_and_after_submission(self, api_for, interview, interviewer, candidate):
        take_notes(interview, interviewer)
        api = api_for(candidate)
        paths = [
            f"/api/interviews/{interview.pk}/",
            f"/api/interviews/{interview.pk}/board/",
            f"/api/interviews/{interview.pk}/scorecard/",
            "/api/interviews/",
        ]
        for path in paths:
            assert NOTE not in api.get(path).content.decode(), path
        submit_scorecard(interview, interviewer)
        for path in paths:
            response = api.get(path)
            assert response.status_code == 200, path
            assert NOTE not in response.content.decode() and "secret-1" not in response.content.decode(), path
        assert api.get(panel_url(interview)).status_code == 403

    def test_candidate_review_page_after_submission(self, client_for, interview, interviewer, candidate):
        take_notes(interview, interviewer)
        submit_scorecard(interview, interviewer)
        Interview.objects.filter(pk=interview.pk).update(status=Interview.Status.COMPLETED, ended_at=timezone.now())
        page = client_for(candidate).get(reverse("interview_review", args=[interview.pk]))
        assert page.status_code == 200
        assert NOTE not in page.content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_notes_and_ticks_never_reach_the_room_socket(interview, interviewer, candidate):
    candidate_socket = await open_socket(f"/ws/interviews/{interview.pk}/", candidate)
    await receive_type(candidate_socket, "room_state")
    interviewer_socket = await open_socket(f"/ws/interviews/{interview.pk}/", interviewer)
    await receive_type(interviewer_socket, "room_state")
    # presence frames ("joined", "here") settle in an order that depends on the channel layer
    for socket in (candidate_socket, interviewer_socket):
        while not await socket.receive_nothing(timeout=0.3):
            assert (await socket.receive_json_from())["type"] == "participant"

    def write_through_the_api():
        api = APIClient()
        api.force_authenticate(interviewer)
        criterion = criteria_of(interview, 1)[0]
        assert api.put(check_url(interview, criterion.pk), {"met": True}, format="json").status_code == 200
        response = api.post(notes_url(interview), {"step": 1, "text": NOTE, "client_id": "s-1"}, format="json")
        assert response.status_code == 201

    await sync_to_async(write_through_the_api)()
    assert await candidate_socket.receive_nothing(timeout=0.5), "the candidate's socket got a frame"
    assert await interviewer_socket.receive_nothing(timeout=0.1)
    await candidate_socket.disconnect()

    # Nor in the state a (re)connecting candidate gets.
    again = await open_socket(f"/ws/interviews/{interview.pk}/", candidate)
    state = await receive_type(again, "room_state")
    assert NOTE not in str(state)
    await again.disconnect()
    await interviewer_socket.disconnect()


@pytest.mark.django_db
def test_scorecard_page_shows_what_the_interviewer_took_in_the_room(client_for, interview, interviewer, candidate):
    criterion = take_notes(interview, interviewer)
    page = client_for(interviewer).get(reverse("interview_scorecard", args=[interview.pk])).content.decode()
    step_one = page.split('data-step="1"')[1].split("</div>")[0]
    assert NOTE in page and "✓ met" in step_one and criterion.title in step_one
    assert client_for(candidate).get(reverse("interview_scorecard", args=[interview.pk])).status_code == 403
