"""A pytest plugin: every answer the test suite gets from the API must match the OpenAPI schema.

Loaded by the root ``conftest.py``. Each response the Django (or DRF) test
client returns for an operation of ``/api/schema`` is checked: its status must
be declared for that operation, its content type declared for that status, and
its body must validate against the declared schema (OpenAPI 3.0, as a client
generated from the schema reads it). A violation fails the test that made the
call, naming the request and what is wrong.

Requests to paths or methods the schema does not describe (unknown routes, 405s,
test-only views) are not checked: no client is generated for them. A test that
deliberately provokes an undocumented answer (a crash, say) opts out with
``@pytest.mark.schema_exempt(reason)``, and says why.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from importlib import import_module
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from openapi_schema_validator import OAS30ReadValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

_ROOT = "urn:pageshare:openapi"
_VIOLATIONS = pytest.StashKey[list[str]]()


class SchemaChecker:
    """Checks responses against one OpenAPI 3.0 document."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        resource = Resource.from_contents(schema, default_specification=DRAFT4)
        self.registry: Registry[Any] = Registry().with_resource(_ROOT, resource)
        self.routes: list[tuple[re.Pattern[str], str]] = []
        for template, item in schema.get("paths", {}).items():
            self.routes.append((self._route_regex(template, item), template))
        # A literal segment wins over a parameter (``users/me`` before ``users/{user_id}``).
        self.routes.sort(key=lambda route: route[1].count("{"))
        self._validators: dict[str, Any] = {}

    @staticmethod
    def _route_regex(template: str, item: dict[str, Any]) -> re.Pattern[str]:
        patterns: dict[str, str] = {}
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path":
                    pattern = parameter.get("schema", {}).get("pattern", "")
                    patterns[parameter["name"]] = pattern.removeprefix("^").removesuffix("$") or "[^/]+"
        regex = ""
        for literal, name in re.findall(r"([^{]*)(?:\{([^}]+)\})?", template):
            regex += re.escape(literal)
            if name:
                regex += f"(?:{patterns.get(name, '[^/]+')})"
        return re.compile(f"{regex}$")

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        """The path template and operation that answer ``method path``, or None if the schema has none."""
        for regex, template in self.routes:
            if regex.match(path):
                operation = self.schema["paths"][template].get(method.lower())
                return (template, operation) if operation else None
        return None

    def violations(self, method: str, path: str, response: Any) -> list[str]:
        """What is wrong with ``response`` for ``method path`` (nothing when the schema does not describe it)."""
        found = self.operation(method, path)
        if found is None:
            return []
        template, operation = found
        status = str(response.status_code)
        declared = operation.get("responses", {})
        if status not in declared and "default" not in declared:
            return [f"status {status} is not declared (declared: {', '.join(declared)})"]
        key = status if status in declared else "default"
        content = declared[key].get("content", {})
        media_type = (response.get("Content-Type") or "").split(";")[0].strip().lower()
        body = b"" if response.streaming else response.content
        if not content:
            return [f"{status} declares no body, got {media_type or 'one'} ({len(body)} bytes)"] if body else []
        if media_type not in content:
            return [f"{status} content type {media_type or 'none'} is not declared (declared: {', '.join(content)})"]
        schema = content[media_type].get("schema")
        if schema is None or response.streaming or not _is_json(media_type):
            return []
        try:
            data = json.loads(body)
        except ValueError:
            return [f"{status} {media_type} body is not JSON: {body[:200]!r}"]
        pointer = "/".join(
            _escape(part) for part in ("paths", template, method.lower(), "responses", key, "content", media_type)
        )
        validator = self._validator(f"{_ROOT}#/{pointer}/schema")
        return [
            f"{status} body at {error.json_path}: {error.message[:300]}"
            for error in sorted(validator.iter_errors(data), key=lambda error: list(error.path))[:5]
        ]

    def _validator(self, ref: str) -> Any:
        if ref not in self._validators:
            self._validators[ref] = OAS30ReadValidator(
                {"$ref": ref}, registry=self.registry, format_checker=OAS30ReadValidator.FORMAT_CHECKER
            )
        return self._validators[ref]


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def _escape(part: str) -> str:
    """A JSON pointer segment, URI-encoded for a ``$ref``."""
    return quote(part.replace("~", "~0").replace("/", "~1"), safe="~")


_checker: SchemaChecker | None = None


def checker() -> SchemaChecker:
    """The checker for the project's schema, generated once per test process."""
    global _checker
    if _checker is None:
        from drf_spectacular.generators import SchemaGenerator

        # The project's URLconf, as /api/schema describes it, whatever URLconf the test swapped in.
        urlconf = import_module(os.environ["DJANGO_SETTINGS_MODULE"]).ROOT_URLCONF
        schema = SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)
        # The document as a client reads it: JSON, not Python objects (lazy strings, tuples, ...).
        _checker = SchemaChecker(json.loads(json.dumps(schema, default=str)))
    return _checker


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "schema_exempt(reason): the test provokes answers the OpenAPI schema deliberately leaves out",
    )


@pytest.fixture(autouse=True)
def _answers_match_the_schema(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("schema_exempt"):
        return
    violations = request.node.stash.setdefault(_VIOLATIONS, [])
    send = Client.request

    def checked(client: Client, **environ: Any) -> Any:
        response = send(client, **environ)
        method, path = response.request["REQUEST_METHOD"], response.request["PATH_INFO"]
        violations.extend(f"{method} {path}: {problem}" for problem in checker().violations(method, path, response))
        return response

    monkeypatch.setattr(Client, "request", checked)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    result = yield
    violations = item.stash.get(_VIOLATIONS, [])
    if violations:
        listed = "\n  ".join(dict.fromkeys(violations))
        pytest.fail(f"answers that do not match the OpenAPI schema:\n  {listed}", pytrace=False)
    return result
