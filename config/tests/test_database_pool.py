"""DATABASE_POOL: Django's psycopg pool behind strictly parsed variables, off by default."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from core.testing import postgres_only

ROOT = Path(__file__).resolve().parents[2]


def _postgres_only(test):
    for mark in reversed(postgres_only):
        test = mark(test)
    return test


POSTGRES = "postgres://pageshare@db.internal:5432/pageshare"


def run_python(code, **env):
    """``code`` in a fresh process with this environment (a .env file never overrides what is given)."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("DATABASE_")}
    clean.update({"DEBUG": "true", **env})
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)


def database_settings(**env):
    result = run_python(
        "import json; from config import settings; print(json.dumps(settings.DATABASES['default'], default=str))",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_pool_is_off_by_default():
    database = database_settings(DATABASE_URL=POSTGRES)

    assert "pool" not in database.get("OPTIONS", {})
    assert (database["CONN_MAX_AGE"], database["DISABLE_SERVER_SIDE_CURSORS"]) == (60, False)


def test_the_pool_takes_its_sizes_and_timeout_from_the_environment():
    database = database_settings(
        DATABASE_URL=POSTGRES,
        DATABASE_POOL="true",
        DATABASE_POOL_MIN_SIZE="2",
        DATABASE_POOL_MAX_SIZE="8",
        DATABASE_POOL_TIMEOUT="2.5",
        DATABASE_DISABLE_SERVER_SIDE_CURSORS="true",
    )

    assert database["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 8, "timeout": 2.5}
    # Django refuses persistent connections on top of a pool: the default 60 s gives way.
    assert database["CONN_MAX_AGE"] == 0
    assert database["DISABLE_SERVER_SIDE_CURSORS"] is True


@pytest.mark.parametrize(
    ("env", "line"),
    [
        ({"DATABASE_POOL": "maybe"}, "DATABASE_POOL: expected true or false, got 'maybe'"),
        ({"DATABASE_POOL_MIN_SIZE": "-1"}, "DATABASE_POOL_MIN_SIZE: expected an integer >= 0, got '-1'"),
        ({"DATABASE_POOL_MAX_SIZE": "0"}, "DATABASE_POOL_MAX_SIZE: expected an integer >= 1, got '0'"),
        ({"DATABASE_POOL_MIN_SIZE": "5", "DATABASE_POOL_MAX_SIZE": "2"}, "DATABASE_POOL_MAX_SIZE: must be at least"),
        ({"DATABASE_POOL_TIMEOUT": "soon"}, "DATABASE_POOL_TIMEOUT: expected a number, got 'soon'"),
        ({"DATABASE_POOL_TIMEOUT": "0"}, "DATABASE_POOL_TIMEOUT: must be a number of seconds above 0"),
        (
            {"DATABASE_POOL": "true", "DATABASE_CONN_MAX_AGE": "60"},
            "DATABASE_CONN_MAX_AGE: must be 0 or unset with DATABASE_POOL=true",
        ),
        (
            {"DATABASE_POOL": "true", "DATABASE_URL": "sqlite:///pool.sqlite3"},
            "DATABASE_POOL: needs a postgres:// DATABASE_URL",
        ),
        ({"DATABASE_DISABLE_SERVER_SIDE_CURSORS": "2"}, "DATABASE_DISABLE_SERVER_SIDE_CURSORS: expected true or false"),
    ],
)
def test_a_bad_pool_setting_stops_startup_naming_it(env, line):
    result = run_python(
        "from config.env import settings_or_exit; settings_or_exit()", **{"DATABASE_URL": POSTGRES, **env}
    )

    assert result.returncode == 1
    assert line in result.stderr
    assert "Traceback" not in result.stderr


@_postgres_only
def test_the_pool_serves_queries_on_postgresql():
    params = connection.settings_dict
    url = f"postgres://{params['USER']}:{params['PASSWORD']}@{params['HOST']}:{params['PORT'] or 5432}/{params['NAME']}"
    code = """
import json
import django
django.setup()
from django.db import connection

from core.testing import postgres_only
from psycopg_pool import ConnectionPool
backends = []
for _ in range(4):  # each connect() borrows from the pool, each close() gives it back
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backends.append(cursor.fetchone()[0])
    connection.close()
pool = connection.pool
stats = pool.get_stats()
print(json.dumps({
    "pool": isinstance(pool, ConnectionPool),
    "sizes": [pool.min_size, pool.max_size, pool.timeout],
    "backends": len(set(backends)),
    "opened": stats["connections_num"],
    "borrowed": stats["requests_num"],
}))
"""
    result = run_python(
        code,
        DATABASE_URL=url,
        DATABASE_POOL="true",
        DATABASE_POOL_MIN_SIZE="1",
        DATABASE_POOL_MAX_SIZE="2",
        DATABASE_POOL_TIMEOUT="5",
    )

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["pool"] is True
    assert report["sizes"] == [1, 2, 5.0]
    # Four requests served by the pool's connections (at most its max_size), reused, not reopened.
    assert report["borrowed"] == 4
    assert 1 <= report["backends"] <= report["opened"] <= 2
