"""The board's history for the review replay: for the two participants, and for share-link readers."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.shortcuts import get_or_404
from interview.access import interview_access
from interview.models import Interview

from ..selectors import review_visibility
from ..selectors.review import review_share_for_token
from ..selectors.timeline import board_history_for
from ..serializers import BoardHistorySerializer, HistoryQuerySerializer


def _history(request, interview: Interview, *, audience) -> Response:
    if not review_visibility(interview=interview, audience=audience).transcript:
        raise Http404
    query = HistoryQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    history = board_history_for(
        interview=interview, after_seq=query.validated_data["after"], limit=query.validated_data["limit"]
    )
    return Response(BoardHistorySerializer(history).data)


class InterviewBoardHistoryApi(APIView):
    @extend_schema(
        parameters=[HistoryQuerySerializer],
        responses=BoardHistorySerializer,
        summary="The board's op log a page at a time, with the step starts, for the replay",
    )
    def get(self, request, pk: int):
        interview = get_or_404(interview_access, message="No such interview.", user=request.user, interview_id=pk)
        return _history(request, interview, audience=interview.role_of(request.user))


class SharedBoardHistoryApi(APIView):
    """The same history for whoever holds a review share link; revoked or unknown links are 404."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[HistoryQuerySerializer],
        responses=BoardHistorySerializer,
        summary="The board history of a shared review (no login: the link is the key)",
    )
    def get(self, request, token: str):
        share = review_share_for_token(token=token)
        if share is None:
            raise Http404("This link does not work: it was revoked, or never existed.")
        interview = Interview.objects.select_related("rubric", "board").get(pk=share.interview_id)
        return _history(request, interview, audience="shared")
