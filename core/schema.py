"""OpenAPI helpers: one definition of the problem details answer for every endpoint."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

Problem = inline_serializer(
    name="Problem",
    fields={
        "type": serializers.CharField(),
        "title": serializers.CharField(),
        "status": serializers.IntegerField(),
        "detail": serializers.CharField(),
        "code": serializers.CharField(required=False),
        "request_id": serializers.CharField(required=False),
    },
)

ValidationProblem = inline_serializer(
    name="ValidationProblem",
    fields={
        "type": serializers.CharField(),
        "title": serializers.CharField(),
        "status": serializers.IntegerField(),
        "detail": serializers.CharField(),
        "code": serializers.CharField(required=False),
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text="Messages per field name.",
        ),
    },
)

_DESCRIPTIONS = {
    400: "Invalid input; `errors` names each bad field.",
    401: "Missing, invalid or expired credentials.",
    403: "Not allowed for this user.",
    404: "Not found, or not visible to this viewer.",
    409: "Conflicts with the current state.",
    413: "Upload too large.",
    415: "Unsupported media type.",
    429: "Rate limited; see `Retry-After`.",
    503: "A dependency is down.",
}


def problems(*statuses: int) -> dict[int, OpenApiResponse]:
    """``responses={**problems(400, 401)}``: documented problem+json answers."""
    return {
        status: OpenApiResponse(
            response=ValidationProblem if status == 400 else Problem,
            description=_DESCRIPTIONS.get(status, ""),
        )
        for status in statuses
    }
