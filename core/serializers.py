"""The serializer fields every API input is read with: strict strings, lenient ids.

DRF's ``CharField`` takes the JSON number ``123`` as the string ``"123"``; a
client that sends a number where the schema says string has a bug we want to
show it, so every string field of the API is a ``StrictCharField`` (or one of
its subclasses below), and ``ModelSerializer`` maps model text fields to them.
Ids are the exception: the API renders them as strings, but many clients send
numbers, so ``IdField`` takes either.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.ids import ID_PATTERN, parse_id


class StrictCharField(serializers.CharField):
    """A ``CharField`` that refuses anything but a JSON string (numbers and booleans included)."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictEmailField(StrictCharField, serializers.EmailField):
    pass


class StrictSlugField(StrictCharField, serializers.SlugField):
    pass


class StrictURLField(StrictCharField, serializers.URLField):
    pass


class ModelSerializer(serializers.ModelSerializer):
    """DRF's, with model text fields read through the strict string fields."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.CommaSeparatedIntegerField: StrictCharField,
        models.TextField: StrictCharField,
        models.EmailField: StrictEmailField,
        models.SlugField: StrictSlugField,
        models.URLField: StrictURLField,
    }


@extend_schema_field({"type": "string", "pattern": ID_PATTERN, "example": "42"})
class IdField(serializers.Field):
    """An id given as a JSON string (as the API renders ids) or an integer; surrounding spaces are ignored."""

    default_error_messages = {"invalid": "Must be an id: a positive integer, as a string or a number."}

    def to_internal_value(self, data: Any) -> int:
        number = parse_id(data)
        if number is None:
            self.fail("invalid")
        return number

    def to_representation(self, value: Any) -> str:
        return str(value)
