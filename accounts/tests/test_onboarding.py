"""POST users/me/onboarding: username, time zone, interests, and the country of the client IP."""

from __future__ import annotations

import pytest

from accounts.models import User
from accounts.services import profile
from accounts.tests.factories import UserFactory, UserInterestFactory
from core.net import hash_ip
from core.testing import assert_problem

pytestmark = pytest.mark.django_db

URL = "/api/v1/users/me/onboarding"


@pytest.fixture
def newcomer(db):
    return UserFactory(onboarded=False, username="new_user_123", display_name="")


@pytest.fixture
def client(client_for, newcomer):
    return client_for(newcomer)


def onboard(client, ip: str = "8.8.8.8", **payload):
    body = {"username": "Ada_Trades", "timezone": "Europe/London", **payload}
    return client.post(URL, body, format="json", REMOTE_ADDR=ip)


def state_of(user: User) -> tuple:
    user.refresh_from_db()
    return (
        user.username,
        user.timezone,
        user.display_name,
        user.country,
        user.signup_ip_hash,
        user.onboarded,
        sorted(user.interests.values_list("interest", flat=True)),
    )


def test_onboarding_sets_the_profile_and_the_country_of_the_client_ip(client, newcomer, other_user):
    other_before = state_of(other_user)

    response = onboard(client, display_name="Ada", interests=["Options", "dividends", "options"])

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(newcomer.pk)
    assert body["username"] == "Ada_Trades"
    assert body["timezone"] == "Europe/London"
    assert body["display_name"] == "Ada"
    assert body["country"] == "US"
    assert body["onboarded"] is True
    assert "email" in body
    assert state_of(newcomer) == (
        "Ada_Trades",
        "Europe/London",
        "Ada",
        "US",
        hash_ip("8.8.8.8"),
        True,
        ["dividends", "options"],
    )
    assert state_of(other_user) == other_before


def test_onboarding_never_stores_the_ip_itself(client, newcomer):
    onboard(client, ip="81.2.69.160")

    row = User.objects.filter(pk=newcomer.pk).values().get()
    assert row["country"] == "GB"
    assert row["signup_ip_hash"] == hash_ip("81.2.69.160")
    assert not [name for name, value in row.items() if "81.2.69.160" in str(value)]


def test_onboarding_replaces_existing_interests(client, newcomer):
    UserInterestFactory(user=newcomer, interest="crypto")
    UserInterestFactory(user=newcomer, interest="options")

    onboard(client, interests=["options", "etfs"])

    assert state_of(newcomer)[-1] == ["etfs", "options"]


def test_onboarding_without_interests_keeps_the_current_ones(client, newcomer):
    UserInterestFactory(user=newcomer, interest="crypto")

    response = onboard(client)

    assert response.status_code == 200
    assert state_of(newcomer)[-1] == ["crypto"]


def test_onboarding_without_display_name_keeps_the_current_one(client, newcomer):
    User.objects.filter(pk=newcomer.pk).update(display_name="Ada L.")

    onboard(client)

    assert state_of(newcomer)[2] == "Ada L."


@pytest.mark.parametrize("username", ["new_user_123", "NEW_USER_123"])
def test_onboarding_accepts_ones_own_current_username(client, newcomer, username):
    response = onboard(client, username=username)

    assert response.status_code == 200
    assert state_of(newcomer)[0] == username


def test_onboarding_may_be_repeated(client, newcomer):
    onboard(client, interests=["options"])

    response = onboard(client, ip="81.2.69.160", timezone="Asia/Tokyo", interests=[])

    assert response.status_code == 200
    assert state_of(newcomer) == ("Ada_Trades", "Asia/Tokyo", "", "GB", hash_ip("81.2.69.160"), True, [])


@pytest.mark.parametrize("username", ["Ada_Trades", "ada_trades", "ADA_TRADES"])
def test_onboarding_answers_409_when_someone_else_has_the_username(client, newcomer, username):
    UserFactory(username="Ada_Trades")
    UserInterestFactory(user=newcomer, interest="crypto")
    before = state_of(newcomer)

    response = onboard(client, username=username, interests=["options"])

    body = assert_problem(response, 409)
    assert body["code"] == "username_taken"
    assert body["detail"] == "This username is taken."
    assert state_of(newcomer) == before


def test_onboarding_answers_409_when_it_loses_a_race_for_the_username(client, newcomer, monkeypatch):
    # Someone takes the name between the early check and the save: the unique constraint decides.
    def geolocate_while_someone_registers(ip):
        UserFactory(username="ada_trades")
        return "US"

    monkeypatch.setattr(profile, "country_for_ip", geolocate_while_someone_registers)
    UserInterestFactory(user=newcomer, interest="crypto")
    before = state_of(newcomer)

    response = onboard(client, interests=["options"])

    assert_problem(response, 409)
    # Nothing of the request was kept: not the profile, not the interests.
    assert state_of(newcomer) == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"username": None}, "username"),
        ({"username": "ab"}, "username"),
        ({"username": "has space"}, "username"),
        ({"timezone": "Nowhere/Special"}, "timezone"),
        ({"timezone": None}, "timezone"),
        ({"display_name": "x" * 51}, "display_name"),
        ({"interests": ["not a slug"]}, "interests"),
        ({"interests": [f"t{n}" for n in range(21)]}, "interests"),
        ({"interests": "options"}, "interests"),
        ({"country": "FR"}, "country"),
    ],
)
def test_onboarding_refuses_bad_input_naming_the_field(client, newcomer, payload, field):
    before = state_of(newcomer)

    response = onboard(client, **payload)

    assert_problem(response, 400, field)
    assert state_of(newcomer) == before


def test_onboarding_requires_username_and_timezone(client, newcomer):
    response = client.post(URL, {}, format="json")

    assert_problem(response, 400, "username", "timezone")
    assert state_of(newcomer)[5] is False


def test_onboarding_refuses_anonymous_callers(api_client, newcomer):
    response = onboard(api_client)

    assert_problem(response, 401)
    assert state_of(newcomer)[5] is False


@pytest.mark.parametrize("ip", ["127.0.0.1", "10.1.2.3"])
def test_onboarding_from_a_private_ip_leaves_the_country_unknown(client, newcomer, ip):
    response = onboard(client, ip=ip)

    assert response.status_code == 200
    assert response.json()["country"] is None
    assert state_of(newcomer)[3:5] == ("", hash_ip(ip))


def test_onboarding_keeps_a_known_country_when_the_ip_tells_nothing(client, newcomer):
    User.objects.filter(pk=newcomer.pk).update(country="NL")

    response = onboard(client, ip="10.1.2.3")

    assert response.json()["country"] == "NL"


def test_onboarding_succeeds_when_geolocation_is_down(client, newcomer, settings):
    settings.GEOIP_PROVIDER = "http"
    settings.GEOIP_HTTP_URL = "http://127.0.0.1:9/json/{ip}"  # the discard port: nothing answers
    settings.GEOIP_HTTP_TIMEOUT = 0.5

    response = onboard(client)

    assert response.status_code == 200
    assert response.json()["country"] is None
    assert state_of(newcomer)[5] is True


def test_onboarding_ignores_x_forwarded_for_without_trusted_proxies(client, newcomer, settings):
    settings.TRUSTED_PROXY_COUNT = 0

    response = client.post(
        URL,
        {"username": "Ada_Trades", "timezone": "UTC"},
        format="json",
        REMOTE_ADDR="10.0.0.7",
        HTTP_X_FORWARDED_FOR="8.8.8.8",
    )

    assert response.json()["country"] is None
    assert state_of(newcomer)[3:5] == ("", hash_ip("10.0.0.7"))


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "client_ip", "country"),
    [
        # One proxy: the right-most entry is what it saw; the forged left ones are ignored.
        (1, "81.2.69.160, 8.8.8.8", "8.8.8.8", "US"),
        # Two proxies: the second from the right.
        (2, "1.1.1.1, 81.2.69.160, 10.0.0.2", "81.2.69.160", "GB"),
    ],
)
def test_onboarding_reads_the_right_most_trusted_x_forwarded_for(
    client, newcomer, settings, proxies, forwarded_for, client_ip, country
):
    settings.TRUSTED_PROXY_COUNT = proxies

    response = client.post(
        URL,
        {"username": "Ada_Trades", "timezone": "UTC"},
        format="json",
        REMOTE_ADDR="10.0.0.7",
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )

    assert response.json()["country"] == country
    assert state_of(newcomer)[3:5] == (country, hash_ip(client_ip))
