"""REST API of the rubrics app, one module per resource."""

from .problems import ProblemListApi

__all__ = ["ProblemListApi"]
