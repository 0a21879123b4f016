"""Display names and bios: invisible characters neither pass for a name nor spoof one."""

from __future__ import annotations

import pytest

from accounts.models import User
from accounts.services.auth import external_user_get_or_create
from core.testing import assert_problem
from core.textnorm import NOTHING_VISIBLE

pytestmark = pytest.mark.django_db

ME = "/api/v1/users/me"
REGISTER = "/api/v1/auth/register"
ONBOARDING = "/api/v1/users/me/onboarding"
# Zero-width space and joiner, a direction override, Hangul fillers, the braille blank.
INVISIBLE = "\u200b\u200d\u202e\u3164\u115f\u2800"


@pytest.mark.parametrize("field", ["display_name", "bio"])
def test_a_profile_field_of_only_invisible_characters_is_refused(auth_client, user, field):
    before = getattr(user, field)

    body = assert_problem(auth_client.patch(ME, {field: INVISIBLE}, format="json"), 400, field)

    assert body["errors"][field] == [NOTHING_VISIBLE]
    user.refresh_from_db()
    assert getattr(user, field) == before


@pytest.mark.parametrize("field", ["display_name", "bio"])
def test_a_profile_field_is_stored_normalised_and_may_still_be_emptied(auth_client, user, field):
    response = auth_client.patch(ME, {field: "\u202e\u200bAda\u2060 Lovelace\u200f"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()[field] == "Ada Lovelace"
    user.refresh_from_db()
    assert getattr(user, field) == "Ada Lovelace"

    assert auth_client.patch(ME, {field: ""}, format="json").status_code == 200
    user.refresh_from_db()
    assert getattr(user, field) == ""


def test_register_refuses_a_display_name_of_only_invisible_characters(api_client):
    response = api_client.post(
        REGISTER,
        {"email": "ada@example.com", "username": "ada", "password": "buy-the-dip-2026", "display_name": INVISIBLE},
        format="json",
    )

    assert_problem(response, 400, "display_name")
    assert not User.objects.exists()


def test_onboarding_refuses_a_display_name_of_only_invisible_characters(client_for, user):
    client = client_for(user)
    before = (user.username, user.display_name)

    response = client.post(
        ONBOARDING, {"username": "Ada_Trades", "timezone": "UTC", "display_name": INVISIBLE}, format="json"
    )

    assert_problem(response, 400, "display_name")
    user.refresh_from_db()
    assert (user.username, user.display_name) == before


def test_an_external_providers_display_name_is_normalised(db):
    user = external_user_get_or_create(subject="idp|1", display_name="\u202eAda\u200b")

    assert user.display_name == "Ada"
