"""reports: users flag posts, comments and other users for the moderators."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from accounts.api.permissions import signed_in
from core.schema import problems
from moderation.api.serializers import ReportCreateSerializer, ReportSerializer
from moderation.services import report_create


@extend_schema_view(
    create=extend_schema(
        summary="Report a post, comment or user",
        description=(
            "Files a report for the moderators. 404 when the target does not exist or you cannot see it "
            "(deleted, hidden, or either of you blocked the other); 400 naming `target_id` when it is your "
            "own post, comment or account; 409 when you already have an open report on it (once that "
            "report is resolved or dismissed you may report it again)."
        ),
        request=ReportCreateSerializer,
        responses={
            201: OpenApiResponse(ReportSerializer, description="Filed; status `open`."),
            **problems(400, 401, 404, 409, 429),
        },
    )
)
class ReportViewSet(GenericViewSet):
    """reports: a user's reports are write-only; moderators work through the admin."""

    permission_classes = [IsAuthenticated]
    serializer_class = ReportCreateSerializer
    throttle_scope = "reports"

    def create(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = report_create(reporter=signed_in(request), **serializer.validated_data)
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)
