"""Review share links: the candidate makes and revokes them; anyone holding a working link reads
the review, read-only, without the private notes, drafts, share controls or email addresses."""

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.errors import ApplicationError
from review.models import Evidence, EvidenceReport, ReviewShare, StepSuggestion
from review.services.self_assessment import self_assessment_save
from review.services.sharing import MAX_ACTIVE_SHARES, review_share_create, review_share_revoke
from rubrics.models import RubricStep

from .review_data import DRAFT_NOTES, PRIVATE_NOTE, SECOND_NOTE, SUBMITTED_NOTES, build_finished, submit
from .test_review import parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(interview, interviewer, candidate):
    return build_finished(interview, interviewer, candidate)


@pytest.fixture
def share(finished, candidate):
    return review_share_create(interview=finished.interview, user=candidate, label="for my mentor")


def shared_url(token):
    return reverse("shared_review", args=[token])


# -- services ------------------------------------------------------------------------------------


def test_candidate_creates_links_with_unguessable_tokens(finished, candidate):
    first = review_share_create(interview=finished.interview, user=candidate, label="  mentor  ")
    second = review_share_create(interview=finished.interview, user=candidate)
    assert first.label == "mentor" and second.label == ""
    assert first.created_by == candidate
    assert len(first.token) == 32 and first.token != second.token  # secrets.token_urlsafe(24)
    assert first.revoked_at is None


@pytest.mark.parametrize("who", ["interviewer", "outsider"])
def test_only_the_candidate_creates_and_revokes(request, finished, share, who):
    user = request.getfixturevalue(who)
    with pytest.raises(ApplicationError) as caught:
        review_share_create(interview=finished.interview, user=user)
    assert caught.value.status == 403
    with pytest.raises(ApplicationError) as caught:
        review_share_revoke(interview=finished.interview, user=user, share_id=share.pk)
    assert caught.value.status == 403
    share.refresh_from_db()
    assert share.revoked_at is None and ReviewShare.objects.count() == 1


def test_label_length_and_number_of_links_are_limited(finished, candidate):
    with pytest.raises(ApplicationError):
        review_share_create(interview=finished.interview, user=candidate, label="x" * 81)
    for _ in range(MAX_ACTIVE_SHARES):
        review_share_create(interview=finished.interview, user=candidate)
    with pytest.raises(ApplicationError) as caught:
        review_share_create(interview=finished.interview, user=candidate)
    assert caught.value.code == "too_many"
    review_share_revoke(interview=finished.interview, user=candidate, share_id=ReviewShare.objects.first().pk)
    review_share_create(interview=finished.interview, user=candidate)  # a revoked link frees a place


def test_not_before_the_interview_starts(interview, candidate):
    with pytest.raises(ApplicationError) as caught:
        review_share_create(interview=interview, user=candidate)
    assert caught.value.code == "not_started"


def test_revoke_is_idempotent_and_scoped_to_the_interview(finished, share, candidate, problem, interviewer):
    revoked = review_share_revoke(interview=finished.interview, user=candidate, share_id=share.pk)
    stamp = revoked.revoked_at
    assert stamp is not None
    assert review_share_revoke(interview=finished.interview, user=candidate, share_id=share.pk).revoked_at == stamp
    with pytest.raises(ApplicationError) as caught:
        review_share_revoke(interview=finished.interview, user=candidate, share_id=424242)
    assert caught.value.status == 404


# -- the candidate's controls ---------------------------------------------------------------------


def test_candidate_creates_lists_and_revokes_from_the_review(client_for, finished, candidate):
    review = reverse("interview_review", args=[finished.interview.pk])
    page = client_for(candidate).get(review).content.decode()
    assert 'id="sharing"' in page and 'id="no-shares"' in page
    response = client_for(candidate).post(
        reverse("review_share_new", args=[finished.interview.pk]), {"label": "for my mentor"}
    )
    assert response.status_code == 302 and response["Location"] == review + "#sharing"
    share = ReviewShare.objects.get()
    page = client_for(candidate).get(review).content.decode()
    assert f"http://testserver{shared_url(share.token)}" in page and "for my mentor" in page
    response = client_for(candidate).post(reverse("review_share_revoke", args=[finished.interview.pk, share.pk]))
    assert response.status_code == 302
    share.refresh_from_db()
    assert share.revoked_at is not None
    page = client_for(candidate).get(review).content.decode()
    assert share.token not in page and 'id="no-shares"' in page


def test_the_interviewer_has_no_share_controls(client_for, finished, share, interviewer):
    page = client_for(interviewer).get(reverse("interview_review", args=[finished.interview.pk])).content.decode()
    assert 'id="sharing"' not in page and share.token not in page


@pytest.mark.parametrize(("who", "status"), [("interviewer", 403), ("outsider", 404)])
def test_others_cannot_create_or_revoke(request, client_for, finished, share, who, status):
    client = client_for(request.getfixturevalue(who))
    new = reverse("review_share_new", args=[finished.interview.pk])
    assert client.post(new, {"label": "x"}).status_code == status
    revoke = reverse("review_share_revoke", args=[finished.interview.pk, share.pk])
    assert client.post(revoke).status_code == status
    share.refresh_from_db()
    assert share.revoked_at is None and ReviewShare.objects.count() == 1


def test_anonymous_is_sent_to_login_and_get_is_refused(client_for, finished, share, candidate):
    for path in (
        reverse("review_share_new", args=[finished.interview.pk]),
        reverse("review_share_revoke", args=[finished.interview.pk, share.pk]),
    ):
        response = client_for(None).post(path)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
        assert client_for(candidate).get(path).status_code == 405
    assert ReviewShare.objects.count() == 1


def test_revoking_an_unknown_link_is_404(client_for, finished, candidate):
    assert (
        client_for(candidate).post(reverse("review_share_revoke", args=[finished.interview.pk, 4242])).status_code
        == 404
    )


def test_a_refused_link_is_explained(client_for, finished, candidate):
    response = client_for(candidate).post(
        reverse("review_share_new", args=[finished.interview.pk]), {"label": "x" * 81}, follow=True
    )
    assert "at most 80 characters" in response.content.decode()
    assert not ReviewShare.objects.exists()


# -- the shared review ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", [None, "outsider", "interviewer", "candidate"])
def test_anyone_with_a_working_link_reads_it(request, client_for, finished, share, who):
    user = request.getfixturevalue(who) if who else None
    response = client_for(user).get(shared_url(share.token))
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow" and response["Referrer-Policy"] == "no-referrer"
    html = response.content.decode()
    assert "What is the business goal" in html and 'id="shared-banner"' in html
    [config] = [json.loads(block) for block in parse(html).json_blocks if '"mode"' in block]
    assert config["replay"]["history_url"] == reverse("api_shared_board_history", args=[share.token])


def test_revoked_or_unknown_links_are_404(client_for, finished, share, candidate):
    review_share_revoke(interview=finished.interview, user=candidate, share_id=share.pk)
    assert client_for(None).get(shared_url(share.token)).status_code == 404
    assert client_for(candidate).get(shared_url(share.token)).status_code == 404
    assert client_for(None).get(shared_url("x" * 32)).status_code == 404
    assert client_for(None).get(shared_url("y" * 300)).status_code == 404


@pytest.mark.parametrize("who", [None, "interviewer"])
def test_the_shared_review_never_shows_what_is_not_shared(request, client_for, finished, share, who):
    """Not even to the interviewer following the link: the link shows what the candidate shares."""
    user = request.getfixturevalue(who) if who else None
    html = client_for(user).get(shared_url(share.token)).content.decode()
    for hidden in (PRIVATE_NOTE, SECOND_NOTE, "Private note", DRAFT_NOTES, "Draft summary"):
        assert hidden not in html
    for address in ("ivy@example.com", "cal@example.com"):
        assert address not in html
    assert 'id="sharing"' not in html and share.token not in html.split('"history_url"')[0]
    assert 'id="exports"' not in html
    assert reverse("interview_scorecard", args=[finished.interview.pk]) not in html
    assert reverse("interview_self_assessment", args=[finished.interview.pk]) not in html
    assert reverse("review_share_new", args=[finished.interview.pk]) not in html
    assert 'id="scores-hidden"' in html
    assert 'data-criterion="' not in html  # the interviewer's ticks stay theirs until submitted
    assert not any(key.startswith("note-") for key in parse(html).by_id)
    for block in parse(html).json_blocks:
        assert PRIVATE_NOTE not in block and SECOND_NOTE not in block and "@example.com" not in block
    history = APIClient().get(reverse("api_shared_board_history", args=[share.token]))
    assert history.status_code == 200
    assert PRIVATE_NOTE not in history.content.decode() and "@example.com" not in history.content.decode()


def test_after_submission_the_shared_review_has_scores_criteria_evidence_and_self_assessment(
    client_for, finished, share, candidate
):
    steps = {s.number: s for s in RubricStep.objects.filter(rubric=finished.interview.rubric)}
    self_assessment_save(
        interview=finished.interview,
        user=candidate,
        steps={steps[1].pk: {"level": 2, "notes": "I skipped the scale questions"}},
        summary="Next time: numbers first.",
    )
    report, _ = EvidenceReport.objects.update_or_create(
        interview=finished.interview, defaults={"rubric": finished.interview.rubric, "status": "done"}
    )
    StepSuggestion.objects.create(report=report, step=steps[3], level=3, summary="Feature store named.")
    store = finished.events["store"]
    Evidence.objects.create(
        report=report,
        step=steps[3],
        source="transcript",
        concept="feature store",
        text=store.text,
        at=store.created_at,
        transcript_event_id=store.pk,
    )
    submit(finished)
    html = client_for(None).get(shared_url(share.token)).content.decode()
    assert 'id="scores-hidden"' not in html
    card = html.split('id="score-step-3"')[1].split("</article>")[0]
    assert "Evidence finder suggests" in card and f'href="#event-{store.pk}"' in card
    assert SUBMITTED_NOTES in html and "Good separation of the offline and online paths." in html
    assert "(met)" in html.split('data-criterion="business-objective"')[1].split("</li>")[0]
    assert "I skipped the scale questions" in html and "Next time: numbers first." in html
    assert PRIVATE_NOTE not in html and SECOND_NOTE not in html
    assert "Edit" not in html.split('id="self-assessment"')[1].split("</div>")[0]
