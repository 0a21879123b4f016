"""``accounts.signals.user_deactivated``: sent when an account stops being able to sign in."""

from __future__ import annotations

import pytest

from accounts.services.account import account_delete
from accounts.signals import user_deactivated
from accounts.tests.factories import UserFactory
from core.testing_signals import signals_recorded
from moderation.services import user_suspend, user_unsuspend

pytestmark = pytest.mark.django_db


def test_a_suspension_signals_once_and_lifting_it_signals_nothing(moderator):
    user = UserFactory()
    with signals_recorded(deactivated=user_deactivated) as sent:
        user_suspend(moderator=moderator, user=user, reason="Spam")
        user_suspend(moderator=moderator, user=user, reason="Spam again")
        user_unsuspend(moderator=moderator, user=user, reason="Appeal")
    assert sent == [("deactivated", {"user_id": user.pk, "reason": "suspended"})]


def test_deleting_an_account_signals_it():
    user = UserFactory(password="correct horse battery")
    with signals_recorded(deactivated=user_deactivated) as sent:
        account_delete(user=user, password="correct horse battery")
    assert sent == [("deactivated", {"user_id": user.pk, "reason": "deleted"})]
