from django.urls import path

from . import apis, views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("profile/", views.profile_edit, name="profile"),
    path("interviews/new/", views.interview_new, name="interview_new"),
    path("interviews/<int:pk>/", views.interview_detail, name="interview_detail"),
    path("interviews/<int:pk>/accept/", views.interview_answer, {"answer": "accept"}, name="interview_accept"),
    path("interviews/<int:pk>/decline/", views.interview_answer, {"answer": "decline"}, name="interview_decline"),
    path("interviews/<int:pk>/room/", views.interview_room, name="interview_room"),
    path("interviews/<int:pk>/end/", views.interview_end, name="interview_end"),
    path("interviews/<int:pk>/scorecard/", views.interview_scorecard, name="interview_scorecard"),
    path("interviews/<int:pk>/review/", views.interview_review, name="interview_review"),
]

api_urlpatterns = [
    path("interviews/", apis.InterviewListCreateApi.as_view(), name="api_interviews"),
    path("interviews/<int:pk>/", apis.InterviewDetailApi.as_view(), name="api_interview"),
    path("interviews/<int:pk>/accept/", apis.InterviewAnswerApi.as_view(answer="accept"), name="api_interview_accept"),
    path(
        "interviews/<int:pk>/decline/", apis.InterviewAnswerApi.as_view(answer="decline"), name="api_interview_decline"
    ),
    path("interviews/<int:pk>/board/", apis.InterviewBoardApi.as_view(), name="api_interview_board"),
    path("interviews/<int:pk>/scorecard/", apis.ScorecardApi.as_view(), name="api_scorecard"),
    path("interviews/<int:pk>/scorecard/submit/", apis.ScorecardSubmitApi.as_view(), name="api_scorecard_submit"),
]
