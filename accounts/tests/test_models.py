import pytest
from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.tests.factories import UserFactory


@pytest.mark.django_db
def test_username_is_unique_ignoring_case():
    UserFactory(username="Trader_Joe")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="trader_joe")


@pytest.mark.django_db
def test_email_is_unique_ignoring_case():
    User.objects.create(email="Joe@Example.com", username="joe1")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="joe@example.com", username="joe2")


@pytest.mark.django_db
def test_username_format_is_a_database_check():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="x@example.com", username="no spaces!")


@pytest.mark.django_db
def test_login_by_email_ignores_case():
    user = UserFactory(email="case@example.com")
    assert User.objects.get_by_natural_key("CASE@example.com") == user
