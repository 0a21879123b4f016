import logging
import smtplib
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import time_machine
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.timezone import now
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from accounts.services import auth as auth_services
from accounts.tasks import send_password_reset
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from conftest import bearer
from core.testing import assert_problem

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
VERIFY = "/api/v1/auth/verify"
PASSWORD_CHANGE = "/api/v1/auth/password/change"
PASSWORD_RESET = "/api/v1/auth/password/reset"
PASSWORD_RESET_CONFIRM = "/api/v1/auth/password/reset/confirm"

NEW_PASSWORD = "a-new-and-long-passphrase"
# Long enough for every other rule: only the blank rule refuses them.
BLANK_PASSWORDS = [" " * 12, "\t \n" * 4, "\u00a0\u2003" * 5, "\u200b\u200d\u202e" * 4]
ME_FIELDS = {
    "id",
    "username",
    "display_name",
    "profile_picture_url",
    "bio",
    "created_at",
    "stats",
    "viewer",
    "email",
    "timezone",
    "country",
    "settings",
    "onboarded",
    "is_staff",
}


def assert_access_token_works(access, user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    response = client.post(VERIFY)
    assert response.status_code == 200
    assert response.json()["user"]["id"] == str(user.pk)


def refresh_for(user):
    return str(RefreshToken.for_user(user))


def is_blacklisted(refresh):
    jti = RefreshToken(refresh, verify=False)["jti"]
    return BlacklistedToken.objects.filter(token__jti=jti).exists()


def registration(**overrides):
    return {
        "email": "New.Trader@Example.COM",
        "username": "new_trader",
        "password": "buy-the-dip-2026",
        "display_name": "New Trader",
        **overrides,
    }


# Register.


def test_register_creates_the_user_and_signs_them_in(api_client):
    response = api_client.post(REGISTER, registration(), REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"user", "access", "refresh"}
    assert set(body["user"]) >= ME_FIELDS
    user = User.objects.get()
    assert body["user"]["id"] == str(user.pk)
    assert body["user"]["email"] == "new.trader@example.com"
    assert body["user"]["username"] == "new_trader"
    assert body["user"]["display_name"] == "New Trader"
    assert body["user"]["onboarded"] is False
    assert user.email == "new.trader@example.com"
    assert user.check_password("buy-the-dip-2026")
    assert user.signup_ip_hash
    assert "203.0.113.7" not in user.signup_ip_hash
    assert OutstandingToken.objects.filter(user=user).count() == 1
    assert_access_token_works(body["access"], user)


def test_register_display_name_is_optional(api_client):
    data = registration()
    del data["display_name"]

    response = api_client.post(REGISTER, data)

    assert response.status_code == 201
    assert User.objects.get().display_name == ""


@pytest.mark.parametrize("email", ["new.trader@example.com", "NEW.TRADER@EXAMPLE.COM"])
def test_register_refuses_a_taken_email_ignoring_case(api_client, email):
    UserFactory(email="new.trader@example.com")

    response = api_client.post(REGISTER, registration(email=email))

    body = assert_problem(response, 400, "email")
    assert "username" not in body["errors"]
    assert User.objects.count() == 1


def test_register_refuses_a_taken_username_ignoring_case(api_client):
    UserFactory(username="New_Trader")

    response = api_client.post(REGISTER, registration(username="new_TRADER"))

    body = assert_problem(response, 400, "username")
    assert "email" not in body["errors"]
    assert User.objects.count() == 1


def test_register_names_both_fields_when_both_are_taken(api_client):
    UserFactory(email="new.trader@example.com", username="new_trader")

    response = api_client.post(REGISTER, registration())

    assert_problem(response, 400, "email", "username")


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1", "at least 8 characters"),
        ("password123", "too common"),
        ("8675309245", "entirely numeric"),
    ],
)
def test_register_refuses_a_weak_password(api_client, password, reason):
    response = api_client.post(REGISTER, registration(password=password))

    body = assert_problem(response, 400, "password")
    assert any(reason in message for message in body["errors"]["password"])
    assert not User.objects.exists()


@pytest.mark.parametrize("password", BLANK_PASSWORDS)
def test_register_refuses_a_blank_password(api_client, password):
    response = api_client.post(REGISTER, registration(password=password))

    body = assert_problem(response, 400, "password")
    assert any("blank" in message for message in body["errors"]["password"])
    assert not User.objects.exists()


def test_register_checks_the_password_against_the_would_be_user(api_client):
    response = api_client.post(REGISTER, registration(username="stockpicker", password="stockpicker"))

    body = assert_problem(response, 400, "password")
    assert any("too similar" in message for message in body["errors"]["password"])


@pytest.mark.parametrize("username", ["ab", "no spaces", "dash-es", "x" * 31, "émile"])
def test_register_refuses_a_malformed_username(api_client, username):
    response = api_client.post(REGISTER, registration(username=username))

    assert_problem(response, 400, "username")
    assert not User.objects.exists()


def test_register_requires_email_username_and_password(api_client):
    response = api_client.post(REGISTER, {})

    assert_problem(response, 400, "email", "username", "password")


def test_register_refuses_a_malformed_email(api_client):
    response = api_client.post(REGISTER, registration(email="not-an-email"))

    assert_problem(response, 400, "email")


def test_register_ignores_a_stale_bearer_header(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer expired.or.garbage")

    response = api_client.post(REGISTER, registration())

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("url", "body", "expected"),
    [
        (LOGIN, lambda user: {"email": user.email, "password": DEFAULT_PASSWORD}, 200),
        (REFRESH, lambda user: {"refresh": refresh_for(user)}, 200),
        (PASSWORD_RESET, lambda user: {"email": user.email}, 202),
        (PASSWORD_RESET_CONFIRM, lambda user: {"uid": "x", "token": "y", "new_password": NEW_PASSWORD}, 400),
    ],
    ids=["login", "refresh", "password-reset", "password-reset-confirm"],
)
def test_the_signed_out_endpoints_ignore_a_stale_bearer_header(api_client, user, url, body, expected):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer expired.or.garbage")

    response = api_client.post(url, body(user))

    assert response.status_code == expected, response.content


def test_a_refused_sign_in_is_a_401_with_a_bearer_challenge(api_client, user):
    response = api_client.post(LOGIN, {"email": user.email, "password": "not-the-password"})

    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_refused_refresh_is_a_401_with_a_bearer_challenge(api_client):
    response = api_client.post(REFRESH, {"refresh": "not.a.token"})

    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_register_is_rate_limited(api_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register": "2/h"}

    statuses = [
        api_client.post(REGISTER, registration(email=f"t{n}@example.com", username=f"trader{n}")).status_code
        for n in range(3)
    ]

    assert statuses == [201, 201, 429]
    response = api_client.post(REGISTER, registration())
    assert_problem(response, 429)
    assert int(response["Retry-After"]) > 0
    assert response["X-RateLimit-Limit"] == "2"
    assert response["X-RateLimit-Remaining"] == "0"
    assert "X-RateLimit-Reset" in response
    assert User.objects.count() == 2


# Login.


def test_login_returns_the_user_and_a_token_pair(api_client, user):
    response = api_client.post(LOGIN, {"email": user.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"user", "access", "refresh"}
    assert body["user"]["id"] == str(user.pk)
    assert body["user"]["email"] == user.email
    assert response["X-RateLimit-Limit"] == "10"
    user.refresh_from_db()
    assert user.last_login is not None
    assert OutstandingToken.objects.filter(user=user).count() == 1
    assert_access_token_works(body["access"], user)


def test_login_email_ignores_case(api_client, user):
    response = api_client.post(LOGIN, {"email": user.email.upper(), "password": DEFAULT_PASSWORD})

    assert response.status_code == 200


def test_login_wrong_password_and_unknown_email_get_the_same_401(api_client, user):
    wrong_password = api_client.post(LOGIN, {"email": user.email, "password": "not-the-password"})
    unknown_email = api_client.post(LOGIN, {"email": "nobody@example.com", "password": DEFAULT_PASSWORD})

    assert_problem(wrong_password, 401)
    assert_problem(unknown_email, 401)
    assert wrong_password.json()["detail"] == unknown_email.json()["detail"]
    assert not OutstandingToken.objects.exists()


@pytest.mark.parametrize(
    "suspension",
    [{"is_active": False}, {"is_active": False, "suspended_at": now()}, {"suspended_at": now()}],
)
def test_login_refuses_a_suspended_user(api_client, suspension):
    user = UserFactory(**suspension)

    response = api_client.post(LOGIN, {"email": user.email, "password": DEFAULT_PASSWORD})

    assert_problem(response, 401)
    assert not OutstandingToken.objects.exists()


def test_login_refuses_a_user_without_a_password(api_client):
    user = UserFactory(external_subject="idp-user")
    user.set_unusable_password()
    user.save()

    response = api_client.post(LOGIN, {"email": user.email, "password": "!"})

    assert_problem(response, 401)


def test_login_requires_email_and_password(api_client):
    response = api_client.post(LOGIN, {"email": "x"})

    assert_problem(response, 400, "email", "password")


def test_login_is_rate_limited(api_client, user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "2/m"}

    with time_machine.travel("2026-03-02 09:30:15Z", tick=False):
        statuses = [
            api_client.post(LOGIN, {"email": user.email, "password": "wrong-guess"}).status_code for _ in range(2)
        ]
        response = api_client.post(LOGIN, {"email": user.email, "password": DEFAULT_PASSWORD})

    assert statuses == [401, 401]
    assert_problem(response, 429)
    assert response["Retry-After"] == "45"
    assert response["X-RateLimit-Remaining"] == "0"


# Refresh.


def test_refresh_rotates_the_refresh_token(api_client, user):
    old = refresh_for(user)

    response = api_client.post(REFRESH, {"refresh": old})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh"}
    assert body["refresh"] != old
    assert is_blacklisted(old)
    assert not is_blacklisted(body["refresh"])
    assert_access_token_works(body["access"], user)
    # The new one works once, too.
    assert api_client.post(REFRESH, {"refresh": body["refresh"]}).status_code == 200


def test_refresh_refuses_a_used_refresh_token(api_client, user):
    old = refresh_for(user)
    api_client.post(REFRESH, {"refresh": old})

    response = api_client.post(REFRESH, {"refresh": old})

    body = assert_problem(response, 401)
    assert "blacklisted" in body["detail"]


def test_refresh_refuses_an_expired_refresh_token(api_client, user):
    old = refresh_for(user)

    with time_machine.travel(now() + timedelta(days=31)):
        response = api_client.post(REFRESH, {"refresh": old})

    assert_problem(response, 401)


@pytest.mark.parametrize("kind", ["access", "garbage", "unrecorded"])
def test_refresh_refuses_what_is_not_one_of_our_refresh_tokens(api_client, user, kind):
    token = {
        "access": lambda: str(RefreshToken.for_user(user).access_token),
        "garbage": lambda: "not.a.token",
        # Signed with our key but never issued (so never recorded) by us.
        "unrecorded": lambda: str(RefreshToken()),
    }[kind]()

    response = api_client.post(REFRESH, {"refresh": token})

    assert_problem(response, 401)


def test_refresh_refuses_a_suspended_user(api_client, user):
    old = refresh_for(user)
    user.is_active = False
    user.save()

    response = api_client.post(REFRESH, {"refresh": old})

    assert_problem(response, 401)
    assert not is_blacklisted(old)


def test_refresh_refuses_a_deleted_user(api_client, user):
    old = refresh_for(user)
    user.delete()

    response = api_client.post(REFRESH, {"refresh": old})

    assert_problem(response, 401)


def test_refresh_requires_the_refresh_field(api_client):
    assert_problem(api_client.post(REFRESH, {}), 400, "refresh")


# Logout.


def test_logout_revokes_the_refresh_token(auth_client, user, api_client):
    refresh = refresh_for(user)

    response = auth_client.post(LOGOUT, {"refresh": refresh})

    assert response.status_code == 204
    assert response.content == b""
    assert is_blacklisted(refresh)
    assert_problem(api_client.post(REFRESH, {"refresh": refresh}), 401)


def test_logout_leaves_other_sessions_alone(auth_client, user):
    this_session, other_session = refresh_for(user), refresh_for(user)

    auth_client.post(LOGOUT, {"refresh": this_session})

    assert not is_blacklisted(other_session)


def test_logout_requires_authentication(api_client, user):
    refresh = refresh_for(user)

    response = api_client.post(LOGOUT, {"refresh": refresh})

    assert_problem(response, 401)
    assert not is_blacklisted(refresh)


def test_logout_refuses_another_users_refresh_token(auth_client, other_user):
    theirs = refresh_for(other_user)

    response = auth_client.post(LOGOUT, {"refresh": theirs})

    assert_problem(response, 403)
    assert not is_blacklisted(theirs)


@pytest.mark.parametrize("refresh", ["", "not.a.token"])
def test_logout_refuses_an_invalid_refresh_token(auth_client, refresh):
    assert_problem(auth_client.post(LOGOUT, {"refresh": refresh}), 400, "refresh")


def test_logout_twice_is_a_204_both_times(auth_client, user):
    refresh = refresh_for(user)
    assert auth_client.post(LOGOUT, {"refresh": refresh}).status_code == 204

    response = auth_client.post(LOGOUT, {"refresh": refresh})

    assert response.status_code == 204
    assert is_blacklisted(refresh)


def test_logout_refuses_a_refresh_token_signed_with_another_key(auth_client, user):
    token = RefreshToken.for_user(user)
    forged = jwt.encode(token.payload, "not-our-signing-key-0123456789abcdef", algorithm="HS256")

    response = auth_client.post(LOGOUT, {"refresh": forged})

    body = assert_problem(response, 400, "refresh")
    assert body["errors"]["refresh"] == ["Token is invalid."]
    assert not is_blacklisted(str(token))


def test_logout_refuses_an_access_token(auth_client, user):
    access = str(RefreshToken.for_user(user).access_token)

    response = auth_client.post(LOGOUT, {"refresh": access})

    body = assert_problem(response, 400, "refresh")
    assert body["errors"]["refresh"] == ["Token has wrong type."]


# Verify.


def test_verify_returns_the_tokens_user(auth_client, user):
    response = auth_client.post(VERIFY)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"user"}
    assert set(body["user"]) >= ME_FIELDS
    assert body["user"]["id"] == str(user.pk)
    assert body["user"]["email"] == user.email


def test_verify_without_a_token_is_a_401(api_client):
    response = api_client.post(VERIFY)

    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer not.a.token", "Bearer", "Bearer a b"])
def test_verify_refuses_a_malformed_token(api_client, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)

    body = assert_problem(api_client.post(VERIFY), 401)

    assert isinstance(body["detail"], str)
    assert "{" not in body["detail"]


def test_verify_refuses_an_expired_access_token(api_client, user):
    api_client.credentials(HTTP_AUTHORIZATION=bearer(user))

    with time_machine.travel(now() + timedelta(minutes=16)):
        response = api_client.post(VERIFY)

    body = assert_problem(response, 401)
    assert "expired" in body["detail"]


def test_verify_refuses_a_refresh_token(api_client, user):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {refresh_for(user)}")

    assert_problem(api_client.post(VERIFY), 401)


@pytest.mark.parametrize("suspension", [{"is_active": False}, {"suspended_at": now()}])
def test_verify_refuses_a_suspended_users_token(auth_client, user, suspension):
    User.objects.filter(pk=user.pk).update(**suspension)

    assert_problem(auth_client.post(VERIFY), 401)


def test_verify_refuses_a_deleted_users_token(auth_client, user):
    user.delete()

    assert_problem(auth_client.post(VERIFY), 401)


# Password change.


def test_password_change_sets_the_new_password(auth_client, user, api_client):
    response = auth_client.post(PASSWORD_CHANGE, {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD})

    assert response.status_code == 204
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert api_client.post(LOGIN, {"email": user.email, "password": NEW_PASSWORD}).status_code == 200
    assert api_client.post(LOGIN, {"email": user.email, "password": DEFAULT_PASSWORD}).status_code == 401


def test_password_change_signs_other_sessions_out(auth_client, user, other_user):
    this_session, other_session = refresh_for(user), refresh_for(user)
    someone_elses = refresh_for(other_user)

    response = auth_client.post(
        PASSWORD_CHANGE,
        {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD, "refresh": this_session},
    )

    assert response.status_code == 204
    assert not is_blacklisted(this_session)
    assert is_blacklisted(other_session)
    assert not is_blacklisted(someone_elses)


def test_password_change_without_refresh_signs_every_session_out(auth_client, user):
    sessions = [refresh_for(user), refresh_for(user)]

    auth_client.post(PASSWORD_CHANGE, {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD})

    assert all(is_blacklisted(refresh) for refresh in sessions)


def test_password_change_refuses_a_wrong_old_password(auth_client, user):
    response = auth_client.post(PASSWORD_CHANGE, {"old_password": "not-it", "new_password": NEW_PASSWORD})

    body = assert_problem(response, 400, "old_password")
    assert "new_password" not in body["errors"]
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


@pytest.mark.parametrize("new_password", ["short", "password123", "1234567890"])
def test_password_change_refuses_a_weak_new_password(auth_client, user, new_password):
    response = auth_client.post(PASSWORD_CHANGE, {"old_password": DEFAULT_PASSWORD, "new_password": new_password})

    assert_problem(response, 400, "new_password")
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


@pytest.mark.parametrize("new_password", BLANK_PASSWORDS)
def test_password_change_refuses_a_blank_new_password(auth_client, user, new_password):
    response = auth_client.post(PASSWORD_CHANGE, {"old_password": DEFAULT_PASSWORD, "new_password": new_password})

    body = assert_problem(response, 400, "new_password")
    assert any("blank" in message for message in body["errors"]["new_password"])
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_password_change_refuses_another_users_refresh_token(auth_client, user, other_user):
    theirs = refresh_for(other_user)

    response = auth_client.post(
        PASSWORD_CHANGE,
        {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD, "refresh": theirs},
    )

    assert_problem(response, 400, "refresh")
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)
    assert not is_blacklisted(theirs)


def test_password_change_requires_both_fields(auth_client):
    assert_problem(auth_client.post(PASSWORD_CHANGE, {}), 400, "old_password", "new_password")


def test_password_change_requires_authentication(api_client, user):
    response = api_client.post(PASSWORD_CHANGE, {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD})

    assert_problem(response, 401)
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


# Password reset.


def reset_link_params(message):
    links = [word for word in message.body.split() if word.startswith("http")]
    assert len(links) == 1
    parts = urlsplit(links[0])
    query = parse_qs(parts.query)
    return f"{parts.scheme}://{parts.netloc}{parts.path}", query["uid"][0], query["token"][0]


def test_password_reset_emails_a_one_time_link(api_client, user, settings, django_capture_on_commit_callbacks):
    settings.FRONTEND_URL = "https://app.pageshare.test"

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(PASSWORD_RESET, {"email": user.email.upper()})

    assert response.status_code == 202
    assert response.json()["detail"]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert "password" in message.subject.lower()
    base, uid, token = reset_link_params(message)
    assert base == "https://app.pageshare.test/reset-password"
    assert urlsafe_base64_decode(uid).decode() == str(user.pk)
    assert default_token_generator.check_token(user, token)
    assert response["X-RateLimit-Limit"] == "5"


def test_password_reset_sends_mail_only_after_commit(api_client, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        api_client.post(PASSWORD_RESET, {"email": user.email})

    assert len(callbacks) == 1
    assert mail.outbox == []


@pytest.mark.parametrize("suspension", [None, {"is_active": False}, {"suspended_at": now()}])
def test_password_reset_answers_alike_for_unknown_and_suspended_accounts(
    api_client, user, suspension, django_capture_on_commit_callbacks
):
    if suspension:
        User.objects.filter(pk=user.pk).update(**suspension)
    email = user.email if suspension else "nobody@example.com"

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(PASSWORD_RESET, {"email": email})

    assert response.status_code == 202
    assert response.json()["detail"] == "If an account has this email, a reset link is on its way."
    assert mail.outbox == []


def test_password_reset_refuses_a_malformed_email(api_client):
    assert_problem(api_client.post(PASSWORD_RESET, {"email": "nope"}), 400, "email")
    assert mail.outbox == []


def test_password_reset_is_rate_limited(api_client, user, settings, django_capture_on_commit_callbacks):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": "2/h"}

    with django_capture_on_commit_callbacks(execute=True):
        statuses = [api_client.post(PASSWORD_RESET, {"email": user.email}).status_code for _ in range(3)]

    assert statuses == [202, 202, 429]
    assert len(mail.outbox) == 2


# Password reset confirm.


def reset_params(user):
    return {
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "new_password": NEW_PASSWORD,
    }


def test_password_reset_confirm_sets_the_password_and_works_once(api_client, user):
    params = reset_params(user)
    session = refresh_for(user)

    response = api_client.post(PASSWORD_RESET_CONFIRM, params)

    assert response.status_code == 204
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert is_blacklisted(session)
    assert api_client.post(LOGIN, {"email": user.email, "password": NEW_PASSWORD}).status_code == 200
    again = api_client.post(PASSWORD_RESET_CONFIRM, {**params, "new_password": "yet-another-passphrase"})
    assert_problem(again, 400, "token")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_reset_confirm_follows_the_emailed_link(api_client, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(PASSWORD_RESET, {"email": user.email})
    _, uid, token = reset_link_params(mail.outbox[0])

    response = api_client.post(PASSWORD_RESET_CONFIRM, {"uid": uid, "token": token, "new_password": NEW_PASSWORD})

    assert response.status_code == 204
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    "uid",
    [
        "garbage!",
        urlsafe_base64_encode(b"999999"),
        urlsafe_base64_encode(b"not-a-number"),
        urlsafe_base64_encode(b"99999999999999999999999999"),
        urlsafe_base64_encode(b"-1"),
        urlsafe_base64_encode(b"\xff\xfe"),
    ],
)
def test_password_reset_confirm_refuses_a_bad_uid(api_client, user, uid):
    response = api_client.post(PASSWORD_RESET_CONFIRM, {**reset_params(user), "uid": uid})

    body = assert_problem(response, 400, "uid")
    assert "token" not in body["errors"]
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_password_reset_confirm_refuses_another_users_token(api_client, user, other_user):
    response = api_client.post(
        PASSWORD_RESET_CONFIRM, {**reset_params(user), "token": default_token_generator.make_token(other_user)}
    )

    assert_problem(response, 400, "token")
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_password_reset_confirm_refuses_an_expired_token(api_client, user, settings):
    params = reset_params(user)

    with time_machine.travel(now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)):
        response = api_client.post(PASSWORD_RESET_CONFIRM, params)

    assert_problem(response, 400, "token")


def test_password_reset_confirm_refuses_a_weak_password_and_keeps_the_token(api_client, user):
    params = reset_params(user)

    response = api_client.post(PASSWORD_RESET_CONFIRM, {**params, "new_password": "12345678"})

    assert_problem(response, 400, "new_password")
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)
    assert api_client.post(PASSWORD_RESET_CONFIRM, params).status_code == 204


@pytest.mark.parametrize("new_password", BLANK_PASSWORDS)
def test_password_reset_confirm_refuses_a_blank_password(api_client, user, new_password):
    response = api_client.post(PASSWORD_RESET_CONFIRM, {**reset_params(user), "new_password": new_password})

    body = assert_problem(response, 400, "new_password")
    assert any("blank" in message for message in body["errors"]["new_password"])
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_password_reset_confirm_refuses_an_inactive_user(api_client, user):
    params = reset_params(user)
    User.objects.filter(pk=user.pk).update(is_active=False)

    assert_problem(api_client.post(PASSWORD_RESET_CONFIRM, params), 400, "uid")


def test_password_reset_confirm_requires_its_fields(api_client):
    assert_problem(api_client.post(PASSWORD_RESET_CONFIRM, {}), 400, "uid", "token", "new_password")


def test_password_reset_confirm_is_rate_limited(api_client, user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": "2/h"}
    bad = {**reset_params(user), "token": "wrong-token"}

    statuses = [api_client.post(PASSWORD_RESET_CONFIRM, bad).status_code for _ in range(2)]
    response = api_client.post(PASSWORD_RESET_CONFIRM, reset_params(user))

    assert statuses == [400, 400]
    assert_problem(response, 429)
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_the_reset_mail_task_sends_nothing_to_an_account_suspended_since_the_request(user):
    User.objects.filter(pk=user.pk).update(suspended_at=now())

    send_password_reset.delay(user_id=user.pk)

    assert mail.outbox == []


def test_a_mail_outage_is_logged_by_the_task_and_the_reset_request_still_answers_202(
    api_client, user, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def mail_server_down(**kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(auth_services, "send_mail", mail_server_down)
    with caplog.at_level(logging.ERROR, logger="core.tasks"), django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(PASSWORD_RESET, {"email": user.email})

    assert response.status_code == 202
    [failure] = [record.getMessage() for record in caplog.records if record.name == "core.tasks"]
    assert failure.startswith("Task accounts.tasks.send_password_reset failed for good")
    assert f"{{'user_id': {user.pk}}}" in failure
    assert mail.outbox == []
