"""Uploads (POST media/upload): the multipart request and the stored media it answers with."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from content.models import Media
from content.services.media import MEDIA_UPLOAD_MAX_FILES
from core.serializers import ModelSerializer, StrictCharField


class _FileListField(serializers.ListField):
    """A list of files whose errors stay a flat list of messages ("File 2: ...") under the field's name.

    DRF would nest them by index (``{"files": {"1": [...]}}``); problem details
    promise ``{"field": ["message", ...]}``.
    """

    def run_child_validation(self, data: list[Any]) -> list[Any]:
        result: list[Any] = []
        errors: list[str] = []
        for number, item in enumerate(data, start=1):
            try:
                result.append(self.child.run_validation(item))
            except serializers.ValidationError as exc:
                details = exc.detail if isinstance(exc.detail, list) else [exc.detail]
                errors.extend(f"File {number}: {detail}" for detail in details)
        if errors:
            raise serializers.ValidationError(errors)
        return result


class MediaUploadSerializer(serializers.Serializer):
    files = _FileListField(
        child=serializers.FileField(allow_empty_file=True),  # an empty file gets core.images' own message
        min_length=1,
        max_length=MEDIA_UPLOAD_MAX_FILES,
        help_text=(
            f"1-{MEDIA_UPLOAD_MAX_FILES} JPEG, PNG or WebP images (the format is read from the bytes), "
            "each at most 5 MB and at most 20 MB together: repeat the `files` part once per image."
        ),
    )


@extend_schema_field({"type": "string", "format": "uri"})
class _AbsoluteFileURLField(serializers.FileField):
    def to_representation(self, value: Any) -> str:
        url = value.url
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class UploadedMediaSerializer(ModelSerializer):
    id = StrictCharField(read_only=True)
    url = _AbsoluteFileURLField(source="file", read_only=True)

    class Meta:
        model = Media
        fields = ["id", "url", "content_type", "width", "height", "size"]
        read_only_fields = fields


class MediaUploadResponseSerializer(serializers.Serializer):
    media = UploadedMediaSerializer(many=True, read_only=True)
