"""Strict strings, lenient ids (core.serializers), and a walk proving every API input uses them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import get_resolver
from rest_framework import serializers

from accounts.tests.factories import UserFactory
from content.models import Post
from content.tests.factories import PostFactory
from core.serializers import IdField, ModelSerializer, StrictCharField, StrictEmailField
from core.testing import assert_problem

PROJECT_APPS = ("core", "accounts", "social", "polls", "content", "moderation", "metrics")


class _Sample(serializers.Serializer):
    name = StrictCharField(max_length=5)
    email = StrictEmailField(required=False)
    ref = IdField(required=False)


@pytest.mark.parametrize("value", [123, 1.5, True, False, ["a"], {"a": 1}], ids=repr)
def test_a_strict_string_refuses_anything_but_a_string(value):
    serializer = _Sample(data={"name": value})

    assert not serializer.is_valid()
    assert serializer.errors == {"name": ["Not a valid string."]}


def test_a_strict_string_still_trims_and_checks_like_drf():
    serializer = _Sample(data={"name": "  abc  ", "email": "not-an-email"})

    assert not serializer.is_valid()
    assert list(serializer.errors) == ["email"]
    assert _Sample(data={"name": "  abc  "}).is_valid()


@pytest.mark.parametrize("value", [42, "42", " 42 "], ids=repr)
def test_ids_stay_lenient_numbers_or_strings(value):
    serializer = _Sample(data={"name": "a", "ref": value})

    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["ref"] == 42


@pytest.mark.parametrize("value", [0, -1, "007", "4.2", 4.2, True, "", str(2**63), ["1"]], ids=repr)
def test_ids_refuse_what_is_not_an_id(value):
    serializer = _Sample(data={"name": "a", "ref": value})

    assert not serializer.is_valid()
    assert list(serializer.errors) == ["ref"]


def test_model_serializer_maps_text_fields_to_strict_strings():
    from accounts.models import User

    class UserInput(ModelSerializer):
        class Meta:
            model = User
            fields = ["email", "username", "bio"]

    fields = UserInput().fields
    assert isinstance(fields["email"], StrictEmailField)
    assert isinstance(fields["username"], StrictCharField)
    assert isinstance(fields["bio"], StrictCharField)  # a TextField


def _project_serializers() -> list[type[serializers.BaseSerializer]]:
    assert get_resolver().url_patterns  # imports every view, and so every serializer the API uses
    found: list[type[serializers.BaseSerializer]] = []
    pending: list[type[Any]] = [serializers.BaseSerializer]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        module = cls.__module__
        abstract = issubclass(cls, serializers.ModelSerializer) and not hasattr(cls, "Meta")
        if module.split(".")[0] in PROJECT_APPS and ".tests" not in module and not abstract:
            found.append(cls)
    return found


def _loose_string_fields(serializer: Any, path: str) -> Iterator[str]:
    """The writable string fields under ``serializer`` that would take a number as a string."""
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        where = f"{path}.{name}"
        if isinstance(field, serializers.ListSerializer):
            field = field.child
        if isinstance(field, serializers.BaseSerializer):
            yield from _loose_string_fields(field, where)
            continue
        while isinstance(field, serializers.ListField | serializers.DictField):
            field = field.child
        if isinstance(field, serializers.CharField) and not isinstance(field, StrictCharField):
            yield where


def test_every_writable_string_field_of_the_api_is_strict():
    classes = _project_serializers()
    names = {cls.__name__ for cls in classes}
    # The walk sees the input serializers of every app (a guard against walking nothing).
    assert {
        "RegisterSerializer",
        "ProfileUpdateSerializer",
        "PostCreateSerializer",
        "CommentCreateSerializer",
        "PollCreateSerializer",
        "ReportCreateSerializer",
        "ErrorReportSerializer",
    } <= names

    loose = [where for cls in classes for where in _loose_string_fields(cls(), f"{cls.__module__}.{cls.__name__}")]

    assert loose == []


# Each endpoint, with a body it accepts, answers a 400 naming the field when one string field is not a string.
ENDPOINTS = [
    ("post", "/api/v1/posts", {"content": "Long $AAPL"}, "content"),
    ("post", "/api/v1/posts/{post}/comments", {"content": "Agreed"}, "content"),
    ("post", "/api/v1/posts/{post}/reposts", {"content": "Quoting"}, "content"),
    (
        "post",
        "/api/v1/auth/register",
        {"email": "a@example.com", "username": "newbie", "password": "x9!kT#q2Lm"},
        "email",
    ),
    (
        "post",
        "/api/v1/auth/register",
        {"email": "a@example.com", "username": "newbie", "password": "x9!kT#q2Lm"},
        "username",
    ),
    (
        "post",
        "/api/v1/auth/register",
        {"email": "a@example.com", "username": "newbie", "password": "x9!kT#q2Lm"},
        "password",
    ),
    ("post", "/api/v1/auth/login", {"email": "a@example.com", "password": "x9!kT#q2Lm"}, "email"),
    ("post", "/api/v1/auth/login", {"email": "a@example.com", "password": "x9!kT#q2Lm"}, "password"),
    ("post", "/api/v1/reports", {"target_type": "post", "target_id": "{post}", "reason": "spam"}, "reason"),
    ("post", "/api/v1/reports", {"target_type": "post", "target_id": "{post}", "reason": "spam"}, "details"),
    ("post", "/api/v1/errors/log", {"message": "TypeError: x is undefined"}, "message"),
    ("patch", "/api/v1/users/me", {"display_name": "Ann"}, "display_name"),
    ("patch", "/api/v1/users/me", {"bio": "Value investor"}, "bio"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("value", [123, 4.5, True, ["text"]], ids=["number", "float", "bool", "list"])
@pytest.mark.parametrize(("method", "url", "body", "field"), ENDPOINTS, ids=[f"{e[1]}:{e[3]}" for e in ENDPOINTS])
def test_a_non_string_where_the_schema_says_string_is_a_400_naming_the_field(
    method, url, body, field, value, no_rate_limits, client_for
):
    author = UserFactory()
    post = PostFactory(author=author)
    client = client_for(UserFactory())

    def fill(text: Any) -> Any:
        return text.format(post=post.pk) if isinstance(text, str) else text

    response = getattr(client, method)(
        fill(url), {**{k: fill(v) for k, v in body.items()}, field: value}, format="json"
    )

    body = assert_problem(response, 400)
    assert field in body["errors"], body
    assert Post.objects.count() == 1
