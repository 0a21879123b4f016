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

    # Models with a composite primary key (markets.DailyBar) cannot be registered: Django refuses them.
    domain = {
        f"{model._meta.app_label}.{model.__name__}"
        for app in ("accounts", "social", "polls", "markets", "content", "moderation", "metrics")
        for model in apps.get_app_config(app).get_models()
        if not model._meta.is_composite_pk
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


def _admin_urls() -> list[str]:
    """Every page the admin serves (one URL per pattern, with placeholder arguments), login pages aside."""
    from django.urls import URLPattern, URLResolver, get_resolver
    from django.urls.converters import IntConverter

    def walk(patterns, prefix):  # type: ignore[no-untyped-def]
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, [*prefix, entry])
            elif isinstance(entry, URLPattern):
                yield prefix, entry

    admin_resolver = next(
        entry for entry in get_resolver().url_patterns if isinstance(entry, URLResolver) and entry.namespace == "admin"
    )
    urls = []
    for prefix, pattern in walk(admin_resolver.url_patterns, []):
        if pattern.name in {"login", "logout", None} or "url" in pattern.pattern.regex.groupindex:
            continue  # the login pages, and the catch-all that only redirects or 404s
        kwargs = {}
        for name in pattern.pattern.regex.groupindex:
            converter = getattr(pattern.pattern, "converters", {}).get(name)
            kwargs[name] = 1 if isinstance(converter, IntConverter) else ("content" if name == "app_label" else "1")
        for resolver in prefix:
            for name in resolver.pattern.regex.groupindex:
                kwargs.setdefault(name, "1")
        urls.append(reverse(f"admin:{pattern.name}", kwargs=kwargs))
    return sorted(set(urls))


ADMIN_URLS = _admin_urls()


def test_the_admin_page_list_includes_the_custom_pages():
    assert reverse("admin:metrics_dashboard") in ADMIN_URLS
    assert any("reportqueue" in url for url in ADMIN_URLS)
    assert len(ADMIN_URLS) > 100


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "member"])
def test_every_admin_page_sends_non_staff_to_the_login(client, db, signed_in):
    if signed_in:
        client.force_login(UserFactory())
    refused = []
    for url in ADMIN_URLS:
        response = client.get(url)
        if response.status_code != 302 or not response["Location"].startswith(reverse("admin:login")):
            refused.append((url, response.status_code))
    assert refused == []
