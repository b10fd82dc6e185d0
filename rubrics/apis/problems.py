from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import Problem
from ..selectors import problem_list


class ProblemListApi(APIView):
    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = Problem
            fields = ["id", "slug", "title", "difficulty", "domain", "summary", "prompt"]

    @extend_schema(responses=OutputSerializer(many=True), summary="The problem bank")
    def get(self, request):
        return Response(self.OutputSerializer(problem_list(), many=True).data)
