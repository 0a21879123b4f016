"""Requests over Django's limits on what it reads (DATA_UPLOAD_MAX_*) are 413 problems, never crashes.

They used to surface from ``request.data`` as an unhandled ``RequestDataTooBig``:
a 500, and a backend error row the client could write at will.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from content.models import Post
from core.testing import assert_problem
from metrics.models import ErrorLog

pytestmark = [pytest.mark.django_db, pytest.mark.urls("core.tests.urls")]

# Over the 2 MB DATA_UPLOAD_MAX_MEMORY_SIZE of config/settings.py.
HUGE = "x" * (3 * 1024 * 1024)


@pytest.fixture
def crash_quietly(api_client, auth_client):
    # A 500 must come back as an answer here, not as the exception.
    api_client.raise_request_exception = auth_client.raise_request_exception = False


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/auth/login", {"email": "a@example.com", "password": HUGE}),
        ("/api/v1/auth/register", {"email": "a@example.com", "username": "abc", "password": HUGE}),
        ("/api/v1/errors/log", {"message": HUGE}),
        ("/api/test/echo", {"name": HUGE, "count": 1}),
    ],
)
def test_an_anonymous_body_over_the_limit_is_a_413(api_client, crash_quietly, no_rate_limits, path, body):
    response = api_client.post(path, body, format="json")

    problem = assert_problem(response, 413)
    assert (problem["code"], problem["detail"]) == ("too_large", "The request body is over 2097152 bytes.")
    assert not ErrorLog.objects.exists()


def test_a_post_over_the_limit_is_a_413(auth_client, crash_quietly, no_rate_limits):
    response = auth_client.post("/api/v1/posts", {"content": HUGE}, format="json")

    assert assert_problem(response, 413)["code"] == "too_large"
    assert not Post.objects.exists()
    assert not ErrorLog.objects.exists()


def test_an_upload_with_form_fields_over_the_limit_is_a_413(auth_client, crash_quietly, no_rate_limits):
    response = auth_client.post("/api/v1/media/upload", {"note": HUGE}, format="multipart")

    assert assert_problem(response, 413)["code"] == "too_large"
    assert not ErrorLog.objects.exists()


def test_too_many_form_fields_is_a_413(auth_client, crash_quietly, no_rate_limits, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    form = {f"field{index}": "1" for index in range(11)}

    response = auth_client.post("/api/v1/media/upload", form, format="multipart")

    problem = assert_problem(response, 413)
    assert (problem["code"], problem["detail"]) == ("too_many_fields", "The request has more than 10 fields.")
    assert not ErrorLog.objects.exists()


def test_too_many_files_in_an_upload_is_a_413(auth_client, crash_quietly, no_rate_limits, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    files = [SimpleUploadedFile(f"{index}.png", b"not really", content_type="image/png") for index in range(4)]

    response = auth_client.post("/api/v1/media/upload", {"files": files}, format="multipart")

    assert assert_problem(response, 413)["code"] == "too_many_files"
    assert not ErrorLog.objects.exists()


def test_a_plain_django_view_under_the_api_answers_413_too(crash_quietly, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    client = Client(raise_request_exception=False)

    response = client.post("/api/test/plain-form", {f"field{index}": "1" for index in range(11)})

    assert assert_problem(response, 413)["code"] == "too_many_fields"
    assert not ErrorLog.objects.exists()
