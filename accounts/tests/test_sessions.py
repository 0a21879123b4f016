"""Sessions end when they should: sign-out, password change and reset, refresh token reuse.

A session is what one sign-in started: its refresh token, the ones rotation traded
for it, and every access token minted from them. Each test signs in through the
API, ends a session, and checks every token of every session the user has.
"""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.timezone import now
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from core.testing import assert_problem

LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
PASSWORD_CHANGE = "/api/v1/auth/password/change"
PASSWORD_RESET_CONFIRM = "/api/v1/auth/password/reset/confirm"
ME = "/api/v1/users/me"
NEW_PASSWORD = "a-new-and-long-passphrase"

pytestmark = pytest.mark.django_db


def sign_in(user: User) -> dict[str, str]:
    response = APIClient().post(LOGIN, {"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    return response.json()


def refreshed(refresh: str) -> dict[str, str]:
    response = APIClient().post(REFRESH, {"refresh": refresh})
    assert response.status_code == 200
    return response.json()


def as_bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def me_status(access: str) -> int:
    return as_bearer(access).get(ME).status_code


def refresh_status(refresh: str) -> int:
    return APIClient().post(REFRESH, {"refresh": refresh}).status_code


def live_refresh_tokens(user: User) -> int:
    return OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True).count()


# Sign-out.


def test_logout_ends_the_access_tokens_of_that_session_only(user, no_rate_limits):
    first = sign_in(user)
    rotated = refreshed(first["refresh"])
    other = sign_in(user)

    response = as_bearer(rotated["access"]).post(LOGOUT, {"refresh": rotated["refresh"]})

    assert response.status_code == 204
    # Every access token of the session, the one minted before the rotation too, stops working.
    for access in (first["access"], rotated["access"]):
        body = assert_problem(as_bearer(access).get(ME), 401)
        assert body["detail"] == "This session has ended."
    assert refresh_status(rotated["refresh"]) == 401
    # The other session is untouched.
    assert me_status(other["access"]) == 200
    assert refresh_status(other["refresh"]) == 200


def test_logout_with_a_rotated_refresh_token_ends_the_whole_session(user, no_rate_limits):
    first = sign_in(user)
    newer = refreshed(first["refresh"])
    newest = refreshed(newer["refresh"])
    other = sign_in(user)

    response = as_bearer(other["access"]).post(LOGOUT, {"refresh": first["refresh"]})

    assert response.status_code == 204
    assert response.content == b""
    # The chain of rotations is one session: its newest refresh token and every access token end.
    assert refresh_status(newest["refresh"]) == 401
    for session_access in (first["access"], newer["access"], newest["access"]):
        assert me_status(session_access) == 401
    assert me_status(other["access"]) == 200
    assert live_refresh_tokens(user) == 1


def test_logout_with_a_refresh_token_already_signed_out_is_a_204(user, no_rate_limits):
    session = sign_in(user)
    other = sign_in(user)
    client = as_bearer(other["access"])
    assert client.post(LOGOUT, {"refresh": session["refresh"]}).status_code == 204

    response = client.post(LOGOUT, {"refresh": session["refresh"]})

    assert response.status_code == 204
    assert refresh_status(session["refresh"]) == 401
    assert me_status(session["access"]) == 401
    assert me_status(other["access"]) == 200


def test_logout_with_an_expired_refresh_token_ends_its_session(user, no_rate_limits):
    first = sign_in(user)
    # A day before the first refresh token expires, the session rotates on to a fresh one.
    with time_machine.travel(now() + timedelta(days=29)):
        newer = refreshed(first["refresh"])
    with time_machine.travel(now() + timedelta(days=31)):
        assert APIClient().post(REFRESH, {"refresh": first["refresh"]}).status_code == 401  # expired
        newest = refreshed(newer["refresh"])
        other = sign_in(user)

        response = as_bearer(other["access"]).post(LOGOUT, {"refresh": first["refresh"]})

        assert response.status_code == 204
        assert refresh_status(newest["refresh"]) == 401
        assert me_status(newest["access"]) == 401
        assert me_status(other["access"]) == 200
        assert refresh_status(other["refresh"]) == 200


def test_logout_refuses_an_expired_refresh_token_of_another_user(user, no_rate_limits):
    theirs = sign_in(UserFactory())
    with time_machine.travel(now() + timedelta(days=31)):
        mine = sign_in(user)

        response = as_bearer(mine["access"]).post(LOGOUT, {"refresh": theirs["refresh"]})

        assert_problem(response, 403)
    assert live_refresh_tokens(User.objects.exclude(pk=user.pk).get()) == 1


def test_logout_refuses_a_tampered_refresh_token(user, no_rate_limits):
    session = sign_in(user)
    header, payload, signature = session["refresh"].split(".")
    tampered = f"{header}.{payload}.{signature[:-4]}AAAA"

    response = as_bearer(session["access"]).post(LOGOUT, {"refresh": tampered})

    assert_problem(response, 400, "refresh")
    assert refresh_status(session["refresh"]) == 200


# Password change.


def test_password_change_ends_every_other_session_and_keeps_this_one(user, no_rate_limits):
    this = refreshed(sign_in(user)["refresh"])
    other = sign_in(user)
    another = refreshed(sign_in(user)["refresh"])

    response = as_bearer(this["access"]).post(
        PASSWORD_CHANGE, {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 204
    for session in (other, another):
        body = assert_problem(as_bearer(session["access"]).get(ME), 401)
        assert "password" in body["detail"]
        assert refresh_status(session["refresh"]) == 401
    # This session goes on with the tokens it has, and its refresh token still rotates.
    assert me_status(this["access"]) == 200
    after = refreshed(this["refresh"])
    assert me_status(after["access"]) == 200
    assert me_status(this["access"]) == 200
    assert live_refresh_tokens(user) == 1


def test_password_change_keeps_the_session_named_by_its_refresh_token(user, no_rate_limits):
    this, other = sign_in(user), sign_in(user)

    response = as_bearer(this["access"]).post(
        PASSWORD_CHANGE,
        {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD, "refresh": this["refresh"]},
    )

    assert response.status_code == 204
    assert me_status(this["access"]) == 200
    assert me_status(other["access"]) == 401
    assert refresh_status(this["refresh"]) == 200
    assert refresh_status(other["refresh"]) == 401


def test_password_change_refuses_a_refresh_token_of_another_session(user, no_rate_limits):
    this, other = sign_in(user), sign_in(user)

    response = as_bearer(this["access"]).post(
        PASSWORD_CHANGE,
        {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD, "refresh": other["refresh"]},
    )

    assert_problem(response, 400, "refresh")
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)
    assert me_status(other["access"]) == 200


def test_a_kept_session_whose_mark_is_lost_renews_its_tokens(user, no_rate_limits):
    this = sign_in(user)
    as_bearer(this["access"]).post(PASSWORD_CHANGE, {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD})

    cache.clear()  # a flushed Redis: the access token's exemption is gone, the refresh token is not

    assert me_status(this["access"]) == 401
    assert me_status(refreshed(this["refresh"])["access"]) == 200


def test_a_session_kept_by_a_change_ends_with_a_reset(user, no_rate_limits):
    this = sign_in(user)
    as_bearer(this["access"]).post(PASSWORD_CHANGE, {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD})
    user.refresh_from_db()  # the reset token hashes the password and the last sign-in time

    response = APIClient().post(PASSWORD_RESET_CONFIRM, reset_params(user))

    assert response.status_code == 204
    assert me_status(this["access"]) == 401
    assert refresh_status(this["refresh"]) == 401


# Password reset.


def reset_params(user: User) -> dict[str, str]:
    return {
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "new_password": "yet-another-long-passphrase",
    }


def test_password_reset_ends_every_session(user, no_rate_limits):
    sessions = [sign_in(user), refreshed(sign_in(user)["refresh"])]
    user.refresh_from_db()  # the reset token hashes the last sign-in time

    response = APIClient().post(PASSWORD_RESET_CONFIRM, reset_params(user))

    assert response.status_code == 204
    for session in sessions:
        assert_problem(as_bearer(session["access"]).get(ME), 401)
        assert refresh_status(session["refresh"]) == 401
    assert live_refresh_tokens(user) == 0


# Staff setting a password (the admin's "change password" form).


def test_a_password_set_in_the_admin_ends_every_session(user, no_rate_limits, client):
    sessions = [sign_in(user), refreshed(sign_in(user)["refresh"])]
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    for session in sessions:
        assert me_status(session["access"]) == 401
        assert refresh_status(session["refresh"]) == 401
    assert live_refresh_tokens(user) == 0


# Refresh token reuse.


def test_reusing_a_rotated_refresh_token_ends_its_session(user, no_rate_limits, caplog):
    first = sign_in(user)
    second = refreshed(first["refresh"])
    newest = refreshed(second["refresh"])
    other = sign_in(user)

    response = APIClient().post(REFRESH, {"refresh": first["refresh"]})

    body = assert_problem(response, 401)
    assert "blacklisted" in body["detail"]
    # The legitimate holder's newest refresh token and every access token of the session are dead.
    assert refresh_status(newest["refresh"]) == 401
    for session in (first, second, newest):
        assert me_status(session["access"]) == 401
    newest_jti = RefreshToken(newest["refresh"], verify=False)["jti"]
    assert BlacklistedToken.objects.filter(token__jti=newest_jti).exists()
    # Other sessions are untouched.
    assert me_status(other["access"]) == 200
    assert refresh_status(other["refresh"]) == 200
    assert "refresh token reused" in caplog.text


def test_reusing_a_token_minted_outside_a_session_ends_what_it_was_traded_for(user, no_rate_limits):
    # Tokens issued before sessions existed (or by RefreshToken.for_user) start one when rotated.
    legacy = str(RefreshToken.for_user(user))
    traded = refreshed(legacy)

    assert refresh_status(legacy) == 401

    assert refresh_status(traded["refresh"]) == 401
    assert me_status(traded["access"]) == 401


def test_an_unrecorded_refresh_token_ends_nothing(user, no_rate_limits):
    mine = sign_in(user)

    assert refresh_status(str(RefreshToken())) == 401

    assert me_status(mine["access"]) == 200
    assert live_refresh_tokens(user) == 1


# Cost.


def test_an_authenticated_request_costs_no_query_beyond_the_user(user, no_rate_limits, django_assert_num_queries):
    this = sign_in(user)
    client = as_bearer(this["access"])
    client.post(PASSWORD_CHANGE, {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD})

    # The user, loaded by the authentication; the session's mark is read from the cache.
    for access in (this["access"], refreshed(this["refresh"])["access"]):
        with django_assert_num_queries(1):
            response = as_bearer(access).get(ME)
        assert response.status_code == 200
