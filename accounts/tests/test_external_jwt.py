"""Tokens of an external identity provider (Supabase-style), signed here by the tests themselves.

HS256 uses a shared secret; RS256 and ES256 are checked against a real JWKS
endpoint served from 127.0.0.1 by ``http.server`` in a thread.
"""

import json
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.contrib.auth.hashers import is_password_usable
from rest_framework.test import APIClient

from accounts import authentication
from accounts.models import User
from accounts.services import auth as services
from accounts.tests.factories import UserFactory
from accounts.validators import username_validator
from conftest import bearer

pytestmark = pytest.mark.django_db

VERIFY = "/api/v1/auth/verify"
SECRET = "an-external-provider-secret-of-32-bytes!"
AUDIENCE = "authenticated"
ISSUER = "https://idp.example.test/auth/v1"


def claims(**overrides):
    issued = int(time.time())
    base = {
        "sub": str(uuid.uuid4()),
        "aud": AUDIENCE,
        "iss": ISSUER,
        "iat": issued,
        "exp": issued + 3600,
        "email": "Ext.Trader@Example.com",
        "role": "authenticated",
    }
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not None}


def hs256(payload, secret=SECRET):
    return jwt.encode(payload, secret, algorithm="HS256")


def verify(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.post(VERIFY)


def assert_unauthorized(response):
    assert response.status_code == 401, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["status"] == 401


@pytest.fixture(autouse=True)
def _fresh_jwks_clients():
    authentication.jwks_client.cache_clear()
    yield
    authentication.jwks_client.cache_clear()


@pytest.fixture
def external_secret(settings):
    settings.EXTERNAL_JWT_SECRET = SECRET
    settings.EXTERNAL_JWT_JWKS_URL = ""
    settings.EXTERNAL_JWT_AUDIENCE = AUDIENCE
    settings.EXTERNAL_JWT_ISSUER = ISSUER


class KeySet:
    """The provider's signing keys; only the public halves are served."""

    def __init__(self):
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec = ec.generate_private_key(ec.SECP256R1())
        self.requests = 0

    def jwks(self):
        rsa_jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.rsa.public_key(), as_dict=True)
        ec_jwk = jwt.algorithms.ECAlgorithm.to_jwk(self.ec.public_key(), as_dict=True)
        return {
            "keys": [
                {**rsa_jwk, "kid": "rsa-1", "alg": "RS256", "use": "sig"},
                {**ec_jwk, "kid": "ec-1", "alg": "ES256", "use": "sig"},
            ]
        }

    def sign(self, payload, alg="RS256", kid=None, key=None):
        key = key or (self.rsa if alg == "RS256" else self.ec)
        kid = kid or ("rsa-1" if alg == "RS256" else "ec-1")
        return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid})


@pytest.fixture
def jwks_server():
    keys = KeySet()
    body = json.dumps(keys.jwks()).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            keys.requests += 1
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    keys.url = f"http://127.0.0.1:{server.server_address[1]}/auth/v1/.well-known/jwks.json"
    yield keys
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def external_jwks(settings, jwks_server):
    settings.EXTERNAL_JWT_SECRET = ""
    settings.EXTERNAL_JWT_JWKS_URL = jwks_server.url
    settings.EXTERNAL_JWT_AUDIENCE = AUDIENCE
    settings.EXTERNAL_JWT_ISSUER = ISSUER
    return jwks_server


# First sight and after.


def test_first_sight_creates_exactly_one_user(external_secret):
    payload = claims(name="Ext Trader")

    response = verify(hs256(payload))

    assert response.status_code == 200
    user = User.objects.get()
    assert user.external_subject == payload["sub"]
    assert user.email == "ext.trader@example.com"
    assert user.display_name == "Ext Trader"
    assert user.onboarded is False
    assert not is_password_usable(user.password)
    username_validator(user.username)
    body = response.json()["user"]
    assert body["id"] == str(user.pk)
    assert body["email"] == "ext.trader@example.com"
    assert body["onboarded"] is False


def test_the_same_subject_reuses_its_user(external_secret):
    payload = claims()

    first = verify(hs256(payload))
    second = verify(hs256({**payload, "email": "changed@example.com", "iat": payload["iat"] - 60}))

    assert first.status_code == second.status_code == 200
    assert first.json()["user"]["id"] == second.json()["user"]["id"]
    assert User.objects.count() == 1
    assert User.objects.get().email == "ext.trader@example.com"


def test_a_taken_email_is_not_linked_and_gets_a_placeholder(external_secret):
    member = UserFactory(email="ext.trader@example.com")
    payload = claims(sub="b7f3c2a0-5d1e-4c8e-9a61-3f2d0c9e7a11")

    response = verify(hs256(payload))

    assert response.status_code == 200
    created = User.objects.get(external_subject=payload["sub"])
    assert created.pk != member.pk
    assert created.email == "b7f3c2a0-5d1e-4c8e-9a61-3f2d0c9e7a11@users.external.invalid"
    username_validator(created.username)
    member.refresh_from_db()
    assert member.external_subject is None


def test_a_token_without_email_gets_a_placeholder(external_secret):
    payload = claims(sub="auth0|65f0c1", email=None)

    response = verify(hs256(payload))

    assert response.status_code == 200
    user = User.objects.get()
    assert user.email.endswith("@users.external.invalid")
    assert "|" not in user.email
    username_validator(user.username)


def test_a_taken_username_gets_a_suffix(external_secret):
    UserFactory(username="ext_trader", email="someone@example.com")

    response = verify(hs256(claims(email="ext.trader@example.com")))

    assert response.status_code == 200
    username = User.objects.get(external_subject__isnull=False).username
    assert username.startswith("ext_trader_")
    username_validator(username)


def test_a_username_taken_meanwhile_is_retried(external_secret, monkeypatch):
    UserFactory(username="raced_name")
    real = services._external_username
    calls = []

    def first_one_taken(email, *, force_suffix):
        calls.append(force_suffix)
        # Another request took this username between our check and our insert.
        return "raced_name" if len(calls) == 1 else real(email, force_suffix=force_suffix)

    monkeypatch.setattr(services, "_external_username", first_one_taken)

    user = services.external_user_get_or_create(subject="sub-1", email="raced@example.com")

    assert calls == [False, True]
    assert user.username.startswith("raced_")
    assert user.username != "raced_name"
    assert User.objects.filter(external_subject="sub-1").count() == 1


def test_an_inactive_external_user_is_refused(external_secret):
    payload = claims()
    verify(hs256(payload))
    User.objects.filter(external_subject=payload["sub"]).update(is_active=False)

    assert_unauthorized(verify(hs256(payload)))


def test_external_tokens_work_on_other_endpoints(external_secret):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {hs256(claims())}")

    response = client.post("/api/v1/auth/password/change", {"old_password": "x", "new_password": "y"})

    # Authenticated: the answer is about the (unusable) old password, not the token.
    assert response.status_code == 400
    assert "old_password" in response.json()["errors"]


# Refused HS256 tokens.


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda: hs256(claims(aud="another-app")), id="wrong audience"),
        pytest.param(lambda: hs256(claims(aud=None)), id="no audience"),
        pytest.param(lambda: hs256(claims(iss="https://evil.example.test")), id="wrong issuer"),
        pytest.param(lambda: hs256(claims(iss=None)), id="no issuer"),
        pytest.param(lambda: hs256(claims(sub=None)), id="no subject"),
        pytest.param(lambda: hs256(claims(sub="")), id="empty subject"),
        pytest.param(lambda: hs256(claims(sub=12345)), id="numeric subject"),
        pytest.param(lambda: hs256(claims(sub="x" * 256)), id="long subject"),
        pytest.param(lambda: hs256(claims(exp=None)), id="no expiry"),
        pytest.param(lambda: hs256(claims(), secret="the-wrong-secret-of-32-bytes-long!"), id="wrong secret"),
        pytest.param(lambda: jwt.encode(claims(), None, algorithm="none"), id="alg none"),  # type: ignore[arg-type]
        pytest.param(lambda: "garbage", id="garbage"),
        pytest.param(lambda: "gärbage.é.ü", id="not ascii"),
    ],
)
def test_a_bad_external_token_is_a_401(external_secret, token):
    assert_unauthorized(verify(token()))
    assert not User.objects.exists()


def test_an_expired_external_token_is_a_401(external_secret):
    token = hs256(claims())

    with time_machine.travel(time.time() + 3600 + authentication.EXTERNAL_LEEWAY_SECONDS + 1):
        response = verify(token)

    assert_unauthorized(response)
    assert not User.objects.exists()


def test_the_audience_is_not_checked_when_none_is_configured(external_secret, settings):
    settings.EXTERNAL_JWT_AUDIENCE = ""

    assert verify(hs256(claims(aud="whatever"))).status_code == 200


def test_external_tokens_are_refused_when_no_provider_is_configured(settings):
    settings.EXTERNAL_JWT_SECRET = ""
    settings.EXTERNAL_JWT_JWKS_URL = ""

    assert_unauthorized(verify(hs256(claims())))
    assert not User.objects.exists()


def test_our_own_tokens_still_work(external_secret, user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer(user))

    response = client.post(VERIFY)

    assert response.status_code == 200
    assert response.json()["user"]["id"] == str(user.pk)


def test_our_expired_token_reports_our_reason(external_secret, user):
    token = bearer(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=token)

    with time_machine.travel(time.time() + 16 * 60):
        response = client.post(VERIFY)

    assert_unauthorized(response)
    assert "Token is expired" in response.json()["detail"]


# RS256 and ES256 from a JWKS endpoint.


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_a_jwks_signed_token_signs_the_user_in(external_jwks, alg):
    payload = claims()

    response = verify(external_jwks.sign(payload, alg=alg))

    assert response.status_code == 200
    user = User.objects.get()
    assert user.external_subject == payload["sub"]
    assert response.json()["user"]["id"] == str(user.pk)


def test_the_key_set_is_fetched_once_per_process(external_jwks):
    for _ in range(3):
        assert verify(external_jwks.sign(claims())).status_code == 200

    assert external_jwks.requests == 1


def test_a_token_signed_with_another_key_is_a_401(external_jwks):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    assert_unauthorized(verify(external_jwks.sign(claims(), key=stranger)))
    assert not User.objects.exists()


def test_an_unknown_kid_is_a_401(external_jwks):
    assert_unauthorized(verify(external_jwks.sign(claims(), kid="rotated-away")))
    assert not User.objects.exists()


def test_an_rs256_kid_cannot_verify_an_es256_token(external_jwks):
    assert_unauthorized(verify(external_jwks.sign(claims(), alg="ES256", kid="rsa-1")))


def test_a_shared_secret_token_is_refused_when_keys_come_from_jwks(external_jwks):
    assert_unauthorized(verify(hs256(claims())))


@pytest.mark.parametrize(
    "overrides",
    [{"aud": "another-app"}, {"iss": "https://evil.example.test"}],
    ids=["wrong audience", "wrong issuer"],
)
def test_a_jwks_token_for_someone_else_is_a_401(external_jwks, overrides):
    assert_unauthorized(verify(external_jwks.sign(claims(**overrides))))


def test_an_expired_jwks_token_is_a_401(external_jwks):
    token = external_jwks.sign(claims(), alg="ES256")

    with time_machine.travel(time.time() + 3600 + authentication.EXTERNAL_LEEWAY_SECONDS + 1):
        response = verify(token)

    assert_unauthorized(response)


def test_jwks_server_down_is_a_401(settings, jwks_server):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.EXTERNAL_JWT_SECRET = ""
    settings.EXTERNAL_JWT_JWKS_URL = f"http://127.0.0.1:{closed_port}/jwks.json"
    settings.EXTERNAL_JWT_AUDIENCE = AUDIENCE
    settings.EXTERNAL_JWT_ISSUER = ISSUER

    response = verify(jwks_server.sign(claims()))

    assert_unauthorized(response)
    assert "unavailable" in response.json()["detail"]
    assert not User.objects.exists()
