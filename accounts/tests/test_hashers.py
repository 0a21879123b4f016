"""Passwords are stored as Argon2id at OWASP's parameters; older hashes are rewritten at sign-in."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password

import config.settings as project_settings
from accounts.models import User
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login"


@pytest.fixture
def project_hashers(settings):
    # The suite hashes with MD5 for speed (conftest.py); these tests need the project's own list.
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def test_a_new_password_is_argon2id_with_owasps_parameters(project_hashers):
    user = User.objects.create_user(email="new@example.com", username="newcomer", password="a long passphrase")

    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert user.check_password("a long passphrase")
    assert not user.check_password("a wrong passphrase")


def test_a_pbkdf2_hash_from_before_is_rewritten_at_the_next_sign_in(project_hashers, api_client, no_rate_limits):
    user = UserFactory(email="old@example.com")
    old = make_password("an old passphrase", hasher="pbkdf2_sha256")
    User.objects.filter(pk=user.pk).update(password=old)

    response = api_client.post(LOGIN, {"email": "old@example.com", "password": "an old passphrase"}, format="json")

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert user.check_password("an old passphrase")


def test_an_argon2_hash_with_other_parameters_is_upgraded_too(project_hashers, api_client, no_rate_limits):
    user = UserFactory(email="heavy@example.com")
    # Django's own Argon2 defaults: 100 MiB and 8 lanes.
    django_default = Argon2PasswordHasher()
    heavy = django_default.encode("passphrase one", django_default.salt())
    User.objects.filter(pk=user.pk).update(password=heavy)
    assert "m=102400,t=2,p=8" in User.objects.get(pk=user.pk).password

    response = api_client.post(LOGIN, {"email": "heavy@example.com", "password": "passphrase one"}, format="json")

    assert response.status_code == 200
    assert "m=19456,t=2,p=1" in User.objects.get(pk=user.pk).password
