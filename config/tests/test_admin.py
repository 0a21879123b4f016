import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory

MODELS = [model for model in admin.site._registry if model._meta.app_label not in {"auth", "token_blacklist"}]


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


def test_every_domain_model_is_in_the_admin():
    registered = {f"{model._meta.app_label}.{model.__name__}" for model in MODELS}
    from django.apps import apps

    domain = {
        f"{model._meta.app_label}.{model.__name__}"
        for app in ("accounts", "social", "polls", "content", "moderation", "metrics")
        for model in apps.get_app_config(app).get_models()
    }
    assert domain - registered == set()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: f"{m._meta.app_label}.{m.__name__}")
def test_changelist_search_and_filters_work(client, superuser, model):
    client.force_login(superuser)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    model_admin = admin.site._registry[model]
    assert len(model_admin.list_display) > 1, "list columns beyond __str__"
    assert client.get(url).status_code == 200
    if model_admin.search_fields:
        assert client.get(url, {"q": "aapl"}).status_code == 200


def test_admin_refuses_non_staff(client, db):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_user_admin_finds_users_by_username_and_email(client, superuser):
    UserFactory(username="whale_watcher", email="whale@example.com")
    client.force_login(superuser)
    url = reverse("admin:accounts_user_changelist")
    assert b"whale_watcher" in client.get(url, {"q": "whale@example"}).content
    assert b"whale_watcher" in client.get(url, {"q": "WHALE_w"}).content


def test_createsuperuser_works_without_input(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "Ops@PageShare.example")
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "ops_admin")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-and-unusual-password-42")
    call_command("createsuperuser", "--noinput", verbosity=0)
    user = User.objects.get(username="ops_admin")
    assert user.is_superuser
    assert user.is_staff
    assert user.email == "ops@pageshare.example"
    assert user.check_password("a-long-and-unusual-password-42")
