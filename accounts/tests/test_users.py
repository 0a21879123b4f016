"""users/me (read and edit your profile) and users/me/interests."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User, UserInterest
from accounts.services.profile import profile_update
from accounts.tests.factories import UserFactory, UserInterestFactory
from core.errors import Invalid
from core.testing import assert_problem

pytestmark = pytest.mark.django_db

ME = "/api/v1/users/me"
INTERESTS = "/api/v1/users/me/interests"
ME_FIELDS = {
    "id",
    "username",
    "display_name",
    "bio",
    "profile_picture_url",
    "created_at",
    "updated_at",
    "stats",
    "track_record",
    "viewer",
    "email",
    "timezone",
    "country",
    "settings",
    "onboarded",
    "is_staff",
}


def profile_of(user: User) -> dict:
    user.refresh_from_db()
    return {
        "username": user.username,
        "display_name": user.display_name,
        "bio": user.bio,
        "timezone": user.timezone,
        "settings": user.settings,
        "email": user.email,
        "is_staff": user.is_staff,
    }


# GET users/me


def test_me_shows_the_signed_in_users_own_profile(auth_client, user, django_assert_num_queries):
    User.objects.filter(pk=user.pk).update(
        country="NL", timezone="Europe/Amsterdam", settings={"theme": "dark"}, followers_count=3, posts_count=7
    )

    # The user, loaded by the authentication; the serializer queries nothing more.
    with django_assert_num_queries(1):
        response = auth_client.get(ME)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == ME_FIELDS
    assert body["id"] == str(user.pk)
    assert body["username"] == user.username
    assert body["email"] == user.email
    assert body["country"] == "NL"
    assert body["timezone"] == "Europe/Amsterdam"
    assert body["settings"] == {"theme": "dark", "language": "en", "default_feed": "all"}
    assert body["onboarded"] is True
    assert body["is_staff"] is False
    assert body["profile_picture_url"] is None
    assert body["stats"] == {"followers": 3, "following": 0, "posts": 7}
    assert not any(body["viewer"].values())


def test_me_shows_an_unknown_country_as_null(auth_client):
    assert auth_client.get(ME).json()["country"] is None


@pytest.mark.parametrize("method", ["get", "patch"])
def test_me_refuses_anonymous_callers(api_client, method):
    response = getattr(api_client, method)(ME, {"bio": "hi"} if method == "patch" else None, format="json")

    assert_problem(response, 401)


# PATCH users/me


def test_patch_me_changes_only_the_fields_sent(auth_client, user, other_user):
    before_other = profile_of(other_user)
    before = profile_of(user)

    response = auth_client.patch(ME, {"display_name": "  Ada L.  ", "bio": "Options, mostly."}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["display_name"] == "Ada L."
    assert body["bio"] == "Options, mostly."
    assert body["username"] == before["username"]
    assert profile_of(user) == {**before, "display_name": "Ada L.", "bio": "Options, mostly."}
    assert profile_of(other_user) == before_other


def test_patch_me_changes_username_timezone_and_settings(auth_client, user):
    settings = {"theme": "dark", "language": "pt-BR", "default_feed": "following"}
    payload = {"username": "Value_Hunter", "timezone": "America/New_York", "settings": settings}

    response = auth_client.patch(ME, payload, format="json")

    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in payload} == payload
    user.refresh_from_db()
    assert (user.username, user.timezone, user.settings) == ("Value_Hunter", "America/New_York", settings)


def test_patch_me_replaces_the_whole_settings_object(auth_client, user):
    User.objects.filter(pk=user.pk).update(settings={"theme": "dark", "language": "en"})

    response = auth_client.patch(ME, {"settings": {"language": "nl"}}, format="json")

    # Only what was sent is stored; the rest reads as the defaults.
    assert response.json()["settings"] == {"theme": "system", "language": "nl", "default_feed": "all"}
    user.refresh_from_db()
    assert user.settings == {"language": "nl"}


def test_me_reads_stored_settings_that_are_not_valid_now_as_the_defaults(auth_client, user):
    User.objects.filter(pk=user.pk).update(settings={"theme": "purple", "language": 7, "lang": "nl", "n": [1]})

    response = auth_client.get(ME)

    assert response.json()["settings"] == {"theme": "system", "language": "en", "default_feed": "all"}


def test_patch_me_may_clear_display_name_and_bio(auth_client, user):
    response = auth_client.patch(ME, {"display_name": "", "bio": ""}, format="json")

    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.display_name, user.bio) == ("", "")


@pytest.mark.parametrize("payload", [{}, {"bio": "Long-term investor."}])
def test_patch_me_without_changes_writes_nothing(auth_client, user, payload):
    before = profile_of(user)

    with CaptureQueriesContext(connection) as queries:
        response = auth_client.patch(ME, payload, format="json")

    assert response.status_code == 200
    assert not [query for query in queries if query["sql"].startswith("UPDATE")]
    assert profile_of(user) == before


@pytest.mark.parametrize("taken", ["Market_Maven", "market_maven", "MARKET_MAVEN"])
def test_patch_me_refuses_a_username_taken_ignoring_case(auth_client, user, taken):
    UserFactory(username="Market_Maven")
    before = profile_of(user)

    response = auth_client.patch(ME, {"username": taken, "bio": "new bio"}, format="json")

    body = assert_problem(response, 400, "username")
    assert body["errors"]["username"] == ["This username is taken."]
    assert profile_of(user) == before


def test_patch_me_may_change_the_case_of_ones_own_username(auth_client, user):
    User.objects.filter(pk=user.pk).update(username="bull_run")

    response = auth_client.patch(ME, {"username": "Bull_Run"}, format="json")

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.username == "Bull_Run"


def test_profile_update_turns_a_lost_username_race_into_a_400(user):
    # The service checks nothing before saving: the unique constraint decides, and its error is a 400.
    UserFactory(username="taken_name")

    with pytest.raises(Invalid) as caught:
        profile_update(user=user, username="TAKEN_NAME", bio="changed")

    assert caught.value.errors == {"username": ["This username is taken."]}
    # The instance is left as it was, not half-changed.
    assert user.username != "TAKEN_NAME"
    assert user.bio == "Long-term investor."
    user.refresh_from_db()
    assert user.bio == "Long-term investor."


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"username": "ab"}, "username"),
        ({"username": "x" * 31}, "username"),
        ({"username": "bad name!"}, "username"),
        ({"username": "émile"}, "username"),
        ({"username": None}, "username"),
        ({"username": ""}, "username"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": ""}, "timezone"),
        ({"display_name": "x" * 51}, "display_name"),
        ({"display_name": None}, "display_name"),
        ({"display_name": "nul\x00byte"}, "display_name"),
        ({"bio": "x" * 301}, "bio"),
        ({"settings": ["not", "an", "object"]}, "settings"),
        ({"settings": "dark"}, "settings"),
        ({"settings": None}, "settings"),
        ({"settings": {"theme": "purple"}}, "settings"),
        ({"settings": {"theme": None}}, "settings"),
        ({"settings": {"default_feed": "trending"}}, "settings"),
        ({"settings": {"language": "x" * 36}}, "settings"),
        ({"settings": {"language": "en_US!"}}, "settings"),
        ({"settings": {"language": 1}}, "settings"),
        ({"settings": {"language": "nl", "colour": "red"}}, "settings"),
    ],
)
def test_patch_me_refuses_bad_values_naming_the_field(auth_client, user, payload, field):
    before = profile_of(user)

    response = auth_client.patch(ME, payload, format="json")

    assert_problem(response, 400, field)
    assert profile_of(user) == before


def test_patch_me_names_each_unknown_setting(auth_client, user):
    response = auth_client.patch(ME, {"settings": {"theme": "dark", "colour": "red", "lang": "nl"}}, format="json")

    body = assert_problem(response, 400, "settings")
    assert body["errors"]["settings"] == {"colour": ["Unknown setting."], "lang": ["Unknown setting."]}
    user.refresh_from_db()
    assert user.settings == {}


@pytest.mark.parametrize("field", ["email", "is_staff", "country", "onboarded", "displayname"])
def test_patch_me_refuses_unknown_and_read_only_fields(auth_client, user, field):
    before = profile_of(user)

    response = auth_client.patch(ME, {field: True, "bio": "sneaky"}, format="json")

    body = assert_problem(response, 400, field)
    assert body["errors"][field] == ["Unknown or read-only field."]
    assert profile_of(user) == before


def test_patch_me_refuses_a_body_that_is_not_an_object(auth_client):
    assert_problem(auth_client.patch(ME, ["bio"], format="json"), 400, "non_field_errors")


# GET/PUT users/me/interests


def test_get_interests_lists_the_callers_interests_alphabetically(auth_client, user, other_user):
    UserInterestFactory(user=user, interest="options")
    UserInterestFactory(user=user, interest="dividends")
    UserInterestFactory(user=other_user, interest="crypto")

    response = auth_client.get(INTERESTS)

    assert response.status_code == 200
    assert response.json() == {"interests": ["dividends", "options"]}


def test_put_interests_replaces_the_set(auth_client, user, other_user):
    UserInterestFactory(user=user, interest="options")
    UserInterestFactory(user=user, interest="crypto")
    UserInterestFactory(user=other_user, interest="options")

    response = auth_client.put(INTERESTS, {"interests": ["Dividends", " options ", "etfs", "DIVIDENDS"]}, format="json")

    assert response.status_code == 200
    assert response.json() == {"interests": ["dividends", "etfs", "options"]}
    assert set(user.interests.values_list("interest", flat=True)) == {"dividends", "etfs", "options"}
    # Another user's interests are not touched.
    assert list(other_user.interests.values_list("interest", flat=True)) == ["options"]
    assert auth_client.get(INTERESTS).json() == {"interests": ["dividends", "etfs", "options"]}


def test_put_interests_keeps_the_rows_that_stay(auth_client, user):
    kept = UserInterestFactory(user=user, interest="options")

    auth_client.put(INTERESTS, {"interests": ["options", "value"]}, format="json")

    assert UserInterest.objects.filter(pk=kept.pk).exists()


def test_put_an_empty_list_clears_the_interests(auth_client, user):
    UserInterestFactory(user=user, interest="options")

    response = auth_client.put(INTERESTS, {"interests": []}, format="json")

    assert response.json() == {"interests": []}
    assert not user.interests.exists()


def test_put_interests_takes_up_to_twenty(auth_client, user):
    twenty = [f"topic-{n:02}" for n in range(20)]

    response = auth_client.put(INTERESTS, {"interests": [*twenty, "TOPIC-00"]}, format="json")

    assert response.status_code == 200
    assert response.json()["interests"] == twenty
    assert user.interests.count() == 20


@pytest.mark.parametrize(
    "payload",
    [
        {"interests": [f"topic-{n}" for n in range(21)]},
        {"interests": ["options", "not a slug"]},
        {"interests": ["-leading-dash"]},
        {"interests": [""]},
        {"interests": ["x" * 41]},
        {"interests": [42]},
        {"interests": [["nested"]]},
        {"interests": "options"},
        {"interests": None},
        {},
    ],
)
def test_put_interests_refuses_bad_input_naming_interests(auth_client, user, payload):
    UserInterestFactory(user=user, interest="options")

    response = auth_client.put(INTERESTS, payload, format="json")

    body = assert_problem(response, 400, "interests")
    assert all(isinstance(message, str) for message in body["errors"]["interests"])
    assert list(user.interests.values_list("interest", flat=True)) == ["options"]


@pytest.mark.parametrize("method", ["get", "put"])
def test_interests_refuse_anonymous_callers(api_client, method):
    response = getattr(api_client, method)(INTERESTS, {"interests": ["x"]} if method == "put" else None, format="json")

    assert_problem(response, 401)
    assert not UserInterest.objects.exists()


ACCOUNTS_ROUTES = [
    "auth/register",
    "auth/login",
    "auth/refresh",
    "auth/logout",
    "auth/verify",
    "auth/password/change",
    "auth/password/reset",
    "auth/password/reset/confirm",
    "users/me",
    "users/me/onboarding",
    "users/me/interests",
    "users/me/profile-picture",
]


@pytest.mark.parametrize("route", ACCOUNTS_ROUTES)
def test_options_describes_every_accounts_route(auth_client, route):
    response = auth_client.options(f"/api/v1/{route}")

    assert response.status_code == 200, response.content
    assert response.json()["name"]
