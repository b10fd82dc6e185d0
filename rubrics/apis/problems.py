from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from ..selectors import problem_list
from ..serializers import ProblemSerializer


class ProblemListApi(APIView):
    @extend_schema(responses=ProblemSerializer(many=True), summary="The problem bank")
    def get(self, request):
        return Response(ProblemSerializer(problem_list(), many=True).data)
