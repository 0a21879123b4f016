from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from metrics.health import READINESS_CACHE_SECONDS, readiness_recent

Liveness = inline_serializer(name="Liveness", fields={"status": serializers.CharField()})
Readiness = inline_serializer(
    name="Readiness",
    fields={
        "status": serializers.ChoiceField(choices=["ok", "unavailable"]),
        "checks": serializers.DictField(child=serializers.ChoiceField(choices=["ok", "down"])),
        "down": serializers.ListField(child=serializers.CharField()),
    },
)


class LivenessView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(summary="Liveness: the process answers", responses={200: Liveness}, tags=["operations"])
    def get(self, request: Request) -> Response:
        return Response({"status": "ok"})


class ReadinessView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Readiness: database, cache and storage all work",
        description=(
            "503 names what is down in `down`; details go to the server log, never to the caller. "
            f"The answer is at most {READINESS_CACHE_SECONDS} seconds old: the checks write to the cache "
            "and the storage, so they run once per window, not once per call."
        ),
        responses={200: Readiness, 503: Readiness},
        tags=["operations"],
    )
    def get(self, request: Request) -> Response:
        checks = readiness_recent()
        down = [name for name, state in checks.items() if state != "ok"]
        return Response(
            {"status": "unavailable" if down else "ok", "checks": checks, "down": down},
            status=503 if down else 200,
        )
