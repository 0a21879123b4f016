"""The OpenAPI schema (``/api/schema``): valid, and what the plumbing answers is declared on every operation.

``core.schema_testing`` checks every answer of the suite against it; its own
checks are tested at the end of this file.
"""

import json

import pytest
from django.http import HttpResponse, StreamingHttpResponse
from openapi_schema_validator import OAS30ReadValidator
from openapi_spec_validator import validate

from core.ids import ID_PATTERN
from core.pagination import DEFAULT_LIMIT, MAX_LIMIT
from core.schema_testing import SchemaChecker, checker

METHODS = {"get", "put", "post", "patch", "delete"}


@pytest.fixture(scope="module")
def schema():
    return checker().schema


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_the_schema_is_valid_openapi_3(schema):
    validate(schema)
    assert schema["openapi"].startswith("3.0")


def test_the_served_schema_is_the_checked_one(api_client, schema):
    response = api_client.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert set(response.json()["paths"]) == set(schema["paths"])


def test_every_error_answer_is_declared_as_problem_json(schema):
    declared = {
        (path, method, status): list(answer.get("content", {}))
        for path, method, operation in operations(schema)
        for status, answer in operation["responses"].items()
        if int(status) >= 400 and path.startswith("/api/")
    }

    assert len(declared) > 100
    assert {key: types for key, types in declared.items() if types != ["application/problem+json"]} == {}


def test_every_operation_that_reads_a_bearer_token_declares_401(schema):
    missing = [
        (path, method)
        for path, method, operation in operations(schema)
        if any("jwtAuth" in requirement for requirement in operation.get("security", []))
        and "401" not in operation["responses"]
    ]

    assert missing == []
    # Where signing in is optional too (a bad token is still a 401).
    for path in ("/api/v1/posts", "/api/v1/posts/{post_id}", "/api/v1/polls/{poll_id}/results"):
        assert "401" in schema["paths"][path]["get"]["responses"]


def test_every_operation_on_a_path_with_a_parameter_declares_404(schema):
    with_parameters = [
        (path, method, operation)
        for path, method, operation in operations(schema)
        if any(parameter["in"] == "path" for parameter in operation.get("parameters", []))
    ]

    assert ("/api/v1/posts/{post_id}/bookmarks", "delete") in {(path, method) for path, method, _ in with_parameters}
    for path, method, operation in with_parameters:
        assert "404" in operation["responses"], (path, method)


def test_anonymous_reads_declare_their_etag_and_304(schema):
    post = schema["paths"]["/api/v1/posts/{post_id}"]["get"]["responses"]
    me = schema["paths"]["/api/v1/users/me"]["get"]["responses"]

    assert "ETag" in post["200"]["headers"]
    assert "content" not in post["304"]
    # Signed in only: always private, no-store, never an ETag.
    assert "304" not in me


def test_every_body_declares_the_answers_to_a_bad_body(schema):
    for path, method, operation in operations(schema):
        if "requestBody" in operation:
            assert {"400", "413", "415"} <= set(operation["responses"]), (path, method)


def test_every_rate_limited_answer_declares_retry_after(schema):
    limited = [
        operation["responses"]["429"] for _, _, operation in operations(schema) if "429" in operation["responses"]
    ]

    assert len(limited) > 10
    for answer in limited:
        assert answer["headers"]["Retry-After"]["schema"] == {"type": "integer", "minimum": 1}


def test_problem_schemas_name_every_field_the_server_sends(schema):
    components = schema["components"]["schemas"]

    assert {"type", "title", "status", "detail", "code", "request_id", "retry_after"} <= set(
        components["Problem"]["properties"]
    )
    assert {"type", "title", "status", "detail", "code", "request_id", "errors"} <= set(
        components["ValidationProblem"]["properties"]
    )


def test_limit_is_declared_with_its_bounds_on_every_page(schema):
    limits = [
        (path, parameter["schema"])
        for path, method, operation in operations(schema)
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "limit"
    ]

    assert "/api/v1/feed" in dict(limits)
    for path, declared in limits:
        assert declared["minimum"] == 1, path
        assert declared["maximum"] <= MAX_LIMIT, path
        assert "default" in declared, path
    assert dict(limits)["/api/v1/feed"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": MAX_LIMIT,
        "default": DEFAULT_LIMIT,
    }


def test_ids_in_bodies_and_the_author_filter_are_strings_with_the_id_pattern(schema):
    components = schema["components"]["schemas"]
    author = next(
        parameter
        for parameter in schema["paths"]["/api/v1/posts"]["get"]["parameters"]
        if parameter["name"] == "author"
    )

    assert author["schema"]["type"] == "string"
    assert author["schema"]["pattern"] == ID_PATTERN
    parent_id = components["CommentCreateRequest"]["properties"]["parent_id"]
    assert (parent_id["type"], parent_id["pattern"], parent_id["nullable"]) == ("string", ID_PATTERN, True)
    assert components["Post"]["properties"]["id"]["pattern"] == ID_PATTERN


@pytest.mark.parametrize("field", ["poll", "quoted_post", "reposted_by"])
def test_nullable_objects_accept_null_under_a_strict_validator(schema, field):
    post = schema["components"]["schemas"]["Post"]

    # Every other field of a valid post is irrelevant here: validate the one property.
    validator = OAS30ReadValidator({**post["properties"][field], "components": schema["components"]})

    assert list(validator.iter_errors(None)) == []
    assert list(validator.iter_errors("a string")) != []


def test_no_nullable_is_left_beside_an_untyped_all_of(schema):
    text = json.dumps(schema)
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("nullable") and "allOf" in node and "type" not in node:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    assert found == []
    assert '"nullable": true' in text


def test_bodies_that_refuse_unknown_fields_say_so(schema):
    components = schema["components"]["schemas"]
    closed = {name for name, component in components.items() if component.get("additionalProperties") is False}

    assert {"PatchedProfileUpdateRequest", "OnboardingRequest", "UserSettingsRequest"} <= closed
    assert all(name.endswith("Request") for name in closed)
    assert "x-refuses-unknown-fields" not in json.dumps(schema)


def test_no_component_is_described_by_a_base_class_docstring(schema):
    described = [
        name
        for name, component in schema["components"]["schemas"].items()
        if component.get("description", "").startswith("DRF's")
    ]

    assert described == []
    assert "description" not in schema["components"]["schemas"]["Media"]


def test_user_settings_are_typed(schema):
    components = schema["components"]["schemas"]
    settings = components["UserSettings"]

    assert set(settings["properties"]) == {"theme", "language", "default_feed"}
    assert set(settings["required"]) == {"theme", "language", "default_feed"}
    country = components["Me"]["properties"]["country"]
    assert (country["type"], country["nullable"]) == ("string", True)


# core.schema_testing.SchemaChecker

MINI = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/api/v1/things/{thing_id}": {
            "get": {
                "parameters": [
                    {
                        "name": "thing_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "pattern": "^[1-9][0-9]*$"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}},
                    },
                    "404": {"description": "", "content": {"application/problem+json": {"schema": {"type": "object"}}}},
                },
            },
            "delete": {"responses": {"204": {"description": ""}}},
        },
        "/api/v1/things/mine": {
            "get": {
                "responses": {
                    "200": {"description": "", "content": {"application/json": {"schema": {"type": "array"}}}}
                }
            }
        },
    },
    "components": {
        "schemas": {
            "Thing": {
                "type": "object",
                "required": ["id", "owner"],
                "properties": {
                    "id": {"type": "string"},
                    "owner": {
                        "oneOf": [{"$ref": "#/components/schemas/Owner"}, {"$ref": "#/components/schemas/NullEnum"}],
                        "nullable": True,
                    },
                },
            },
            "Owner": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
            "NullEnum": {"enum": [None]},
        }
    },
}


def answer(body, status=200, content_type="application/json"):
    return HttpResponse(json.dumps(body) if body is not None else b"", status=status, content_type=content_type)


@pytest.fixture
def mini():
    return SchemaChecker(MINI)


def test_checker_accepts_answers_that_match(mini):
    assert mini.violations("GET", "/api/v1/things/7", answer({"id": "7", "owner": {"name": "ada"}})) == []
    assert mini.violations("GET", "/api/v1/things/7", answer({"id": "7", "owner": None})) == []
    assert mini.violations("GET", "/api/v1/things/7", answer({}, 404, "application/problem+json")) == []
    assert mini.violations("DELETE", "/api/v1/things/7", answer(None, 204)) == []


def test_checker_flags_an_undeclared_status(mini):
    assert mini.violations("GET", "/api/v1/things/7", answer({}, 409)) == [
        "status 409 is not declared (declared: 200, 404)"
    ]


def test_checker_flags_an_undeclared_content_type(mini):
    assert mini.violations("GET", "/api/v1/things/7", answer({}, 404)) == [
        "404 content type application/json is not declared (declared: application/problem+json)"
    ]


def test_checker_flags_a_body_that_does_not_validate(mini):
    problems = mini.violations("GET", "/api/v1/things/7", answer({"id": 7, "owner": {"nom": "x"}}))

    assert problems == [
        "200 body at $.id: 7 is not of type 'string'",
        "200 body at $.owner: {'nom': 'x'} is not valid under any of the given schemas",
    ]


def test_checker_flags_a_body_where_none_is_declared(mini):
    assert mini.violations("DELETE", "/api/v1/things/7", answer({"deleted": True}, 204)) == [
        "204 declares no body, got application/json (17 bytes)"
    ]


def test_checker_prefers_a_literal_segment_and_honours_path_patterns(mini):
    assert mini.operation("GET", "/api/v1/things/mine")[0] == "/api/v1/things/mine"
    assert mini.operation("GET", "/api/v1/things/7")[0] == "/api/v1/things/{thing_id}"
    # Not an id: no operation answers it (the server's 404), so nothing is checked.
    assert mini.operation("GET", "/api/v1/things/07") is None
    assert mini.violations("GET", "/api/v1/things/07", answer({}, 404)) == []
    assert mini.violations("PUT", "/api/v1/things/7", answer({}, 405)) == []


def test_checker_does_not_read_a_streamed_body(mini):
    streamed = StreamingHttpResponse(iter([b"[1,"]), content_type="application/json")

    assert mini.violations("GET", "/api/v1/things/mine", streamed) == []
    assert b"".join(streamed.streaming_content) == b"[1,"


@pytest.mark.schema_exempt(reason="answers are altered on purpose to show the real schema's checker catches them")
@pytest.mark.django_db
def test_checker_catches_a_real_answer_the_schema_does_not_declare(auth_client):
    response = auth_client.get("/api/v1/users/me")
    assert checker().violations("GET", "/api/v1/users/me", response) == []

    response.status_code = 409
    assert checker().violations("GET", "/api/v1/users/me", response)[0].startswith("status 409 is not declared")
