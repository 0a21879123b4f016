"""Moderators and admin clients for the moderation tests."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.test import Client

from accounts.tests.factories import UserFactory

# The data migration's own function, so these tests exercise what deploys run.
_group_migration = importlib.import_module("moderation.migrations.0002_moderators_group")


@pytest.fixture
def moderators_group(db: None) -> Group:
    """The Moderators group as migration 0002 makes it.

    The migration has already made it for ordinary tests; running it again is a
    no-op there, and brings it back after a transactional test's flush emptied
    the tables (the browser test runs on such a database).
    """
    _group_migration.moderators_group_create(apps, None)
    return Group.objects.get(name=_group_migration.GROUP)


@pytest.fixture
def moderator(moderators_group: Group) -> Any:
    """Staff (not superuser) in the Moderators group."""
    user: Any = UserFactory(is_staff=True, username="mod_mia")
    user.groups.add(moderators_group)
    return user


@pytest.fixture
def staff_outsider(db: None) -> Any:
    """Staff without the Moderators group (nor any permission)."""
    return UserFactory(is_staff=True, username="staff_sam")


@pytest.fixture
def admin_client_for() -> Any:
    """``admin_client_for(user)``: a browser-like client with that user's admin session."""

    def make(user: Any, **kwargs: Any) -> Client:
        client = Client(**kwargs)
        client.force_login(user)
        return client

    return make
