"""Races the auth services must win: each runs the same call from two threads at once.

PostgreSQL only: SQLite serialises every write transaction, so there is no race to lose.
"""

import threading

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from accounts.services import auth as services
from accounts.tests.factories import UserFactory
from core.errors import DomainError, Invalid, NotAuthenticated
from core.testing import postgres_only
from core.testing import race as race_threads

pytestmark = postgres_only


def live_refresh_tokens(user):
    live = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    return list(live.values_list("jti", flat=True))


def race(call, threads=2):
    return race_threads(call, threads=threads, catch=DomainError)


def race_each(*calls):
    """Runs each call in its own thread, all released together."""
    pending = iter(calls)
    lock = threading.Lock()

    def next_call():
        with lock:
            call = next(pending)
        return call()

    return race(next_call, threads=len(calls))


def test_two_first_sights_of_a_subject_create_one_user():
    outcomes = race(lambda: services.external_user_get_or_create(subject="sub-race", email="race@example.com"))

    assert all(isinstance(outcome, User) for outcome in outcomes)
    assert outcomes[0].pk == outcomes[1].pk
    assert User.objects.filter(external_subject="sub-race").count() == 1


def test_two_registrations_with_one_email_create_one_user():
    def register():
        return services.user_register(
            email="race@example.com",
            username=f"racer_{threading.get_ident() % 100000}",
            password="a-long-enough-passphrase",
        )

    outcomes = race(register)

    users = [outcome for outcome in outcomes if isinstance(outcome, User)]
    errors = [outcome for outcome in outcomes if isinstance(outcome, Invalid)]
    assert len(users) == 1
    assert len(errors) == 1
    assert "email" in errors[0].errors
    assert User.objects.count() == 1


def test_a_refresh_token_rotates_once_under_concurrent_use():
    user = UserFactory()
    refresh = str(RefreshToken.for_user(user))

    outcomes = race(lambda: services.token_refresh(refresh=refresh))

    assert sum(isinstance(outcome, dict) for outcome in outcomes) == 1
    assert sum(isinstance(outcome, NotAuthenticated) for outcome in outcomes) == 1


def test_a_refresh_token_rotated_twice_at_once_counts_as_reuse():
    user = UserFactory()
    refresh = services.token_pair_issue(user=user)["refresh"]

    outcomes = race(lambda: services.token_refresh(refresh=refresh))

    # One rotation wins; the second use of the same token is reuse, and ends the session.
    pairs = [outcome for outcome in outcomes if isinstance(outcome, dict)]
    assert len(pairs) == 1
    assert sum(isinstance(outcome, NotAuthenticated) for outcome in outcomes) == 1
    assert not live_refresh_tokens(user)


def test_reuse_racing_the_legitimate_rotation_leaves_no_live_token_of_the_session():
    user = UserFactory()
    other_session = services.token_pair_issue(user=user)["refresh"]
    stolen = services.token_pair_issue(user=user)["refresh"]
    current = services.token_refresh(refresh=stolen)["refresh"]
    outcomes = race_each(
        lambda: services.token_refresh(refresh=stolen),
        lambda: services.token_refresh(refresh=current),
    )

    # Whichever went first, the thief's reuse revoked the session, the newest token included.
    assert sum(isinstance(outcome, NotAuthenticated) for outcome in outcomes) >= 1
    assert live_refresh_tokens(user) == [RefreshToken(other_session, verify=False)["jti"]]


def test_logout_racing_a_rotation_of_its_token_leaves_no_live_token_of_the_session():
    user = UserFactory()
    refresh = services.token_pair_issue(user=user)["refresh"]
    race_each(
        lambda: services.token_refresh(refresh=refresh),
        lambda: services.token_revoke(user=user, refresh=refresh),
    )

    assert live_refresh_tokens(user) == []


def test_a_reset_token_works_once_under_concurrent_use():
    user = UserFactory()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)

    outcomes = race(
        lambda: services.password_reset_confirm(uid=uid, token=token, new_password="a-long-enough-passphrase")
    )

    assert sum(isinstance(outcome, User) for outcome in outcomes) == 1
    errors = [outcome for outcome in outcomes if isinstance(outcome, Invalid)]
    assert len(errors) == 1
    assert "token" in errors[0].errors
