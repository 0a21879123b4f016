"""How errors are scrubbed, normalised and fingerprinted (pure functions, no database)."""

import json

import pytest

from metrics.errors import (
    backend_place,
    context_problem,
    error_fingerprint,
    frontend_place,
    normalize,
    scrub,
    scrub_text,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Bearer abc.def-ghi=", "Authorization: Bearer [scrubbed]"),
        ("basic dXNlcjpwYXNz failed", "basic [scrubbed] failed"),
        ("password=hunter2 and user=bob", "password=[scrubbed] and user=bob"),
        ("/reset?uid=MQ&token=abc-123&next=/", "/reset?uid=MQ&token=[scrubbed]&next=/"),
        ("?access_token=a1&refresh=r2#top", "?access_token=[scrubbed]&refresh=[scrubbed]#top"),
        ('{"apiKey": "k\\"ey", "name": "bob"}', '{"apiKey": "[scrubbed]", "name": "bob"}'),
        ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2ln here", "jwt [scrubbed] here"),
        # Plain prose that mentions a sensitive word keeps its meaning.
        ("Access denied: session expired", "Access denied: session expired"),
    ],
)
def test_scrub_text_replaces_credentials(text, expected):
    assert scrub_text(text) == expected


def test_scrub_replaces_sensitive_keys_at_any_depth_and_keeps_the_rest():
    value = {
        "TOKEN": "a",
        "user": {"id": 7, "Password_Confirm": "b", "tags": ["x", {"sessionid": "c"}]},
        "list": [{"Cookie": "d"}, "Bearer e", 3, None, True],
        "my-api-key": {"nested": "f"},
    }

    assert scrub(value) == {
        "TOKEN": "[scrubbed]",
        "user": {"id": 7, "Password_Confirm": "[scrubbed]", "tags": ["x", {"sessionid": "[scrubbed]"}]},
        "list": [{"Cookie": "[scrubbed]"}, "Bearer [scrubbed]", 3, None, True],
        "my-api-key": "[scrubbed]",
    }


@pytest.mark.parametrize(
    ("context", "problem"),
    [
        ({}, None),
        ({"a": [1, {"b": "c"}]}, None),
        ([], "Must be a JSON object."),
        ("x", "Must be a JSON object."),
        ({"a": [[[[[[[["deep"]]]]]]]]}, "Nested deeper than 8 levels."),
        ({"a": "x" * 8200}, "At most 8 KB of JSON."),
    ],
)
def test_context_limits(context, problem):
    assert context_problem(context) == problem


def test_the_size_limit_counts_serialized_utf8_bytes():
    fits = {"a": "x" * (8 * 1024 - len(json.dumps({"a": ""}, separators=(",", ":"))))}
    over = {"a": "é" * 4200}  # 4200 characters, 8400 bytes

    assert (context_problem(fits), context_problem(over)) == (None, "At most 8 KB of JSON.")


def test_normalize_masks_variable_parts():
    assert (
        normalize("Order 4711 of user 12 failed  at 0x7f3a: 550E8400-E29B-41D4-A716-446655440000 (deadbeef42)")
        == "Order <n> of user <n> failed at <hex>: <uuid> (<hex>)"
    )
    # Words that merely look like hex are left alone.
    assert normalize("added facade") == "added facade"


@pytest.mark.parametrize(
    ("stack", "url", "place"),
    [
        (
            "TypeError: x\n    at render (https://a.example/static/main.1a2b.js:1:2)\n    at b (x.js:1:1)",
            "",
            "render in /static/main.1a2b.js",
        ),
        ("Error\n    at async loadFeed (https://a.example/app.js?v=3:10:5)", "", "loadFeed in /app.js"),
        ("Error\n    at https://a.example/app.js:10:5", "", "? in /app.js"),
        ("Error\n    at new Chart (webpack:///src/chart.ts:3:1)", "", "new Chart in /src/chart.ts"),
        ("loadFeed@https://a.example/app.js:10:5\n@https://a.example/app.js:1:1", "", "loadFeed in /app.js"),
        ("@https://a.example/app.js:1:1", "", "? in /app.js"),
        ("no frames here", "https://a.example/posts/12?tab=1", "/posts/12"),
        ("", "", ""),
    ],
)
def test_frontend_place_is_the_top_frame_else_the_page(stack, url, place):
    assert frontend_place(stack=stack, url=url) == place


def _parse(text):
    return json.loads(text)


def test_backend_place_is_the_innermost_frame_of_our_code():
    try:
        _parse("{broken")  # raises inside the standard library
    except json.JSONDecodeError as exc:
        place = backend_place(exc)

    assert place.startswith("json.decoder.JSONDecodeError at metrics.tests.test_errors_grouping:_parse:")


def test_fingerprints_group_equal_errors_and_split_different_ones():
    base = {
        "source": "frontend",
        "level": "error",
        "message": "Post 12 missing",
        "place": "render in /main.ab12cd34.js",
    }
    same = {**base, "message": "Post 999 missing", "place": "render in /main.99ff00aa.js"}

    fingerprint = error_fingerprint(**base)

    assert len(fingerprint) == 64
    assert error_fingerprint(**same) == fingerprint
    for change in ({"source": "backend"}, {"level": "warning"}, {"message": "Post 12 gone"}, {"place": "b in /x.js"}):
        assert error_fingerprint(**{**base, **change}) != fingerprint
