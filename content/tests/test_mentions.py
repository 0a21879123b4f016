"""content.mentions.extract_mentions: which `@username`s a text mentions."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.validators import USERNAME_PATTERN, username_validator
from content.mentions import extract_mentions
from content.models import MAX_MENTIONS
from core.testing import HOSTILE_UNITS, hostile, seconds_taken

LONG = 50_000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@alice", ["alice"]),
        ("hi @alice and @bob_2, thanks", ["alice", "bob_2"]),
        ("@bob then @alice then @bob again", ["bob", "alice"]),
        ("@Alice @ALICE @alice", ["Alice"]),  # one user: usernames ignore case; the first spelling stays
        ("(@alice) [@bob] '@carol' \"@dave_\"", ["alice", "bob", "carol", "dave_"]),
        ("@alice: @bob; @carol! @dave? @erin.", ["alice", "bob", "carol", "dave", "erin"]),
        ("cc:@alice\n@bob\t@carol", ["alice", "bob", "carol"]),
        ("$AAPL @alice #nvda", ["alice"]),
        ("https://x.com/post @alice", ["alice"]),
        ("@" + "a" * 30, ["a" * 30]),
    ],
)
def test_extract_mentions_finds_usernames(text: str, expected: list[str]) -> None:
    assert extract_mentions(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "@",
        "@ alice",
        "@ab",  # too short for a username
        "@" + "a" * 31,  # too long: not a username at all, and not its first 30 characters
        "@alicé",
        "@alice@example.com",
        "mail alice@example.com",
        "bob.smith@alice.io",
        "bob+news@alice.io",
        "bob-x@alice.io",
        "https://x.com/@alice",
        "see https://example.com/u/@alice/posts?by=@bob",
        "www.example.com/@alice",
        "mailto:bob@alice.io",
        "email@@alice",
        "word@alice",
        "_@alice",
        "$AAPL@alice",
    ],
)
def test_extract_mentions_ignores_non_usernames_emails_and_links(text: str) -> None:
    assert extract_mentions(text) == []


def test_extract_mentions_stops_at_the_cap() -> None:
    names = [f"user_{i:02}" for i in range(MAX_MENTIONS + 3)]

    assert extract_mentions(" ".join(f"@{name}" for name in names)) == names[:MAX_MENTIONS]


def test_the_mention_pattern_is_the_username_rule() -> None:
    # Not restated: the validator, the model's constraint and mentions read one pattern.
    assert re.compile(username_validator.regex).pattern == rf"^{USERNAME_PATTERN}\Z"


usernames = st.from_regex(USERNAME_PATTERN, fullmatch=True)
# Mostly the characters that matter to the rules, plus anything at all.
texts = st.text(
    alphabet=st.one_of(st.sampled_from(list("@.:/+-_ \n\taAbBzZ019é")), st.characters()),
    max_size=120,
)
whitespace = st.text(alphabet=st.sampled_from([" ", "\n", "\t", "\u00a0", "\u2003"]), max_size=3)


@given(texts)
def test_extract_mentions_output_is_unique_usernames_written_in_the_text(text: str) -> None:
    result = extract_mentions(text)

    assert all(re.fullmatch(username_validator.regex, name) for name in result)
    assert all(f"@{name}" in text for name in result)
    assert len({name.lower() for name in result}) == len(result)
    assert len(result) <= MAX_MENTIONS


@given(texts, whitespace, whitespace)
def test_extract_mentions_is_stable_under_surrounding_whitespace(text: str, before: str, after: str) -> None:
    assert extract_mentions(before + text + after) == extract_mentions(text)


@given(texts, st.data(), usernames)
def test_extract_mentions_finds_any_username_inserted_between_spaces(text: str, data: st.DataObject, name: str) -> None:
    at = data.draw(st.integers(min_value=0, max_value=len(text)))

    result = extract_mentions(f"{text[:at]} @{name} {text[at:]}")

    # Found unless the cap is reached before it.
    if len(extract_mentions(text[:at] + " ")) < MAX_MENTIONS:
        assert name.lower() in [found.lower() for found in result]


@given(st.lists(usernames, max_size=15), st.sampled_from([" ", ", ", " and ", "\n", "; "]))
def test_extract_mentions_reads_back_its_own_output(listed: list[str], separator: str) -> None:
    result = extract_mentions(separator.join(f"@{name}" for name in listed))

    first_spellings: dict[str, str] = {}
    for name in listed:
        first_spellings.setdefault(name.lower(), name)
    assert result == list(first_spellings.values())[:MAX_MENTIONS]


hosts = st.from_regex(r"[a-z0-9]{1,10}\.(com|io|co\.uk)", fullmatch=True)


@given(usernames, usernames, hosts, st.sampled_from(["", "@"]))
def test_extract_mentions_never_finds_email_addresses(local: str, name: str, host: str, at: str) -> None:
    # alice@example.com, and @alice@example.com (a fediverse-style address is an address too)
    assert extract_mentions(f"write to {at}{local}@{name}.{host} today") == []
    assert extract_mentions(f"@{name}@{host}") == []


@given(
    usernames, hosts, st.sampled_from(["https://", "http://", "ftp://", "www."]), st.sampled_from(["/", "/u/", "/?by="])
)
def test_extract_mentions_never_finds_names_inside_links(name: str, host: str, scheme: str, path: str) -> None:
    assert extract_mentions(f"see {scheme}{host}{path}@{name} now") == []


@pytest.mark.parametrize("unit", [*HOSTILE_UNITS, "@", "@a", "a@", "@abc", "@" + "a" * 29 + ".", "www.", "a://"])
def test_extract_mentions_is_linear_on_long_hostile_text(unit: str) -> None:
    text = hostile(unit, LONG)

    _, seconds = seconds_taken(lambda: extract_mentions(text))

    assert seconds < 0.5, f"{seconds:.3f} s"
