"""The account services speak the domain: their refusals are ``core.errors``, never DRF's or simplejwt's."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.services.auth import (
    BAD_CREDENTIALS,
    password_change,
    token_pair_issue,
    token_refresh,
    token_revoke,
    user_login,
)
from accounts.services.profile import interests_normalise
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from core.errors import DomainError, Forbidden, Invalid, NotAuthenticated

pytestmark = pytest.mark.django_db


def test_a_wrong_password_is_not_authenticated(user):
    with pytest.raises(NotAuthenticated) as caught:
        user_login(email=user.email, password="not-the-password")

    assert (caught.value.detail, caught.value.code) == (BAD_CREDENTIALS, "no_active_account")


def test_a_suspended_user_cannot_sign_in_even_with_the_right_password():
    # is_active left True: the suspension date alone refuses them.
    user = UserFactory(suspended_at=timezone.now())

    with pytest.raises(NotAuthenticated):
        user_login(email=user.email, password=DEFAULT_PASSWORD)


def test_a_malformed_refresh_token_is_not_authenticated_and_no_token_error_escapes():
    with pytest.raises(NotAuthenticated) as caught:
        token_refresh(refresh="not-a-token")

    assert caught.value.code == "token_not_valid"
    assert str(caught.value).startswith("Token is invalid")


def test_signing_out_with_someone_elses_token_is_forbidden(user):
    theirs = token_pair_issue(user=UserFactory())["refresh"]

    with pytest.raises(Forbidden, match="belongs to another user"):
        token_revoke(user=user, refresh=theirs)


def test_a_wrong_current_password_names_old_password(user):
    with pytest.raises(Invalid) as caught:
        password_change(user=user, old_password="nope", new_password="a-long-enough-passphrase")

    assert caught.value.errors == {"old_password": ["The current password is not correct."]}
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_field_errors_list_every_message_naming_the_field():
    with pytest.raises(Invalid) as caught:
        interests_normalise(["ok", 3, "Not A Slug!"])

    assert list(caught.value.errors) == ["interests"]
    assert caught.value.messages() == caught.value.errors["interests"]
    assert len(caught.value.messages()) == 2
    assert str(caught.value) == "Each interest must be a string."
    assert isinstance(caught.value, DomainError)


def test_in_good_standing_is_one_rule_for_rows_and_for_one_user():
    member = UserFactory()
    deactivated = UserFactory(is_active=False)
    suspended = UserFactory(suspended_at=timezone.now(), is_active=False)
    only_dated = UserFactory(suspended_at=timezone.now())  # a suspension date alone counts

    assert list(User.objects.in_good_standing()) == [member]
    assert [user.in_good_standing for user in (member, deactivated, suspended, only_dated)] == [
        True,
        False,
        False,
        False,
    ]
