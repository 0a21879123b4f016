"""Services speak the domain, not HTTP: only the API layer imports DRF.

Walks every module of the project (its syntax tree, so imports inside
functions count too). A module outside ``HTTP_LAYER`` may import neither the
API frameworks nor a module of the HTTP layer, so no service, queryset, model,
admin or command reaches DRF, directly or through project code. Services
raise ``core.errors``; ``core.exceptions`` turns those into HTTP answers.

simplejwt (``rest_framework_simplejwt``) is a token library, not DRF's HTTP
layer: ``accounts.tokens`` wraps it (minting, rotating, revoking, raising
``core.errors``), and no service module imports it at all.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".venv", ".git", "node_modules", "media", "staticfiles", "__pycache__"}

# The frameworks of the HTTP API.
API_FRAMEWORKS = ("rest_framework", "drf_spectacular", "django_filters.rest_framework")

# The HTTP layer: the only modules that may import the API frameworks. Each entry says why it must.
HTTP_LAYER = {
    "*/api/*": "each app's API: views, serializers, filters, permissions and URLs",
    "*/tests/*": "tests drive the API through DRF's test client and check its answers",
    "conftest.py": "the shared fixtures: an APIClient, signed in with a token",
    "config/asgi.py": "the ASGI router: mounts the streaming API's WebSocket route (streaming.api) beside Django",
    "config/urls.py": "the root URLconf: mounts every app's API, the schema and its docs (drf-spectacular's views)",
    "accounts/authentication.py": "the DRF authentication class for bearer tokens (ours and the external provider's)",
    "core/exceptions.py": "the one mapping of DRF's and the domain's errors to problem details",
    "core/middleware.py": "problem details outside DRF (unknown routes, crashes), with core.exceptions' helpers",
    "core/pagination.py": "the DRF keyset pagination class every list endpoint uses",
    "core/parsers.py": "the DRF JSON parser with its nesting limit",
    "core/routers.py": "the DRF router of every app's viewsets",
    "core/schema.py": "OpenAPI helpers for drf-spectacular (problem responses, inline serializers)",
    "core/schema_view.py": "the drf-spectacular schema view, generated once per process",
    "core/schema_testing.py": "the test plugin that checks every API answer against drf-spectacular's schema",
    "core/serializers.py": "DRF serializer fields shared by the apps' APIs",
    "core/throttling.py": "the DRF throttle classes; they count in core.ratelimit, which anyone may use",
    "metrics/urls.py": "routes /health and /health/ready to the views in metrics.api.health",
}


def project_modules() -> dict[str, Path]:
    """Every module of the project by its dotted name."""
    modules = {}
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if SKIPPED_DIRS.intersection(relative.parts):
            continue
        parts = list(relative.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        if parts:
            modules[".".join(parts)] = relative
    return modules


def in_http_layer(relative: Path) -> bool:
    return any(fnmatch(relative.as_posix(), pattern) for pattern in HTTP_LAYER)


def imported_names(source: str, module: str, *, is_package: bool = False) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of everything ``source`` imports, at any depth: ``from core import exceptions``
    yields ``core`` and ``core.exceptions``; relative imports are resolved against ``module``."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def names_within(name: str, roots: set[str] | tuple[str, ...]) -> bool:
    return any(name == root or name.startswith(f"{root}.") for root in roots)


def offences() -> list[str]:
    modules = project_modules()
    http_modules = {name for name, path in modules.items() if in_http_layer(path)}
    found = []
    for name, path in modules.items():
        if name in http_modules:
            continue
        source = (ROOT / path).read_text()
        for line, imported in imported_names(source, name, is_package=path.name == "__init__.py"):
            if names_within(imported, API_FRAMEWORKS):
                found.append(f"{path}:{line} imports {imported}")
            elif names_within(imported, http_modules):
                found.append(f"{path}:{line} imports {imported}, which is in the HTTP layer")
    return found


def test_only_the_http_layer_imports_drf():
    found = offences()
    assert not found, "Services, querysets, models, admin and commands raise core.errors instead:\n" + "\n".join(found)


@pytest.mark.parametrize("entry", list(HTTP_LAYER))
def test_each_entry_of_the_http_layer_needs_its_place(entry):
    # An entry whose modules no longer import the frameworks, nor another module of the layer, leaves the list.
    modules = project_modules()
    http_modules = {name for name, path in modules.items() if in_http_layer(path)}
    needs = [
        f"{path}: {imported}"
        for name, path in modules.items()
        if fnmatch(path.as_posix(), entry)
        for _, imported in imported_names((ROOT / path).read_text(), name, is_package=path.name == "__init__.py")
        if names_within(imported, API_FRAMEWORKS) or (names_within(imported, http_modules) and imported != name)
    ]
    assert needs, f"nothing matching {entry} imports the HTTP layer: take it off HTTP_LAYER"


def test_no_service_imports_a_rest_framework_package():
    # Not even simplejwt: the services call accounts.tokens, which speaks core.errors.
    found = [
        f"{path}:{line} imports {imported}"
        for name, path in project_modules().items()
        if fnmatch(path.as_posix(), "*/services/*") or path.name == "services.py"
        for line, imported in imported_names((ROOT / path).read_text(), name, is_package=path.name == "__init__.py")
        if imported.startswith(("rest_framework", "drf_"))
    ]
    assert not found, "\n".join(found)


def test_the_walk_sees_every_kind_of_import():
    source = (
        "import rest_framework.exceptions\n"
        "from core import exceptions\n"
        "def later():\n"
        "    from rest_framework.exceptions import ValidationError\n"
        "from ..api import views\n"
    )
    names = {name for _, name in imported_names(source, "content.services.posts")}
    assert {"rest_framework.exceptions", "core.exceptions", "content.api.views"} <= names
    assert names_within("rest_framework.exceptions.ValidationError", API_FRAMEWORKS)
    assert not names_within("rest_framework_simplejwt.tokens", API_FRAMEWORKS)
    assert in_http_layer(Path("content/api/views.py"))
    assert not in_http_layer(Path("content/services/posts.py"))
