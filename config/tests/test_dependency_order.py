"""The apps depend on each other in one direction: each imports only from the apps before it.

The order is written once, in the README's architecture section; this test
reads it there, checks that ``INSTALLED_APPS`` lists the domain apps in the
same order, and walks every module's imports for an import of a later app.
Test modules are left out: they exercise the assembled project (a core test
may drive a real endpoint), which is not a dependency of the code under test.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def documented_order() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    line = next(line for line in readme.splitlines() if re.fullmatch(r"\s*core(\s+→\s+\w+)+\s*", line))
    return [name.strip() for name in line.split("→")]


def imported_apps(path: Path, apps: set[str]) -> set[tuple[str, int]]:
    """The first-party apps a module imports, with the line of each import."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {(name.split(".")[0], node.lineno) for name in names if name.split(".")[0] in apps}
    return found


def test_the_readme_order_is_the_installed_order():
    order = documented_order()
    assert order[0] == "core"
    installed = [app for app in settings.INSTALLED_APPS if app in order]
    assert installed == order


def test_no_app_imports_an_app_after_it():
    order = documented_order()
    rank = {app: index for index, app in enumerate(order)}
    upward = []
    for app in order:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "tests" in path.relative_to(ROOT).parts:
                continue
            for imported, line in sorted(imported_apps(path, set(order))):
                if rank[imported] > rank[app]:
                    upward.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    assert upward == []


def test_the_walk_sees_an_upward_import(tmp_path):
    # The check above is only as good as this parser: an upward import in either form is found.
    module = tmp_path / "module.py"
    module.write_text("import moderation.models\nfrom metrics.rollup import x\nfrom .local import y\n")
    assert imported_apps(module, {"moderation", "metrics"}) == {("moderation", 1), ("metrics", 2)}
