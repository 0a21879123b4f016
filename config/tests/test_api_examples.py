"""docs/api-examples.md is what the scripted session records today, and covers every operation.

``scripts/api-examples`` (``PAGESHARE_WRITE_API_EXAMPLES=1``) rewrites the file instead of comparing.
"""

import difflib
import os

import pytest

from config.tests.api_examples import DOC, record_examples


# Transactional: the scenario flushes the database first, so ids start at 1 on SQLite and PostgreSQL alike.
@pytest.mark.django_db(transaction=True)
def test_api_examples_cover_every_operation_and_are_up_to_date(no_rate_limits, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "api.pageshare.example"]
    recorder = record_examples()
    assert recorder.missing() == [], "operations without an example: add a call to config/tests/api_examples.py"
    written = recorder.render()
    if os.environ.get("PAGESHARE_WRITE_API_EXAMPLES") == "1":
        DOC.write_text(written)
    committed = DOC.read_text() if DOC.exists() else ""
    diff = "".join(
        list(difflib.unified_diff(committed.splitlines(True), written.splitlines(True), "committed", "recorded"))[:80]
    )
    assert written == committed, f"docs/api-examples.md is out of date: run scripts/api-examples\n{diff}"
