"""Pages and API of the content: the problem bank."""

from django.urls import path

from . import apis, views

urlpatterns = [
    path("problems/", views.problem_bank, name="problem_bank"),
    path("problems/<slug:slug>/", views.problem_detail, name="problem_detail"),
]

api_urlpatterns = [
    path("problems/", apis.ProblemListApi.as_view(), name="api_problems"),
    path("problems/<slug:slug>/", apis.ProblemDetailApi.as_view(), name="api_problem"),
]
