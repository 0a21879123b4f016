"""A URLconf for core's tests: the real routes plus a few views that exercise the plumbing."""

from django.contrib.auth import get_user_model
from django.http import JsonResponse
from django.urls import include, path
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import AuthorSerializer
from core.exceptions import Conflict
from core.throttling import LoginThrottle


class EchoSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=5)
    count = serializers.IntegerField(min_value=0)


class EchoView(APIView):
    permission_classes = [AllowAny]
    throttle_classes: list = []

    def post(self, request):
        serializer = EchoSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data, status=201)


class BoomView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("secret internals: password=hunter2")


class ConflictView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise Conflict("Already there.")


class LimitedView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [LoginThrottle]

    def get(self, request):
        return Response({"ok": True})


class WriteView(APIView):
    """Keeps the default throttles, like every real endpoint."""

    permission_classes = [AllowAny]

    def get(self, request):
        return Response({})

    def post(self, request):
        return Response({}, status=201)


def plain_form(request):
    """A plain Django view under /api/ (outside DRF) that reads the form body."""
    return JsonResponse({"fields": len(request.POST)})


class UserPageView(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = AuthorSerializer
    ordering = ("-created_at", "-id")

    def get_queryset(self):
        return get_user_model().objects.all()


urlpatterns = [
    path("api/test/echo", EchoView.as_view()),
    path("api/test/boom", BoomView.as_view()),
    path("api/test/conflict", ConflictView.as_view()),
    path("api/test/limited", LimitedView.as_view()),
    path("api/test/write", WriteView.as_view()),
    path("api/test/users", UserPageView.as_view()),
    path("api/test/plain-form", plain_form),
    path("", include("config.urls")),
]
