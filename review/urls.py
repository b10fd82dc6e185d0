"""The review's pages and API. URL names are unchanged from when these lived in `interview` and
`rubrics`, so links and templates keep working."""

from django.urls import path

from .apis import evidence as evidence_apis
from .apis import feedback as feedback_apis
from .apis import history as history_apis
from .apis import notes as notes_apis
from .apis import scorecards as scorecard_apis
from .views import exports, feedback, progress, review, scorecard

urlpatterns = [
    path("rubric/", progress.rubric_detail, name="rubric"),
    path("progress/", progress.progress, name="progress"),
    path("interviews/<int:pk>/scorecard/", scorecard.interview_scorecard, name="interview_scorecard"),
    path("interviews/<int:pk>/review/", review.interview_review, name="interview_review"),
    path("interviews/<int:pk>/self-assessment/", review.interview_self_assessment, name="interview_self_assessment"),
    path("interviews/<int:pk>/shares/", review.review_share_new, name="review_share_new"),
    path(
        "interviews/<int:pk>/shares/<int:share_id>/revoke/",
        review.review_share_revoke_view,
        name="review_share_revoke",
    ),
    path("interviews/<int:pk>/feedback/", feedback.interviewer_feedback, name="interviewer_feedback"),
    path("shared/<str:token>/", review.shared_review, name="shared_review"),
    path("shared/<str:token>/audio/<int:chunk_id>.webm", review.shared_review_audio, name="shared_review_audio"),
    path("interviews/<int:pk>/export.md", exports.interview_export_md, name="interview_export_md"),
    path("interviews/<int:pk>/export.pdf", exports.interview_export_pdf, name="interview_export_pdf"),
    path("interviews/<int:pk>/board.svg", exports.interview_board_svg, name="interview_board_svg"),
    path("interviews/<int:pk>/board.png", exports.interview_board_png, name="interview_board_png"),
]

api_urlpatterns = [
    path(
        "interviews/<int:pk>/board/history/",
        history_apis.InterviewBoardHistoryApi.as_view(),
        name="api_interview_board_history",
    ),
    path(
        "shared/<str:token>/board/history/",
        history_apis.SharedBoardHistoryApi.as_view(),
        name="api_shared_board_history",
    ),
    path("interviews/<int:pk>/scorecard/", scorecard_apis.ScorecardApi.as_view(), name="api_scorecard"),
    path(
        "interviews/<int:pk>/scorecard/submit/",
        scorecard_apis.ScorecardSubmitApi.as_view(),
        name="api_scorecard_submit",
    ),
    path("interviews/<int:pk>/panel/", notes_apis.PanelApi.as_view(), name="api_interview_panel"),
    path(
        "interviews/<int:pk>/checks/<int:criterion_id>/",
        notes_apis.CriterionCheckApi.as_view(),
        name="api_interview_check",
    ),
    path("interviews/<int:pk>/notes/", notes_apis.InterviewerNoteApi.as_view(), name="api_interview_notes"),
    path("interviews/<int:pk>/guide/", notes_apis.GuideMarkApi.as_view(), name="api_interview_guide"),
    path("interviews/<int:pk>/evidence/", evidence_apis.InterviewEvidenceApi.as_view(), name="api_interview_evidence"),
    path("rubric/agreement/", evidence_apis.RubricAgreementApi.as_view(), name="api_rubric_agreement"),
    path(
        "interviews/<int:pk>/interviewer-feedback/",
        feedback_apis.InterviewerFeedbackApi.as_view(),
        name="api_interviewer_feedback",
    ),
    path(
        "peers/<int:user_id>/interviewer-record/",
        feedback_apis.InterviewerRecordApi.as_view(),
        name="api_interviewer_record",
    ),
]
