from rest_framework import serializers

from .models import Problem


class ProblemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Problem
        fields = ["id", "slug", "title", "difficulty", "domain", "summary", "prompt"]
