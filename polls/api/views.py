"""Polls: voting, and the results. A poll is found through ``polls.visibility``, so one on a post
the viewer may not see is a 404 like a missing one."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from accounts.api.permissions import signed_in
from core.errors import NotFound
from core.ids import ID_SCHEMA
from core.schema import problems
from polls.api.serializers import PollSerializer, PollVoteSerializer
from polls.models import Poll
from polls.querysets import PollQuerySet
from polls.services import poll_vote
from polls.visibility import poll_visible

NO_SUCH_POLL = "No such poll."
POLL_ID = OpenApiParameter(
    "poll_id",
    ID_SCHEMA,
    OpenApiParameter.PATH,
    description="The poll's id.",
)


@extend_schema(parameters=[POLL_ID])
class PollViewSet(GenericViewSet):
    # Anyone may read results; voting needs an account.
    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = PollSerializer
    lookup_url_kwarg = "poll_id"
    lookup_value_converter = "id"

    def get_queryset(self) -> PollQuerySet:
        return Poll.objects.with_results(self.request.user)

    def get_object(self) -> Poll:
        poll_id = self.kwargs[self.lookup_url_kwarg]
        if not poll_visible(viewer=self.request.user, poll_id=poll_id):
            raise NotFound(NO_SUCH_POLL)
        poll = self.get_queryset().filter(pk=poll_id).first()
        if poll is None:
            raise NotFound(NO_SUCH_POLL)
        return poll

    @extend_schema(
        summary="Vote in a poll",
        description=(
            "One vote per user, final. 409 when you already voted or the poll has closed; 400 naming "
            "`option_id` when it is not one of this poll's options; 404 when you cannot see the poll's post."
        ),
        request=PollVoteSerializer,
        responses={201: PollSerializer, **problems(400, 401, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def votes(self, request: Request, poll_id: int) -> Response:
        voter = signed_in(request)
        poll = self.get_object()
        serializer = PollVoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        poll_vote(poll=poll, option_id=serializer.validated_data["option_id"], user=voter)
        results = self.get_queryset().get(pk=poll.pk)
        return Response(PollSerializer(results).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="A poll's results",
        description="Votes per option; `viewer_vote` is your option (null when anonymous or not voted).",
        responses={200: PollSerializer, **problems(404)},
    )
    @action(detail=True, methods=["get"])
    def results(self, request: Request, poll_id: int) -> Response:
        return Response(PollSerializer(self.get_object()).data)
