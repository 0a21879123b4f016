"""OpenAPI helpers: one definition of the problem details answer, and the schema fixes every endpoint shares.

Views declare their own answers (``responses={200: X, **problems(400, 404)}``).
What follows from the plumbing rather than from one view is added by
``postprocess`` (a drf-spectacular ``POSTPROCESSING_HOOKS`` entry), so no view
can forget it: every error is ``application/problem+json``; a bearer token
that is bad or expired is a 401 wherever a token is read; a JSON body can be
malformed (400), too large (413) or not JSON at all (415); an object named
in the path may not exist (404); a rate-limited write is a 429; an anonymous
read carries an ``ETag`` and may be a 304.
"""

from __future__ import annotations

import inspect
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from drf_spectacular.utils import OpenApiResponse, extend_schema_field, extend_schema_serializer, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS

from core.exceptions import PROBLEM_CONTENT_TYPE
from core.ids import ID_PATTERN
from core.pagination import DEFAULT_LIMIT, MAX_LIMIT
from core.serializers import ModelSerializer
from core.throttling import AnonWriteThrottle, UserWriteThrottle

T = TypeVar("T")


@extend_schema_field(
    {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "object", "additionalProperties": {}},
        ]
    }
)
class _FieldErrors(serializers.Field):
    """One field's messages (only for the schema)."""


_PROBLEM_FIELDS: dict[str, serializers.Field] = {
    "type": serializers.CharField(help_text="`about:blank`: the status explains the problem."),
    "title": serializers.CharField(help_text="The status phrase."),
    "status": serializers.IntegerField(),
    "detail": serializers.CharField(help_text="What went wrong, for people."),
    "code": serializers.CharField(required=False, help_text="What went wrong, for programs (`not_found`, ...)."),
    "request_id": serializers.CharField(
        required=False, help_text="The `X-Request-ID` of the request: quote it when reporting a problem."
    ),
}

Problem = inline_serializer(
    name="Problem",
    fields={
        **_PROBLEM_FIELDS,
        "retry_after": serializers.IntegerField(
            required=False, min_value=1, help_text="On a 429: seconds to wait, as in the `Retry-After` header."
        ),
    },
)

ValidationProblem = inline_serializer(
    name="ValidationProblem",
    fields={
        **_PROBLEM_FIELDS,
        "errors": serializers.DictField(
            child=_FieldErrors(),
            required=False,
            help_text=(
                "Messages per field name: a list of strings, or for a nested object (or a list, "
                "keyed by position) its own mapping of the same kind. Absent when the body could "
                "not be read at all (`code` `parse_error`: not JSON, or nested too deeply)."
            ),
        ),
    },
)

_PROBLEM_SCHEMAS = {"Problem", "ValidationProblem"}

_DESCRIPTIONS = {
    400: "Invalid input; `errors` names each bad field.",
    401: "Missing, invalid or expired credentials.",
    403: "Not allowed for this user.",
    404: "Not found, or not visible to this viewer.",
    409: "Conflicts with the current state.",
    413: "The request body is too large.",
    415: "Unsupported media type.",
    429: "Rate limited; see `Retry-After`.",
    503: "A dependency is down.",
}


def problems(*statuses: int) -> dict[int, OpenApiResponse]:
    """``responses={**problems(400, 401)}``: documented problem+json answers."""
    return {
        status: OpenApiResponse(
            response=ValidationProblem if status == 400 else Problem,
            description=_DESCRIPTIONS.get(status, ""),
        )
        for status in statuses
    }


# A serializer that answers an unknown field with a 400 says so (``@refuses_unknown_fields``), and its
# request schema gets ``additionalProperties: false``: a client (or a schema-driven fuzzer) then knows
# that an extra key is an error, not ignored.
_REFUSES_UNKNOWN = "x-refuses-unknown-fields"


def refuses_unknown_fields(serializer_class: type[T]) -> type[T]:
    """Class decorator for serializers that refuse fields they do not declare."""
    return extend_schema_serializer(extensions={_REFUSES_UNKNOWN: True})(serializer_class)


# The postprocessing hook.

_ID_SCHEMA = {"type": "string", "pattern": ID_PATTERN, "example": "42"}
# Fields named like ids that are not database ids.
_NOT_IDS = {"request_id"}
# Query parameters that name an object by id.
_ID_QUERY_PARAMETERS = {"author"}
_PLUMBING_DOC = inspect.getdoc(ModelSerializer)
_METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}


def postprocess(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular ``POSTPROCESSING_HOOKS`` entry: see the module docstring."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    throttled = _throttled_operations(generator)
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            _declare_plumbing_answers(operation, throttled=(path, method.upper()) in throttled)
            if method == "get" and path.startswith("/api/") and _allows_anonymous_callers(operation):
                _declare_conditional_get(operation)
            _problems_as_problem_json(operation)
            for parameter in operation.get("parameters", []):
                _fix_parameter(parameter)
    for name, schema in schemas.items():
        _fix_properties(schema)
        if schema.get("description") == _PLUMBING_DOC:
            del schema["description"]  # inherited from the base class: says nothing about this object
        if schema.pop(_REFUSES_UNKNOWN, False) and name.endswith("Request"):
            schema["additionalProperties"] = False
    if any(_uses_null_enum(schema) for schema in schemas.values()):
        schemas.setdefault("NullEnum", {"enum": [None]})
    return result


def _problem_response(status: int) -> dict[str, Any]:
    name = "ValidationProblem" if status == 400 else "Problem"
    return {
        "description": _DESCRIPTIONS[status],
        "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": f"#/components/schemas/{name}"}}},
    }


def _declare_plumbing_answers(operation: dict[str, Any], *, throttled: bool) -> None:
    responses = operation.setdefault("responses", {})
    statuses: list[int] = []
    if any("jwtAuth" in requirement for requirement in operation.get("security", [])):
        # Even where signing in is optional, a token that is sent is checked: a bad one is a 401.
        statuses.append(401)
    if any(parameter.get("in") == "path" for parameter in operation.get("parameters", [])):
        # An id the pattern allows can still be beyond a bigint: the route itself answers 404.
        statuses.append(404)
    if "requestBody" in operation:
        # Malformed, too large, or of a media type the endpoint does not take.
        statuses += [400, 413, 415]
    if throttled:
        statuses.append(429)
    for status in statuses:
        responses.setdefault(str(status), _problem_response(status))
    if "429" in responses:
        responses["429"].setdefault("headers", {})["Retry-After"] = {
            "description": "Seconds until the limit lets this request through.",
            "schema": {"type": "integer", "minimum": 1},
        }
    operation["responses"] = dict(sorted(responses.items(), key=lambda item: item[0]))


def _allows_anonymous_callers(operation: dict[str, Any]) -> bool:
    security = operation.get("security")
    return security is None or {} in security


def _declare_conditional_get(operation: dict[str, Any]) -> None:
    """Anonymous API reads carry an ``ETag``; ``If-None-Match`` with it is a 304 (``core.http_cache``)."""
    responses = operation["responses"]
    if "200" not in responses:
        return
    responses["200"].setdefault("headers", {})["ETag"] = {
        "description": "For anonymous callers: send it back in `If-None-Match` to get a 304 while unchanged.",
        "schema": {"type": "string"},
    }
    responses.setdefault("304", {"description": "Not modified: the `If-None-Match` ETag still matches."})
    operation["responses"] = dict(sorted(responses.items(), key=lambda item: item[0]))


def _throttled_operations(generator: Any) -> set[tuple[str, str]]:
    """(path, method) of every operation a rate limit can answer with 429."""
    found: set[tuple[str, str]] = set()
    for path, _regex, method, callback in generator.endpoints or []:
        view = generator.create_view(callback, method)
        path = generator.coerce_path(path, method, view)
        for throttle in view.get_throttles():
            if isinstance(throttle, AnonWriteThrottle):
                # Anonymous writes only; where a write needs a user, the 401 comes first.
                applies = method not in SAFE_METHODS and _allows_anonymous(view, method)
            elif isinstance(throttle, UserWriteThrottle):
                applies = method not in SAFE_METHODS and _has_throttle_scope(view)
            else:
                applies = True
            if applies:
                found.add((path, method))
                break
    return found


def _allows_anonymous(view: Any, method: str) -> bool:
    request = view.initialize_request(RequestFactory().generic(method, "/"))
    request.user = AnonymousUser()
    try:
        return all(permission.has_permission(request, view) for permission in view.get_permissions())
    except Exception:
        # A permission that needs more of the request than this: it may let anyone in.
        return True


def _has_throttle_scope(view: Any) -> bool:
    scope = inspect.getattr_static(view, "throttle_scope", "")
    # A property picks the budget from the request: there is one.
    return isinstance(scope, property) or bool(scope)


def _problems_as_problem_json(operation: dict[str, Any]) -> None:
    """Problem answers are served as ``application/problem+json``: declare them so."""
    for status, response in operation.get("responses", {}).items():
        content = response.get("content", {})
        schema = content.get("application/json", {}).get("schema", {})
        if int(status) >= 400 and schema.get("$ref", "").rsplit("/", 1)[-1] in _PROBLEM_SCHEMAS:
            content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")


def _fix_parameter(parameter: dict[str, Any]) -> None:
    if parameter.get("in") != "query":
        return
    schema = parameter.setdefault("schema", {})
    if parameter["name"] in _ID_QUERY_PARAMETERS:
        parameter["schema"] = dict(_ID_SCHEMA)
    elif parameter["name"] == "limit" and "maximum" not in schema:
        parameter["schema"] = {**schema, "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}
    elif schema.get("type") == "boolean" and "enum" in schema:
        # django-filter's BooleanFilter is declared with the strings it parses; the value is a boolean.
        del schema["enum"]


def _fix_properties(schema: dict[str, Any]) -> None:
    for name, prop in (schema.get("properties") or {}).items():
        _nullable_ref(prop)
        if name in _NOT_IDS:
            continue
        if name == "id" or name.endswith("_id"):
            _as_id(prop)
        elif name.endswith("_ids") and prop.get("type") == "array":
            _as_id(prop.setdefault("items", {}))


def _as_id(prop: dict[str, Any]) -> None:
    if prop.get("type") in ("string", "integer") and "enum" not in prop:
        for keyword in ("format", "minimum", "maximum"):
            prop.pop(keyword, None)
        prop.update(_ID_SCHEMA)


def _nullable_ref(prop: dict[str, Any]) -> None:
    """``{allOf: [$ref], nullable: true}``: strict OpenAPI 3.0 validators refuse null there
    (``nullable`` only counts beside a ``type``), so it becomes ``oneOf: [$ref, NullEnum]``,
    the form drf-spectacular itself uses for nullable enums."""
    all_of = prop.get("allOf")
    if prop.get("nullable") and isinstance(all_of, list) and len(all_of) == 1 and "$ref" in all_of[0]:
        del prop["allOf"]
        prop["oneOf"] = [all_of[0], {"$ref": "#/components/schemas/NullEnum"}]


def _uses_null_enum(node: Any) -> bool:
    if isinstance(node, dict):
        return node.get("$ref") == "#/components/schemas/NullEnum" or any(_uses_null_enum(v) for v in node.values())
    if isinstance(node, list):
        return any(_uses_null_enum(v) for v in node)
    return False
