"""The problem bank: the list for everyone signed in, and one problem with its interviewer material
for those who may read it (rubrics/access.py)."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from ..access import problem_material_ids
from ..selectors import problem_list
from ..serializers import ProblemDetailSerializer, ProblemSerializer


class ProblemListApi(APIView):
    @extend_schema(responses=ProblemSerializer(many=True), summary="The problem bank")
    def get(self, request):
        context = {"material_ids": problem_material_ids(user=request.user)}
        return Response(ProblemSerializer(problem_list(), many=True, context=context).data)


class ProblemDetailApi(APIView):
    @extend_schema(
        responses=ProblemDetailSerializer,
        summary="One problem, with its interviewer material when you may read it",
    )
    def get(self, request, slug: str):
        problem = problem_list().filter(slug=slug).first()
        if problem is None:
            raise Http404("No such problem.")
        context = {"material_ids": problem_material_ids(user=request.user)}
        return Response(ProblemDetailSerializer(problem, context=context).data)
