"""REST API of the rubrics app, one module per resource."""

from .problems import ProblemDetailApi, ProblemListApi

__all__ = ["ProblemDetailApi", "ProblemListApi"]
