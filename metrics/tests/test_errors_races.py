"""Races POST errors/log must survive: the first occurrences of one error reported at once.

PostgreSQL only: SQLite serialises every write transaction, so there is no race to lose.
"""

import pytest
from rest_framework.test import APIClient

from core.testing import postgres_only, race
from metrics.models import ErrorLog

pytestmark = postgres_only

LOG = "/api/v1/errors/log"


def report(message):
    def call():
        return APIClient().post(LOG, {"message": message, "context": {"n": 1}}, format="json").status_code

    return call


@pytest.mark.parametrize("threads", [2, 4])
def test_the_same_new_error_reported_at_once_makes_one_group_counting_all(no_rate_limits, threads):
    outcomes = race(report("Chart 7 failed to load"), threads=threads)

    assert outcomes == [201] * threads
    saved = ErrorLog.objects.get()
    assert saved.count == threads


def test_different_errors_at_once_make_their_own_groups(no_rate_limits):
    calls = iter([report("first failure"), report("second failure")])

    outcomes = race(lambda: next(calls)())

    assert outcomes == [201, 201]
    assert sorted(ErrorLog.objects.values_list("message", "count")) == [("first failure", 1), ("second failure", 1)]
