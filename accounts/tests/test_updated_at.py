"""``updated_at`` on users: moved by changes to the profile or account, never by counters or sign-ins."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import UserFactory
from moderation.services import user_suspend, user_unsuspend

pytestmark = pytest.mark.django_db

# Near the real time: access tokens are checked against it.
CREATED = timezone.now().replace(microsecond=0) - timedelta(hours=1)
LATER = CREATED + timedelta(minutes=30)


def iso(moment):
    return moment.isoformat().replace("+00:00", "Z")


@pytest.fixture
def member():
    with time_machine.travel(CREATED, tick=False):
        return UserFactory()


def test_editing_the_profile_moves_it_in_me_and_the_public_profile(client_for, member):
    with time_machine.travel(LATER, tick=False):
        me = client_for(member).patch("/api/v1/users/me", {"bio": "Value investor."}, format="json")

    assert me.status_code == 200
    assert (me.json()["created_at"], me.json()["updated_at"]) == (iso(CREATED), iso(LATER))
    assert User.objects.get(pk=member.pk).updated_at == LATER
    public = APIClient().get(f"/api/v1/users/{member.pk}").json()
    assert (public["bio"], public["updated_at"]) == ("Value investor.", iso(LATER))


def test_an_unchanged_patch_leaves_it(client_for, member):
    with time_machine.travel(LATER, tick=False):
        me = client_for(member).patch("/api/v1/users/me", {"bio": member.bio}, format="json")

    assert (me.status_code, me.json()["updated_at"]) == (200, iso(CREATED))


def test_a_new_picture_moves_it(client_for, member):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 20, 30)).save(buffer, "PNG")
    upload = SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")
    with time_machine.travel(LATER, tick=False):
        me = client_for(member).post("/api/v1/users/me/profile-picture", {"file": upload}, format="multipart")

    assert (me.status_code, me.json()["updated_at"]) == (200, iso(LATER))
    assert User.objects.get(pk=member.pk).updated_at == LATER


def test_follows_sign_ins_and_posts_leave_it(client_for, member):
    other = UserFactory()
    member.set_password("a-long-and-unusual-password-42")
    member.save(update_fields=["password"])
    with time_machine.travel(LATER, tick=False):
        assert client_for(other).post(f"/api/v1/users/{member.pk}/follow").status_code == 201
        assert client_for(member).post("/api/v1/posts", {"content": "Hello"}, format="json").status_code == 201
        login = APIClient().post(
            "/api/v1/auth/login",
            {"email": member.email, "password": "a-long-and-unusual-password-42"},
            format="json",
        )
        assert login.status_code == 200

    member.refresh_from_db()
    assert (member.followers_count, member.posts_count, member.last_login) == (1, 1, LATER)
    assert member.updated_at == CREATED


def test_suspending_and_reinstating_move_it(member):
    moderator = UserFactory(is_staff=True, is_superuser=True)
    with time_machine.travel(LATER, tick=False):
        assert user_suspend(moderator=moderator, user=member, reason="spam")
    assert User.objects.get(pk=member.pk).updated_at == member.updated_at == LATER

    with time_machine.travel(LATER + timedelta(minutes=5), tick=False):
        assert user_unsuspend(moderator=moderator, user=member, reason="appeal")
    assert User.objects.get(pk=member.pk).updated_at == LATER + timedelta(minutes=5)
