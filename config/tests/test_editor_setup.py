"""The shared VS Code setup (.vscode/) parses and points at what the project really has."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
VSCODE = ROOT / ".vscode"


def load(name):
    return json.loads((VSCODE / name).read_text())


def in_workspace(value):
    assert value.startswith("${workspaceFolder}/"), value
    return ROOT / value.removeprefix("${workspaceFolder}/")


def venv_tool(value):
    """A tool in .venv: the folder scripts/lib.sh creates, from a package the requirements pin."""
    path = in_workspace(value)
    assert path.parent.relative_to(ROOT) == Path(".venv/bin"), value
    assert "-m venv .venv" in (ROOT / "scripts" / "lib.sh").read_text()
    return path.name


def test_the_files_parse_and_the_editorconfig_is_there():
    for name in ("settings.json", "launch.json", "extensions.json"):
        load(name)
    assert "indent_size = 4" in (ROOT / ".editorconfig").read_text()


def test_settings_use_the_venv_ruff_mypy_and_pytest():
    settings = load("settings.json")
    pinned = (ROOT / "requirements-dev.txt").read_text() + (ROOT / "requirements.txt").read_text()

    assert venv_tool(settings["python.defaultInterpreterPath"]) == "python"
    for key, package in (("ruff.path", "ruff"), ("mypy-type-checker.path", "mypy")):
        [tool] = settings[key]
        assert venv_tool(tool) == package
        assert re.search(rf"^{package}==", pinned, re.MULTILINE), package
    assert settings["[python]"]["editor.defaultFormatter"] == "charliermarsh.ruff"
    assert settings["python.testing.pytestEnabled"] is True
    assert settings["python.testing.unittestEnabled"] is False
    assert in_workspace(settings["python.envFile"]) == ROOT / ".env"  # what config/settings.py reads


def test_the_pytest_args_are_ones_pytest_accepts():
    args = load("settings.json")["python.testing.pytestArgs"]

    result = subprocess.run(
        [sys.executable, "-m", "pytest", *args, "--collect-only", "-q", "core/tests/test_text.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "test_text.py::" in result.stdout


def test_launch_runs_the_server_in_debug_and_the_tests():
    configurations = {config["name"]: config for config in load("launch.json")["configurations"]}
    recommended = set(load("extensions.json")["recommendations"])

    for config in configurations.values():
        assert config["type"] == "debugpy"
        assert "ms-python.debugpy" in recommended
        assert venv_tool(config["python"]) == "python"
        assert in_workspace(config["cwd"] + "/") == ROOT
    server = configurations["Django: runserver (DEBUG)"]
    assert in_workspace(server["program"]) == ROOT / "manage.py"
    assert server["args"][0] in get_commands()
    assert server["env"] == {"DEBUG": "true"}
    suite = configurations["Tests: the whole suite"]
    current = configurations["Tests: debug the current file"]
    assert suite["module"] == current["module"] == "pytest"
    # Breakpoints need one process: xdist's workers would run the test elsewhere.
    assert current["args"][:2] == ["-n", "0"]
    assert current["args"][-1] == "${file}"


@pytest.mark.parametrize(
    "extension",
    [
        "ms-python.python",
        "ms-python.debugpy",
        "charliermarsh.ruff",
        "ms-python.mypy-type-checker",
        "editorconfig.editorconfig",
    ],
)
def test_the_extensions_the_settings_rely_on_are_recommended(extension):
    assert extension in load("extensions.json")["recommendations"]
