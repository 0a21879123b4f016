import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import Env

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 50


def test_values_are_parsed_strictly():
    env = Env(
        {
            "FLAG": "yes",
            "COUNT": "12",
            "HOSTS": "a.example, b.example,",
            "ORIGINS": "https://app.example.com, http://localhost:3000/",
        }
    )
    assert env.bool("FLAG", False) is True
    assert env.int("COUNT", 0) == 12
    assert env.list("HOSTS") == ["a.example", "b.example"]
    assert env.origins("ORIGINS") == ["https://app.example.com", "http://localhost:3000"]
    env.check()


def test_rate_limits_are_checked_at_startup():
    env = Env({"RATE_LIMIT_POSTS": "45/h", "RATE_LIMIT_A": "30 per hour", "RATE_LIMIT_B": "0/m", "RATE_LIMIT_C": "5/w"})

    assert env.rate("RATE_LIMIT_POSTS", "30/h") == "45/h"
    assert env.rate("RATE_LIMIT_UNSET", "30/h") == "30/h"
    for name in ("RATE_LIMIT_A", "RATE_LIMIT_B", "RATE_LIMIT_C"):
        assert env.rate(name, "1/s") == "1/s"
    with pytest.raises(ImproperlyConfigured) as raised:
        env.check()
    assert str(raised.value).count("a rate such as 30/h") == 3


def test_defaults_apply_when_unset_or_empty():
    env = Env({"EMPTY": ""})
    assert env.bool("EMPTY", True) is True
    assert env.int("MISSING", 7) == 7
    assert env.database("DATABASE_URL", "sqlite:////tmp/x.sqlite3")["ENGINE"] == "django.db.backends.sqlite3"
    assert env.email("EMAIL_URL")["EMAIL_BACKEND"].endswith("console.EmailBackend")


def test_database_and_email_urls():
    env = Env(
        {
            "DATABASE_URL": "postgres://user:pw@db.internal:5433/pageshare",
            "EMAIL_URL": "smtp://mailer:pw@smtp.example.com:587",
        }
    )
    database = env.database("DATABASE_URL", "sqlite:///x")
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db.internal", 5433, "pageshare")
    assert env.email("EMAIL_URL")["EMAIL_HOST"] == "smtp.example.com"
    env.check()


def test_every_bad_variable_gets_its_own_line():
    env = Env(
        {
            "DEBUG": "maybe",
            "COUNT": "-3",
            "DATABASE_URL": "mysql://x/y",
            "EMAIL_URL": "carrier-pigeon://",
            "CORS_ALLOWED_ORIGINS": "app.example.com",
            "REDIS_URL": "localhost:6379",
        }
    )
    env.bool("DEBUG", False)
    env.int("COUNT", 1)
    env.database("DATABASE_URL", "sqlite:///x")
    env.email("EMAIL_URL")
    env.origins("CORS_ALLOWED_ORIGINS")
    env.url("REDIS_URL", ("redis",))
    with pytest.raises(ImproperlyConfigured) as raised:
        env.check()
    lines = str(raised.value).splitlines()[1:]
    names = [line.split(":")[0].strip(" -") for line in lines]
    assert names == ["DEBUG", "COUNT", "DATABASE_URL", "EMAIL_URL", "CORS_ALLOWED_ORIGINS", "REDIS_URL"]


def run_manage(*args, **env):
    clean = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


BAD_ENV = {"DEBUG": "false", "SECRET_KEY": "short", "DATABASE_URL": "oracle://x", "RATE_LIMITS_ENABLED": "2"}


def assert_one_line_per_bad_variable(stderr):
    assert "Traceback" not in stderr
    assert "SECRET_KEY: must be set" in stderr
    assert "DATABASE_URL: expected" in stderr
    assert "RATE_LIMITS_ENABLED: expected true or false" in stderr


# makemigrations and migrate are core commands Django would otherwise run
# unconfigured, failing later with AppRegistryNotReady instead of these lines.
@pytest.mark.parametrize("command", [["check"], ["makemigrations", "--check", "--dry-run"], ["migrate"]])
def test_startup_stops_with_one_line_per_bad_variable(command):
    result = run_manage(*command, **BAD_ENV)
    assert result.returncode == 1
    assert_one_line_per_bad_variable(result.stderr)


def test_the_model_commands_run_on_a_fresh_clone_without_a_key():
    # Production mode and no SECRET_KEY: makemigrations signs nothing, so it needs no key...
    migrations = run_manage("makemigrations", "--check", "--dry-run", DEBUG="false")
    assert migrations.returncode == 0, migrations.stderr
    assert "No changes detected" in migrations.stdout
    # ... while everything that may sign or serve still refuses the development key.
    checked = run_manage("check", DEBUG="false")
    assert checked.returncode == 1
    assert "SECRET_KEY: must be set" in checked.stderr


def test_gunicorn_stops_instead_of_respawning_workers_on_bad_settings():
    env = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = subprocess.run(
        [str(gunicorn), "config.wsgi", "--bind", "127.0.0.1:0", "--workers", "1"],
        cwd=ROOT,
        env={**env, **BAD_ENV},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3  # gunicorn's "worker failed to boot"
    assert_one_line_per_bad_variable(result.stderr)


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="a-real-production-secret-" + GOOD_KEY,
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        ALLOWED_HOSTS="api.pageshare.example",
        SECURE_SSL_REDIRECT="",
        SECURE_HSTS_SECONDS="",
    )
    assert result.returncode == 0, result.stderr
    assert "WARNINGS" not in result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_env_example_lists_every_variable_the_settings_read():
    settings_source = (ROOT / "config" / "settings.py").read_text()
    read = set(re.findall(r'env\.\w+\(\s*"([A-Z0-9_]+)"', settings_source))
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#?([A-Z0-9_]+)=", example, flags=re.MULTILINE))
    assert read, "no variables found: the pattern is stale"
    assert read - listed == set()


def settings_value(name, **env):
    """A setting as a fresh process computes it from this environment (a .env file never overrides it)."""
    clean = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY"}}
    clean.update(env)
    result = subprocess.run(
        [sys.executable, "-c", f"import json; from config import settings; print(json.dumps(settings.{name}))"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("debug", "origins", "allowed"),
    [
        # Unset (empty counts as unset) under DEBUG: a frontend dev server on :3000 works out of the box.
        ("true", "", ["http://localhost:3000", "http://127.0.0.1:3000"]),
        # Never in production.
        ("false", "", []),
        # Named origins replace the default.
        ("true", "https://app.example.com", ["https://app.example.com"]),
    ],
)
def test_cors_defaults_to_a_local_frontend_only_under_debug(debug, origins, allowed):
    value = settings_value("CORS_ALLOWED_ORIGINS", DEBUG=debug, SECRET_KEY=GOOD_KEY, CORS_ALLOWED_ORIGINS=origins)

    assert value == allowed
