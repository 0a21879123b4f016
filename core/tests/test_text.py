"""Text PostgreSQL cannot store: found anywhere in a JSON value, replaced where it must be stored anyway."""

import pytest

from core.text import NUL_PROBLEM, SURROGATE_PROBLEM, control_problem, json_text_problem, storable


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("plain", None),
        ("é ✓ 日本 🙂", None),  # a surrogate pair in UTF-16 is one character here: fine
        ("", None),
        ("a\x00b", NUL_PROBLEM),
        ("\ud800", SURROGATE_PROBLEM),
        ("é\udfff", SURROGATE_PROBLEM),
    ],
)
def test_control_problem(value, problem):
    assert control_problem(value) == problem


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"a": [1, 2.5, None, True, {"b": "c"}]}, None),
        ({"a\x00": 1}, NUL_PROBLEM),
        ({"a": {"b": [{"c": ["x\ud800"]}]}}, SURROGATE_PROBLEM),
        (["\x00"], NUL_PROBLEM),
        ("\x00", NUL_PROBLEM),
    ],
)
def test_json_text_problem_looks_at_keys_and_values_at_any_depth(value, problem):
    assert json_text_problem(value) == problem


def test_json_text_problem_survives_any_depth():
    deep: list = ["\x00"]
    for _ in range(100_000):
        deep = [deep]

    assert json_text_problem(deep) == NUL_PROBLEM


def test_storable_replaces_what_postgresql_refuses():
    assert storable("a\x00b\ud800c\udfffé") == "a\ufffdb\ufffdc\ufffdé"
    assert storable("fine é") == "fine é"
