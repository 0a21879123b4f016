"""The Moderators group made by migration 0002: exactly the permissions a moderator needs."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("moderation.migrations.0002_moderators_group")

EXPECTED = {
    "moderation.view_report",
    "moderation.change_report",
    "moderation.moderate",
    "moderation.view_moderationaction",
    "content.view_post",
    "content.view_comment",
    "accounts.view_user",
}


def permissions_of(group: Group) -> set[str]:
    return {
        f"{app}.{codename}" for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def test_the_migration_made_the_group_with_exactly_the_moderators_permissions():
    # Made by `migrate` (the test database is built by the migrations), not by a fixture.
    assert permissions_of(Group.objects.get(name="Moderators")) == EXPECTED


def test_a_staff_member_of_the_group_has_those_permissions_and_no_others():
    moderator = UserFactory(is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))

    assert moderator.get_all_permissions() == EXPECTED
    assert not moderator.is_superuser
    assert not moderator.has_perm("content.change_post")
    assert not moderator.has_perm("accounts.change_user")


def test_running_it_again_restores_exactly_those_permissions():
    group = Group.objects.get(name="Moderators")
    group.permissions.add(Permission.objects.get(codename="delete_user"))
    group.permissions.remove(Permission.objects.get(codename="moderate"))

    migration.moderators_group_create(apps, None)

    assert Group.objects.filter(name="Moderators").count() == 1
    assert permissions_of(Group.objects.get(name="Moderators")) == EXPECTED


def test_unapplying_it_removes_the_group():
    migration.moderators_group_delete(apps, None)

    assert not Group.objects.filter(name="Moderators").exists()
