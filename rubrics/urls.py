from django.urls import path

from . import apis, views
from .apis import evidence as evidence_apis
from .apis import notes as notes_apis

urlpatterns = [
    path("problems/", views.problem_bank, name="problem_bank"),
    path("problems/<slug:slug>/", views.problem_detail, name="problem_detail"),
    path("rubric/", views.rubric_detail, name="rubric"),
    path("progress/", views.progress, name="progress"),
]

api_urlpatterns = [
    path("problems/", apis.ProblemListApi.as_view(), name="api_problems"),
    path("interviews/<int:pk>/panel/", notes_apis.PanelApi.as_view(), name="api_interview_panel"),
    path(
        "interviews/<int:pk>/checks/<int:criterion_id>/",
        notes_apis.CriterionCheckApi.as_view(),
        name="api_interview_check",
    ),
    path("interviews/<int:pk>/notes/", notes_apis.InterviewerNoteApi.as_view(), name="api_interview_notes"),
    path("interviews/<int:pk>/evidence/", evidence_apis.InterviewEvidenceApi.as_view(), name="api_interview_evidence"),
    path("rubric/agreement/", evidence_apis.RubricAgreementApi.as_view(), name="api_rubric_agreement"),
]
